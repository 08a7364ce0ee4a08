import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createNode, type SkeinNode } from '../agent/node/index.ts'
import { LinkModel, planDelivery, minRtoMs } from '../sim/net/model.ts'
import { SimNetwork } from '../sim/net/transport.ts'
import { createRng } from '../sim/rng.ts'
import type { LinkSpec } from '../sim/scenario.ts'

const spec = (p: Partial<LinkSpec> = {}): LinkSpec => ({ latencyMs: 0, jitterMs: 0, loss: 0, bandwidthBps: Infinity, up: true, ...p })

t.test('a chunk arrives after latency plus its serialisation time', async (t) => {
  const st = { busyUntil: 0, lastDeliverAt: 0 }
  // 1 Mbit/s: 125 000 bytes take one second on the wire
  t.equal(planDelivery(st, 0, 125_000, spec({ latencyMs: 20, bandwidthBps: 1e6 }), () => 0), 1020)
  // the next chunk queues behind the first
  t.equal(planDelivery(st, 0, 125_000, spec({ latencyMs: 20, bandwidthBps: 1e6 }), () => 0), 2020)
})

t.test('jitter never reorders a stream and stays inside its bound', async (t) => {
  const rng = createRng(3)
  const st = { busyUntil: 0, lastDeliverAt: 0 }
  let last = 0
  for (let i = 0; i < 500; i++) {
    const at = planDelivery(st, i, 100, spec({ latencyMs: 10, jitterMs: 50 }), rng.next)
    t.ok(at >= last, 'FIFO')
    t.ok(at <= i + 10 + 50 || at === last, 'bounded by latency + jitter unless held behind the chunk before')
    last = at
  }
})

t.test('loss on a stream costs retransmission timeouts, not holes', async (t) => {
  const st = { busyUntil: 0, lastDeliverAt: 0 }
  // rand() = 0 means "lost" every time: the retransmit cap bounds the delay
  const at = planDelivery(st, 0, 10, spec({ latencyMs: 10, loss: 0.5 }), () => 0)
  let expected = 10; let rto = minRtoMs
  for (let i = 0; i < 6; i++) { expected += rto; rto *= 2 }
  t.equal(at, expected)
  const st2 = { busyUntil: 0, lastDeliverAt: 0 }
  t.equal(planDelivery(st2, 0, 10, spec({ latencyMs: 10, loss: 0.5 }), () => 0.9), 10, 'a transmission that got through costs only latency')
})

t.test('overlays compose: highest loss wins, any down takes the link down, isolation cuts everything', async (t) => {
  const groups: Record<string, string> = { 'a-0': 'a', 'a-1': 'a', 'b-0': 'b' }
  const m = new LinkModel({ default: spec({ latencyMs: 5 }), links: [{ between: [['a'], ['b']], spec: { latencyMs: 50 } }], resetAfterMs: 1000 }, (n) => groups[n])
  t.equal(m.link('a-0', 'b-0').latencyMs, 50)
  t.equal(m.link('a-0', 'a-1').latencyMs, 5)
  m.addOverlay({ id: 1, a: ['a-0'], b: ['*'], loss: 0.3, cause: 'x' })
  m.addOverlay({ id: 2, a: ['a'], b: ['b'], loss: 0.1, cause: 'y' })
  t.equal(m.link('b-0', 'a-0').loss, 0.3)
  t.equal(m.link('a-1', 'b-0').loss, 0.1)
  m.addOverlay({ id: 3, a: ['a'], b: ['b'], down: true, cause: 'partition' })
  t.notOk(m.up('b-0', 'a-1'))
  t.ok(m.up('a-0', 'a-1'))
  m.removeOverlay(3)
  t.ok(m.up('b-0', 'a-1'))
  m.isolate('a-1')
  t.notOk(m.up('a-0', 'a-1'))
  m.release('a-1')
  t.ok(m.up('a-0', 'a-1'))
})

t.test('real libp2p traffic crosses the model: latency shows in ping, a down link fails pings and dials', async (t) => {
  const m = new LinkModel({ default: spec({ latencyMs: 25 }), links: [], resetAfterMs: 1500 }, () => 'g')
  const net = new SimNetwork({ model: m, id: 'test', resetAfterMs: 1500, rand: createRng(1).next })
  const nodes: SkeinNode[] = []
  const mk = async (name: string): Promise<SkeinNode> => {
    const n = await createNode({ privateKey: await generateKeyPair('Ed25519'), listen: [net.address(name)], transports: [net.transport(name)], replaceTransports: true })
    await n.start()
    nodes.push(n)
    return n
  }
  t.teardown(async () => { for (const n of nodes) await n.stop(); net.stop() })
  const a = await mk('a')
  const b = await mk('b')
  const addr = b.getMultiaddrs()[0]
  if (addr == null) throw new Error('b has no address')
  await a.services.ping.ping(addr, { signal: AbortSignal.timeout(5000) })
  const rtt = await a.services.ping.ping(addr, { signal: AbortSignal.timeout(5000) })
  t.ok(rtt >= 50, `a ping takes at least two one-way latencies (${rtt} ms)`)
  t.ok(net.totals().messages > 0, 'the chunks were counted')
  m.addOverlay({ id: 1, a: ['a'], b: ['b'], down: true, cause: 'cut' })
  await t.rejects(a.services.ping.ping(addr, { signal: AbortSignal.timeout(1000) }), 'no ping over a down link')
  // held longer than resetAfter: the connection is reset, as TCP would give up
  await new Promise((resolve) => setTimeout(resolve, 2500))
  t.equal(a.getConnections(b.peerId).length, 0, 'the stalled connection was reset')
  await t.rejects(a.dial(addr, { signal: AbortSignal.timeout(5000) }), 'a dial over a down link fails')
  m.removeOverlay(1)
  net.kick()
  const again = await a.services.ping.ping(addr, { signal: AbortSignal.timeout(5000) })
  t.ok(again >= 50, 'after the link is back, a new connection works')
})
