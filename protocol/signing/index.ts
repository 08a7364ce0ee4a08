/**
 * Domain-separated Ed25519 signatures for every signed thing on the wire.
 * A signature covers `skein:<domain>\0` + the encoded payload, so a
 * signature made for one kind of message can never be replayed as another.
 *
 *   const sig = await signPayload(privateKey, 'announce', bytes)
 *   verifyPayload(publicKey, 'announce', bytes, sig) // true | false
 */
import type { PrivateKey, PublicKey } from '@libp2p/interface'
import { concat, fromString } from 'uint8arrays'

export const signingDomains = [
  'membership-cert', 'revocation', 'announce', 'peering', 'tunnel-key', 'delegate', 'status', 'beacon', 'verdict'
] as const
export type SigningDomain = typeof signingDomains[number]

function framed (domain: SigningDomain, payload: Uint8Array): Uint8Array {
  return concat([fromString(`skein:${domain}\0`), payload])
}

export async function signPayload (key: PrivateKey, domain: SigningDomain, payload: Uint8Array): Promise<Uint8Array> {
  return await key.sign(framed(domain, payload))
}

/** True only for a valid signature by `key` over exactly this domain and payload; never throws. */
export async function verifyPayload (key: PublicKey, domain: SigningDomain, payload: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    return await key.verify(framed(domain, payload), signature)
  } catch {
    return false
  }
}
