import t from 'tap'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { openStore } from '../agent/store/index.ts'
import { tempDir, waitForExit } from './helpers/agent.ts'

for (const mode of ['durable', 'relaxed'] as const) {
t.test(`every acknowledged write survives SIGKILL mid-write (${mode === 'durable' ? 'fsynced' : 'half of them written without an fsync'})`, async (t) => {
  const dir = tempDir(t)
  const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'store-writer.ts'), dir, mode], { stdio: ['ignore', 'pipe', 'inherit'] })
  let lastAck = -1
  let buf = ''
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString()
      const lines = buf.split('\n')
      buf = lines.pop() ?? ''
      for (const l of lines) lastAck = Number(l.slice(4))
      if (lastAck >= 300 && child.signalCode == null) { child.kill('SIGKILL'); resolve() }
    })
  })
  const { signal } = await waitForExit(child, 10_000)
  t.equal(signal, 'SIGKILL')
  // an ack may have been written and not yet read by us: count only what we saw
  const store = openStore({ stateDir: dir })
  t.teardown(() => { store.close() })
  const rows = store.list<{ i: number }>('acked')
  t.ok(rows.length >= lastAck + 1, `all ${lastAck + 1} acknowledged records are there (found ${rows.length})`)
  for (let i = 0; i <= lastAck; i++) {
    if (store.getValue('acked', String(i).padStart(8, '0')) == null) { t.fail(`record ${i} lost`); break }
  }
  t.equal(store.journal({ kind: 'test' }).length, rows.length, 'journal and records were written together')
})
}

t.test('a relaxed write leaves the store fsyncing again, and inside a transaction joins it', async (t) => {
  const store = openStore({ stateDir: tempDir(t) })
  t.teardown(() => { store.close() })
  const sync = (): number | undefined => store.get<{ synchronous: number }>('PRAGMA synchronous')?.synchronous
  t.equal(sync(), 2, 'FULL to begin with')
  store.relaxed(() => { store.put('x', 'a', 1) })
  t.equal(sync(), 2, 'FULL again after a relaxed write')
  t.throws(() => store.relaxed(() => { store.put('x', 'b', 2); throw new Error('boom') }), /boom/)
  t.equal(sync(), 2, 'FULL again after a failed one')
  t.equal(store.getValue('x', 'b'), undefined, 'the failed write changed nothing')
  store.transaction(() => {
    store.relaxed(() => { store.put('x', 'c', 3) })
    t.equal(sync(), 2, 'a relaxed write inside a transaction does not relax it')
  })
  t.same([store.getValue('x', 'a'), store.getValue('x', 'c')], [1, 3])
})

t.test('the store refuses a second opener and names the holder', async (t) => {
  const dir = tempDir(t)
  const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'store-writer.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { child.kill('SIGKILL') })
  await new Promise<void>((resolve) => { child.stdout.once('data', () => { resolve() }) })
  t.throws(() => openStore({ stateDir: dir }), { name: 'StateDirLockedError', message: new RegExp(`in use by another agent \\(pid ${child.pid}\\)`), pid: child.pid })
})

t.test('migrations run once, in order, and a newer schema is refused', async (t) => {
  const dir = tempDir(t)
  let store = openStore({ stateDir: dir })
  store.migrate('thing', ['CREATE TABLE thing (id TEXT PRIMARY KEY)', 'ALTER TABLE thing ADD COLUMN n INTEGER'])
  store.run('INSERT INTO thing (id, n) VALUES (?, ?)', 'a', 1)
  store.close()
  store = openStore({ stateDir: dir })
  store.migrate('thing', ['CREATE TABLE thing (id TEXT PRIMARY KEY)', 'ALTER TABLE thing ADD COLUMN n INTEGER'])
  t.same(store.all('SELECT id, n FROM thing'), [{ id: 'a', n: 1 }])
  t.throws(() => { store.migrate('thing', ['CREATE TABLE thing (id TEXT PRIMARY KEY)']) }, { name: 'StoreError', message: /newer than this build knows/ })
  store.close()
})

t.test('a failed transaction changes nothing', async (t) => {
  const dir = tempDir(t)
  const store = openStore({ stateDir: dir })
  t.teardown(() => { store.close() })
  store.put('ns', 'k', 1)
  t.throws(() => store.transaction(() => { store.put('ns', 'k', 2); store.put('ns', 'j', 3); throw new Error('boom') }), /boom/)
  t.equal(store.getValue('ns', 'k'), 1)
  t.equal(store.getValue('ns', 'j'), undefined)
})
