/**
 * 64-bit numbers on the wire (issue 10, item 1): uint64 and int64 fields
 * arrive as JS numbers, so a value beyond 2^53 is either refused by the codec
 * or silently rounded, and an int64 may come out negative. Every protocol
 * refuses such values — and absurd ones that fit (a date past year 9999, an
 * offer of a million cores, a lease promised for a century) — as malformed
 * with its typed error, at decode, before anything acts on them.
 */
import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { streamPair, lpStream } from '@libp2p/utils'
import { signPayload } from '../protocol/signing/index.ts'
import { decodeSignedAnnouncement, validateAnnouncement, MAX_TIMESTAMP_MS as ANNOUNCE_MAX_TS } from '../protocol/announce/index.ts'
import { issueCertificate, issueRevocation, verifyCertificate, verifyRevocation, decodeCertificate, fleetKeyId } from '../protocol/membership/index.ts'
import { open, NonceCache, maxResources, MAX_LEASE_MS } from '../protocol/peering/index.ts'
import { openDelegate, validateStatus, validateResponse, request, DELEGATE_PROTOCOL, Phase, type Status } from '../protocol/delegation/index.ts'
import { vf, bf, cat, neg } from './helpers/fuzz-handlers.ts'

const HUGE = [1n << 53n, (1n << 53n) + 1n, 1n << 63n, (1n << 64n) - 1n]

t.test('announcements with out-of-range numbers are malformed', async (t) => {
  const key = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(key).toString()
  const now = Date.now()
  const offer = (extra: Uint8Array = new Uint8Array()): Uint8Array => cat(vf(1, 1000n), vf(2, 1024n), vf(3, 1n), vf(6, 1n), vf(7, 1n), extra)
  const announcement = async (extra: Uint8Array, offerExtra?: Uint8Array): Promise<Uint8Array> => {
    const body = cat(bf(1, peerId), vf(2, 1n), vf(3, BigInt(now)), vf(4, BigInt(now + 60_000)), bf(7, offer(offerExtra)), extra)
    return cat(bf(1, body), bf(2, await signPayload(key, 'announce', body)))
  }
  const check = async (what: string, bytes: Uint8Array): Promise<void> => {
    const r = await validateAnnouncement(bytes, { now, lastSeq: () => undefined })
    t.equal(r.ok ? 'accepted' : r.reason, 'malformed', what)
    t.throws(() => decodeSignedAnnouncement(bytes), what)
  }
  t.ok((await validateAnnouncement(await announcement(new Uint8Array()), { now, lastSeq: () => undefined })).ok, 'the honest one passes')
  for (const v of HUGE) {
    await check(`seq ${v}`, await announcement(vf(2, v)))
    await check(`issued ${v}`, await announcement(vf(3, v)))
    await check(`expires ${v}`, await announcement(vf(4, v)))
    await check(`offer cpu ${v}`, await announcement(new Uint8Array(), vf(1, v)))
    await check(`offer generation ${v}`, await announcement(new Uint8Array(), vf(6, v)))
  }
  await check('an expiry past year 9999', await announcement(vf(4, BigInt(ANNOUNCE_MAX_TS) + 1n)))
  await check('an offer of more cpu than exists', await announcement(new Uint8Array(), vf(1, BigInt(maxResources.cpu) + 1n)))
  await check('an offer of 2 PiB of memory', await announcement(new Uint8Array(), vf(2, 1n << 51n)))
  await check('an offer of a billion pods', await announcement(new Uint8Array(), vf(3, 1_000_000_000n)))
  await check('an offer from 4 billion hops away', await announcement(new Uint8Array(), vf(7, (1n << 32n) - 1n)))
  const r = await validateAnnouncement(await announcement(new Uint8Array(), vf(1, BigInt(maxResources.cpu) + 1n)), { now, lastSeq: () => undefined })
  t.match(r, { ok: false, reason: 'malformed', message: /offer cpuMillis/ }, 'the message names the field')
})

