import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PeeringBody, PeeringFrame } from '../protocol/pb/peering.js'
import {
  parseResources, parseCpu, parseCount, formatResources, formatCpu, formatBytes, add, sub, fits, zero, validateResources,
  transition, leaseStates, leaseEvents, advance, decide, checkPath, transitiveOffer, NonceCache, seal, open, peeringProtocol,
  RejectReason, WIRE_VERSION, errorForReject, type LeaseState, type LeaseEvent, type Lease, type Resources
} from '../protocol/peering/index.ts'

const R = (q: Partial<Resources>): Resources => ({ ...zero(), ...q })

t.test('quantities parse and format the Kubernetes way', async (t) => {
  t.equal(parseCpu('500m'), 500)
  t.equal(parseCpu('2'), 2000)
  t.equal(parseCpu('1.5'), 1500)
  t.equal(parseCpu(0.1), 100)
  t.equal(parseCount('4Gi'), 4 * 2 ** 30)
  t.equal(parseCount('1G'), 1e9)
  t.equal(parseCount('1e3'), 1000)
  t.equal(parseCount('20'), 20)
  t.equal(formatCpu(2000), '2')
  t.equal(formatCpu(250), '250m')
  t.equal(formatBytes(4 * 2 ** 30), '4Gi')
  t.equal(formatBytes(1000), '1000')
  t.same(formatResources(parseResources({ cpu: '2', memory: '512Mi', pods: 20 })), { cpu: '2', memory: '512Mi', pods: '20', gpu: '0', ephemeralStorage: '0' })
  t.throws(() => parseResources({ cpu: 'lots' }), { name: 'InvalidQuantityError' })
  t.throws(() => parseResources({ memory: '-1Gi' }), { name: 'InvalidQuantityError' })
  t.throws(() => parseResources({ pods: '1e12' }), { name: 'InvalidQuantityError' })
  t.throws(() => validateResources({ cpu: 1.5 }), { name: 'InvalidQuantityError' })
  t.throws(() => validateResources({ gpu: -1 }), { name: 'InvalidQuantityError' })
})

t.test('resource arithmetic floors at zero and compares per resource', async (t) => {
  t.same(sub(R({ cpu: 1000, pods: 2 }), R({ cpu: 1500, pods: 1 })), R({ cpu: 0, pods: 1 }))
  t.same(add(R({ cpu: 1 }), R({ cpu: 2, gpu: 1 })), R({ cpu: 3, gpu: 1 }))
  t.ok(fits(R({ cpu: 1 }), R({ cpu: 1 })))
  t.notOk(fits(R({ cpu: 1, memory: 2 }), R({ cpu: 5, memory: 1 })))
})

t.test('the lease state machine allows exactly its table', async (t) => {
  const allowed: Record<LeaseState, Partial<Record<LeaseEvent, LeaseState>>> = {
    requested: { grant: 'active', reject: 'released', timeout: 'expired', release: 'released' },
    active: { renew: 'active', miss: 'grace', termEnd: 'expired', release: 'released' },
    grace: { renew: 'active', graceEnd: 'expired', termEnd: 'expired', release: 'released' },
    expired: {},
    released: { release: 'released' }
  }
  for (const s of leaseStates) {
    for (const e of leaseEvents) {
      const want = allowed[s][e]
      if (want != null) t.equal(transition(s, e), want, `${s} --${e}--> ${want}`)
      else t.throws(() => transition(s, e), { name: 'InvalidTransitionError' }, `${s} refuses ${e}`)
    }
  }
})

t.test('time moves a lease from active through grace to expired', async (t) => {
  const lease: Lease = { id: 'l', role: 'provider', consumer: 'c', provider: 'p', quota: zero(), created: 0, expires: 10_000, renewBy: 1000, graceMs: 500, state: 'active', path: [] }
  t.same(advance(lease, 999), [])
  t.same(advance(lease, 1000).map((s) => s.to), ['grace'])
  t.same(advance(lease, 1499), [])
  t.same(advance(lease, 1500).map((s) => s.to), ['expired'])
  const l2: Lease = { ...lease, state: 'active' }
  t.same(advance(l2, 20_000).map((s) => s.event), ['termEnd'], 'a passed term wins over a missed renewal')
})

