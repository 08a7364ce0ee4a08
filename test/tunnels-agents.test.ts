/**
 * Two real agents in this process, tunnels on (dry-run backend): a lease
 * between them brings a tunnel up on both sides, keyed by the WireGuard keys
 * they announced; releasing it tears the tunnels down.
 */
import t from 'tap'
import { zero } from '../protocol/peering/index.ts'
import type { TunnelsBodyType } from '../agent/api/routes/tunnels.ts'
import type { PeerView } from '../agent/api/routes/peers.ts'
import { decodeTunnelKeyBinding, verifyTunnelKey } from '../agent/tunnels/index.ts'
import { startAgent } from './helpers/agent.ts'

async function waitFor (fn: () => boolean | Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test('a lease brings a tunnel up on both agents; releasing it takes it down', async (t) => {
  const tunnels = (pod: string) => ({ tunnels: { enabled: true, backend: 'dry-run', podCidr: pod, reconcileInterval: '500ms' }, discovery: { mdns: false } })
  const { agent: a, client: ca } = await startAgent(t, tunnels('10.42.1.0/24'))
  const { agent: b, client: cb } = await startAgent(t, tunnels('10.42.2.0/24'))
  const na = a.node
  const nb = b.node
  if (na == null || nb == null || a.peering == null) throw new Error('agents not started')
  await na.peerStore.merge(nb.peerId, { multiaddrs: nb.getMultiaddrs() })
  for (let i = 0; ; i++) {
    try { await na.dial(nb.peerId); break } catch (err) { if (i >= 20) throw err; await new Promise((resolve) => setTimeout(resolve, 250)) }
  }
  // both must have heard each other's announcement (with the WireGuard key) before the lease can name a key
  await waitFor(() => a.discovery?.discovery?.peer(b.peerId)?.announcement.wgPublicKey === b.tunnels?.publicKey &&
    b.discovery?.discovery?.peer(a.peerId)?.announcement.wgPublicKey === a.tunnels?.publicKey)
  const lease = await a.peering.request(b.peerId, { ...zero(), cpu: 100, pods: 1 }, { durationMs: 60_000 })
  t.equal(lease.state, 'active')
  await waitFor(async () => (await ca.get<TunnelsBodyType>('/v1/tunnels')).peers.length === 1 && (await cb.get<TunnelsBodyType>('/v1/tunnels')).peers.length === 1)
  const va = await ca.get<TunnelsBodyType>('/v1/tunnels')
  const vb = await cb.get<TunnelsBodyType>('/v1/tunnels')
  t.match(va.peers[0], { peerId: b.peerId, publicKey: vb.publicKey, overlayAddress: vb.overlayAddress, source: 'lease', allowedIps: [`${vb.overlayAddress}/32`, '10.42.2.0/24'] }, 'the consumer tunnels to the provider')
  t.match(vb.peers[0], { peerId: a.peerId, publicKey: va.publicKey, overlayAddress: va.overlayAddress, source: 'lease', allowedIps: [`${va.overlayAddress}/32`, '10.42.1.0/24'] }, 'and the provider to the consumer')
  t.match(va.peers[0]?.endpoint, /^127\.0\.0\.1:51820$/, 'the endpoint is the peer\'s address with its WireGuard port')
  // B's signed tunnel key binding reached A in its announcement, naming B's key and overlay address
  await waitFor(() => (a.discovery?.discovery?.peer(b.peerId)?.announcement.wgKeyBinding?.byteLength ?? 0) > 0)
  const bindingB = decodeTunnelKeyBinding(a.discovery?.discovery?.peer(b.peerId)?.announcement.wgKeyBinding ?? new Uint8Array())
  await t.resolves(verifyTunnelKey(bindingB, { now: Date.now(), expectedPeerId: b.peerId }))
  t.match(bindingB, { wgPublicKey: vb.publicKey, overlayAddress: vb.overlayAddress })
  // the tunnel shows in the peer's link record and in the metrics
  await waitFor(async () => (await ca.get<PeerView>(`/v1/peers/${b.peerId}`)).tunnel != null)
  t.match((await ca.get<PeerView>(`/v1/peers/${b.peerId}`)).tunnel, { state: 'connecting', rxBytes: 0 }, 'the dry-run tunnel never completes a handshake')
  t.match(await a.metrics?.registry.metrics(), /skein_tunnel_peers\{state="connecting"\} 1/)
  await a.peering.release(lease.id)
  await waitFor(async () => (await ca.get<TunnelsBodyType>('/v1/tunnels')).peers.length === 0 && (await cb.get<TunnelsBodyType>('/v1/tunnels')).peers.length === 0)
  t.pass('the last lease ending tears both tunnels down')
})
