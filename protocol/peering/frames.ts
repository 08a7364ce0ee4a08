/**
 * Sealing and opening peering frames: encode + sign on the way out; on the
 * way in decode, check version, recipient, sender (= the connection's remote
 * peer), signature, timestamp window and nonce — in that order, cheapest
 * first — and validate the one message the body carries. Every failure is a
 * named error whose `reason` is the wire RejectReason.
 */
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { signPayload, verifyPayload } from '../signing/index.ts'
import { PeeringBody, PeeringFrame } from '../pb/peering.js'
import {
  WIRE_VERSION, MAX_FRAME_BYTES, MAX_CLOCK_SKEW_MS, NONCE_CACHE_SIZE, NONCE_BYTES, MAX_HOP_LIMIT,
  MAX_LEASE_MS, LEASE_ID_PATTERN, MAX_DETAIL_CHARS, MAX_PEER_ID_CHARS, MAX_TIMESTAMP_MS
} from './constants.ts'
import {
  BadSignatureError, MalformedFrameError, ReplayedMessageError, StaleMessageError, UnsupportedVersionError,
  WrongRecipientError, InvalidQuantityError
} from './errors.ts'
import { fromWire } from './resources.ts'

export type MessageKind = 'offerQuery' | 'offer' | 'request' | 'grant' | 'reject' | 'renew' | 'renewAck' | 'release' | 'releaseAck'
export const messageKinds: readonly MessageKind[] = ['offerQuery', 'offer', 'request', 'grant', 'reject', 'renew', 'renewAck', 'release', 'releaseAck']

/** The message fields of a body, without the envelope. */
export type BodyMessage = Partial<Pick<PeeringBody, MessageKind>>

/**
 * Remembers (sender, nonce) pairs for the replay window. Bounded: when full it
 * forgets the oldest and from then on refuses anything not newer than what it
 * forgot, so forgetting never opens a replay hole.
 */
export class NonceCache {
  private readonly seen = new Map<string, number>()
  private readonly capacity: number
  private readonly windowMs: number
  /** timestamps at or below this are refused: their nonces may have been forgotten */
  private floor = -Infinity

  constructor (opts: { capacity?: number, windowMs?: number } = {}) {
    this.capacity = opts.capacity ?? NONCE_CACHE_SIZE
    this.windowMs = opts.windowMs ?? MAX_CLOCK_SKEW_MS
  }

  get size (): number { return this.seen.size }

  /** Records the nonce; throws ReplayedMessageError if it was seen or may have been. */
  check (sender: string, nonce: Uint8Array, timestamp: number, now: number): void {
    this.prune(now)
    if (timestamp <= this.floor) throw new ReplayedMessageError('message older than the replay window still remembered')
    const key = `${sender}/${Buffer.from(nonce).toString('base64')}`
    if (this.seen.has(key)) throw new ReplayedMessageError('nonce seen before')
    if (this.seen.size >= this.capacity) {
      const [oldKey, oldTs] = this.seen.entries().next().value as [string, number]
      this.seen.delete(oldKey)
      this.floor = Math.max(this.floor, oldTs)
    }
    this.seen.set(key, timestamp)
  }

  private prune (now: number): void {
    // entries are kept in insertion order, close to timestamp order; drop the expired head
    for (const [k, ts] of this.seen) {
      if (ts >= now - this.windowMs) break
      this.seen.delete(k)
    }
  }
}

export interface SealInit {
  privateKey: PrivateKey
  sender: string
  recipient: string
  now: number
  nonce?: Uint8Array<ArrayBuffer>
}

/** Encodes and signs a body holding `message`; returns the frame ready for the wire. */
export async function seal (init: SealInit, message: BodyMessage): Promise<PeeringFrame> {
  const body = PeeringBody.encode({
    version: WIRE_VERSION,
    sender: init.sender,
    recipient: init.recipient,
    nonce: init.nonce ?? crypto.getRandomValues(new Uint8Array(NONCE_BYTES)),
    timestamp: init.now,
    ...message
  })
  const signature = await signPayload(init.privateKey, 'peering', body)
  return { body, signature: new Uint8Array(signature) }
}

export interface OpenInit {
  /** our peer id: the body must name it as recipient */
  self: string
  /** the authenticated remote peer of the connection the frame came on */
  remotePeer: string
  now: number
  nonces: NonceCache
  maxSkewMs?: number
}

export interface Opened {
  body: PeeringBody
  kind: MessageKind
}

