/**
 * The agent's WireGuard key pair: X25519, made on the node, kept in
 * <stateDir>/wireguard.key (mode 0600, WireGuard's base64 text so `wg set
 * private-key FILE` reads it directly). The private key never leaves the node;
 * only the public key is announced, bound to the libp2p identity by signature.
 *
 *   const key = await loadOrCreateWgKey('/var/lib/skein')
 *   key.publicKey // 'base64 of 32 bytes'
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { assertPrivateMode, statIfExists, writeFileAtomic0600 } from '../identity/index.ts'
import { TunnelKeyError } from './errors.ts'
import { decodeWgKey } from './net.ts'

export { decodeWgKey, isWgKey } from './net.ts'

export const wgKeyFile = 'wireguard.key'

export interface WgKeyPair {
  /** base64 of the 32-byte private key (WireGuard's text form) */
  privateKey: string
  /** base64 of the 32-byte public key */
  publicKey: string
  /** path of the 0600 key file */
  path: string
  created: boolean
}

// PKCS#8 DER header of an X25519 private key; the 32 raw key bytes follow it
const pkcs8Prefix = Buffer.from('302e020100300506032b656e04220420', 'hex')

export function generateWgKeyPair (): { privateKey: string, publicKey: string } {
  const { privateKey } = generateKeyPairSync('x25519')
  const d = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url')
  // clamp as `wg genkey` does, so `wg show` prints the same bytes we hold
  d[0] = (d[0] as number) & 248
  d[31] = ((d[31] as number) & 127) | 64
  const priv = d.toString('base64')
  return { privateKey: priv, publicKey: wgPublicKeyOf(priv) }
}

export function wgPublicKeyOf (privateKey: string): string {
  const raw = decodeWgKey(privateKey, 'WireGuard private key')
  const key = createPrivateKey({ key: Buffer.concat([pkcs8Prefix, raw]), format: 'der', type: 'pkcs8' })
  return Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x as string, 'base64url').toString('base64')
}

/** Loads the key pair from the state directory, making it (0600) on first use. */
export async function loadOrCreateWgKey (stateDir: string): Promise<WgKeyPair> {
  const path = join(stateDir, wgKeyFile)
  const st = await statIfExists(path)
  if (st == null) {
    const pair = generateWgKeyPair()
    await writeFileAtomic0600(path, `${pair.privateKey}\n`)
    return { ...pair, path, created: true }
  }
  assertPrivateMode(path, st.mode, 'WireGuard key', 'refusing to use it', (message, hint) => new TunnelKeyError(message, { hint }))
  const text = (await readFile(path, 'utf8')).trim()
  decodeWgKey(text, `WireGuard private key in ${path}`)
  return { privateKey: text, publicKey: wgPublicKeyOf(text), path, created: false }
}
