/**
 * The private Kad-DHT as the only way to find a peer. Agents without a fleet
 * key exchange no membership hello, so announcements travel by gossip alone;
 * here the only neighbour two agents share drops every announcement it
 * receives (a gossip validator that ignores them) and anti-entropy is off,
 * so neither gossip nor sync can carry them across. Then only the DHT can tell each where the other is: as a
 * provider of the fleet's key, and, after a peer moved to another port, by
 * peer routing.
 */
import t from 'tap'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Agent } from '../agent/system.ts'
import { startAgent, tempDir, type TapLike } from './helpers/agent.ts'

const links = { pingInterval: '200ms', pingTimeout: '1s', minStdDev: '50ms' }

async function waitFor (what: string, fn: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now()
  for (;;) {
    if (fn()) return Date.now() - start
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function start (t: TapLike, bootstrap: string[], opts: { dht?: boolean, dir?: string } = {}): Promise<Agent> {
  const { agent } = await startAgent(t, {
    discovery: { mdns: false, dht: opts.dht ?? true, bootstrap, dhtInterval: '2s', announceInterval: '3s', syncInterval: '0s' },
    links
  }, opts.dir)
  return agent
}

/** The shared neighbour: a full agent whose gossip drops every announcement it is handed. */
async function hub (t: TapLike, dht = true): Promise<Agent> {
  const m = await start(t, [], { dht })
  const pubsub = (m.node?.services as unknown as { pubsub: { topicValidators: Map<string, () => Promise<string>> } }).pubsub
  const topic = m.discovery?.discovery?.topic
  if (topic == null) throw new Error('discovery not running')
  pubsub.topicValidators.set(topic, async () => 'ignore')
  return m
}

const knows = (a: Agent, b: Agent): boolean => a.discovery?.discovery?.peer(b.peerId) != null
const connected = (a: Agent, b: Agent): boolean => (a.node?.getConnections(peerIdFromString(b.peerId)).length ?? 0) > 0

t.test('without the DHT, two agents whose only common neighbour drops gossip never learn of each other', async (t) => {
  const m = await hub(t, false)
  const boot = [m.listenAddrs()[0] as string]
  const x = await start(t, boot, { dht: false })
  const y = await start(t, boot, { dht: false })
  await waitFor('both connected to the hub', () => connected(x, m) && connected(y, m), 10_000)
  // several gossip heartbeats and announcement rounds
  await new Promise((resolve) => setTimeout(resolve, 6000))
  t.notOk(knows(x, y) || knows(y, x), 'neither knows the other')
  t.notOk(connected(x, y), 'and they are not connected')
})

t.test('the private DHT finds a peer that gossip cannot reach, and finds it again after it moved', async (t) => {
  const m = await hub(t)
  const boot = [m.listenAddrs()[0] as string]
  const x = await start(t, boot)
  const pDir = tempDir(t)
  // an agent cannot be started twice: the first run of P gets its own teardown scope
  const first: Array<() => unknown> = []
  const p1 = await start({ teardown: (fn) => { first.push(fn) } }, boot, { dir: pDir })
  t.teardown(async () => { for (const fn of first) await fn() })
  const took = await waitFor('X and P to find each other', () => knows(x, p1) && knows(p1, x) && connected(x, p1), 30_000).catch((err: Error) => {
    throw new Error(`${err.message}: X knows P ${knows(x, p1)}, P knows X ${knows(p1, x)}, connected ${connected(x, p1)}, gossip in X ${x.discovery?.discovery?.messagesIn} P ${p1.discovery?.discovery?.messagesIn}`)
  })
  t.pass(`X and P found each other through the DHT in ${took} ms`)
  t.notOk(knows(m, x) || knows(m, p1), 'the hub passed nothing on: it holds neither announcement')
  t.equal(x.discovery?.links?.state(p1.peerId), 'alive')

  // P moves: same identity, new port
  const oldAddr = p1.listenAddrs()[0] as string
  const pid = p1.peerId
  for (const fn of first.splice(0)) await fn()
  await waitFor('X to mark P unreachable', () => x.discovery?.links?.state(pid) === 'unreachable', 15_000)
  const p2 = await start(t, boot, { dir: pDir })
  t.equal(p2.peerId, pid, 'same identity')
  const newAddr = p2.listenAddrs()[0] as string
  t.not(newAddr, oldAddr, `listening elsewhere (${oldAddr} → ${newAddr})`)
  const back = await waitFor('X to reach P at its new address', () => x.discovery?.links?.state(pid) === 'alive' && connected(x, p2), 30_000)
  t.pass(`X reached P again after ${back} ms`)
  const addrs = (await x.node?.peerStore.get(peerIdFromString(pid)))?.addresses.map((a) => a.multiaddr.toString()) ?? []
  t.ok(addrs.some((a) => newAddr.startsWith(a)), `X holds P's new address (${addrs.join(', ')})`)
  t.notOk(knows(m, p2), 'still nothing went through the hub\'s gossip')
})
