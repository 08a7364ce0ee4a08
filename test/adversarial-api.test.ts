import t from 'tap'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { startAgent, tempDir } from './helpers/agent.ts'

const root = process.getuid?.() === 0

t.test('a local user without the socket permission cannot reach the API', { skip: root ? false : 'needs root to act as another user' }, async (t) => {
  const dir = tempDir(t)
  chmodSync(dir, 0o755)
  // a world-traversable runtime dir: only the socket's own mode (0660) stands in the way
  mkdirSync(join(dir, 'run'), { mode: 0o755 })
  const { agent, client } = await startAgent(t, {}, dir)
  const sock = agent.config.api.slice('unix:'.length)
  const probe = `require('net').connect(${JSON.stringify(sock)}).on('connect', () => { console.log('connected'); process.exit(0) }).on('error', (e) => { console.log(e.code); process.exit(0) })`
  const asNobody = spawnSync(process.execPath, ['--input-type=commonjs', '-e', probe], { uid: 65534, gid: 65534, encoding: 'utf8', timeout: 20_000 })
  t.equal(asNobody.stdout.trim(), 'EACCES', 'uid 65534 is refused by the kernel')
  t.equal((await client.raw('GET', '/healthz')).status, 200, 'the owner gets through')
})

t.test('request bodies over the limit get 413 and change nothing', async (t) => {
  const { agent, client } = await startAgent(t, { apiBodyLimit: 4096 })
  // any POST route will do; the status of the body limit is the same for all
  const postRoutes = Object.entries((await client.get<{ paths: Record<string, Record<string, unknown>> }>('/v1/openapi.json')).paths)
    .filter(([, ops]) => ops.post != null).map(([p]) => p).filter((p) => !p.includes('{'))
  t.ok(postRoutes.length > 0, `the API has POST routes to try (${postRoutes.join(', ')})`)
  for (const route of postRoutes) {
    const res = await client.raw('POST', route, JSON.stringify({ pad: 'x'.repeat(10_000) }))
    t.equal(res.status, 413, `${route} refuses an oversized body`)
    t.equal(JSON.parse(res.body).error.code, 'SKEIN_ERR_BODY_TOO_LARGE')
  }
  t.equal(agent.state, 'running')
})

t.test('names with path tricks are refused with 400 or 404, never served', async (t) => {
  const { client } = await startAgent(t)
  for (const path of ['/v1/status/../status', '/v1/%2e%2e/status', '/v1/peers/..%2F..%2Fetc%2Fpasswd', '/v1/workloads/%00', '/v1/leases/a%2Fb']) {
    const res = await client.raw('GET', path)
    t.ok([400, 404].includes(res.status), `${path} → ${res.status}`)
    t.match(JSON.parse(res.body), { error: { code: /^SKEIN_ERR_/ } })
  }
})
