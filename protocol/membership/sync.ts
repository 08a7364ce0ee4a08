/**
 * Anti-entropy between two fleet members, as pure logic: digests of what each
 * holds, which parts differ, and what each must send the other. The wire
 * exchange (/skein/membership-sync/1.0.0, message MembershipSync in
 * proto/membership.proto) runs in agent/discovery.
 *
 * What a member holds is a map peer ID → sequence number of the newest
 * unexpired announcement it has (its own included), and the set of revoked
 * peer IDs. Peer IDs fall into SYNC_BUCKETS buckets by the first byte of their
 * SHA-256; each bucket's digest is the first 8 bytes of SHA-256 over its sorted
 * "peer seq" lines, so two members that hold the same agree on every digest
 * and, when one announcement differs, exchange the entries of one bucket
 * rather than of the whole fleet.
 *
 *   const mask = mismatched(digest(mine, revoked), theirBuckets)  // 0: in sync
 *   const { push, want } = plan(mine, theirEntries, mask, self)
 */
import { createHash } from 'node:crypto'
import type { SyncEntry } from '../pb/membership.js'

export const SYNC_PROTOCOL = '/skein/membership-sync/1.0.0'
/** buckets of peer IDs; bit SYNC_BUCKETS of a mismatch mask stands for the revocations */
export const SYNC_BUCKETS = 16
export const SYNC_DIGEST_BYTES = 8
/** length of a digest: one per bucket and one for the revocations */
export const SYNC_BUCKETS_BYTES = (SYNC_BUCKETS + 1) * SYNC_DIGEST_BYTES
export const REVOCATIONS_BIT = 1 << SYNC_BUCKETS
/** most entries, announcements or wanted peer IDs one sync message may carry */
export const MAX_SYNC_ENTRIES = 4096
export const MAX_SYNC_ANNOUNCEMENTS = 512
/** largest MembershipSync frame */
export const MAX_SYNC_BYTES = 1024 * 1024

/** A sync message that breaks the protocol: wrong digest length, an entry out of range. */
export class SyncFrameError extends Error {
  static override name = 'SyncFrameError'
  constructor (message: string) {
    super(message)
    this.name = 'SyncFrameError'
  }
}

const bucketCache = new Map<string, number>()

/** the bucket a peer ID falls in */
export function bucketOf (peerId: string): number {
  let b = bucketCache.get(peerId)
  if (b == null) {
    b = (createHash('sha256').update(peerId).digest()[0] as number) % SYNC_BUCKETS
    if (bucketCache.size > 65_536) bucketCache.clear()
    bucketCache.set(peerId, b)
  }
  return b
}

function hash8 (lines: string[]): Buffer {
  const h = createHash('sha256')
  for (const l of lines.sort()) h.update(l).update('\n')
  return h.digest().subarray(0, SYNC_DIGEST_BYTES)
}

/** The digest of what a member holds: SYNC_BUCKETS_BYTES bytes. */
export function digest (held: ReadonlyMap<string, number>, revoked: Iterable<string>): Uint8Array {
  const lines: string[][] = Array.from({ length: SYNC_BUCKETS }, () => [])
  for (const [peerId, seq] of held) (lines[bucketOf(peerId)] as string[]).push(`${peerId} ${seq}`)
  const out = new Uint8Array(SYNC_BUCKETS_BYTES)
  lines.forEach((l, i) => { out.set(hash8(l), i * SYNC_DIGEST_BYTES) })
  out.set(hash8([...revoked]), SYNC_BUCKETS * SYNC_DIGEST_BYTES)
  return out
}

/** Bit b set when bucket b differs (bit SYNC_BUCKETS: the revocations). Throws SyncFrameError on a digest of the wrong length. */
export function mismatched (mine: Uint8Array, theirs: Uint8Array): number {
  if (theirs.byteLength !== SYNC_BUCKETS_BYTES) throw new SyncFrameError(`sync digest of ${theirs.byteLength} bytes, expected ${SYNC_BUCKETS_BYTES}`)
  let mask = 0
  for (let b = 0; b <= SYNC_BUCKETS; b++) {
    for (let i = b * SYNC_DIGEST_BYTES; i < (b + 1) * SYNC_DIGEST_BYTES; i++) {
      if (mine[i] !== theirs[i]) { mask |= 1 << b; break }
    }
  }
  return mask
}

/** The entries held in the buckets of `mask`. */
export function entriesIn (held: ReadonlyMap<string, number>, mask: number): SyncEntry[] {
  const out: SyncEntry[] = []
  for (const [peerId, seq] of held) if ((mask & (1 << bucketOf(peerId))) !== 0) out.push({ peerId, seq })
  return out
}

/**
 * Given the other side's entries in the mismatched buckets: the peer IDs whose
 * announcements we must send (it lacks them or holds older ones) and those we
 * want (we lack them or hold older ones; never our own). Entries outside the
 * mask, duplicated or with a sequence number that is not a safe non-negative
 * integer make the message a SyncFrameError.
 */
export function plan (held: ReadonlyMap<string, number>, theirs: SyncEntry[], mask: number, self: string): { push: string[], want: string[] } {
  if (theirs.length > MAX_SYNC_ENTRIES) throw new SyncFrameError(`${theirs.length} sync entries, at most ${MAX_SYNC_ENTRIES}`)
  const other = new Map<string, number>()
  for (const e of theirs) {
    if (!Number.isSafeInteger(e.seq) || e.seq < 0) throw new SyncFrameError(`sync entry for ${e.peerId} has sequence number ${e.seq}`)
    if ((mask & (1 << bucketOf(e.peerId))) === 0) throw new SyncFrameError(`sync entry for ${e.peerId} is outside the mismatched buckets`)
    if (other.has(e.peerId)) throw new SyncFrameError(`sync entry for ${e.peerId} appears twice`)
    other.set(e.peerId, e.seq)
  }
  const push: string[] = []
  for (const [peerId, seq] of held) {
    if ((mask & (1 << bucketOf(peerId))) === 0) continue
    const theirSeq = other.get(peerId)
    if (theirSeq == null || theirSeq < seq) push.push(peerId)
  }
  const want: string[] = []
  for (const [peerId, seq] of other) {
    if (peerId === self) continue
    const mySeq = held.get(peerId)
    if (mySeq == null || mySeq < seq) want.push(peerId)
  }
  return { push: push.slice(0, MAX_SYNC_ANNOUNCEMENTS), want: want.slice(0, MAX_SYNC_ANNOUNCEMENTS) }
}
