/**
 * Sealing and opening Delegate messages, and validating the other messages.
 * A Delegate is signed by its sender (the last agent on the path) under
 * protocol/signing domain 'delegate'; the receiver checks size, shape,
 * recipient, sender (= the connection's remote peer), signature, clock skew
 * and path, cheapest first. Every failure is a typed error; nothing changes.
 *
 *   const d = await sealDelegate(privateKey, body)
 *   const body = await openDelegate(d, { receiver, remotePeer, now })
 */
import { randomBytes } from 'node:crypto'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { signPayload, verifyPayload } from '../signing/index.ts'
import { DelegateBody, type Delegate, type DelegateResponse, type Status, type Cancel } from '../pb/delegate.js'
import {
  LEASE_ID_PATTERN, MAX_CLOCK_SKEW_MS, MAX_DELEGATE_FRAME_BYTES, MAX_ERROR_CHARS, MAX_MANIFEST_BYTES,
  MAX_PEER_ID_CHARS, MAX_POD_IPS, NONCE_BYTES, WORKLOAD_ID_PATTERN, NAME_PATTERN, MAX_NAME_CHARS, MAX_TIMESTAMP_MS,
  MAX_RESYNC_WORKLOADS, MAX_HOP_LIMIT
} from './constants.ts'
import {
  BadSignatureError, MalformedMessageError, MessageTooLargeError, StaleMessageError, WrongRecipientError
} from './errors.ts'
import { checkDelegatePath } from './paths.ts'

export type DelegateFields = Omit<DelegateBody, 'timestamp' | 'nonce'>

/** Encodes and signs; a fresh timestamp and nonce make each send distinct (the outbox re-seals on every attempt). */
export async function sealDelegate (key: PrivateKey, fields: DelegateFields, now: number): Promise<Delegate> {
  const body = DelegateBody.encode({ ...fields, timestamp: now, nonce: randomBytes(NONCE_BYTES) })
  return { body, signature: new Uint8Array(await signPayload(key, 'delegate', body)) }
}

export interface OpenInit {
  /** our peer ID */
  receiver: string
  /** the authenticated peer on the other end of the stream */
  remotePeer: string
  now: number
  maxSkewMs?: number
}

export async function openDelegate (d: Delegate, init: OpenInit): Promise<DelegateBody> {
  if (d.body.byteLength > MAX_DELEGATE_FRAME_BYTES) throw new MessageTooLargeError(`a Delegate of ${d.body.byteLength} bytes is over ${MAX_DELEGATE_FRAME_BYTES}`)
  let body: DelegateBody
  try {
    body = DelegateBody.decode(d.body, { limits: { path: 32 } })
  } catch (err) {
    throw new MalformedMessageError(`the Delegate body cannot be decoded: ${(err as Error).message}`)
  }
  validateDelegateBody(body)
  if (body.provider !== init.receiver) throw new WrongRecipientError('the Delegate is addressed to another agent')
  const sender = body.path[body.path.length - 1]
  if (sender !== init.remotePeer) throw new MalformedMessageError('the sender must be the last agent on the path')
  let publicKey
  try {
    publicKey = peerIdFromString(init.remotePeer).publicKey
  } catch {
    throw new BadSignatureError('the sender peer ID cannot be read')
  }
  if (publicKey == null) throw new BadSignatureError('the sender peer ID carries no public key')
  if (!(await verifyPayload(publicKey, 'delegate', d.body, d.signature))) throw new BadSignatureError('the signature does not verify')
  const skew = Math.abs(init.now - body.timestamp)
  if (skew > (init.maxSkewMs ?? MAX_CLOCK_SKEW_MS)) throw new StaleMessageError(`the Delegate is ${Math.round(skew / 1000)} s away from our clock`)
  checkDelegatePath({ path: body.path, hopLimit: body.hopLimit, receiver: init.receiver, sender: init.remotePeer })
  return body
}

