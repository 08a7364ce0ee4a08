import t from 'tap'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { loadScenario, parseScenario } from '../sim/scenario.ts'

const base = () => ({
  name: 'x',
  duration: '20s',
  groups: [{ name: 'drone', count: 3 }, { name: 'ground', count: 1 }],
  faults: [
    { kind: 'loss', at: '1s', for: '2s', loss: 0.3 },
    { kind: 'crash', at: '2s', agents: 'drone-1', restartAfter: '3s' },
    { kind: 'partition', at: '4s', for: '2s', sides: ['drone', 'ground'] }
  ]
})

function refuses (tt: { equal: (a: unknown, b: unknown) => void, match: (a: unknown, b: RegExp) => void, fail: (m: string) => void }, doc: unknown, path: string, message: RegExp): void {
  try {
    parseScenario(doc)
  } catch (err) {
    tt.equal((err as Error).name, 'ScenarioError')
    tt.equal((err as { path?: string }).path, path)
    tt.match((err as Error).message, message)
    return
  }
  tt.fail(`accepted a bad scenario (expected an error at ${path})`)
}

t.test('every shipped scenario and its CI variant validate', async (t) => {
  const dir = 'sim/scenarios'
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'))
  t.ok(files.length >= 5)
  for (const f of files) {
    const full = loadScenario(join(dir, f))
    const short = loadScenario(join(dir, f), { short: true })
    t.ok(short.durationMs <= full.durationMs, `${f}: the CI variant is not longer`)
    t.ok(short.short && !full.short)
  }
})

t.test('a fault time that is not a duration is refused, naming the key', async (t) => {
  const doc = base()
  ;(doc.faults[2] as { at: string }).at = '5'
  refuses(t, doc, 'faults[2].at', /^scenario faults\[2\]\.at: "5" is not a duration/)
  const doc2 = base()
  ;(doc2.faults[0] as unknown as { at: number }).at = 5
  refuses(t, doc2, 'faults[0].at', /5 is not a duration/)
})

t.test('unknown keys, unknown groups and missing fields are refused with their path', async (t) => {
  refuses(t, { ...base(), colour: 'red' }, 'colour', /is not a scenario key/)
  const doc = base()
  ;(doc.faults[1] as { agents: string }).agents = 'tank-2'
  refuses(t, doc, 'faults[1].agents', /"tank-2" names no group or agent/)
  const doc2 = base()
  doc2.faults.push({ kind: 'lossBursts', at: '1s', for: '1s', loss: 0.2 } as never)
  refuses(t, doc2, 'faults[3].every', /required for a lossBursts fault/)
  refuses(t, { ...base(), groups: [{ name: 'a', count: 1 }, { name: 'a', count: 2 }] }, 'groups[1].name', /used twice/)
  const doc3 = base()
  ;(doc3.faults[0] as { loss: number }).loss = 1.5
  refuses(t, doc3, 'faults[0].loss', /1\.5/)
  refuses(t, [], 'scenario', /mapping/)
})

t.test('the short variant takes the ci block: counts, duration and faults', async (t) => {
  const doc = { ...base(), ci: { duration: '8s', counts: { drone: 1 }, faults: [{ kind: 'crash', at: '1s', agents: 'drone-0' }] } }
  const s = parseScenario(doc, { short: true })
  t.equal(s.durationMs, 8000)
  t.equal(s.groups.find((g) => g.name === 'drone')?.count, 1)
  t.equal(s.faults.length, 1)
  const full = parseScenario(doc)
  t.equal(full.faults.length, 3)
  t.equal(full.groups[0]?.count, 3)
})

t.test('link specs parse latency, loss and bandwidth', async (t) => {
  const s = parseScenario({ ...base(), network: { default: { latency: '20ms', jitter: '5ms', loss: 0.1, bandwidth: '2mbit' }, links: [{ between: ['drone', 'ground'], up: false }] } })
  t.same(s.network.default, { latencyMs: 20, jitterMs: 5, loss: 0.1, bandwidthBps: 2e6, up: true })
  t.same(s.network.links[0]?.spec, { up: false })
})

t.test('a workload entry carries its failover policy to the schedule; a bad one is refused with its key', async (t) => {
  const doc = { ...base(), workloads: [{ at: '5s', from: 'ground', count: 2, every: '1s', onDisconnect: 'failover', failoverAfter: '3s' }] }
  const s = parseScenario(doc)
  t.same(s.workloads[0], { atMs: 5000, from: ['ground'], count: 2, everyMs: 1000, cpu: '100m', memory: '64Mi', onDisconnect: 'failover', failoverAfterMs: 3000 })
  refuses(t, { ...base(), workloads: [{ at: '5s', from: 'ground', count: 1, onDisconnect: 'migrate' }] }, 'workloads[0].onDisconnect', /./)
  refuses(t, { ...base(), workloads: [{ at: '5s', from: 'ground', count: 1, failoverAfter: 'soon' }] }, 'workloads[0].failoverAfter', /duration/)
})
