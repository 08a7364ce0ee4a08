/**
 * The HTML report: one self-contained file (inline CSS and SVG, no scripts,
 * no network) with the figures an operator looks at — peer states over time,
 * link events and faults on a timeline, delegation phases, the topology — and
 * the report's numbers in a table.
 *
 *   writeFileSync('out.html', renderHtml(report, observations))
 */
import type { Observations } from './runner.ts'
import type { Report } from './report.ts'

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const colors = { alive: '#2e9e5b', suspect: '#e0a526', unreachable: '#d64541', gone: '#7f8c8d' } as const
const palette = ['#3a6ea5', '#c9732c', '#6a4c93', '#1b998b', '#c0392b', '#8d6e63', '#2c3e50', '#d81b60']
const eventColors: Record<string, string> = { down: '#d64541', up: '#2e9e5b', loss: '#e0a526', 'loss-end': '#b7b7b7', crash: '#000000', restart: '#3a6ea5', start: '#1b998b', leave: '#6a4c93' }

function statesChart (o: Observations, width: number, height: number): string {
  const pad = { l: 50, r: 10, t: 10, b: 30 }
  const w = width - pad.l - pad.r
  const h = height - pad.t - pad.b
  const tMax = Math.max(1, o.wallMs)
  const maxY = Math.max(1, ...o.samples.map((s) => s.states.alive + s.states.suspect + s.states.unreachable + s.states.gone))
  const x = (t: number): number => pad.l + (t / tMax) * w
  const y = (v: number): number => pad.t + h - (v / maxY) * h
  const order = ['alive', 'suspect', 'unreachable', 'gone'] as const
  let areas = ''
  for (let k = order.length - 1; k >= 0; k--) {
    // stacked: the layer's top is the sum of itself and the layers below
    const top = o.samples.map((s) => { let v = 0; for (let j = 0; j <= k; j++) v += s.states[order[j] as 'alive']; return [x(s.t), y(v)] as const })
    if (top.length === 0) continue
    const pts = [...top.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`), `${(top[top.length - 1] as readonly number[])[0]?.toFixed(1) ?? 0},${y(0).toFixed(1)}`, `${(top[0] as readonly number[])[0]?.toFixed(1) ?? 0},${y(0).toFixed(1)}`]
    areas += `<polygon points="${pts.join(' ')}" fill="${colors[order[k] as 'alive']}" fill-opacity="0.85"/>`
  }
  const ticks = axisTicks(tMax).map((t) => `<line x1="${x(t)}" y1="${pad.t + h}" x2="${x(t)}" y2="${pad.t + h + 4}" stroke="#333"/><text x="${x(t)}" y="${pad.t + h + 16}" font-size="10" text-anchor="middle">${Math.round(t / 1000)}s</text>`).join('')
  const legend = order.map((s, i) => `<rect x="${pad.l + 10 + i * 110}" y="${pad.t + 4}" width="10" height="10" fill="${colors[s]}"/><text x="${pad.l + 24 + i * 110}" y="${pad.t + 13}" font-size="11">${s}</text>`).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="peer states over time">
<rect x="${pad.l}" y="${pad.t}" width="${w}" height="${h}" fill="#fafafa" stroke="#ccc"/>${areas}
<line x1="${pad.l}" y1="${pad.t + h}" x2="${pad.l + w}" y2="${pad.t + h}" stroke="#333"/>${ticks}
<text x="12" y="${pad.t + h / 2}" font-size="11" transform="rotate(-90 12 ${pad.t + h / 2})" text-anchor="middle">(observer, peer) pairs</text>
<text x="${pad.l - 4}" y="${pad.t + 10}" font-size="10" text-anchor="end">${maxY}</text>${legend}</svg>`
}

function axisTicks (tMax: number): number[] {
  const steps = [1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000]
  const step = steps.find((s) => tMax / s <= 10) ?? 1_200_000
  const out: number[] = []
  for (let t = 0; t <= tMax; t += step) out.push(t)
  return out
}

function timeline (o: Observations, width: number): string {
  const rows = ['start', 'crash', 'restart', 'leave', 'down', 'up', 'loss', 'loss-end']
  const used = rows.filter((r) => o.events.some((e) => e.kind === r))
  const extra = ['false suspicion', 'unreachable']
  const all = [...used, ...extra]
  const pad = { l: 110, r: 10, t: 10, b: 26 }
  const rowH = 18
  const height = pad.t + pad.b + all.length * rowH
  const w = width - pad.l - pad.r
  const tMax = Math.max(1, o.wallMs)
  const x = (t: number): number => pad.l + (t / tMax) * w
  let marks = ''
  all.forEach((r, i) => {
    const yy = pad.t + i * rowH + rowH / 2
    marks += `<text x="${pad.l - 6}" y="${yy + 4}" font-size="11" text-anchor="end">${esc(r)}</text><line x1="${pad.l}" y1="${yy}" x2="${pad.l + w}" y2="${yy}" stroke="#eee"/>`
    if (r === 'false suspicion') {
      for (const c of o.changes.filter((c) => c.falseSuspicion).slice(0, 2000)) marks += `<circle cx="${x(c.t).toFixed(1)}" cy="${yy}" r="2.5" fill="#e0a526"><title>${esc(`${c.observer} suspected ${c.peer} at ${(c.t / 1000).toFixed(1)}s`)}</title></circle>`
    } else if (r === 'unreachable') {
      for (const c of o.changes.filter((c) => c.to === 'unreachable').slice(0, 2000)) marks += `<circle cx="${x(c.t).toFixed(1)}" cy="${yy}" r="2.5" fill="#d64541"><title>${esc(`${c.observer}: ${c.peer} unreachable at ${(c.t / 1000).toFixed(1)}s`)}</title></circle>`
    } else {
      for (const e of o.events.filter((e) => e.kind === r).slice(0, 2000)) marks += `<rect x="${(x(e.t) - 1.5).toFixed(1)}" y="${yy - 6}" width="3" height="12" fill="${eventColors[r] ?? '#555'}"><title>${esc(`${(e.t / 1000).toFixed(1)}s ${e.detail}`)}</title></rect>`
    }
  })
  const ticks = axisTicks(tMax).map((t) => `<text x="${x(t)}" y="${height - 8}" font-size="10" text-anchor="middle">${Math.round(t / 1000)}s</text>`).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="link events">${marks}${ticks}</svg>`
}

function topology (o: Observations, size: number): string {
  const agents = o.agents
  const groups = [...new Set(agents.map((a) => a.group))]
  const c = size / 2
  const r = size / 2 - 40
  const pos = new Map<string, [number, number]>()
  // groups as rings: the first (usually the ground station) in the middle
  groups.forEach((g, gi) => {
    const members = agents.filter((a) => a.group === g)
    const rr = groups.length === 1 ? r : gi === 0 && members.length <= 3 ? r * 0.12 * (members.length > 1 ? 1 : 0) : r * (0.45 + 0.55 * (gi / Math.max(1, groups.length - 1)))
    members.forEach((a, i) => {
      const ang = (2 * Math.PI * i) / Math.max(1, members.length) + gi * 0.3
      pos.set(a.name, [c + rr * Math.cos(ang), c + rr * Math.sin(ang)])
    })
  })
  const dense = o.topology.length > 2000
  const edges = o.topology.slice(0, 5000).map(([a, b]) => {
    const p = pos.get(a); const q = pos.get(b)
    return p == null || q == null ? '' : `<line x1="${p[0].toFixed(1)}" y1="${p[1].toFixed(1)}" x2="${q[0].toFixed(1)}" y2="${q[1].toFixed(1)}" stroke="#99a" stroke-opacity="${dense ? 0.05 : 0.35}"/>`
  }).join('')
  const nodeR = agents.length > 60 ? 3 : 6
  const nodes = agents.map((a) => {
    const p = pos.get(a.name) as [number, number]
    const fill = palette[groups.indexOf(a.group) % palette.length] as string
    const ring = a.crashes > 0 ? ' stroke="#000" stroke-width="2"' : ''
    const label = agents.length <= 40 ? `<text x="${(p[0] + nodeR + 2).toFixed(1)}" y="${(p[1] + 3).toFixed(1)}" font-size="9">${esc(a.name)}</text>` : ''
    return `<circle cx="${p[0].toFixed(1)}" cy="${p[1].toFixed(1)}" r="${nodeR}" fill="${fill}"${ring}><title>${esc(`${a.name} (${a.phase}, ${a.starts} start(s), ${a.crashes} crash(es))`)}</title></circle>${label}`
  }).join('')
  const legend = groups.map((g, i) => `<rect x="8" y="${8 + i * 16}" width="10" height="10" fill="${palette[i % palette.length] as string}"/><text x="22" y="${17 + i * 16}" font-size="11">${esc(g)}</text>`).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="topology">${edges}${nodes}${legend}</svg>`
}

function delegationChart (r: Report, width: number): string {
  const d = r.delegations
  const bars: Array<[string, number, string]> = [['submitted', d.submitted, '#3a6ea5'], ['running', d.running, '#2e9e5b'], ['failed', d.failed, '#d64541'], ['lost', d.lost, '#000'], ['duplicates (max concurrent)', d.duplicatesMaxConcurrent, '#e0a526']]
  const max = Math.max(1, ...bars.map((b) => b[1]))
  const rowH = 22
  const height = bars.length * rowH + 10
  const body = bars.map(([label, v, color], i) => {
    const y = 5 + i * rowH
    const w = ((width - 230) * v) / max
    return `<text x="170" y="${y + 14}" font-size="11" text-anchor="end">${esc(label)}</text><rect x="176" y="${y + 3}" width="${w.toFixed(1)}" height="14" fill="${color}"/><text x="${(180 + w).toFixed(1)}" y="${y + 14}" font-size="11">${v}</text>`
  }).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="delegation phases">${body}</svg>`
}

function table (r: Report): string {
  const rows: Array<[string, unknown]> = [
    ['agents (peak running)', `${r.agents} (${r.peakAgents})`], ['duration', `${r.durationS}s`], ['startup', `${r.startupS}s`],
    ['discovery.fullViewS', r.discovery.fullViewS], ['failureDetection p50 / p99', `${r.failureDetection.p50S ?? '-'}s / ${r.failureDetection.p99S ?? '-'}s (${r.failureDetection.detected} detected, ${r.failureDetection.undetected} healed first)`],
    ['falseSuspicions', r.falseSuspicions], ['delegations', JSON.stringify(r.delegations)], ['failover p50 / p99', `${r.failover.p50S ?? '-'} / ${r.failover.p99S ?? '-'}`],
    ['overcommitViolations', r.overcommitViolations], ['loopsRefused', r.loopsRefused], ['messages per agent per s', r.messages.perAgentPerS], ['RSS MB per agent', r.rssMBPerAgent],
    ['crashes / restarts', `${r.crashes} / ${r.restarts}`]
  ]
  return `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v == null ? 'n/a' : String(v))}</td></tr>`).join('')}</table>`
}

