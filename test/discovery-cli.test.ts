/** `skein fleet` offline: init, admit, revoke, show — on files, no agent. */
import t from 'tap'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { decodeFleetPublicKey, fromText, verifyCertificate, verifyRevocation } from '../protocol/membership/index.ts'
import { fleetCommand } from '../agent/cli/commands/fleet.ts'
import { runSkein, tempDir } from './helpers/agent.ts'

/** runs `skein fleet ARGS` in this process, capturing stdout */
async function fleet (...args: string[]): Promise<string> {
  let out = ''
  const write = process.stdout.write.bind(process.stdout)
  const writeErr = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((chunk: string | Uint8Array) => { out += chunk.toString(); return true }) as typeof process.stdout.write
  process.stderr.write = (() => true) as typeof process.stderr.write
  try {
    await fleetCommand().configureOutput({ writeErr: () => {}, writeOut: () => {} }).parseAsync(args, { from: 'user' })
  } finally {
    process.stdout.write = write
    process.stderr.write = writeErr
  }
  return out
}

t.test('fleet init, admit and revoke make files an agent verifies', async (t) => {
  const dir = tempDir(t)
  const out = join(dir, 'fleet')
  const init = await runSkein(['fleet', 'init', '--out', out, '-o', 'json'])
  t.equal(init.code, 0, `the command is registered and works: ${init.stderr}`)
  const info = JSON.parse(init.stdout) as { fleetId: string, keyPath: string, pubPath: string }
  t.equal(statSync(info.keyPath).mode & 0o777, 0o600, 'the private key is 0600')
  await t.rejects(fleet('init', '--out', out), { name: 'FleetConfigError' }, 'refuses to overwrite a fleet key')
  const pub = decodeFleetPublicKey(readFileSync(info.pubPath, 'utf8'))

  const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  const certFile = join(dir, 'peer.cert')
  await fleet('admit', '--fleet-key', info.keyPath, '--peer', peer, '--role', 'provider', '--label', 'region=eu', '--label', 'cell=8a2a', '--expires', '2d', '--out', certFile)
  const cert = await verifyCertificate(pub, fromText(readFileSync(certFile, 'utf8')), { peerId: peer, now: Date.now() })
  t.same(cert.labels, { region: 'eu', cell: '8a2a' })
  t.same(cert.roles, ['provider'])
  t.ok(cert.expiresMs > Date.now() + 86_400_000 && cert.expiresMs <= Date.now() + 2 * 86_400_000, 'valid for two days')

  const show = JSON.parse(await fleet('show', certFile, '-o', 'json')) as { kind: string, peerId: string }
  t.same([show.kind, show.peerId], ['certificate', peer])

  const rev = await fleet('revoke', '--fleet-key', info.keyPath, '--peer', peer, '--reason', 'lost')
  const r = await verifyRevocation(pub, fromText(rev))
  t.same([r.peerId, r.reason], [peer, 'lost'])

  await t.rejects(fleet('admit', '--fleet-key', info.keyPath, '--peer', 'not-a-peer-id'), { name: 'InvalidRequestError', message: /not a peer ID/ })
  await t.rejects(fleet('admit', '--fleet-key', info.keyPath, '--peer', peer, '--expires', 'soon'), { name: 'InvalidRequestError', message: /not a duration/ })
  await t.rejects(fleet('admit', '--fleet-key', info.pubPath, '--peer', peer), { name: 'FleetConfigError' }, 'a public key is not a fleet key')
})
