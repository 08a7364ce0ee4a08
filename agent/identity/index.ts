/**
 * The agent's identity: an Ed25519 key kept in the state directory (mode
 * 0600). Its libp2p peer ID is the cluster ID. The key is created on first
 * start and refused if anyone but the owner can read it.
 *
 *   const id = await loadOrCreateIdentity('/var/lib/skein')
 *   id.peerId.toString()
 */
import { chmod, mkdir, open, readFile, rename, stat } from 'node:fs/promises'
import type { Stats } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { IdentityError } from '../errors.ts'

export const identityFile = 'identity.key'

export interface Identity {
  privateKey: PrivateKey
  peerId: PeerId
  /** true when the key was made by this call */
  created: boolean
  path: string
}

/** Makes the state directory (0700) if missing. */
export async function ensureStateDir (stateDir: string): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 })
}

export async function loadOrCreateIdentity (stateDir: string): Promise<Identity> {
  await ensureStateDir(stateDir)
  const path = join(stateDir, identityFile)
  const st = await statIfExists(path)
  if (st == null) {
    const privateKey = await generateKeyPair('Ed25519')
    await writeFileAtomic0600(path, privateKeyToProtobuf(privateKey))
    return { privateKey, peerId: peerIdFromPrivateKey(privateKey), created: true, path }
  }
  if (!st.isFile()) throw new IdentityError(`identity key ${path} is not a regular file`)
  assertPrivateMode(path, st.mode, 'identity key', 'refusing to start', (message, hint) => new IdentityError(message, { hint }))
  if (process.getuid != null && st.uid !== process.getuid()) {
    throw new IdentityError(`identity key ${path} belongs to uid ${st.uid}, not to this process (uid ${process.getuid()}); refusing to start`,
      { hint: `chown it to the agent's user, or run the agent as uid ${st.uid}` })
  }
  let privateKey: PrivateKey
  try {
    privateKey = privateKeyFromProtobuf(await readFile(path))
  } catch (err) {
    throw new IdentityError(`identity key ${path} cannot be read as a libp2p private key: ${(err as Error).message}`,
      { hint: 'restore it from a backup; removing it gives this agent a new peer ID' })
  }
  if (privateKey.type !== 'Ed25519') {
    throw new IdentityError(`identity key ${path} is a ${privateKey.type} key; Skein identities are Ed25519`)
  }
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey), created: false, path }
}

/** The stat of a file, or undefined when it does not exist yet. */
export async function statIfExists (path: string): Promise<Stats | undefined> {
  try {
    return await stat(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** Refuses a secret file that group or others can read, with the error `fail` makes from a message and a hint. */
export function assertPrivateMode (path: string, mode: number, what: string, refusal: string, fail: (message: string, hint: string) => Error): void {
  if ((mode & 0o077) === 0) return
  throw fail(`${what} ${path} is readable by group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); ${refusal}`, `chmod 600 ${path}`)
}

/** Writes a secret so that it is never visible with a wider mode, and is on disk before we return. */
export async function writeFileAtomic0600 (path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`
  const fh = await open(tmp, 'w', 0o600)
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await chmod(tmp, 0o600)
  await rename(tmp, path)
  const dir = await open(join(path, '..'), 'r')
  try { await dir.sync() } finally { await dir.close() }
}
