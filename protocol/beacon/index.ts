/**
 * Link heartbeats over UDP as pure logic (proto/beacon.proto): make a signed
 * probe or echo, and check a received datagram. The socket side is
 * agent/links/beacon.ts.
 *
 *   const probe = await makeBeacon(privateKey, { kind: 'probe', from: me, to: peer, nonce })
 *   const r = await openBeacon(bytes, { self: me, isMember })
 *   if (!r.ok) drop(r.reason)
 */
import { randomBytes } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { signPayload, verifyPayload } from '../signing/index.ts'
import { Beacon, BeaconKind } from '../pb/beacon.js'

/** a probe or echo is about 190 bytes; anything much larger is not one */
export const MAX_BEACON_BYTES = 512
export const BEACON_NONCE_BYTES = 16

/** Why a datagram was dropped; each maps to one `reason` label of skein_beacon_dropped_total. */
export const beaconDropReasons = [
  'malformed', 'oversized', 'misaddressed', 'non-member', 'bad-signature', 'unsolicited', 'replayed', 'rate-limited'
] as const
export type BeaconDropReason = typeof beaconDropReasons[number]

export type BeaconKindName = 'probe' | 'echo'

export interface BeaconData {
  kind: BeaconKindName
  /** peer IDs as strings */
  from: string
  to: string
  nonce: Uint8Array<ArrayBuffer>
}

export type OpenedBeacon = { ok: true, beacon: BeaconData } | { ok: false, reason: BeaconDropReason, message: string }

export function newNonce (): Uint8Array<ArrayBuffer> {
  return new Uint8Array(randomBytes(BEACON_NONCE_BYTES))
}

export async function makeBeacon (key: PrivateKey, data: BeaconData): Promise<Uint8Array> {
  const unsigned: Beacon = {
    kind: data.kind === 'probe' ? BeaconKind.BEACON_PROBE : BeaconKind.BEACON_ECHO,
    from: data.from,
    to: data.to,
    nonce: new Uint8Array(data.nonce),
    signature: new Uint8Array()
  }
  const signature = await signPayload(key, 'beacon', Beacon.encode(unsigned))
  return Beacon.encode({ ...unsigned, signature: new Uint8Array(signature) })
}

export interface OpenOptions {
  /** this agent's peer ID */
  self: string
  isMember: (peerId: string) => boolean
  /**
   * for an echo: whether its receiver is waiting on this nonce from this
   * peer; checked before the signature, so unsolicited echoes cost no crypto
   */
  expects?: (from: string, nonce: Uint8Array) => boolean
}

/**
 * Checks a received datagram: size, shape, addressee, membership of the
 * sender, (for an echo) a nonce its receiver is waiting on, and the sender's
 * signature, cheapest first. Never throws.
 */
export async function openBeacon (bytes: Uint8Array, o: OpenOptions): Promise<OpenedBeacon> {
  const drop = (reason: BeaconDropReason, message: string): OpenedBeacon => ({ ok: false, reason, message })
  if (bytes.byteLength > MAX_BEACON_BYTES) return drop('oversized', `${bytes.byteLength} bytes, at most ${MAX_BEACON_BYTES}`)
  let m: Beacon
  try {
    m = Beacon.decode(bytes)
  } catch (err) {
    return drop('malformed', `undecodable: ${(err as Error).message}`)
  }
  const kind: BeaconKindName | undefined = m.kind === BeaconKind.BEACON_PROBE ? 'probe' : m.kind === BeaconKind.BEACON_ECHO ? 'echo' : undefined
  if (kind == null) return drop('malformed', `unknown kind ${String(m.kind)}`)
  if (m.nonce.byteLength !== BEACON_NONCE_BYTES) return drop('malformed', `a nonce of ${m.nonce.byteLength} bytes, not ${BEACON_NONCE_BYTES}`)
  const from = m.from
  if (m.to !== o.self) return drop('misaddressed', 'addressed to another agent')
  if (from === o.self) return drop('misaddressed', 'from this agent itself')
  if (!o.isMember(from)) return drop('non-member', `${from.slice(0, 64)} is not a fleet member`)
  if (kind === 'echo' && o.expects?.(from, m.nonce) !== true) return drop('unsolicited', `an echo from ${from} nobody waits for (late, replayed or forged)`)
  let publicKey
  try {
    publicKey = peerIdFromString(from).publicKey
  } catch {
    return drop('malformed', 'the sender is not a peer ID')
  }
  if (publicKey == null) return drop('malformed', 'the sender\'s peer ID carries no public key')
  if (!await verifyPayload(publicKey, 'beacon', Beacon.encode({ ...m, signature: new Uint8Array() }), m.signature)) {
    return drop('bad-signature', `not signed by ${from}`)
  }
  return { ok: true, beacon: { kind, from, to: o.self, nonce: m.nonce } }
}
