import t from 'tap'
import { AutoPeering, type Candidate } from '../agent/peering/auto.ts'
import { systemClock } from '../agent/clock.ts'
import { silentLogger } from '../agent/logger.ts'
import { zero } from '../protocol/peering/index.ts'
import { makePeer, connect, removeDir, type TestPeer } from './peering-helpers.ts'

t.test('auto-peering holds leases on the best matching peers and replaces a lost one', async (t) => {
  const peers: TestPeer[] = []
  t.teardown(async () => { for (const p of peers) { await p.stop(); removeDir(p.dir) } })
  const me = await makePeer({ init: { offers: { policy: { share: false } } } })
  peers.push(me)
  const providers: Record<string, TestPeer> = {}
  for (const name of ['eu1', 'eu2', 'eu3', 'us1']) {
    const p = await makePeer({ cpu: 4000 })
    peers.push(p)
    providers[name] = p
    await connect(me, p)
  }
  const alive = new Set(Object.keys(providers))
  const rtt: Record<string, number> = { eu1: 1, eu2: 2, eu3: 3, us1: 0.5 }
  const candidates = (): Candidate[] => Object.entries(providers).map(([name, p]) => ({
    peerId: p.id, labels: { region: name.slice(0, 2) }, rttMs: rtt[name] ?? null, alive: alive.has(name)
  }))
  const auto = new AutoPeering({ count: 2, selector: { region: 'eu' }, quota: { ...zero(), cpu: 1000, pods: 2 }, durationMs: 3_600_000, intervalMs: 3_600_000 }, {
    peering: me.peering, candidates, store: me.store, clock: systemClock, logger: silentLogger()
  })
  await auto.tick()
  const providerOf = (): string[] => auto.managed().map((id) => me.peering.get(id)?.provider ?? '?').sort()
  t.same(providerOf(), [providers.eu1?.id, providers.eu2?.id].sort(), 'the two lowest-RTT peers with region=eu')
  await auto.tick()
  t.equal(me.peering.held().length, 2, 'a second pass asks for nothing more')

  // eu1 goes away and its lease is released; the next pass replaces it with eu3
  const lost = auto.managed().find((id) => me.peering.get(id)?.provider === providers.eu1?.id) as string
  await providers.eu1?.peering.release(lost)
  alive.delete('eu1')
  await auto.tick()
  t.same(providerOf(), [providers.eu2?.id, providers.eu3?.id].sort(), 'the lost lease was replaced')
  t.equal(providers.us1?.peering.list().length, 0, 'the selector kept us1 out')
})
