/**
 * The agent's identity: an Ed25519 key kept in the state directory (mode
 * 0600). Its libp2p peer ID is the cluster ID. The key is created on first
 * start and refused if anyone but the owner can read it.
 *
 *   const id = await loadOrCreateIdentity('/var/lib/skein')
 *   id.peerId.toString()
 */
import { chmod, mkdir, open, readFile, rename, stat } from 'node:fs/promises'
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
  let st
  try {
    st = await stat(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  if (st == null) {
    const privateKey = await generateKeyPair('Ed25519')
    await writeFileAtomic0600(path, privateKeyToProtobuf(privateKey))
    return { privateKey, peerId: peerIdFromPrivateKey(privateKey), created: true, path }
  }
  if (!st.isFile()) throw new IdentityError(`identity key ${path} is not a regular file`)
  if ((st.mode & 0o077) !== 0) {
    throw new IdentityError(
      `identity key ${path} is readable by group or others (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); refusing to start`,
      { hint: `chmod 600 ${path}` })
  }
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
