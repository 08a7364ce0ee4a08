/**
 * A hostile fleet member in its own process (so that its work does not share
 * the event loop of the agent under test): starts an Agent from a prepared
 * state directory (identity and membership.cert in it), joins through the
 * bootstrap address, drops its own handlers of the flooded protocols, opens
 * `count` streams on its one connection to the target, the protocols taking
 * turns, and prints one JSON line with what happened. Then it holds the
 * streams open until stdin closes.
 *
 *   node test/helpers/flood-streams.ts <dir> <fleetPublicKey> <bootstrap multiaddr> <count> <protocol>...
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { Stream } from '@libp2p/interface'
import { Agent } from '../../agent/system.ts'
import { silentLogger } from '../../agent/logger.ts'
import { testConfig } from './agent.ts'

const [dir, fleetPublicKey, bootstrap, countArg, ...protocols] = process.argv.slice(2)
if (dir == null || fleetPublicKey == null || bootstrap == null || countArg == null || protocols.length === 0) throw new Error('usage: flood-streams <dir> <fleetPublicKey> <bootstrap> <count> <protocol>...')
const count = Number(countArg)
const target = peerIdFromString(bootstrap.slice(bootstrap.lastIndexOf('/p2p/') + 5))

const agent = new Agent(testConfig(dir, {
  fleet: { publicKey: fleetPublicKey, handshakeTimeout: '3s', denyFor: '30s' },
  discovery: { mdns: false, dht: false, bootstrap: [bootstrap], announceInterval: '5s' }
}), { logger: silentLogger() })
await agent.start()
const node = agent.node!
const deadline = Date.now() + 15_000
while (agent.discovery?.fleet.isMember(target.toString()) !== true || node.getConnections(target).length === 0) {
  if (Date.now() > deadline) throw new Error('not admitted by the target')
  await new Promise((resolve) => setTimeout(resolve, 50))
}
for (const p of protocols) await node.unhandle(p)
const conn = node.getConnections(target)[0]!
const outcome: Record<string, { ok: number, refused: number }> = {}
const opened: Stream[] = []
const start = Date.now()
await Promise.all(Array.from({ length: count }, async (_, i) => {
  const proto = protocols[i % protocols.length]!
  const o = outcome[proto] ??= { ok: 0, refused: 0 }
  try {
    opened.push(await conn.newStream(proto, { maxOutboundStreams: 100_000, signal: AbortSignal.timeout(20_000) }))
    o.ok++
  } catch {
    o.refused++
  }
}))
process.stdout.write(JSON.stringify({ ms: Date.now() - start, outcome }) + '\n')
process.stdin.resume()
process.stdin.on('end', () => {
  for (const s of opened) s.abort(new Error('done'))
  agent.stop().finally(() => process.exit(0))
})