/** Decodes, authenticates and validates one frame; throws a PeeringError subclass. */
export async function open (frame: PeeringFrame, init: OpenInit): Promise<Opened> {
  if (frame.body.byteLength > MAX_FRAME_BYTES) throw new MalformedFrameError('frame too large')
  let body: PeeringBody
  try {
    body = PeeringBody.decode(frame.body, { limits: { request: { path: MAX_HOP_LIMIT + 1 }, offer: { path: MAX_HOP_LIMIT + 1 } } })
  } catch (err) {
    throw new MalformedFrameError(`undecodable body: ${(err as Error).message}`)
  }
  if (body.version !== WIRE_VERSION) throw new UnsupportedVersionError(`wire version ${body.version}; this agent speaks ${WIRE_VERSION}`)
  if (body.recipient !== init.self) throw new WrongRecipientError('frame addressed to another agent')
  if (body.sender !== init.remotePeer) throw new BadSignatureError('sender is not the connection\'s peer')
  if (body.sender.length > MAX_PEER_ID_CHARS) throw new MalformedFrameError('sender too long')
  let publicKey
  try {
    publicKey = peerIdFromString(body.sender).publicKey
  } catch {
    throw new MalformedFrameError('sender is not a peer id')
  }
  if (publicKey == null) throw new BadSignatureError('sender peer id carries no public key')
  if (!(await verifyPayload(publicKey, 'peering', frame.body, frame.signature))) throw new BadSignatureError('signature does not verify')
  const skew = init.maxSkewMs ?? MAX_CLOCK_SKEW_MS
  if (!Number.isSafeInteger(body.timestamp) || Math.abs(body.timestamp - init.now) > skew) {
    throw new StaleMessageError(`timestamp ${body.timestamp} is more than ${skew} ms from now`)
  }
  if (body.nonce.byteLength !== NONCE_BYTES) throw new MalformedFrameError(`nonce must be ${NONCE_BYTES} bytes`)
  init.nonces.check(body.sender, body.nonce, body.timestamp, init.now)
  const kind = validateMessage(body)
  return { body, kind }
}

/** Exactly one message; its fields well-formed. Returns which one it is. */
export function validateMessage (body: PeeringBody): MessageKind {
  const present = messageKinds.filter((k) => body[k] != null)
  if (present.length !== 1) throw new MalformedFrameError(`a body carries exactly one message, this one ${present.length}`)
  const kind = present[0] as MessageKind
  const leaseId = (body[kind] as { leaseId?: string }).leaseId
  if (leaseId !== undefined && !(kind === 'reject' && leaseId === '') && !LEASE_ID_PATTERN.test(leaseId)) throw new MalformedFrameError('lease id must be 1-64 characters of [A-Za-z0-9_-]')
  switch (kind) {
    case 'request': {
      const r = body.request
      if (r == null) break
      if (r.quota == null) throw new InvalidQuantityError('request without a quota')
      fromWire(r.quota, 'quota')
      fromWire(r.min, 'min')
      if (!Number.isSafeInteger(r.durationMs) || r.durationMs <= 0 || r.durationMs > MAX_LEASE_MS) throw new InvalidQuantityError(`duration ${r.durationMs} ms is out of range`)
      checkPathShape(r.path, r.hopLimit)
      break
    }
    case 'offer': {
      const o = body.offer
      if (o == null) break
      if (!Number.isSafeInteger(o.seq)) throw new MalformedFrameError(`offer sequence ${o.seq} is out of range`)
      fromWire(o.resources, 'offer')
      checkPathShape(o.path, o.hopLimit)
      break
    }
    case 'grant': {
      const g = body.grant
      if (g == null) break
      fromWire(g.quota, 'quota')
      checkLeaseTimes(body.timestamp, { created: g.created, expires: g.expires, renewBy: g.renewBy })
      if (!Number.isSafeInteger(g.graceMs) || g.graceMs < 0 || g.graceMs > MAX_LEASE_MS) throw new InvalidQuantityError(`grace ${g.graceMs} ms is out of range`)
      break
    }
    case 'renewAck': {
      const a = body.renewAck
      if (a == null) break
      checkLeaseTimes(body.timestamp, { expires: a.expires, renewBy: a.renewBy })
      break
    }
    case 'renew': {
      const r = body.renew
      if (r == null) break
      if (!Number.isSafeInteger(r.extendMs) || r.extendMs < 0 || r.extendMs > MAX_LEASE_MS) throw new InvalidQuantityError(`extension ${r.extendMs} ms is out of range`)
      break
    }
    case 'reject':
      if (body.reject != null && body.reject.detail.length > MAX_DETAIL_CHARS) throw new MalformedFrameError('reject detail too long')
      break
    default:
      break
  }
  return kind
}

/**
 * Lease times arrive as 64-bit integers: each must be a whole number of ms
 * between the epoch and year 9999, and no later than the longest lease term
 * (plus clock skew) after the frame was sent — a grant or renewal ack cannot
 * promise more than a year.
 */
function checkLeaseTimes (sentAt: number, times: Record<string, number>): void {
  const latest = Math.min(MAX_TIMESTAMP_MS, sentAt + MAX_LEASE_MS + MAX_CLOCK_SKEW_MS)
  for (const [what, v] of Object.entries(times)) {
    if (!Number.isSafeInteger(v) || v < 0 || v > latest) throw new MalformedFrameError(`lease ${what} time ${v} is out of range`)
  }
}

function checkPathShape (path: string[], hopLimit: number): void {
  if (hopLimit < 1 || hopLimit > MAX_HOP_LIMIT) throw new MalformedFrameError(`hop limit ${hopLimit} is outside 1-${MAX_HOP_LIMIT}`)
  if (path.length > MAX_HOP_LIMIT) throw new MalformedFrameError('path too long')
  if (path.some((p) => p.length === 0 || p.length > MAX_PEER_ID_CHARS)) throw new MalformedFrameError('path holds a malformed peer id')
}
