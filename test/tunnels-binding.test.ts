import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { Registry } from 'prom-client'
import {
  createTunnels, generateWgKeyPair, DryRunBackend, signTunnelKey, verifyTunnelKey,
  encodeTunnelKeyBinding, decodeTunnelKeyBinding, TunnelKeyBindingError
} from '../agent/tunnels/index.ts'
import { leasedPeers, wireLeaseTunnels, verifyBinding, type LeaseLike } from '../agent/tunnels/leases.ts'
import { signAnnouncement, validateAnnouncement, decodeSignedAnnouncement, MAX_WG_KEY_BINDING_BYTES } from '../protocol/announce/index.ts'
import { createLogger } from '../agent/logger.ts'
import { systemClock } from '../agent/clock.ts'
import { tempDir, type TapLike } from './helpers/agent.ts'

interface Ann { addrs: string[], wgPublicKey?: string, podCidr?: string, wgKeyBinding?: Uint8Array }

function fakes () {
  let leases: LeaseLike[] = []
  const leaseCbs = new Set<(l: LeaseLike) => void>()
  const anns = new Map<string, Ann>()
  const annCbs = new Set<(r: { peerId: string }) => void>()
  const announced: Array<{ wgPublicKey?: string, podCidr?: string, wgKeyBinding?: Uint8Array }> = []
  return {
    leases: {
      list: () => leases,
      onLeaseChange: (cb: (l: LeaseLike) => void) => { leaseCbs.add(cb); return () => { leaseCbs.delete(cb) } }
    },
    announcements: {
      peer: (id: string) => { const a = anns.get(id); return a != null ? { announcement: a } : undefined },
      onAnnouncement: (fn: (r: { peerId: string }) => void) => { annCbs.add(fn); return () => { annCbs.delete(fn) } },
      update: (f: { wgPublicKey?: string, podCidr?: string, wgKeyBinding?: Uint8Array }) => { announced.push(f) }
    },
    announced,
    setLeases (ls: LeaseLike[]) { leases = ls; for (const cb of leaseCbs) cb(ls[0] as LeaseLike) },
    announce (id: string, a: Ann) { anns.set(id, a); for (const cb of annCbs) cb({ peerId: id }) }
  }
}

async function identity (): Promise<{ key: PrivateKey, peerId: string }> {
  const key = await generateKeyPair('Ed25519')
  return { key, peerId: peerIdFromPrivateKey(key).toString() }
}

/** waits (in event-loop turns, not time) until `fn` is true */
async function until (fn: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (fn()) return
    await new Promise((resolve) => setImmediate(resolve))
  }
  throw new Error(`never happened: ${what}`)
}

async function startTunnels (t: TapLike, registry?: Registry) {
  const self = await identity()
  const lines: Array<Record<string, unknown>> = []
  const logger = createLogger({ level: 'info', destination: { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>) } } })
  const tunnels = createTunnels({ backendInstance: new DryRunBackend(), podCidr: '10.42.1.0/24' })({
    stateDir: tempDir(t), peerId: self.peerId, privateKey: self.key, clock: systemClock, logger: logger.forComponent('skein:tunnels'), ...(registry != null ? { registry } : {})
  })
  await tunnels.start()
  t.teardown(async () => { await tunnels.stop() })
  return { tunnels, self, lines }
}

async function metric (registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name)
  return m?.values.find((v) => Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val))?.value
}

t.test('a tunnel key binding survives its wire form; junk is a typed error', async (t) => {
  const a = await identity()
  const b = await signTunnelKey(a.key, { wgPublicKey: generateWgKeyPair().publicKey, peerId: a.peerId, overlayAddress: '100.96.3.4', expiresAt: Date.now() + 60_000 })
  const bytes = encodeTunnelKeyBinding(b)
  t.ok(bytes.byteLength < MAX_WG_KEY_BINDING_BYTES, `${bytes.byteLength} bytes fit the announcement's cap`)
  const back = decodeTunnelKeyBinding(bytes)
  t.same(back, b)
  await t.resolves(verifyTunnelKey(back, { now: Date.now(), expectedPeerId: a.peerId }))
  t.throws(() => decodeTunnelKeyBinding(new Uint8Array(10)), TunnelKeyBindingError)
  t.throws(() => decodeTunnelKeyBinding(bytes.subarray(0, 80)), TunnelKeyBindingError)
  const badPid = new Uint8Array(bytes)
  badPid[35] = 1 // the peer ID's multihash length
  t.throws(() => decodeTunnelKeyBinding(badPid), TunnelKeyBindingError, 'a damaged peer ID')
  const otherKey = new Uint8Array(bytes)
  otherKey[40] = (otherKey[40] ?? 0) ^ 0xff // still a peer ID, but not the signer's
  await t.rejects(verifyTunnelKey(decodeTunnelKeyBinding(otherKey), { now: Date.now() }), TunnelKeyBindingError)
})

