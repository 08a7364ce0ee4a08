import t from 'tap'
import { statSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ApiClient } from '../agent/client/index.ts'
import { startAgent } from './helpers/agent.ts'
import type { Status } from '../agent/api/routes/status.ts'

t.test('the operator API answers on a unix socket with mode 0660', async (t) => {
  const { agent, client } = await startAgent(t)
  const sock = agent.config.api.slice('unix:'.length)
  t.equal(statSync(sock).mode & 0o777, 0o660)

  const health = await client.raw('GET', '/healthz')
  t.equal(health.status, 200)
  t.match(JSON.parse(health.body), { ok: true, checks: { store: 'ok', node: 'ok', agent: 'running' } })

  const status = await client.get<Status>('/v1/status')
  t.equal(status.peerId, agent.peerId)
  t.match(status.version, /^\d+\.\d+\.\d+/)
  t.type(status.uptimeS, 'number')
  t.ok(status.listenAddrs.length > 0 && status.listenAddrs.every((a) => a.startsWith('/ip4/127.0.0.1/tcp/') && a.endsWith(`/p2p/${agent.peerId}`)))

  const metrics = await client.raw('GET', '/metrics')
  t.equal(metrics.status, 200)
  t.match(metrics.headers['content-type'], /^text\/plain/)
  t.match(metrics.body, /skein_process_cpu_seconds_total/, 'process metrics')
  t.match(metrics.body, /libp2p_/, 'libp2p metrics')

  const doc = await client.get<{ openapi: string, paths: Record<string, unknown> }>('/v1/openapi.json')
  t.match(doc.openapi, /^3\./)
  for (const p of ['/healthz', '/v1/status', '/metrics', '/v1/openapi.json']) t.ok(doc.paths[p], `OpenAPI documents ${p}`)
})

t.test('errors have one shape and the right status', async (t) => {
  const { client } = await startAgent(t)
  const missing = await client.raw('GET', '/v1/nope')
  t.equal(missing.status, 404)
  t.same(JSON.parse(missing.body), { error: { code: 'SKEIN_ERR_NOT_FOUND', message: 'no route GET /v1/nope' } })
  const wrongMethod = await client.raw('DELETE', '/v1/status')
  t.equal(wrongMethod.status, 404)
  t.equal(JSON.parse(wrongMethod.body).error.code, 'SKEIN_ERR_NOT_FOUND')
})

t.test('on TCP every route but /healthz needs the bearer token from the state dir', async (t) => {
  const { agent } = await startAgent(t, { api: 'tcp:127.0.0.1:0' })
  const port = agent.api?.port as number
  const tokenPath = join(agent.config.stateDir, 'api.token')
  t.equal(statSync(tokenPath).mode & 0o777, 0o600)
  const token = readFileSync(tokenPath, 'utf8').trim()

  const anonymous = new ApiClient({ address: `tcp:127.0.0.1:${port}` })
  t.equal((await anonymous.raw('GET', '/healthz')).status, 200, 'health needs no token')
  const denied = await anonymous.raw('GET', '/v1/status')
  t.equal(denied.status, 401)
  t.equal(JSON.parse(denied.body).error.code, 'SKEIN_ERR_UNAUTHORIZED')
  t.equal((await anonymous.raw('GET', '/metrics')).status, 401)

  const wrong = new ApiClient({ address: `tcp:127.0.0.1:${port}`, token: token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a') })
  t.equal((await wrong.raw('GET', '/v1/status')).status, 401, 'a wrong token is refused')

  const ok = new ApiClient({ address: `tcp:127.0.0.1:${port}`, token })
  t.equal((await ok.get<Status>('/v1/status')).peerId, agent.peerId)
})

t.test('a stale socket file is replaced; a live one is not stolen', async (t) => {
  const first = await startAgent(t)
  const sock = first.agent.config.api
  // a second agent (other state dir) on the same socket must refuse
  await t.rejects(startAgent(t, { api: sock }), { message: /in use by another process/ })
  t.equal((await first.client.raw('GET', '/healthz')).status, 200, 'the first agent still answers')
})
