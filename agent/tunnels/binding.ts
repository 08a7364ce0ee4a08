/**
 * Tunnel key bindings: an agent's signature (domain 'tunnel-key') over its
 * WireGuard public key, its peer ID, its overlay address and an expiry, so a
 * WireGuard key can only be used for the agent that owns the libp2p identity.
 * A tunnel to a dynamic peer is set up only with a binding that verifies.
 *
 *   const b = await signTunnelKey(identity.privateKey, { wgPublicKey, peerId, overlayAddress, expiresAt })
 *   await verifyTunnelKey(b, { now: Date.now() }) // throws TunnelKeyBindingError when forged or stale
 *   announce(encodeTunnelKeyBinding(b)); decodeTunnelKeyBinding(bytes) // on the wire (Announcement.wg_key_binding)
 */
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { toString as u8ToString } from 'uint8arrays/to-string'
import { signPayload, verifyPayload } from '../../protocol/signing/index.ts'
import { decodeWgKey, formatIpv4, parseIpv4 } from './net.ts'
import { TunnelKeyBindingError } from './errors.ts'

export interface TunnelKeyClaim {
  /** base64 WireGuard public key */
  wgPublicKey: string
  /** the libp2p peer ID that owns the key */
  peerId: string
  /** the overlay IPv4 address the agent claims */
  overlayAddress: string
  /** ms since the epoch */
  expiresAt: number
}

export interface TunnelKeyBinding extends TunnelKeyClaim {
  /** base64 Ed25519 signature by the peer's identity key */
  signature: string
}

/**
 * The signed bytes: wgPub (32) || len(peerId) (u16 BE) || peerId (multihash
 * bytes) || overlay address (4) || expiry (u64 BE, ms).
 */
export function tunnelKeyPayload (claim: TunnelKeyClaim): Uint8Array {
  const wg = decodeWgKey(claim.wgPublicKey, 'WireGuard public key')
  let pid: Uint8Array
  try {
    pid = peerIdFromString(claim.peerId).toMultihash().bytes
  } catch {
    throw new TunnelKeyBindingError(`"${claim.peerId}" is not a peer ID`)
  }
  if (!Number.isSafeInteger(claim.expiresAt) || claim.expiresAt < 0) throw new TunnelKeyBindingError(`expiry ${claim.expiresAt} is not a time`)
  const out = Buffer.alloc(32 + 2 + pid.byteLength + 4 + 8)
  wg.copy(out, 0)
  out.writeUInt16BE(pid.byteLength, 32)
  Buffer.from(pid).copy(out, 34)
  out.writeUInt32BE(parseIpv4(claim.overlayAddress), 34 + pid.byteLength)
  out.writeBigUInt64BE(BigInt(claim.expiresAt), 38 + pid.byteLength)
  return out
}

export async function signTunnelKey (key: PrivateKey, claim: TunnelKeyClaim): Promise<TunnelKeyBinding> {
  const sig = await signPayload(key, 'tunnel-key', tunnelKeyPayload(claim))
  return { ...claim, signature: Buffer.from(sig).toString('base64') }
}

/**
 * Resolves when `binding` is signed by the identity of the peer it names and
 * has not expired; otherwise a TunnelKeyBindingError saying which. `expectedPeerId`
 * pins the peer the caller believes it is talking to.
 */
export async function verifyTunnelKey (binding: TunnelKeyBinding, opts: { now: number, expectedPeerId?: string }): Promise<void> {
  if (opts.expectedPeerId != null && binding.peerId !== opts.expectedPeerId) {
    throw new TunnelKeyBindingError(`tunnel key binding names ${binding.peerId}, not ${opts.expectedPeerId}`)
  }
  let payload: Uint8Array
  try {
    payload = tunnelKeyPayload(binding)
  } catch (err) {
    throw new TunnelKeyBindingError(`tunnel key binding of ${binding.peerId} is malformed: ${(err as Error).message}`)
  }
  const publicKey = peerIdFromString(binding.peerId).publicKey
  if (publicKey == null) throw new TunnelKeyBindingError(`peer ID ${binding.peerId} does not embed its public key`)
  const sig = Buffer.from(binding.signature, 'base64')
  if (!(await verifyPayload(publicKey, 'tunnel-key', payload, sig))) {
    throw new TunnelKeyBindingError(`tunnel key ${binding.wgPublicKey.slice(0, 8)}… is not signed by ${binding.peerId}`)
  }
  if (binding.expiresAt <= opts.now) {
    throw new TunnelKeyBindingError(`tunnel key binding of ${binding.peerId} expired at ${new Date(binding.expiresAt).toISOString()}`)
  }
}

/** On the wire: the signed payload (tunnelKeyPayload) followed by the signature. */
export function encodeTunnelKeyBinding (b: TunnelKeyBinding): Uint8Array {
  const sig = Buffer.from(b.signature, 'base64')
  if (sig.byteLength === 0) throw new TunnelKeyBindingError('tunnel key binding has no signature')
  return new Uint8Array(Buffer.concat([tunnelKeyPayload(b), sig]))
}

/** The inverse of encodeTunnelKeyBinding; checks the layout only (verifyTunnelKey checks the signature). */
export function decodeTunnelKeyBinding (bytes: Uint8Array): TunnelKeyBinding {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (buf.byteLength < 34) throw new TunnelKeyBindingError(`tunnel key binding of ${buf.byteLength} bytes is too short`)
  const pidLen = buf.readUInt16BE(32)
  const sigAt = 34 + pidLen + 4 + 8
  const sigLen = buf.byteLength - sigAt
  if (sigLen < 1 || sigLen > 256) throw new TunnelKeyBindingError(`tunnel key binding of ${buf.byteLength} bytes does not fit its layout`)
  let peerId: string
  try {
    peerId = peerIdFromString(u8ToString(buf.subarray(34, 34 + pidLen), 'base58btc')).toString()
  } catch {
    throw new TunnelKeyBindingError('tunnel key binding names no usable peer ID')
  }
  const a = buf.readUInt32BE(34 + pidLen)
  const expiresAt = Number(buf.readBigUInt64BE(38 + pidLen))
  if (!Number.isSafeInteger(expiresAt)) throw new TunnelKeyBindingError('tunnel key binding has an impossible expiry')
  return {
    wgPublicKey: buf.subarray(0, 32).toString('base64'),
    peerId,
    overlayAddress: formatIpv4(a),
    expiresAt,
    signature: buf.subarray(sigAt).toString('base64')
  }
}
