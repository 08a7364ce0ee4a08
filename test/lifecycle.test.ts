import t from 'tap'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { openStore } from '../agent/store/index.ts'
import { runSkein, spawnAgent, tempDir, waitForExit } from './helpers/agent.ts'

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`${signal} stops the agent cleanly: socket removed, store closed`, async (t) => {
    const dir = tempDir(t)
    const { child, api, output } = await spawnAgent(t, dir)
    child.kill(signal)
    const { code } = await waitForExit(child, 5000)
    if (code !== 0) t.comment(output())
    t.equal(code, 0, 'exits with 0')
    t.notOk(existsSync(api.slice('unix:'.length)), 'socket removed')
    t.notOk(existsSync(join(dir, 'state', 'agent.pid')), 'pid file removed')
    const store = openStore({ stateDir: join(dir, 'state') })
    store.close()
    t.pass('the store opens again at once: its lock was released')
    t.match(output(), /"msg":"skein agent stopped"/)
  })
}

t.test('a second agent on the same state dir refuses, naming the holder', async (t) => {
  const dir = tempDir(t)
  const { child, api } = await spawnAgent(t, dir)
  const second = await runSkein(['agent', '--state-dir', join(dir, 'state'), '--api', `unix:${join(dir, 'other.sock')}`, '--listen', '/ip4/127.0.0.1/tcp/0'])
  t.equal(second.code, 1)
  t.match(second.stderr, new RegExp(`state directory .*state is in use by another agent \\(pid ${child.pid}\\)`))
  t.notOk(existsSync(join(dir, 'other.sock')), 'the refused agent left no socket')
  const status = await runSkein(['status', '--api', api, '-o', 'json'])
  t.equal(status.code, 0, 'the first agent is unharmed')
})

t.test('after SIGKILL the agent starts again on the same state dir with the same identity', async (t) => {
  const dir = tempDir(t)
  const first = await spawnAgent(t, dir)
  const before = JSON.parse((await runSkein(['status', '--api', first.api, '-o', 'json'])).stdout)
  first.child.kill('SIGKILL')
  await waitForExit(first.child, 5000)
  const again = await spawnAgent(t, dir)
  const after = JSON.parse((await runSkein(['status', '--api', again.api, '-o', 'json'])).stdout)
  t.equal(after.peerId, before.peerId)
  t.not(after.pid, before.pid)
})
