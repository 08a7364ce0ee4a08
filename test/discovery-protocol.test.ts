import t from 'tap'
import fc from 'fast-check'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import {
  issueCertificate, issueRevocation, verifyCertificate, verifyRevocation, decodeFleetPublicKey, encodeFleetPublicKey, fleetKeyId, fromText, toText
} from '../protocol/membership/index.ts'
import { MembershipCertificate, SignedCertificate } from '../protocol/pb/membership.js'
import { signPayload } from '../protocol/signing/index.ts'
import {
  signAnnouncement, validateAnnouncement, decodeSignedAnnouncement, decodeAnnouncementBody, encodeAnnouncement, MAX_ANNOUNCEMENT_BYTES, MAX_ANNOUNCE_INTERVAL_MS, type AnnouncementData
} from '../protocol/announce/index.ts'
import { Announcement } from '../protocol/pb/announce.js'
import { MAX_LABELS } from '../protocol/labels/index.ts'
import { finishConfig } from '../agent/config/index.ts'

const now = 1_800_000_000_000
const day = 86_400_000

async function setup () {
  const fleetKey = await generateKeyPair('Ed25519')
  const agentKey = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(agentKey).toString()
  const cert = await issueCertificate(fleetKey, { peerId, roles: ['provider'], labels: { region: 'eu' }, issuedMs: now - 1000, expiresMs: now + day })
  return { fleetKey, agentKey, peerId, cert }
}

t.test('a certificate issued by the fleet key verifies for its peer, with roles and labels', async (t) => {
  const { fleetKey, peerId, cert } = await setup()
  const c = await verifyCertificate(fleetKey.publicKey, cert, { peerId, now })
  t.equal(c.peerId, peerId)
  t.same(c.roles, ['provider'])
  t.same(c.labels, { region: 'eu' })
  t.equal(c.fleetKeyId, fleetKeyId(fleetKey.publicKey))
  t.same(fromText(toText(cert)), cert, 'text form round-trips')
  t.equal(fleetKeyId(decodeFleetPublicKey(encodeFleetPublicKey(fleetKey.publicKey))), fleetKeyId(fleetKey.publicKey))
})

t.test('certificates are refused with a named error for each fault', async (t) => {
  const { fleetKey, peerId, cert } = await setup()
  const other = await setup()
  const rejects = async (p: Promise<unknown>, name: string, msg: string): Promise<void> => {
    await t.rejects(p, { name }, msg)
  }
  await rejects(verifyCertificate(fleetKey.publicKey, undefined, { peerId, now }), 'NotAMemberError', 'missing')
  await rejects(verifyCertificate(fleetKey.publicKey, new Uint8Array([1, 2, 3]), { peerId, now }), 'NotAMemberError', 'garbage')
  await rejects(verifyCertificate(fleetKey.publicKey, other.cert, { peerId: other.peerId, now }), 'NotAMemberError', 'another fleet')
  await rejects(verifyCertificate(fleetKey.publicKey, cert, { peerId, now: now + 2 * day }), 'CertificateExpiredError', 'expired')
  await rejects(verifyCertificate(fleetKey.publicKey, cert, { peerId, now, revoked: new Set([peerId]) }), 'CertificateRevokedError', 'revoked')
  await rejects(verifyCertificate(fleetKey.publicKey, cert, { peerId: other.peerId, now }), 'CertificatePeerMismatchError', 'presented by another peer')
  // a forger who knows the fleet's key ID but not its private key
  const signed = SignedCertificate.decode(cert)
  const body = MembershipCertificate.decode(signed.body)
  const forgedBody = MembershipCertificate.encode({ ...body, expiresMs: now + 365 * day })
  const forged = SignedCertificate.encode({ body: forgedBody, signature: await signPayload(other.fleetKey, 'membership-cert', forgedBody) as Uint8Array<ArrayBuffer> })
  await rejects(verifyCertificate(fleetKey.publicKey, forged, { peerId, now }), 'BadSignatureError', 'forged signature')
  // a signature from another domain does not pass
  const wrongDomain = SignedCertificate.encode({ body: signed.body, signature: await signPayload(fleetKey, 'revocation', signed.body) as Uint8Array<ArrayBuffer> })
  await rejects(verifyCertificate(fleetKey.publicKey, wrongDomain, { peerId, now }), 'BadSignatureError', 'revocation-domain signature')
})

