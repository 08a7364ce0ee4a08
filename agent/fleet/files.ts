/**
 * Fleet key and certificate files as the operator handles them:
 *   DIR/fleet.key  the fleet private key (libp2p protobuf, mode 0600; keep it off the drones)
 *   DIR/fleet.pub  the fleet public key, base64, one line (goes into every agent's config)
 * Certificates and revocations are base64 text files, one line.
 */
import { readFile, stat, writeFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey, PublicKey } from '@libp2p/interface'
import { decodeFleetPublicKey, encodeFleetPublicKey, fleetKeyId, fromText } from '../../protocol/membership/index.ts'
import { assertPrivateMode, writeFileAtomic0600 } from '../identity/index.ts'
import { FleetConfigError } from './errors.ts'

export const fleetKeyFile = 'fleet.key'
export const fleetPubFile = 'fleet.pub'

export async function createFleetKeyPair (dir: string): Promise<{ keyPath: string, pubPath: string, fleetId: string, publicKey: string }> {
  const keyPath = join(dir, fleetKeyFile)
  const pubPath = join(dir, fleetPubFile)
  const exists = await stat(keyPath).then(() => true, () => false)
  if (exists) throw new FleetConfigError(`${keyPath} already exists; refusing to overwrite a fleet key`, { hint: 'choose another --out directory' })
  const key = await generateKeyPair('Ed25519')
  await writeFileAtomic0600(keyPath, privateKeyToProtobuf(key))
  const pub = encodeFleetPublicKey(key.publicKey)
  await writeFile(pubPath, pub + '\n', { mode: 0o644 })
  return { keyPath, pubPath, fleetId: fleetKeyId(key.publicKey), publicKey: pub }
}

export async function readFleetPrivateKey (path: string): Promise<PrivateKey> {
  let st
  try {
    st = await stat(path)
  } catch (err) {
    throw new FleetConfigError(`cannot read the fleet key ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  assertPrivateMode(path, st.mode, 'fleet key', 'refusing to use it', (message, hint) => new FleetConfigError(message, { hint }))
  try {
    const key = privateKeyFromProtobuf(await readFile(path))
    if (key.type !== 'Ed25519') throw new Error(`a ${key.type} key`)
    return key
  } catch (err) {
    throw new FleetConfigError(`${path} is not a fleet private key: ${(err as Error).message}`)
  }
}

/** The fleet public key from config: inline base64, or a file holding it. */
export function loadFleetPublicKey (opts: { publicKey?: string, publicKeyFile?: string }): PublicKey | undefined {
  if (opts.publicKey != null && opts.publicKey !== '') {
    try { return decodeFleetPublicKey(opts.publicKey) } catch (err) { throw new FleetConfigError(`fleet.publicKey: ${(err as Error).message}`) }
  }
  if (opts.publicKeyFile != null && opts.publicKeyFile !== '') {
    let text
    try { text = readFileSync(opts.publicKeyFile, 'utf8') } catch (err) {
      throw new FleetConfigError(`fleet.publicKeyFile: cannot read ${opts.publicKeyFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
    try { return decodeFleetPublicKey(text) } catch (err) { throw new FleetConfigError(`fleet.publicKeyFile ${opts.publicKeyFile}: ${(err as Error).message}`) }
  }
  return undefined
}

export function readTextBytes (path: string, what: string): Uint8Array {
  let text
  try { text = readFileSync(path, 'utf8') } catch (err) {
    throw new FleetConfigError(`cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  try { return fromText(text) } catch (err) { throw new FleetConfigError(`${path} is not a ${what}: ${(err as Error).message}`) }
}
