import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createTunnels, generateWgKeyPair, DryRunBackend } from '../agent/tunnels/index.ts'
import { leasedPeers, wireLeaseTunnels, type LeaseLike } from '../agent/tunnels/leases.ts'
import { silentLogger } from '../agent/logger.ts'
import { systemClock } from '../agent/clock.ts'
import { tempDir } from './helpers/agent.ts'

function fakes () {
  let leases: LeaseLike[] = []
  const leaseCbs = new Set<(l: LeaseLike) => void>()
  const anns = new Map<string, { addrs: string[], wgPublicKey?: string, podCidr?: string }>()
  const annCbs = new Set<(r: { peerId: string }) => void>()
  const announced: Array<{ wgPublicKey?: string, podCidr?: string }> = []
  return {
    leases: {
      list: () => leases,
      onLeaseChange: (cb: (l: LeaseLike) => void) => { leaseCbs.add(cb); return () => { leaseCbs.delete(cb) } }
    },
    announcements: {
      peer: (id: string) => { const a = anns.get(id); return a != null ? { announcement: a } : undefined },
      onAnnouncement: (fn: (r: { peerId: string }) => void) => { annCbs.add(fn); return () => { annCbs.delete(fn) } },
      update: (f: { wgPublicKey?: string, podCidr?: string }) => { announced.push(f) }
    },
    announced,
    setLeases (ls: LeaseLike[]) { leases = ls; for (const cb of leaseCbs) cb(ls[0] as LeaseLike) },
    announce (id: string, a: { addrs: string[], wgPublicKey?: string, podCidr?: string }) { anns.set(id, a); for (const cb of annCbs) cb({ peerId: id }) }
  }
}

t.test('peers with an active or grace lease in either direction are desired; others are not', async (t) => {
  const f = fakes()
  const wg = generateWgKeyPair().publicKey
  f.announce('B', { addrs: ['/ip4/10.0.0.2/tcp/7946'], wgPublicKey: wg, podCidr: '10.42.2.0/24' })
  f.announce('C', { addrs: ['/ip4/10.0.0.3/tcp/7946'], wgPublicKey: generateWgKeyPair().publicKey })
  f.setLeases([
    { consumer: 'A', provider: 'B', state: 'active' },
    { consumer: 'C', provider: 'A', state: 'grace' },
    { consumer: 'D', provider: 'A', state: 'active' },
    { consumer: 'A', provider: 'E', state: 'released' },
    { consumer: 'A', provider: 'F', state: 'requested' },
    { consumer: 'X', provider: 'Y', state: 'active' }
  ])
  const { peers, waiting } = leasedPeers({ selfPeerId: 'A', leases: f.leases, announcements: f.announcements, observedAddrs: (id) => id === 'B' ? ['/ip4/192.168.1.2/tcp/40000'] : [] })
  t.same(peers.map((p) => p.peerId), ['B', 'C'])
  t.same(waiting, ['D'], 'a leased peer without an announced WireGuard key waits')
  t.same(peers[0], { peerId: 'B', publicKey: wg, endpoints: ['192.168.1.2:51820', '10.0.0.2:51820'], source: 'lease', podCidr: '10.42.2.0/24' }, 'observed address first')
})

t.test('a lease brings a tunnel up and its end takes it down; our key is announced', async (t) => {
  const key = await generateKeyPair('Ed25519')
  const self = peerIdFromPrivateKey(key).toString()
  const backend = new DryRunBackend()
  const tunnels = createTunnels({ backendInstance: backend, podCidr: '10.42.1.0/24' })({ stateDir: tempDir(t), peerId: self, privateKey: key, clock: systemClock, logger: silentLogger().forComponent('skein:tunnels') })
  await tunnels.start()
  t.teardown(async () => { await tunnels.stop() })
  const f = fakes()
  const unwire = wireLeaseTunnels(tunnels, { selfPeerId: self, leases: f.leases, announcements: f.announcements })
  t.same(f.announced, [{ wgPublicKey: tunnels.publicKey, podCidr: '10.42.1.0/24' }])

  f.setLeases([{ consumer: self, provider: 'B', state: 'active' }])
  await tunnels.reconcile()
  t.same(tunnels.view().peers, [], 'no tunnel before B announced its key')
  const wg = generateWgKeyPair().publicKey
  f.announce('B', { addrs: ['/ip4/10.0.0.2/tcp/7946'], wgPublicKey: wg, podCidr: '10.42.2.0/24' })
  await tunnels.reconcile()
  t.same(tunnels.view().peers.map((p) => [p.peerId, p.source, p.allowedIps[1]]), [['B', 'lease', '10.42.2.0/24']])
  t.ok((await backend.observe(tunnels.interface))?.peers.some((p) => p.publicKey === wg), 'the peer is on the interface')

  f.setLeases([{ consumer: self, provider: 'B', state: 'grace' }])
  await tunnels.reconcile()
  t.equal(tunnels.view().peers.length, 1, 'a lease in grace keeps the tunnel')
  f.setLeases([{ consumer: self, provider: 'B', state: 'expired' }])
  await tunnels.reconcile()
  t.same(tunnels.view().peers, [], 'the last lease ending tears the tunnel down')
  t.notOk((await backend.observe(tunnels.interface))?.peers.some((p) => p.publicKey === wg))
  unwire()
})