t.test('the ledger grants what fits, counter-offers less, and rejects below the minimum', async (t) => {
  const offered = R({ cpu: 4000, memory: 8 * 2 ** 30, pods: 40 })
  const full = decide({ ask: R({ cpu: 2000, pods: 10 }), offered, granted: zero() })
  t.same(full, { ok: true, quota: R({ cpu: 2000, pods: 10 }), counter: false })
  const counter = decide({ ask: R({ cpu: 3000, pods: 10 }), offered, granted: R({ cpu: 2000 }) })
  t.same(counter, { ok: true, quota: R({ cpu: 2000, pods: 10 }), counter: true })
  const below = decide({ ask: R({ cpu: 3000 }), offered, granted: R({ cpu: 3500 }), minGrant: R({ cpu: 1000 }) })
  t.equal(below.ok, false)
  if (!below.ok) t.equal(below.error.name, 'InsufficientCapacityError')
  const consumerMin = decide({ ask: R({ cpu: 3000 }), min: R({ cpu: 3000 }), offered, granted: R({ cpu: 2000 }) })
  t.equal(consumerMin.ok, false)
  const none = decide({ ask: R({ cpu: 1 }), offered: zero(), granted: zero() })
  if (!none.ok) t.equal(none.error.name, 'NotSharingError')
  const capped = decide({ ask: R({ cpu: 3000 }), offered, granted: zero(), peerCap: R({ cpu: 2000 }), peerHeld: R({ cpu: 1500 }) })
  t.same(capped, { ok: true, quota: R({ cpu: 500 }), counter: true })
})

t.test('path vectors refuse loops and long chains', async (t) => {
  t.same(checkPath({ path: ['A'], hopLimit: 4, receiver: 'B', sender: 'A' }), ['A', 'B'])
  t.throws(() => checkPath({ path: ['A', 'B', 'C'], hopLimit: 4, receiver: 'A', sender: 'C' }), { name: 'LoopDetectedError' })
  t.throws(() => checkPath({ path: ['A', 'B', 'A'], hopLimit: 8, receiver: 'D' }), { name: 'LoopDetectedError' })
  t.throws(() => checkPath({ path: ['A', 'B', 'C'], hopLimit: 3, receiver: 'D', sender: 'C' }), { name: 'HopLimitError' })
  t.throws(() => checkPath({ path: ['A', 'B'], hopLimit: 4, receiver: 'D', sender: 'X' }), { name: 'MalformedFrameError' })
})

t.test('split horizon: capacity learned from X is never offered to X', async (t) => {
  const held = [
    { provider: 'X', path: ['X'], quota: R({ cpu: 1000 }), reoffered: zero() },
    { provider: 'Y', path: ['Z', 'Y'], quota: R({ cpu: 2000 }), reoffered: R({ cpu: 500 }) }
  ]
  const toX = transitiveOffer({ self: 'B', to: 'X', held, hopLimit: 4 })
  t.same(toX, [{ path: ['Z', 'Y', 'B'], resources: R({ cpu: 1500 }) }])
  const toZ = transitiveOffer({ self: 'B', to: 'Z', held, hopLimit: 4 })
  t.same(toZ, [{ path: ['X', 'B'], resources: R({ cpu: 1000 }) }])
  t.same(transitiveOffer({ self: 'B', to: 'Q', held, hopLimit: 3 }).map((p) => p.path), [['X', 'B']], 'hop limit trims the long path')
})

t.test('the nonce cache refuses replays and stays bounded', async (t) => {
  const c = new NonceCache({ capacity: 3, windowMs: 1000 })
  const n = (i: number): Uint8Array => new Uint8Array(16).fill(i)
  c.check('a', n(1), 100, 100)
  t.throws(() => c.check('a', n(1), 100, 100), { name: 'ReplayedMessageError' })
  c.check('b', n(1), 100, 100)
  c.check('a', n(2), 101, 101)
  c.check('a', n(3), 102, 102)
  t.equal(c.size, 3)
  t.throws(() => c.check('a', n(9), 100, 103), { name: 'ReplayedMessageError' }, 'older than what was forgotten')
  c.check('a', n(4), 5000, 5000)
  t.equal(c.size, 1, 'expired nonces are pruned')
})