t.test('revocations verify only under the fleet key', async (t) => {
  const { fleetKey, peerId } = await setup()
  const other = await setup()
  const rev = await issueRevocation(fleetKey, { peerId, reason: 'lost drone', issuedMs: now })
  const info = await verifyRevocation(fleetKey.publicKey, rev)
  t.equal(info.peerId, peerId)
  t.equal(info.reason, 'lost drone')
  await t.rejects(verifyRevocation(other.fleetKey.publicKey, rev), { name: 'NotAMemberError' })
  await t.rejects(verifyRevocation(fleetKey.publicKey, new Uint8Array([9, 9])), { name: 'NotAMemberError' })
})

function data (peerId: string, over: Partial<AnnouncementData> = {}): AnnouncementData {
  return { peerId, seq: 5, issuedMs: now, expiresMs: now + 90_000, addrs: ['/ip4/127.0.0.1/tcp/4001'], labels: { region: 'eu' }, ...over }
}

t.test('announcements: accepted when signed by a member, dropped with a reason otherwise', async (t) => {
  const { fleetKey, agentKey, peerId, cert } = await setup()
  const stranger = await setup()
  const checkMember = async (id: string, c: Uint8Array): Promise<void> => { await verifyCertificate(fleetKey.publicKey, c, { peerId: id, now, revoked }) }
  const revoked = new Set<string>()
  const ctx = { now, lastSeq: (id: string) => id === peerId ? 4 : undefined, checkMember }
  const ok = await validateAnnouncement(await signAnnouncement(agentKey, data(peerId, {
    offer: { cpuMillis: 2000, memoryBytes: 4e9, pods: 10, gpu: 0, ephemeralStorageBytes: 1e10, generation: 3, hops: 0 },
    wgPublicKey: Buffer.alloc(32, 7).toString('base64'),
    podCidr: '10.42.0.0/16'
  }), cert), ctx)
  t.ok(ok.ok)
  if (ok.ok) {
    t.equal(ok.announcement.seq, 5)
    t.equal(ok.announcement.offer?.cpuMillis, 2000)
    t.equal(ok.announcement.podCidr, '10.42.0.0/16')
    t.equal(ok.announcement.wgPublicKey, Buffer.alloc(32, 7).toString('base64'))
  }
  const reason = async (bytes: Uint8Array, c: Parameters<typeof validateAnnouncement>[1] = ctx): Promise<string> => {
    const r = await validateAnnouncement(bytes, c)
    return r.ok ? 'accepted' : r.reason
  }
  t.equal(await reason(await signAnnouncement(agentKey, data(peerId, { seq: 4 }), cert)), 'replayed', 'seq not above the last seen')
  t.equal(await reason(await signAnnouncement(agentKey, data(peerId, { seq: 9, issuedMs: now - 200_000, expiresMs: now - 1 }), cert)), 'stale')
  t.equal(await reason(await signAnnouncement(agentKey, data(peerId, { seq: 9, issuedMs: now + 3_600_000, expiresMs: now + 3_700_000 }), cert)), 'future')
  t.equal(await reason(await signAnnouncement(stranger.agentKey, data(peerId, { seq: 9 }), cert)), 'bad-signature', 'signed by someone else')
  t.equal(await reason(await signAnnouncement(stranger.agentKey, data(stranger.peerId, { seq: 9 }))), 'non-member', 'no certificate')
  t.equal(await reason(await signAnnouncement(stranger.agentKey, data(stranger.peerId, { seq: 9 }), stranger.cert)), 'non-member', 'certificate of another fleet')
  t.equal(await reason(await signAnnouncement(stranger.agentKey, data(stranger.peerId, { seq: 9 }), cert)), 'non-member', 'someone else\'s certificate')
  t.equal(await reason(new Uint8Array([0xff, 0xff, 0xff])), 'malformed')
  t.equal(await reason(new Uint8Array(MAX_ANNOUNCEMENT_BYTES + 1)), 'oversized')
  t.equal(await reason(await signAnnouncement(agentKey, data(peerId, { seq: 9, intervalMs: MAX_ANNOUNCE_INTERVAL_MS + 1 }), cert)), 'malformed', 'a period longer than any lifetime')
  t.equal(await reason(await signAnnouncement(agentKey, data(peerId, { seq: 9, intervalMs: MAX_ANNOUNCE_INTERVAL_MS }), cert)), 'accepted', 'the longest period')
  t.equal(await reason(await signAnnouncement(agentKey, data(peerId, { seq: 9 }), cert), { ...ctx, self: peerId }), 'self')
  revoked.add(peerId)
  t.equal(await reason(await signAnnouncement(agentKey, data(peerId, { seq: 10 }), cert)), 'revoked')
})

