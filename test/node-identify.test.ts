/**
 * Identify on a new connection is what tells gossipsub and the DHT that the
 * peer speaks their protocols. An exchange lost on the wire (or answered past
 * the timeout by a busy peer) must not leave the connection unused for good.
 */
import t, { type Test } from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createNode, type SkeinNode } from '../agent/node/index.ts'
import { createMetrics } from '../agent/metrics/index.ts'

const PROTOCOL = '/skein-test/gossip/1.0.0'

async function started (t: Test): Promise<{ node: SkeinNode, metrics: ReturnType<typeof createMetrics> }> {
  const metrics = createMetrics({ processMetrics: false })
  const node = await createNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], metrics })
  await node.start()
  t.teardown(async () => { await node.stop() })
  return { node, metrics }
}

function listening (node: SkeinNode): Multiaddr {
  const ma = node.getMultiaddrs()[0]
  if (ma == null) throw new Error('the node listens nowhere')
  return ma
}

async function counted (metrics: ReturnType<typeof createMetrics>): Promise<number> {
  const m = await metrics.registry.getSingleMetric('skein_identify_failures_total')?.get()
  return m?.values[0]?.value ?? 0
}

t.test('a connection whose first identify failed is identified on a later attempt, and its protocols reach their topologies', async (t) => {
  const a = await started(t)
  const b = await started(t)
  await b.node.handle(PROTOCOL, () => {})
  const identify = a.node.services.identify
  const real = identify.identify.bind(identify)
  let calls = 0
  identify.identify = async (conn: Connection, options?: Parameters<typeof real>[1]) => {
    calls++
    if (calls === 1) throw new Error('identify timed out')
    return await real(conn, options)
  }
  const connected = new Promise<PeerId>((resolve) => {
    void a.node.register(PROTOCOL, { onConnect: (peer) => { resolve(peer) } })
  })
  const start = Date.now()
  await a.node.dial(listening(b.node))
  const peer = await Promise.race([connected, new Promise<undefined>((resolve) => setTimeout(resolve, 10_000, undefined))])
  t.ok(peer?.equals(b.node.peerId), `the topology heard of the peer after ${Date.now() - start} ms`)
  t.equal(calls, 2, 'identify ran twice: the failure, then the retry')
  t.equal(await counted(a.metrics), 1, 'the retried failure is counted')
  t.equal(a.node.getConnections(b.node.peerId).length, 1, 'on the connection it first opened')
})

t.test('identify is not retried on a connection that closed', async (t) => {
  const a = await started(t)
  const b = await started(t)
  const identify = a.node.services.identify
  let calls = 0
  identify.identify = async () => {
    calls++
    throw new Error('connection reset')
  }
  const conn = await a.node.dial(listening(b.node))
  await new Promise((resolve) => setTimeout(resolve, 100))
  await conn.close()
  await new Promise((resolve) => setTimeout(resolve, 4000))
  t.equal(calls, 1, 'one attempt, none after the close')
})
