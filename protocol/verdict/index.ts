/**
 * Watchers' verdicts as pure logic (proto/verdict.proto): make a signed
 * verdict that a member is unreachable, and check a received one. The gossip
 * side is agent/discovery.
 *
 *   const bytes = await makeVerdict(privateKey, { watcher: me, subject, subjectSeq, issuedMs: now })
 *   const r = await openVerdict(bytes, { now, isMember })
 *   if (!r.ok) drop(r.reason)
 */
import { peerIdFromString } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { signPayload, verifyPayload } from '../signing/index.ts'
import { Verdict } from '../pb/verdict.js'

/** a verdict is about 200 bytes; anything much larger is not one */
export const MAX_VERDICT_BYTES = 1024
/** a verdict older than this (or this far in the future) is stale: detection is about now */
export const VERDICT_MAX_AGE_MS = 60_000

export const verdictDropReasons = ['malformed', 'oversized', 'non-member', 'bad-signature', 'stale', 'replayed', 'refuted', 'unknown-subject', 'rate-limited'] as const
export type VerdictDropReason = typeof verdictDropReasons[number]

export interface VerdictData {
  watcher: string
  subject: string
  subjectSeq: number
  issuedMs: number
}

export type OpenedVerdict = { ok: true, verdict: VerdictData } | { ok: false, reason: VerdictDropReason, message: string }

export async function makeVerdict (key: PrivateKey, data: VerdictData): Promise<Uint8Array> {
  const unsigned: Verdict = { ...data, signature: new Uint8Array() }
  const signature = await signPayload(key, 'verdict', Verdict.encode(unsigned))
  return Verdict.encode({ ...unsigned, signature: new Uint8Array(signature) })
}

export interface OpenVerdictOptions {
  now: number
  isMember: (peerId: string) => boolean
}

/**
 * Checks a received verdict: size, shape, age, membership of watcher and
 * subject, and the watcher's signature, cheapest first. Never throws.
 */
export async function openVerdict (bytes: Uint8Array, o: OpenVerdictOptions): Promise<OpenedVerdict> {
  const drop = (reason: VerdictDropReason, message: string): OpenedVerdict => ({ ok: false, reason, message })
  if (bytes.byteLength > MAX_VERDICT_BYTES) return drop('oversized', `${bytes.byteLength} bytes, at most ${MAX_VERDICT_BYTES}`)
  let m: Verdict
  try {
    m = Verdict.decode(bytes)
  } catch (err) {
    return drop('malformed', `undecodable: ${(err as Error).message}`)
  }
  if (!Number.isSafeInteger(m.subjectSeq) || m.subjectSeq < 0) return drop('malformed', `subject sequence number ${m.subjectSeq}`)
  if (!Number.isSafeInteger(m.issuedMs) || m.issuedMs < 0) return drop('malformed', `issue time ${m.issuedMs}`)
  if (m.watcher === m.subject) return drop('malformed', 'a verdict about its own watcher')
  if (Math.abs(o.now - m.issuedMs) > VERDICT_MAX_AGE_MS) return drop('stale', `issued ${Math.round((o.now - m.issuedMs) / 1000)} s from now`)
  if (!o.isMember(m.watcher)) return drop('non-member', `watcher ${m.watcher.slice(0, 64)} is not a fleet member`)
  if (!o.isMember(m.subject)) return drop('non-member', `subject ${m.subject.slice(0, 64)} is not a fleet member`)
  let publicKey
  try {
    publicKey = peerIdFromString(m.watcher).publicKey
  } catch {
    return drop('malformed', 'the watcher is not a peer ID')
  }
  if (publicKey == null) return drop('malformed', 'the watcher\'s peer ID carries no public key')
  if (!await verifyPayload(publicKey, 'verdict', Verdict.encode({ ...m, signature: new Uint8Array() }), m.signature)) {
    return drop('bad-signature', `not signed by ${m.watcher}`)
  }
  return { ok: true, verdict: { watcher: m.watcher, subject: m.subject, subjectSeq: m.subjectSeq, issuedMs: m.issuedMs } }
}
