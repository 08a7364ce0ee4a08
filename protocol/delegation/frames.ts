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
import { DelegateBody, type Delegate, type Status, type Cancel } from '../pb/delegate.js'
import {
  LEASE_ID_PATTERN, MAX_CLOCK_SKEW_MS, MAX_DELEGATE_FRAME_BYTES, MAX_ERROR_CHARS, MAX_MANIFEST_BYTES,
  MAX_PEER_ID_CHARS, MAX_POD_IPS, NONCE_BYTES, WORKLOAD_ID_PATTERN, NAME_PATTERN, MAX_NAME_CHARS
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
  if (!Number.isSafeInteger(b.timestamp) || b.timestamp <= 0) throw new MalformedMessageError('the timestamp is not valid')
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
  return s.lastError.length > MAX_ERROR_CHARS ? { ...s, lastError: s.lastError.slice(0, MAX_ERROR_CHARS) } : s
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
