/**
 * Announcements as pure logic: what an agent tells its fleet about itself
 * (addresses, labels, offer summary, WireGuard public key and its signed
 * tunnel key binding, pod CIDR), signed
 * with the agent's own key under the 'announce' domain, sequence-numbered and
 * with an expiry. `validateAnnouncement` is the one check every received
 * announcement goes through — gossip, hello, wherever it came from.
 *
 *   const bytes = await signAnnouncement(privateKey, { peerId, seq: 7, issuedMs: now, expiresMs: now + 90_000, addrs, labels: {} }, certificate)
 *   const r = await validateAnnouncement(bytes, { now, lastSeq: (p) => seen.get(p), checkMember })
 *   if (!r.ok) drop(r.reason)
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { PrivateKey } from '@libp2p/interface'
import { signPayload, verifyPayload } from '../signing/index.ts'
import { labelsFromPairs, labelsToPairs } from '../labels/index.ts'
import { Announcement, SignedAnnouncement } from '../pb/announce.js'
import { maxResources } from '../peering/resources.ts'
import { MAX_HOP_LIMIT } from '../peering/constants.ts'
import { AnnouncementRejectedError, type DropReason } from './errors.ts'
import { FUTURE_SKEW_MS, MAX_ANNOUNCE_INTERVAL_MS, MAX_ANNOUNCEMENT_BYTES, MAX_ANNOUNCEMENT_TTL_MS, MAX_TIMESTAMP_MS, MAX_WG_KEY_BINDING_BYTES } from './constants.ts'

export * from './errors.ts'
export * from './constants.ts'

/** What a provider lends now; filled by the offers subsystem. */
export interface OfferSummary {
  cpuMillis: number
  memoryBytes: number
  pods: number
  gpu: number
  ephemeralStorageBytes: number
  generation: number
  hops: number
}

export interface AnnouncementData {
  peerId: string
  seq: number
  issuedMs: number
  expiresMs: number
  addrs: string[]
  labels: Record<string, string>
  offer?: OfferSummary
  /** base64 WireGuard public key; '' when none */
  wgPublicKey?: string
  podCidr?: string
  version?: string
  /** the agent's signed tunnel key binding, opaque here (agent/tunnels/binding.ts decodes it); absent when none */
  wgKeyBinding?: Uint8Array
  /** the author's period between announcements now, ms; absent when not said (an older agent) */
  intervalMs?: number
}

export interface ValidAnnouncement {
  ok: true
  announcement: AnnouncementData
  /** the author's encoded certificate as carried in the announcement (may be empty) */
  certificate: Uint8Array
}

export interface RejectedAnnouncement {
  ok: false
  reason: DropReason
  message: string
  /** the claimed author, when the bytes decoded that far */
  peerId?: string
}

export interface ValidateContext {
  /** ms since the epoch */
  now: number
  /** highest sequence number accepted so far from this peer */
  lastSeq: (peerId: string) => number | undefined
  /**
   * Membership check of the author with the certificate the announcement
   * carries: resolve when a member, reject with a named membership error
   * otherwise. Omitted when no fleet is configured.
   */
  checkMember?: (peerId: string, certificate: Uint8Array) => Promise<void>
  /** our own peer ID: our own announcements coming back are dropped as 'self' */
  self?: string
}

export async function signAnnouncement (key: PrivateKey, data: AnnouncementData, certificate: Uint8Array = new Uint8Array()): Promise<Uint8Array> {
  const body = encodeAnnouncement(data)
  const signature = await signPayload(key, 'announce', body)
  return SignedAnnouncement.encode({ body: ab(body), signature: ab(signature), certificate: ab(certificate) })
}