/** Shape and size checks of a Delegate body (signature and path aside). */
export function validateDelegateBody (b: DelegateBody): void {
  checkWorkloadId(b.workloadId)
  checkGeneration(b.generation)
  if (b.name === '' || b.name.length > MAX_NAME_CHARS || !NAME_PATTERN.test(b.name)) throw new MalformedMessageError('the workload name is not valid')
  if (b.manifests.byteLength === 0) throw new MalformedMessageError('the Delegate carries no manifests')
  if (b.manifests.byteLength > MAX_MANIFEST_BYTES) throw new MessageTooLargeError(`manifests of ${b.manifests.byteLength} bytes are over ${MAX_MANIFEST_BYTES}`)
  if (!LEASE_ID_PATTERN.test(b.leaseId)) throw new MalformedMessageError('the lease ID is not valid')
  for (const p of [b.consumer, b.provider, ...b.path]) checkPeerId(p)
  if (b.path[0] !== b.consumer) throw new MalformedMessageError('the path must start with the consumer')
  if (b.nonce.byteLength !== NONCE_BYTES) throw new MalformedMessageError(`the nonce must be ${NONCE_BYTES} bytes`)
  if (b.timestamp <= 0) throw new MalformedMessageError('the timestamp is not valid')
  checkTime(b.timestamp)
  if (b.constraints != null && !Number.isSafeInteger(b.constraints.minBandwidthBps)) throw new MalformedMessageError('the bandwidth constraint is out of range')
}

export function validateCancel (c: Cancel): void {
  checkWorkloadId(c.workloadId)
  if (!Number.isSafeInteger(c.generation) || c.generation < 0) throw new MalformedMessageError('the generation is not valid')
  if (!Number.isSafeInteger(c.fence) || c.fence < 0) throw new MalformedMessageError('the fence is not valid')
}

/** Checks a Status from a provider; trims what is merely long. Keepalives (empty workload ID) pass. */
export function validateStatus (s: Status): Status {
  if (s.workloadId === '') return s
  checkWorkloadId(s.workloadId)
  checkGeneration(s.generation)
  if (s.podIps.length > MAX_POD_IPS) throw new MalformedMessageError(`a Status lists ${s.podIps.length} pod IPs; at most ${MAX_POD_IPS}`)
  if (!Number.isSafeInteger(s.sequence) || s.sequence < 0) throw new MalformedMessageError('the sequence is not valid')
  if (!Number.isSafeInteger(s.observedGeneration) || s.observedGeneration < 0) throw new MalformedMessageError('the observed generation is not valid')
  checkTime(s.timestamp)
  if (s.via != null) {
    if (s.via.agents.length > MAX_HOP_LIMIT) throw new MalformedMessageError(`a Status names ${s.via.agents.length} agents it went through; at most ${MAX_HOP_LIMIT}`)
    for (const p of s.via.agents) checkPeerId(p)
  }
  return s.lastError.length > MAX_ERROR_CHARS ? { ...s, lastError: s.lastError.slice(0, MAX_ERROR_CHARS) } : s
}

/**
 * Checks a provider's answer before the consumer acts on it: 64-bit numbers
 * in range, identifiers well-formed, resync entries validated like Status.
 */
export function validateResponse (r: DelegateResponse): DelegateResponse {
  if (r.ack != null) {
    checkWorkloadId(r.ack.workloadId)
    checkGeneration(r.ack.generation)
    checkTime(r.ack.acceptedAt)
  }
  if (r.reject != null && (!Number.isSafeInteger(r.reject.generation) || r.reject.generation < 0)) throw new MalformedMessageError('the generation is not valid')
  if (r.cancelAck != null && (!Number.isSafeInteger(r.cancelAck.fence) || r.cancelAck.fence < 0)) throw new MalformedMessageError('the fence is not valid')
  if (r.resync != null) {
    if (r.resync.workloads.length > MAX_RESYNC_WORKLOADS) throw new MalformedMessageError(`a resync lists ${r.resync.workloads.length} workloads; at most ${MAX_RESYNC_WORKLOADS}`)
    const workloads = r.resync.workloads.map((w) => {
      checkWorkloadId(w.workloadId)
      checkGeneration(w.generation)
      return w.status != null ? { ...w, status: validateStatus(w.status) } : w
    })
    return { ...r, resync: { workloads } }
  }
  return r
}

/** A time in ms since the epoch, not before it and before year 10000. */
function checkTime (t: number): void {
  if (!Number.isSafeInteger(t) || t < 0 || t > MAX_TIMESTAMP_MS) throw new MalformedMessageError('the timestamp is not valid')
}

function checkWorkloadId (id: string): void {
  if (!WORKLOAD_ID_PATTERN.test(id)) throw new MalformedMessageError('the workload ID is not valid')
}

function checkGeneration (g: number): void {
  if (!Number.isSafeInteger(g) || g < 1) throw new MalformedMessageError('the generation must be a whole number ≥ 1')
}

function checkPeerId (p: string): void {
  if (p === '' || p.length > MAX_PEER_ID_CHARS) throw new MalformedMessageError('a peer ID is not valid')
}
