/**
 * Runs the tunnel subsystem alone (no libp2p node), driven over stdin/stdout
 * with JSON lines, so benchmarks and tests can run one inside a network
 * namespace: `ip netns exec NS node test/helpers/tunnel-driver.ts STATEDIR IFNAME PODCIDR`.
 *
 *   stdout: {"ready":true,"peerId","publicKey","overlayAddress","interface"}
 *   stdin:  {"peers":[TunnelPeerInput...]}   → stdout {"applied":<ms since epoch>}
 *   stdin closed or SIGTERM → the interface is removed, exit 0
 */
import { createInterface } from 'node:readline'
import { loadOrCreateIdentity } from '../../agent/identity/index.ts'
import { createTunnels, type TunnelPeerInput } from '../../agent/tunnels/index.ts'
import { systemClock } from '../../agent/clock.ts'
import { createLogger } from '../../agent/logger.ts'

const [stateDir, ifname, podCidr, backend] = process.argv.slice(2)
if (stateDir == null || ifname == null) {
  process.stderr.write('usage: tunnel-driver.ts STATEDIR IFNAME [PODCIDR] [BACKEND]\n')
  process.exit(2)
}
const id = await loadOrCreateIdentity(stateDir)
const logger = createLogger({ level: process.env.SKEIN_TEST_DRIVER_LOG === '1' ? 'debug' : 'silent' })
const tunnels = createTunnels({
  backend: (backend ?? 'userspace') as 'userspace',
  interface: ifname,
  reconcileIntervalMs: 1000,
  keepaliveS: 25,
  ...(podCidr != null && podCidr !== '' ? { podCidr } : {})
})({ stateDir, peerId: id.peerId.toString(), privateKey: id.privateKey, clock: systemClock, logger: logger.forComponent('skein:tunnels') })
await tunnels.start()
const say = (o: unknown): void => { process.stdout.write(JSON.stringify(o) + '\n') }
say({ ready: true, peerId: id.peerId.toString(), publicKey: tunnels.publicKey, overlayAddress: tunnels.view().overlayAddress, interface: ifname })

let stopping = false
const stop = async (): Promise<void> => {
  if (stopping) return
  stopping = true
  await tunnels.stop()
  process.exit(0)
}
process.on('SIGTERM', () => { stop().catch(() => process.exit(1)) })
const rl = createInterface({ input: process.stdin })
rl.on('line', (line) => {
  const msg = JSON.parse(line) as { peers?: TunnelPeerInput[] }
  if (msg.peers == null) return
  tunnels.setPeers('lease', msg.peers)
  tunnels.reconcile().then(() => { say({ applied: Date.now(), view: tunnels.view() }) }, (err: Error) => { say({ error: err.message }) })
})
rl.on('close', () => { stop().catch(() => process.exit(1)) })
