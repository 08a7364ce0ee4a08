import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { parse as parseYaml } from 'yaml'
import { createTunnels, generateWgKeyPair, signTunnelKey, DryRunBackend, type TunnelHealth } from '../agent/tunnels/index.ts'
import { silentLogger } from '../agent/logger.ts'
import type { Clock } from '../agent/clock.ts'
import type { TunnelsBodyType } from '../agent/api/routes/tunnels.ts'
import { startAgent, runSkein, tempDir } from './helpers/agent.ts'

function fakeClock (start = 1_700_000_000_000): Clock & { advance(ms: number): void } {
  let now = start
  return {
    now: () => now,
    monotonic: () => now,
    setTimeout: () => ({ clear () {} }),
    setInterval: () => ({ clear () {} }),
    advance (ms) { now += ms }
  }
}

async function components (t: { teardown(fn: () => unknown): void }, clock: Clock) {
  const key = await generateKeyPair('Ed25519')
  return { stateDir: tempDir(t), peerId: peerIdFromPrivateKey(key).toString(), privateKey: key, clock, logger: silentLogger().forComponent('skein:tunnels') }
}

t.test('the subsystem reconciles peers from several sources, reports health, and tears down on stop', async (t) => {
  const clock = fakeClock()
  const backend = new DryRunBackend({ nowS: () => Math.floor(clock.now() / 1000) })
  const c = await components(t, clock)
  const staticKey = generateWgKeyPair().publicKey
  const tunnels = createTunnels({ backendInstance: backend, podCidr: '10.42.1.0/24', staticPeers: [{ peerId: 'static-peer', publicKey: staticKey, endpoint: '10.0.0.9', podCidr: '10.42.9.0/24' }] })(c)
  await tunnels.start()
  t.equal(tunnels.view().peers[0]?.endpoint, '10.0.0.9:51820', 'the endpoint as wg show reports it; a bare host gets the default port')
  t.same(tunnels.view().peers.map((p) => [p.peerId, p.source, p.state]), [['static-peer', 'static', 'connecting']])
  t.match(backend.commands.join('\n'), /endpoint 10\.0\.0\.9:51820/, 'a bare host gets the default WireGuard port')

  // a leased peer, from its signed binding
  const other = await generateKeyPair('Ed25519')
  const otherId = peerIdFromPrivateKey(other).toString()
  const otherWg = generateWgKeyPair().publicKey
  const binding = await signTunnelKey(other, { wgPublicKey: otherWg, peerId: otherId, overlayAddress: '100.96.7.7', expiresAt: clock.now() + 60_000 })
  const peer = await tunnels.peerFromBinding({ binding, expectedPeerId: otherId, podCidr: '10.42.1.128/25', addrs: ['/ip4/127.0.0.1/tcp/7946', '/ip4/192.168.5.5/tcp/7946'], listenPort: 51821 })
  t.same(peer.endpoints, ['192.168.5.5:51821', '127.0.0.1:51821'])
  await t.rejects(tunnels.peerFromBinding({ binding: { ...binding, peerId: c.peerId }, addrs: [] }), { name: 'TunnelKeyBindingError' }, 'a key not signed by its peer is refused')

  const seen: TunnelHealth[] = []
  const off = tunnels.onHealth((h) => { seen.push(h) })
  tunnels.setPeers('lease', [peer])
  await tunnels.reconcile()
  const v = tunnels.view()
  t.same(v.refused.map((r) => r.peerId), [otherId], 'its pod CIDR overlaps ours: refused')
  t.match(v.refused[0]?.reason, /overlaps this cluster's pod CIDR 10\.42\.1\.0\/24/)
  tunnels.setPeers('lease', [{ ...peer, podCidr: '10.42.2.0/24' }])
  await tunnels.reconcile()
  const leased = tunnels.view().peers.find((p) => p.peerId === otherId)
  t.equal(leased?.overlayAddress, '100.96.7.7', 'the signed overlay address is used')
  t.same(leased?.allowedIps, ['100.96.7.7/32', '10.42.2.0/24'])
  t.ok(seen.some((h) => h.peerId === otherId), 'health is published per peer after a pass')

  // a handshake shows up in wg show dump
  const sim = (backend as unknown as { run: { interfaces: Map<string, { peers: Map<string, { latestHandshake: number, rxBytes: number }> }> } }).run.interfaces.get(tunnels.interface)
  const entry = sim?.peers.get(otherWg)
  if (entry != null) { entry.latestHandshake = Math.floor(clock.now() / 1000) - 3; entry.rxBytes = 4096 }
  await tunnels.reconcile()
  t.match(tunnels.health(otherId), { state: 'up', handshakeAgeS: 3, rxBytes: 4096 })
  clock.advance(200_000)
  await tunnels.reconcile()
  t.equal(tunnels.health(otherId)?.state, 'stale')
  off()

  const binding2 = await tunnels.localBinding()
  t.equal(binding2?.overlayAddress, tunnels.view().overlayAddress)
  t.equal(binding2?.wgPublicKey, tunnels.publicKey)

  tunnels.setPeers('lease', [])
  await tunnels.reconcile()
  t.same(tunnels.view().peers.map((p) => p.peerId), ['static-peer'], 'a peer that leaves the desired set is torn down')
  t.notOk((await backend.observe(tunnels.interface))?.peers.some((p) => p.publicKey === otherWg))
  await tunnels.stop()
  t.equal(await backend.observe(tunnels.interface), undefined, 'stop removes the interface')
})

t.test('keepOnStop leaves the interface up', async (t) => {
  const backend = new DryRunBackend()
  const tunnels = createTunnels({ backendInstance: backend, keepOnStop: true })(await components(t, fakeClock()))
  await tunnels.start()
  await tunnels.stop()
  t.ok(await backend.observe(tunnels.interface))
})

t.test('GET /v1/tunnels and `skein tunnels` show the interface and its peers', async (t) => {
  const wg = generateWgKeyPair().publicKey
  const { agent, client } = await startAgent(t, {
    tunnels: { enabled: true, backend: 'dry-run', podCidr: '10.42.1.0/24', peers: [{ peerId: '12D3KooWCUn9UHbVHqgYgSr2Ysrfs2R1FmNnjMC5GZgNuTy3TWQH', publicKey: wg, endpoint: '10.0.0.2:51820', podCidr: '10.42.2.0/24' }] }
  })
  const body = await client.get<TunnelsBodyType>('/v1/tunnels')
  t.equal(body.enabled, true)
  t.equal(body.backend, 'dry-run')
  t.match(body.interface, /^skw[0-9a-f]{6}$/)
  t.equal(body.peers[0]?.publicKey, wg)
  t.same(body.peers[0]?.allowedIps, [`${body.peers[0]?.overlayAddress ?? ''}/32`, '10.42.2.0/24'])
  const yaml = await runSkein(['tunnels', '--api', agent.config.api, '-o', 'yaml'])
  t.equal(yaml.code, 0, yaml.stderr)
  t.equal((parseYaml(yaml.stdout) as TunnelsBodyType).publicKey, body.publicKey)
  const table = await runSkein(['tunnels', '--api', agent.config.api])
  t.match(table.stdout, /PEER\s+STATE\s+ENDPOINT\s+OVERLAY\s+ALLOWED IPS\s+HANDSHAKE\s+RX\s+TX/)
  t.match(table.stdout, /12D3KooWCUn9UHbVHqgYgSr2Ysrfs2R1FmNnjMC5GZgNuTy3TWQH\s+connecting\s+10\.0\.0\.2:51820\s+100\.96\.\d+\.\d+\s+100\.96\.\d+\.\d+\/32,10\.42\.2\.0\/24\s+never/)
})

t.test('an agent without tunnels answers that they are disabled', async (t) => {
  const { agent, client } = await startAgent(t)
  t.equal(agent.tunnels, undefined, 'tunnels are off by default')
  t.match(await client.get<TunnelsBodyType>('/v1/tunnels'), { enabled: false, peers: [] })
  const table = await runSkein(['tunnels', '--api', agent.config.api])
  t.match(table.stdout, /tunnels are disabled/)
})
