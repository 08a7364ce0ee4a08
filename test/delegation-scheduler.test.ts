import t from 'tap'
import { schedule, explain, type LeaseView, type LinkView, type ScheduleInput } from '../agent/scheduler/index.ts'
import { parseResources } from '../protocol/peering/resources.ts'

const now = 1_000_000
const lease = (id: string, provider: string, remaining: { cpu: string, memory: string, pods?: number }, state = 'active'): LeaseView => {
  const r = parseResources({ pods: 10, ...remaining })
  return { id, provider, remaining: r, quota: parseResources({ cpu: '8', memory: '16Gi', pods: 10 }), expires: now + 60_000, state }
}
const good: LinkView = { state: 'alive', rttMs: 10, loss: 0, bandwidthBps: 50e6, etx: 1 }

function input (over: Partial<ScheduleInput> = {}): ScheduleInput {
  return {
    requests: parseResources({ cpu: '1', memory: '1Gi', pods: 2 }),
    constraints: {},
    leases: [lease('l-b', 'B', { cpu: '4', memory: '8Gi' }), lease('l-c', 'C', { cpu: '4', memory: '8Gi' })],
    link: () => good,
    peer: () => ({ labels: { region: 'eu' } }),
    now,
    ...over
  }
}

t.test('every candidate is explained: filtered out with a reason or scored with a breakdown', async (t) => {
  const links: Record<string, LinkView> = {
    B: { state: 'alive', rttMs: 300, loss: 0, bandwidthBps: 50e6, etx: 1 },
    C: { state: 'alive', rttMs: 20, loss: 0.1, bandwidthBps: 50e6, etx: 1 },
    D: { state: 'suspect', rttMs: 5, loss: 0, bandwidthBps: 50e6, etx: 1 },
    E: { state: 'alive', rttMs: 20, loss: 0, bandwidthBps: 1e6, etx: 1 },
    F: good,
    G: good,
    H: good
  }
  const d = schedule(input({
    constraints: { maxRttMs: 200, maxLoss: 0.05, minBandwidthBps: 2e6, region: 'eu' },
    leases: [
      lease('l-b', 'B', { cpu: '4', memory: '8Gi' }),
      lease('l-c', 'C', { cpu: '4', memory: '8Gi' }),
      lease('l-d', 'D', { cpu: '4', memory: '8Gi' }),
      lease('l-e', 'E', { cpu: '4', memory: '8Gi' }),
      lease('l-f', 'F', { cpu: '500m', memory: '8Gi' }),
      lease('l-g', 'G', { cpu: '4', memory: '8Gi' }, 'expired'),
      lease('l-h', 'H', { cpu: '4', memory: '8Gi' }),
      lease('l-i', 'I', { cpu: '4', memory: '8Gi' })
    ],
    link: (p) => links[p],
    peer: (p) => ({ labels: { region: p === 'H' ? 'us' : 'eu' } })
  }))
  const why = Object.fromEntries(d.candidates.map((c) => [c.target, c.outcome === 'filtered' ? c.reason : `score ${c.score}`]))
  t.match(why.B, /rtt 300ms > max-rtt 200ms/)
  t.match(why.C, /loss 10% > max-loss 5%/)
  t.match(why.D, /peer is suspect/)
  t.match(why.E, /bandwidth 1Mbit < min-bandwidth 2Mbit/)
  t.match(why.F, /needs cpu=1 .*lease has cpu=500m/)
  t.match(why.G, /lease is expired/)
  t.match(why.H, /region us is not eu/)
  t.match(why.I, /no link telemetry/)
  t.equal(d.chosen, undefined, 'nothing passed')
  t.equal(d.candidates.length, 8)
  for (const c of d.candidates) t.match(explain(c), /filtered out: /)
})

t.test('scores prefer the better link and honour --prefer', async (t) => {
  const links: Record<string, LinkView> = { B: { ...good, rttMs: 150 }, C: { ...good, rttMs: 5 } }
  const d = schedule(input({ link: (p) => links[p] }))
  t.equal(d.chosen?.target, 'C', 'lower RTT wins when all else is equal')
  const scored = d.candidates.filter((c) => c.outcome === 'scored')
  t.equal(scored.length, 2)
  for (const c of scored) t.same(Object.keys(c.breakdown).sort(), ['bandwidth', 'carbon', 'cost', 'etx', 'failures', 'loss', 'quota', 'rtt'])
  t.match(explain(d.chosen!), /score [0-9.]+ \(quota \+[0-9.]+, rtt \+[0-9.]+/)

  const cheap = schedule(input({ link: (p) => links[p], peer: (p) => ({ labels: {}, cost: p === 'B' ? 0 : 5 }), constraints: { prefer: 'cost' } }))
  t.equal(cheap.chosen?.target, 'B', 'prefer cost picks the cheaper peer over the faster one')
  const green = schedule(input({ link: (p) => links[p], peer: (p) => ({ labels: {}, carbon: p === 'B' ? 10 : 800 }), constraints: { prefer: 'carbon' } }))
  t.equal(green.chosen?.target, 'B', 'prefer carbon')
})

t.test('recent failures are penalised and excluded peers are filtered', async (t) => {
  const d = schedule(input({ recentFailures: (p) => p === 'B' ? 3 : 0, link: (p) => p === 'B' ? { ...good, rttMs: 1 } : good }))
  t.equal(d.chosen?.target, 'C')
  const b = d.candidates.find((c) => c.target === 'B')
  t.equal(b?.outcome === 'scored' ? b.breakdown.failures : undefined, -2)
  const ex = schedule(input({ exclude: ['C'] }))
  t.equal(ex.chosen?.target, 'B')
  t.match(ex.candidates.find((c) => c.target === 'C'), { outcome: 'filtered', reason: /excluded/ })
})

t.test('the local cluster is a candidate too', async (t) => {
  const free = parseResources({ cpu: '2', memory: '4Gi', pods: 10 })
  const d = schedule(input({ local: { peerId: 'A', free, capacity: parseResources({ cpu: '8', memory: '16Gi', pods: 100 }), labels: { region: 'eu' } } }))
  const local = d.candidates.find((c) => c.local)
  t.equal(local?.outcome, 'scored')
  const tight = schedule(input({ local: { peerId: 'A', free: parseResources({ cpu: '500m', memory: '4Gi', pods: 10 }), capacity: free, labels: {} } }))
  t.match(tight.candidates.find((c) => c.local), { outcome: 'filtered', reason: /local cluster has cpu=500m/ })
  const alone = schedule(input({ leases: [], local: { peerId: 'A', free, capacity: free, labels: {} } }))
  t.equal(alone.chosen?.target, 'A')
  t.equal(alone.chosen?.local, true)
})