t.test('announcements carry the binding; an oversized one is dropped as malformed; none stays absent', async (t) => {
  const a = await identity()
  const now = Date.now()
  const b = await signTunnelKey(a.key, { wgPublicKey: generateWgKeyPair().publicKey, peerId: a.peerId, overlayAddress: '100.96.3.4', expiresAt: now + 60_000 })
  const base = { peerId: a.peerId, seq: 1, issuedMs: now, expiresMs: now + 60_000, addrs: ['/ip4/10.0.0.1/tcp/7946'], labels: {}, wgPublicKey: b.wgPublicKey }
  const r = await validateAnnouncement(await signAnnouncement(a.key, { ...base, wgKeyBinding: encodeTunnelKeyBinding(b) }), { now, lastSeq: () => undefined })
  t.ok(r.ok)
  if (r.ok) t.same(decodeTunnelKeyBinding(r.announcement.wgKeyBinding ?? new Uint8Array()), b, 'the binding arrives intact')
  const big = await validateAnnouncement(await signAnnouncement(a.key, { ...base, wgKeyBinding: new Uint8Array(MAX_WG_KEY_BINDING_BYTES + 1) }), { now, lastSeq: () => undefined })
  t.match(big, { ok: false, reason: 'malformed' })
  const none = decodeSignedAnnouncement(await signAnnouncement(a.key, base)).announcement
  t.notOk('wgKeyBinding' in none, 'an announcement without a binding decodes without one')
})

t.test('a verified binding gives the peer its signed key and overlay address; no binding falls back to derived', async (t) => {
  const { tunnels, self } = await startTunnels(t)
  const f = fakes()
  const b = await identity()
  const c = await identity()
  const wgB = generateWgKeyPair().publicKey
  const wgC = generateWgKeyPair().publicKey
  const bindingB = await signTunnelKey(b.key, { wgPublicKey: wgB, peerId: b.peerId, overlayAddress: '100.96.77.7', expiresAt: Date.now() + 3600_000 })
  f.announce(b.peerId, { addrs: ['/ip4/10.0.0.2/tcp/7946'], wgPublicKey: wgB, wgKeyBinding: encodeTunnelKeyBinding(bindingB) })
  f.announce(c.peerId, { addrs: ['/ip4/10.0.0.3/tcp/7946'], wgPublicKey: wgC })
  const unwire = wireLeaseTunnels(tunnels, { selfPeerId: self.peerId, leases: f.leases, announcements: f.announcements })
  t.teardown(unwire)
  f.setLeases([{ consumer: self.peerId, provider: b.peerId, state: 'active' }, { consumer: c.peerId, provider: self.peerId, state: 'active' }])
  await until(() => tunnels.view().peers.length === 2, 'both tunnels')
  const peers = Object.fromEntries(tunnels.view().peers.map((p) => [p.peerId, p]))
  t.equal(peers[b.peerId]?.overlayAddress, '100.96.77.7', 'the claimed overlay address of a verified binding')
  t.equal(peers[b.peerId]?.publicKey, wgB)
  t.equal(peers[c.peerId]?.publicKey, wgC, 'no binding: the announced key')
  t.not(peers[c.peerId]?.overlayAddress, '100.96.77.7')
  t.ok(peers[c.peerId]?.overlayAddress.startsWith('100.96.'), 'no binding: a derived overlay address')

  // and we announce our own, verifiable, naming the overlay address we use
  await until(() => f.announced.some((x) => x.wgKeyBinding != null), 'our binding announced')
  const ours = decodeTunnelKeyBinding(f.announced.find((x) => x.wgKeyBinding != null)?.wgKeyBinding ?? new Uint8Array())
  await t.resolves(verifyTunnelKey(ours, { now: Date.now(), expectedPeerId: self.peerId }))
  t.equal(ours.wgPublicKey, tunnels.publicKey)
  t.equal(ours.overlayAddress, tunnels.view().overlayAddress)
})