export function encodeAnnouncement (data: AnnouncementData): Uint8Array {
  const { multiaddrBytes } = addrCodec
  return Announcement.encode({
    peerId: data.peerId,
    seq: data.seq,
    issuedMs: Math.round(data.issuedMs),
    expiresMs: Math.round(data.expiresMs),
    addrs: data.addrs.map((a) => ab(multiaddrBytes(a))),
    labels: labelsToPairs(data.labels),
    ...(data.offer != null
      ? {
          offer: {
            cpuMillis: data.offer.cpuMillis,
            memoryBytes: data.offer.memoryBytes,
            pods: data.offer.pods,
            gpu: data.offer.gpu,
            ephemeralStorageBytes: data.offer.ephemeralStorageBytes,
            generation: data.offer.generation,
            hops: data.offer.hops
          }
        }
      : {}),
    wgPublicKey: data.wgPublicKey != null && data.wgPublicKey !== '' ? new Uint8Array(Buffer.from(data.wgPublicKey, 'base64')) : new Uint8Array(),
    podCidr: data.podCidr ?? '',
    version: data.version ?? '',
    wgKeyBinding: ab(data.wgKeyBinding ?? new Uint8Array()),
    intervalMs: data.intervalMs != null ? Math.round(data.intervalMs) : 0
  })
}

/** Decodes an Announcement body; throws AnnouncementRejectedError('malformed') when a number is out of range. */
export function decodeAnnouncementBody (body: Uint8Array): AnnouncementData {
  const a = Announcement.decode(body)
  checkRanges(a)
  const labels = labelsFromPairs(a.labels)
  const out: AnnouncementData = {
    peerId: a.peerId,
    seq: Number(a.seq),
    issuedMs: Number(a.issuedMs),
    expiresMs: Number(a.expiresMs),
    addrs: a.addrs.map(addrCodec.multiaddrString),
    labels,
    wgPublicKey: a.wgPublicKey.byteLength > 0 ? Buffer.from(a.wgPublicKey).toString('base64') : '',
    podCidr: a.podCidr,
    version: a.version
  }
  if (a.wgKeyBinding.byteLength > 0) out.wgKeyBinding = a.wgKeyBinding
  if (a.intervalMs > 0) out.intervalMs = a.intervalMs
  if (a.offer != null) {
    out.offer = {
      cpuMillis: Number(a.offer.cpuMillis),
      memoryBytes: Number(a.offer.memoryBytes),
      pods: a.offer.pods,
      gpu: a.offer.gpu,
      ephemeralStorageBytes: Number(a.offer.ephemeralStorageBytes),
      generation: Number(a.offer.generation),
      hops: a.offer.hops
    }
  }
  return out
}

/**
 * 64-bit wire numbers arrive as JS numbers: a value the codec could read may
 * still be beyond what any agent sends (a date past year 9999, an offer of a
 * million cores). Such an announcement is malformed, not merely stale.
 */
function checkRanges (a: Announcement): void {
  const bad = (what: string, v: number): never => { throw new AnnouncementRejectedError('malformed', `announcement ${what} ${v} is out of range`) }
  if (!Number.isSafeInteger(a.seq)) bad('sequence number', a.seq)
  for (const [what, v] of [['issue time', a.issuedMs], ['expiry time', a.expiresMs]] as const) {
    if (!Number.isSafeInteger(v) || v < 0 || v > MAX_TIMESTAMP_MS) bad(what, v)
  }
  if (a.intervalMs > MAX_ANNOUNCE_INTERVAL_MS) bad('interval', a.intervalMs)
  const o = a.offer
  if (o == null) return
  const limits: Array<[string, number, number]> = [
    ['offer cpuMillis', o.cpuMillis, maxResources.cpu], ['offer memoryBytes', o.memoryBytes, maxResources.memory],
    ['offer pods', o.pods, maxResources.pods], ['offer gpu', o.gpu, maxResources.gpu],
    ['offer ephemeralStorageBytes', o.ephemeralStorageBytes, maxResources.ephemeralStorage],
    ['offer generation', o.generation, Number.MAX_SAFE_INTEGER], ['offer hops', o.hops, MAX_HOP_LIMIT]
  ]
  for (const [what, v, max] of limits) if (!Number.isSafeInteger(v) || v < 0 || v > max) bad(what, v)
}