export function renderHtml (r: Report, o: Observations): string {
  const violations = o.errors
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>skein sim: ${esc(r.scenario)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}h1{font-size:20px}h2{font-size:15px;margin-top:28px}table{border-collapse:collapse;font-size:13px}th,td{border-bottom:1px solid #ddd;padding:3px 10px;text-align:left}th{font-weight:600}.note{color:#666;font-size:12px}</style>
</head><body>
<h1>skein simulation — ${esc(r.scenario)}${r.short ? ' (short)' : ''}, seed ${r.seed}</h1>
<p class="note">${esc(o.scenario.description)}</p>
${table(r)}
<h2>Peer states over time</h2><p class="note">Every running agent's view of every peer it tracks, stacked.</p>
${statesChart(o, 960, 260)}
<h2>Faults and link events</h2><p class="note">Hover a mark for details.</p>
${timeline(o, 960)}
<h2>Delegation phases</h2>
${r.subsystems.delegation ? '' : '<p class="note">Delegation is not wired into the agent yet: no workloads were submitted.</p>'}
${delegationChart(r, 600)}
<h2>Topology</h2><p class="note">Links that exist before faults; a black ring marks an agent that crashed.</p>
${topology(o, 600)}
<h2>Notes</h2><ul class="note">${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}${violations.map((v) => `<li>${esc(v)}</li>`).join('')}</ul>
</body></html>
`
}