t.test('a binding not signed by its peer refuses the tunnel, with a log line naming the reason and a metric', async (t) => {
  const registry = new Registry()
  const { tunnels, self, lines } = await startTunnels(t, registry)
  const f = fakes()
  const b = await identity()
  const mallory = await identity()
  const wgB = generateWgKeyPair().publicKey
  // Mallory signs a binding that claims to be B's
  const forged = await signTunnelKey(mallory.key, { wgPublicKey: wgB, peerId: mallory.peerId, overlayAddress: '100.96.9.9', expiresAt: Date.now() + 3600_000 })
  const forgedBytes = encodeTunnelKeyBinding({ ...forged, peerId: b.peerId })
  f.announce(b.peerId, { addrs: ['/ip4/10.0.0.2/tcp/7946'], wgPublicKey: wgB, wgKeyBinding: forgedBytes })
  const unwire = wireLeaseTunnels(tunnels, { selfPeerId: self.peerId, leases: f.leases, announcements: f.announcements })
  t.teardown(unwire)
  f.setLeases([{ consumer: self.peerId, provider: b.peerId, state: 'active' }])
  await until(() => lines.some((l) => l.reason === 'bad-signature'), 'the refusal logged')
  await tunnels.reconcile()
  t.same(tunnels.view().peers, [], 'no tunnel to a peer whose key binding does not verify')
  const line = lines.find((l) => l.reason === 'bad-signature')
  t.equal(line?.level, 'warn')
  t.equal(line?.peerId, b.peerId)
  t.match(String(line?.msg), /tunnel refused/)
  t.equal(await metric(registry, 'skein_tunnel_binding_refused_total', { reason: 'bad-signature' }), 1)

  // B then announces a good one: the tunnel comes up
  const good = await signTunnelKey(b.key, { wgPublicKey: wgB, peerId: b.peerId, overlayAddress: '100.96.9.10', expiresAt: Date.now() + 3600_000 })
  f.announce(b.peerId, { addrs: ['/ip4/10.0.0.2/tcp/7946'], wgPublicKey: wgB, wgKeyBinding: encodeTunnelKeyBinding(good) })
  await until(() => tunnels.view().peers.length === 1, 'the tunnel after a good binding')
  t.equal(tunnels.view().peers[0]?.overlayAddress, '100.96.9.10')
})

t.test('each way a binding can be wrong has its reason', async (t) => {
  const b = await identity()
  const c = await identity()
  const now = Date.now()
  const wg = generateWgKeyPair().publicKey
  const sign = async (over: Partial<{ peerId: string, expiresAt: number }> = {}, key = b.key) =>
    encodeTunnelKeyBinding(await signTunnelKey(key, { wgPublicKey: wg, peerId: over.peerId ?? b.peerId, overlayAddress: '100.96.1.1', expiresAt: over.expiresAt ?? now + 60_000 }))
  t.match(await verifyBinding(b.peerId, await sign(), wg, now), { ok: true, binding: { overlayAddress: '100.96.1.1' } })
  t.match(await verifyBinding(b.peerId, new Uint8Array([1, 2, 3]), wg, now), { ok: false, reason: 'malformed' })
  t.match(await verifyBinding(b.peerId, await sign({ peerId: c.peerId }, c.key), wg, now), { ok: false, reason: 'wrong-peer' })
  t.match(await verifyBinding(b.peerId, await sign(), generateWgKeyPair().publicKey, now), { ok: false, reason: 'key-mismatch' })
  t.match(await verifyBinding(b.peerId, await sign({ expiresAt: now - 1 }), wg, now), { ok: false, reason: 'expired' })
  t.match(await verifyBinding(b.peerId, await sign({}, c.key), wg, now), { ok: false, reason: 'bad-signature' })
})

t.test('leasedPeers without binding checks keeps the announced key and a derived address (pure use)', async (t) => {
  const f = fakes()
  const b = await identity()
  const wg = generateWgKeyPair().publicKey
  f.announce(b.peerId, { addrs: [], wgPublicKey: wg, wgKeyBinding: new Uint8Array([9, 9, 9]) })
  f.setLeases([{ consumer: 'A', provider: b.peerId, state: 'active' }])
  const { peers, refused } = leasedPeers({ selfPeerId: 'A', leases: f.leases, announcements: f.announcements })
  t.same(peers.map((p) => [p.peerId, p.publicKey, p.overlayAddress]), [[b.peerId, wg, undefined]])
  t.same(refused, [])
})