/** Decodes a signed announcement without checking it (for display and tests). */
export function decodeSignedAnnouncement (bytes: Uint8Array): { announcement: AnnouncementData, certificate: Uint8Array } {
  const s = SignedAnnouncement.decode(bytes)
  return { announcement: decodeAnnouncementBody(s.body), certificate: s.certificate }
}

/**
 * Every check, in order: size, decoding, author's signature, membership,
 * freshness, replay. Never throws; says why it refused.
 */
export async function validateAnnouncement (bytes: Uint8Array, ctx: ValidateContext): Promise<ValidAnnouncement | RejectedAnnouncement> {
  if (bytes.byteLength > MAX_ANNOUNCEMENT_BYTES) {
    return { ok: false, reason: 'oversized', message: `announcement of ${bytes.byteLength} bytes is over the ${MAX_ANNOUNCEMENT_BYTES}-byte limit` }
  }
  let signed: SignedAnnouncement
  let a: AnnouncementData
  try {
    signed = SignedAnnouncement.decode(bytes)
    a = decodeAnnouncementBody(signed.body)
  } catch (err) {
    return { ok: false, reason: 'malformed', message: `cannot decode announcement: ${(err as Error).message}` }
  }
  if ((a.wgKeyBinding?.byteLength ?? 0) > MAX_WG_KEY_BINDING_BYTES) {
    return { ok: false, reason: 'malformed', message: `tunnel key binding of ${a.wgKeyBinding?.byteLength ?? 0} bytes is over the ${MAX_WG_KEY_BINDING_BYTES}-byte limit` }
  }
  const peerId = a.peerId
  let publicKey
  try {
    publicKey = peerIdFromString(peerId).publicKey
  } catch {
    publicKey = undefined
  }
  if (publicKey == null) return { ok: false, reason: 'malformed', message: `announcement names no usable peer ID (${peerId.slice(0, 64)})` }
  if (ctx.self != null && peerId === ctx.self) return { ok: false, reason: 'self', message: 'our own announcement', peerId }
  if (!await verifyPayload(publicKey, 'announce', signed.body, signed.signature)) {
    return { ok: false, reason: 'bad-signature', message: `announcement is not signed by ${peerId}`, peerId }
  }
  if (ctx.checkMember != null) {
    try {
      await ctx.checkMember(peerId, signed.certificate)
    } catch (err) {
      const name = (err as Error).name
      const reason: DropReason = name === 'CertificateRevokedError' ? 'revoked' : name === 'CertificateExpiredError' ? 'expired-certificate' : 'non-member'
      return { ok: false, reason, message: (err as Error).message, peerId }
    }
  }
  if (a.expiresMs <= ctx.now) return { ok: false, reason: 'stale', message: `announcement ${a.seq} of ${peerId} expired ${ctx.now - a.expiresMs} ms ago`, peerId }
  if (a.issuedMs > ctx.now + FUTURE_SKEW_MS || a.expiresMs - a.issuedMs > MAX_ANNOUNCEMENT_TTL_MS) {
    return { ok: false, reason: 'future', message: `announcement ${a.seq} of ${peerId} claims a validity beyond what we accept`, peerId }
  }
  const last = ctx.lastSeq(peerId)
  if (last != null && a.seq <= last) return { ok: false, reason: 'replayed', message: `announcement ${a.seq} of ${peerId} is not newer than ${last}`, peerId }
  return { ok: true, announcement: a, certificate: signed.certificate }
}

/** the generated codecs type bytes as Uint8Array<ArrayBuffer>; ours are never shared buffers */
const ab = (u: Uint8Array): Uint8Array<ArrayBuffer> => u as Uint8Array<ArrayBuffer>

// multiaddrs travel in their binary form
const addrCodec = {
  multiaddrBytes: (s: string): Uint8Array => multiaddr(s).bytes,
  multiaddrString: (b: Uint8Array): string => multiaddr(b).toString()
}