t.test('certificates and revocations with times beyond what a date holds are not membership', async (t) => {
  const fleet = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  const now = Date.now()
  // signed by the fleet key itself: 8.7e15 ms is a valid uint64 but past the last date JavaScript can print
  const far = await issueCertificate(fleet, { peerId, issuedMs: 8.7e15, expiresMs: 9e15 })
  await t.rejects(verifyCertificate(fleet.publicKey, far, { peerId, now }), { name: 'NotAMemberError' })
  t.throws(() => decodeCertificate(far), { name: 'NotAMemberError' })
  // beyond 2^53: the codec refuses it, and that too is NotAMemberError
  for (const v of HUGE) {
    const body = cat(bf(1, peerId), vf(4, BigInt(now)), vf(5, v), bf(6, fleetKeyId(fleet.publicKey)))
    const bytes = cat(bf(1, body), bf(2, await signPayload(fleet, 'membership-cert', body)))
    await t.rejects(verifyCertificate(fleet.publicKey, bytes, { peerId, now }), { name: 'NotAMemberError' }, `expiry ${v}`)
  }
  const rev = await issueRevocation(fleet, { peerId, issuedMs: 8.7e15 })
  await t.rejects(verifyRevocation(fleet.publicKey, rev), { name: 'NotAMemberError' })
  t.ok(await verifyCertificate(fleet.publicKey, await issueCertificate(fleet, { peerId, expiresMs: now + 60_000 }), { peerId, now }), 'an honest certificate still passes')
})

t.test('peering answers with out-of-range lease times or quantities are refused', async (t) => {
  const provider = await generateKeyPair('Ed25519')
  const consumer = await generateKeyPair('Ed25519')
  const p = peerIdFromPrivateKey(provider).toString()
  const c = peerIdFromPrivateKey(consumer).toString()
  const now = Date.now()
  // written field by field: the generated encoder cannot even write an int64 beyond 2^53, and mangles negative ones
  const env = (): Uint8Array => cat(vf(1, 1n), bf(2, p), bf(3, c), bf(4, crypto.getRandomValues(new Uint8Array(16))), vf(5, BigInt(now)))
  const quota = (cpu: bigint = 1000n, memory: bigint = 0n): Uint8Array => cat(vf(1, cpu), vf(2, memory), vf(3, 1n))
  const grant = (o: { created?: bigint, expires?: bigint, renewBy?: bigint, graceMs?: bigint, quota?: Uint8Array } = {}): Uint8Array => bf(13, cat(
    bf(1, 'l1'), bf(2, c), bf(3, p), bf(4, o.quota ?? quota()), vf(6, o.created ?? BigInt(now)), vf(7, o.expires ?? BigInt(now + 3_600_000)),
    vf(8, o.renewBy ?? BigInt(now + 30_000)), vf(9, o.graceMs ?? 120_000n)))
  const renewAck = (expires: bigint, renewBy: bigint): Uint8Array => bf(16, cat(bf(1, 'l1'), vf(2, expires), vf(3, renewBy)))
  const opened = async (message: Uint8Array): Promise<unknown> => {
    const body = cat(env(), message)
    const frame = { body: body as Uint8Array<ArrayBuffer>, signature: new Uint8Array(await signPayload(provider, 'peering', body)) }
    return await open(frame, { self: c, remotePeer: p, now, nonces: new NonceCache() })
  }
  t.match(await opened(grant()), { kind: 'grant' }, 'an honest grant opens')
  t.match(await opened(renewAck(BigInt(now + 3_600_000), BigInt(now + 30_000))), { kind: 'renewAck' }, 'an honest renewal ack opens')
  await t.rejects(opened(grant({ expires: neg(1n) })), { name: 'MalformedFrameError' }, 'a negative expiry')
  await t.rejects(opened(grant({ expires: 1n << 62n })), { name: 'MalformedFrameError' }, 'an expiry past 2^53')
  await t.rejects(opened(grant({ expires: BigInt(now + 2 * MAX_LEASE_MS) })), { name: 'MalformedFrameError' }, 'a lease promised for longer than any term')
  await t.rejects(opened(grant({ renewBy: neg(1n << 62n) })), { name: 'MalformedFrameError' }, 'a renewal deadline before the epoch')
  await t.rejects(opened(grant({ created: 1n << 63n })), { name: 'MalformedFrameError' }, 'a creation time that is a negative int64')
  await t.rejects(opened(grant({ graceMs: BigInt(MAX_LEASE_MS) + 1n })), { name: 'InvalidQuantityError' }, 'a grace longer than any term')
  await t.rejects(opened(grant({ quota: quota(neg(1n << 62n)) })), { name: 'InvalidQuantityError' }, 'a negative quota')
  await t.rejects(opened(grant({ quota: quota(1000n, 1n << 60n) })), { name: 'InvalidQuantityError' }, 'an absurd quota')
  await t.rejects(opened(renewAck(1n << 62n, BigInt(now))), { name: 'MalformedFrameError' })
  await t.rejects(opened(renewAck(BigInt(now), neg(5n))), { name: 'MalformedFrameError' })
  // uint64 fields beyond 2^53 (the offer's sequence, a request's duration) fail in the codec, as MalformedFrameError
  for (const v of HUGE) {
    await t.rejects(opened(bf(11, cat(bf(1, p), vf(3, v), bf(4, p), vf(5, 4n)))), { name: 'MalformedFrameError' }, `offer seq ${v}`)
    const stamped = cat(vf(1, 1n), bf(2, p), bf(3, c), bf(4, new Uint8Array(16)), vf(5, v), bf(10, new Uint8Array()))
    const f2 = { body: stamped as Uint8Array<ArrayBuffer>, signature: new Uint8Array(await signPayload(provider, 'peering', stamped)) }
    await t.rejects(open(f2, { self: c, remotePeer: p, now, nonces: new NonceCache() }), { name: /MalformedFrameError|StaleMessageError/ }, `timestamp ${v}`)
  }
})

