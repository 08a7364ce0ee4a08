/**
 * Domain-separated Ed25519 signatures for every signed thing on the wire.
 * A signature covers `skein:<domain>\0` + the encoded payload, so a
 * signature made for one kind of message can never be replayed as another.
 *
 *   const sig = await signPayload(privateKey, 'announce', bytes)
 *   verifyPayload(publicKey, 'announce', bytes, sig) // true | false
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import type { PrivateKey, PublicKey } from '@libp2p/interface'
import { concat, fromString, toString } from 'uint8arrays'

export const signingDomains = [
  'membership-cert', 'revocation', 'announce', 'peering', 'tunnel-key', 'delegate', 'status', 'beacon', 'verdict'
] as const
export type SigningDomain = typeof signingDomains[number]

function framed (domain: SigningDomain, payload: Uint8Array): Uint8Array {
  return concat([fromString(`skein:${domain}\0`), payload])
}

// Ed25519 keys imported into node:crypto once per key object: @libp2p/crypto imports the key from JWK on every
// signature and every check, which costs more than the signature itself (a beacon is signed and checked per
// ping). Public keys are kept by their bytes (callers mostly rebuild them from peer IDs), the most recently
// imported PUBLIC_KEY_CACHE of them. Keys of other types go through their own sign and verify.
const privateKeys = new WeakMap<PrivateKey, KeyObject>()
function nodePrivateKey (key: PrivateKey): KeyObject | undefined {
  if (key.type !== 'Ed25519') return undefined
  let k = privateKeys.get(key)
  if (k == null) {
    k = createPrivateKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', d: toString(key.raw.subarray(0, 32), 'base64url'), x: toString(key.publicKey.raw, 'base64url') } })
    privateKeys.set(key, k)
  }
  return k
}

export const PUBLIC_KEY_CACHE = 4096
const publicKeys = new Map<string, KeyObject>()

function nodePublicKey (key: PublicKey): KeyObject | undefined {
  if (key.type !== 'Ed25519' || key.raw.byteLength !== 32) return undefined
  const x = toString(key.raw, 'base64url')
  let k = publicKeys.get(x)
  if (k == null) {
    k = createPublicKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', x } })
    if (publicKeys.size >= PUBLIC_KEY_CACHE) publicKeys.delete(publicKeys.keys().next().value as string)
    publicKeys.set(x, k)
  }
  return k
}

export async function signPayload (key: PrivateKey, domain: SigningDomain, payload: Uint8Array): Promise<Uint8Array> {
  const k = nodePrivateKey(key)
  if (k == null) return await key.sign(framed(domain, payload))
  return new Uint8Array(sign(null, framed(domain, payload), k))
}

/** True only for a valid signature by `key` over exactly this domain and payload; never throws. */
export async function verifyPayload (key: PublicKey, domain: SigningDomain, payload: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    const k = nodePublicKey(key)
    if (k == null) return await key.verify(framed(domain, payload), signature)
    return signature.byteLength === 64 && verify(null, framed(domain, payload), k, signature)
  } catch {
    return false
  }
}