t.test('announcement codec round-trips any field values (property)', async (t) => {
  const key = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(key).toString()
  await fc.assert(fc.asyncProperty(
    fc.record({
      seq: fc.integer({ min: 0, max: 2 ** 40 }),
      labels: fc.dictionary(fc.stringMatching(/^[a-z0-9]([-a-z0-9_.]{0,8}[a-z0-9])?$/), fc.string({ maxLength: 20 }), { maxKeys: 5 }),
      ports: fc.array(fc.integer({ min: 1, max: 65535 }), { maxLength: 4 }),
      pods: fc.integer({ min: 0, max: 1000 }),
      memoryBytes: fc.oneof(fc.constant(3 * 2 ** 30), fc.integer({ min: 0, max: 2 ** 50 })),
      podCidr: fc.string({ maxLength: 18 }),
      intervalMs: fc.option(fc.integer({ min: 1, max: MAX_ANNOUNCE_INTERVAL_MS }), { nil: undefined })
    }),
    async (v) => {
      const d = data(peerId, {
        seq: v.seq,
        labels: v.labels,
        addrs: v.ports.map((p) => `/ip4/10.0.0.1/tcp/${p}`),
        offer: { cpuMillis: 1, memoryBytes: v.memoryBytes, pods: v.pods, gpu: 0, ephemeralStorageBytes: 3, generation: 4, hops: 1 },
        podCidr: v.podCidr,
        ...(v.intervalMs != null ? { intervalMs: v.intervalMs } : {})
      })
      const back = decodeSignedAnnouncement(await signAnnouncement(key, d)).announcement
      t.equal(back.intervalMs, v.intervalMs, 'the period, when said; absent when not')
      t.equal(back.seq, d.seq)
      t.same(back.labels, Object.fromEntries(Object.entries(v.labels)))
      t.same(back.addrs, d.addrs)
      t.same(back.offer, d.offer)
      t.equal(back.podCidr, d.podCidr)
    }), { numRuns: 50 })
})

t.test('label keys that are not names are refused on the wire and in config, and never touch a prototype', async (t) => {
  const key = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(key).toString()
  for (const bad of ['__proto__', '', '-x', 'a b', 'x'.repeat(64), 'Bad_Prefix/x', '/x']) {
    t.throws(() => encodeAnnouncement(data(peerId, { seq: 1, labels: { [bad]: 'v' } })), { name: 'InvalidLabelError' }, `encode refuses ${JSON.stringify(bad)}`)
    const body = Announcement.encode({ ...Announcement.decode(encodeAnnouncement(data(peerId, { seq: 1 }))), labels: [{ key: bad, value: 'v' }] })
    t.throws(() => decodeAnnouncementBody(body), { name: 'InvalidLabelError' }, `decode refuses ${JSON.stringify(bad)}`)
  }
  const twice = Announcement.encode({ ...Announcement.decode(encodeAnnouncement(data(peerId, { seq: 1 }))), labels: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] })
  t.throws(() => decodeAnnouncementBody(twice), /appears twice/)
  const many = Announcement.encode({ ...Announcement.decode(encodeAnnouncement(data(peerId, { seq: 1 }))), labels: Array.from({ length: MAX_LABELS + 1 }, (_, i) => ({ key: `k${i}`, value: '' })) })
  t.throws(() => decodeAnnouncementBody(many), /over the limit/)
  const ok = decodeAnnouncementBody(encodeAnnouncement(data(peerId, { seq: 1, labels: { 'skein.dev/cost': '0.12', region: 'eu', constructor: 'c' } })))
  t.same(ok.labels, { 'skein.dev/cost': '0.12', region: 'eu', constructor: 'c' })
  t.equal(ok.labels.constructor, 'c', 'a label named like a method is plain data')
  t.equal(Object.getPrototypeOf(ok.labels), Object.prototype)
  t.throws(() => finishConfig({ discovery: { labels: { 'no good': 'x' } } }, {}), { name: 'ConfigError', message: /discovery.labels/ })
})