t.test('delegation messages with out-of-range numbers are malformed', async (t) => {
  const key = await generateKeyPair('Ed25519')
  const consumer = peerIdFromPrivateKey(key).toString()
  const provider = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  const now = Date.now()
  const delegate = async (override: Uint8Array): Promise<{ body: Uint8Array<ArrayBuffer>, signature: Uint8Array<ArrayBuffer> }> => {
    const body = cat(bf(1, 'w1'), vf(2, 1n), bf(3, 'kind: ConfigMap'), bf(5, consumer), vf(6, 4n), bf(7, 'lease'), bf(8, consumer), bf(9, provider),
      vf(10, BigInt(now)), bf(11, new Uint8Array(16)), bf(12, 'web'), override)
    return { body: body as Uint8Array<ArrayBuffer>, signature: new Uint8Array(await signPayload(key, 'delegate', body)) }
  }
  const init = { receiver: provider, remotePeer: consumer, now }
  t.match(await openDelegate(await delegate(new Uint8Array()), init), { workloadId: 'w1' }, 'an honest Delegate opens')
  for (const v of HUGE) {
    await t.rejects(openDelegate(await delegate(vf(2, v)), init), { name: 'DelegationMalformedError' }, `generation ${v}`)
    await t.rejects(openDelegate(await delegate(vf(10, v)), init), { name: 'DelegationMalformedError' }, `timestamp ${v}`)
    await t.rejects(openDelegate(await delegate(bf(4, vf(4, v))), init), { name: 'DelegationMalformedError' }, `bandwidth ${v}`)
  }
  await t.rejects(openDelegate(await delegate(vf(10, neg(1n))), init), { name: 'DelegationMalformedError' }, 'a negative timestamp')

  const status: Status = { workloadId: 'w1', generation: 1, phase: Phase.RUNNING, readyReplicas: 1, replicas: 1, podIps: [], lastError: '', observedGeneration: 1, sequence: 1, timestamp: now }
  t.equal(validateStatus(status), status)
  for (const bad of [{ timestamp: 2 ** 62 }, { timestamp: -1 }, { observedGeneration: -1 }, { observedGeneration: 2 ** 60 }, { sequence: 2 ** 53 }, { generation: 2 ** 53 }]) {
    t.throws(() => validateStatus({ ...status, ...bad }), { name: 'DelegationMalformedError' }, JSON.stringify(bad))
  }
  const ack = { workloadId: 'w1', generation: 1, acceptedAt: now }
  t.same(validateResponse({ ack }), { ack })
  for (const bad of [{ ack: { ...ack, acceptedAt: -1 } }, { ack: { ...ack, acceptedAt: 2 ** 62 } }, { ack: { ...ack, generation: 2 ** 53 } }, { cancelAck: { workloadId: 'w1', fence: -1, removed: false } },
    { resync: { workloads: [{ workloadId: 'w1', generation: 2 ** 60, status }] } }, { resync: { workloads: [{ workloadId: 'w1', generation: 1, status: { ...status, timestamp: -(2 ** 60) } }] } }]) {
    t.throws(() => validateResponse(bad), { name: 'DelegationMalformedError' }, JSON.stringify(bad))
  }

  // over a stream: a provider answering with a negative acceptance time gets a typed error at the consumer
  const [client, server] = await streamPair({ delay: 0, protocol: DELEGATE_PROTOCOL })
  const serving = (async () => {
    const lp = lpStream(server)
    await lp.read()
    await lp.write(bf(1, cat(bf(1, 'w1'), vf(2, 1n), vf(3, neg(1n << 40n)))))
    await server.close()
  })()
  await t.rejects(request(client, { resync: {} }), { name: 'DelegationMalformedError' })
  await serving
})