t.test('frames: sealed frames open; tampered, stale, replayed or misaddressed ones are refused', async (t) => {
  const ka = await generateKeyPair('Ed25519')
  const kb = await generateKeyPair('Ed25519')
  const a = peerIdFromPrivateKey(ka).toString()
  const b = peerIdFromPrivateKey(kb).toString()
  const now = 1_700_000_000_000
  const nonces = new NonceCache()
  const request = { leaseId: 'lease-1', quota: { cpuMillis: 1000, memoryBytes: 0, pods: 1, gpu: 0, ephemeralStorageBytes: 0 }, durationMs: 60_000, path: [a], hopLimit: 4 }
  const f = await seal({ privateKey: ka, sender: a, recipient: b, now }, { request })
  const o = await open(f, { self: b, remotePeer: a, now, nonces })
  t.equal(o.kind, 'request')
  await t.rejects(open(f, { self: b, remotePeer: a, now, nonces }), { name: 'ReplayedMessageError' })

  const f2 = await seal({ privateKey: ka, sender: a, recipient: b, now }, { request })
  const tampered = { body: f2.body.slice(), signature: f2.signature }
  tampered.body[tampered.body.length - 1] = (tampered.body[tampered.body.length - 1] ?? 0) ^ 1
  await t.rejects(open(tampered, { self: b, remotePeer: a, now, nonces }), { name: /BadSignatureError|MalformedFrameError/ })
  const forged = await seal({ privateKey: kb, sender: a, recipient: b, now }, { request })
  await t.rejects(open(forged, { self: b, remotePeer: a, now, nonces }), { name: 'BadSignatureError' })
  await t.rejects(open(f2, { self: a, remotePeer: a, now, nonces }), { name: 'WrongRecipientError' })
  await t.rejects(open(f2, { self: b, remotePeer: b, now, nonces }), { name: 'BadSignatureError' })
  const stale = await seal({ privateKey: ka, sender: a, recipient: b, now: now - 120_000 }, { request })
  await t.rejects(open(stale, { self: b, remotePeer: a, now, nonces }), { name: 'StaleMessageError' })
  await t.rejects(open({ body: new Uint8Array([0xff, 0xff, 0xff]), signature: new Uint8Array(64) }, { self: b, remotePeer: a, now, nonces }), { name: 'MalformedFrameError' })

  const future = PeeringBody.encode({ version: WIRE_VERSION + 1, sender: a, recipient: b, nonce: new Uint8Array(16), timestamp: now, offerQuery: {} })
  const { signPayload } = await import('../protocol/signing/index.ts')
  const vf: PeeringFrame = { body: future, signature: new Uint8Array(await signPayload(ka, 'peering', future)) }
  await t.rejects(open(vf, { self: b, remotePeer: a, now, nonces }), { name: 'UnsupportedVersionError' })

  const negative = await seal({ privateKey: ka, sender: a, recipient: b, now }, { request: { ...request, quota: { ...request.quota, cpuMillis: -5 } } })
  // protons-runtime 8 writes a negative int64Number as a short varint that no decoder reads back; either way it is a typed refusal
  await t.rejects(open(negative, { self: b, remotePeer: a, now, nonces }), { name: /InvalidQuantityError|MalformedFrameError/ })
  const absurd = await seal({ privateKey: ka, sender: a, recipient: b, now }, { request: { ...request, quota: { ...request.quota, memoryBytes: 2 ** 53 - 1 } } })
  await t.rejects(open(absurd, { self: b, remotePeer: a, now, nonces }), { name: 'InvalidQuantityError' })
  const two = await seal({ privateKey: ka, sender: a, recipient: b, now }, { request, offerQuery: {} })
  await t.rejects(open(two, { self: b, remotePeer: a, now, nonces }), { name: 'MalformedFrameError' })
})

t.test('handleFrame answers a refused frame with a signed reject and never calls the handler', async (t) => {
  const ka = await generateKeyPair('Ed25519')
  const kb = await generateKeyPair('Ed25519')
  const a = peerIdFromPrivateKey(ka).toString()
  const b = peerIdFromPrivateKey(kb).toString()
  const clock = { now: () => 1_700_000_000_000 }
  const pa = peeringProtocol()({ privateKey: ka, peerId: a, clock })
  const pb = peeringProtocol()({ privateKey: kb, peerId: b, clock })
  let called = 0
  const seen: string[] = []
  const f = await pa.seal(b, { offerQuery: {} })
  const ok = await pb.handleFrame(f, a, () => { called++; return { offer: { provider: b, seq: 1, path: [b], hopLimit: 4 } } })
  t.equal((await pa.open(ok, b)).kind, 'offer')
  const replay = await pb.handleFrame(f, a, () => { called++; return {} }, (reason) => { seen.push(reason) })
  const r = await pa.open(replay, b)
  t.equal(r.body.reject?.reason, RejectReason.REPLAY)
  t.equal(called, 1)
  t.same(seen, [RejectReason.REPLAY])
  t.equal(errorForReject(RejectReason.REPLAY, '').name, 'ReplayedMessageError')
  t.equal(PeeringFrame.decode(PeeringFrame.encode(ok)).signature.byteLength, 64)
})
