import t from 'tap'
import { chmodSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadOrCreateIdentity } from '../agent/identity/index.ts'
import { tempDir } from './helpers/agent.ts'

t.test('the identity is created once, mode 0600, and kept across restarts', async (t) => {
  const dir = tempDir(t)
  const first = await loadOrCreateIdentity(dir)
  t.equal(first.created, true)
  t.equal(statSync(first.path).mode & 0o777, 0o600)
  const second = await loadOrCreateIdentity(dir)
  t.equal(second.created, false)
  t.equal(second.peerId.toString(), first.peerId.toString())
  t.equal(second.privateKey.type, 'Ed25519')
})

t.test('a key readable by group or others is refused, saying so', async (t) => {
  const dir = tempDir(t)
  const id = await loadOrCreateIdentity(dir)
  for (const mode of [0o640, 0o604, 0o644]) {
    chmodSync(id.path, mode)
    await t.rejects(loadOrCreateIdentity(dir), {
      name: 'IdentityError',
      message: new RegExp(`${id.path} is readable by group or others \\(mode 0${mode.toString(8)}\\); refusing to start`),
      hint: `chmod 600 ${id.path}`
    }, `mode ${mode.toString(8)}`)
  }
  chmodSync(id.path, 0o600)
  t.equal((await loadOrCreateIdentity(dir)).peerId.toString(), id.peerId.toString(), 'accepted again once fixed')
})

t.test('a corrupt key is refused without replacing it', async (t) => {
  const dir = tempDir(t)
  const path = join(dir, 'identity.key')
  writeFileSync(path, 'not a key', { mode: 0o600 })
  await t.rejects(loadOrCreateIdentity(dir), { name: 'IdentityError', message: /cannot be read/ })
  t.equal(statSync(path).size, 9, 'the file is left as it was')
})
