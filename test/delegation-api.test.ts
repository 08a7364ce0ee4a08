import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startAgent, runSkein } from './helpers/agent.ts'
import { deploymentYaml } from './helpers/delegation.ts'
import type { WorkloadView } from '../agent/api/routes/workloads.ts'
import { ApiError } from '../agent/errors.ts'
import { workloadsTable } from '../agent/cli/commands/workloads.ts'

async function rejects (p: Promise<unknown>): Promise<ApiError> {
  try { await p } catch (err) { return err as ApiError }
  throw new Error('expected a rejection')
}

t.test('the operator API submits, lists, explains and cancels workloads', async (t) => {
  const { agent, client, dir } = await startAgent(t, { logLevel: 'silent' })

  const bad = await rejects(client.post('/v1/workloads', { manifests: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: w }\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n' }))
  t.equal(bad.statusCode, 400)
  t.equal(bad.code, 'SKEIN_ERR_INVALID_MANIFEST')
  t.match(bad.message, /^\[0\]\.spec\.template\.spec\.containers\[0\]\.image: is required/)
  t.same((await client.get<{ workloads: WorkloadView[] }>('/v1/workloads')).workloads, [], 'nothing stored for a refused one')
  t.equal(agent.store?.journal({ kind: 'delegation.workload' }).length, 0)

  const badRtt = await rejects(client.post('/v1/workloads', { manifests: deploymentYaml('web', 1), maxRtt: 'soon' }))
  t.match(badRtt.message, /maxRtt: "soon" is not a duration/)

  const w = await client.post<WorkloadView>('/v1/workloads', { manifests: deploymentYaml('web', 1, '100m', '64Mi'), maxRtt: '200ms', maxLoss: '5%', minBandwidth: '2Mbit', prefer: 'latency', onDisconnect: 'failover', failoverAfter: '10s' })
  t.equal(w.name, 'web')
  t.equal(w.failoverAfter, '10s')
  t.same(w.constraints, { maxRttMs: 200, maxLoss: 0.05, minBandwidthBps: 2e6, prefer: 'latency' })
  t.ok(agent.store?.journal({ kind: 'delegation.workload', key: 'web' }).length, 'journalled before the answer')
  const dup = await rejects(client.post('/v1/workloads', { manifests: deploymentYaml('web', 1) }))
  t.equal(dup.code, 'SKEIN_ERR_WORKLOAD_EXISTS')

  // alone, the agent places it on its own cluster (the embedded Kubernetes emulator), in the fenced namespace skein-local
  let running: WorkloadView | undefined
  for (let i = 0; i < 100 && running == null; i++) {
    const x = await client.get<WorkloadView>('/v1/workloads/web')
    if (x.phase === 'running') running = x
    else await new Promise((resolve) => setTimeout(resolve, 200))
  }
  t.equal(running?.placement?.local, true, 'runs on the local cluster')
  t.equal(running?.ready, '1/1')
  t.equal(running?.podIps.length, 1)

  const list = await client.get<{ workloads: WorkloadView[] }>('/v1/workloads')
  t.same(list.workloads.map((x) => x.name), ['web'])
  const d = await client.get<WorkloadView>('/v1/workloads/web')
  t.ok((d.candidates ?? []).length >= 1, 'the decision lists its candidates')
  for (const c of d.candidates ?? []) t.match(c.explanation, c.outcome === 'filtered' ? /filtered out: / : /score /)

  const missing = await rejects(client.get('/v1/workloads/nope'))
  t.equal(missing.statusCode, 404)
  t.equal(missing.code, 'SKEIN_ERR_WORKLOAD_NOT_FOUND')
  // logs of a workload on the local cluster are read from it directly
  const logs: Array<{ pod: string, container: string, line: string }> = []
  await client.stream('/v1/workloads/web/logs', (l) => { logs.push(l as { pod: string, container: string, line: string }) })
  t.ok(logs.some((l) => l.pod.startsWith('web-') && /container main started/.test(l.line)), 'the local pod\'s start line')
  const noLogs = await rejects(client.stream('/v1/workloads/nope/logs', () => {}))
  t.equal(noLogs.statusCode, 404)
  t.equal(noLogs.code, 'SKEIN_ERR_WORKLOAD_NOT_FOUND')

  // the CLI, through the same API
  const env = { SKEIN_API: agent.config.api }
  const file = join(dir, 'app.yaml')
  writeFileSync(file, deploymentYaml('api', 1, '100m', '64Mi'))
  const run = await runSkein(['run', '-f', file, '--name', 'api2', '--max-loss', '5%', '--wait', '--wait-timeout', '60s'], { env })
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, /\] placing on the local cluster, gen 1, ready 0\/1/, 'live progress from submission')
  t.match(run.stdout, /\] running on the local cluster, gen 1, ready 1\/1/, 'to running')
  t.equal((await client.get<WorkloadView>('/v1/workloads/api2')).phase, 'running')
  const desc = await runSkein(['describe', 'workload', 'web'], { env })
  t.equal(desc.code, 0, desc.stderr)
  t.match(desc.stdout, /Candidates \(last scheduling decision\):/)
  // the table the CLI prints, from the same views
  const views = (await client.get<{ workloads: WorkloadView[] }>('/v1/workloads')).workloads
  const table = workloadsTable(views)
  t.match(table, /NAME\s+PLACEMENT\s+PHASE\s+READY\s+GEN\s+SINCE/)
  t.match(table, /api2/)
  const disconnected = workloadsTable([{ ...views[0] as WorkloadView, disconnectedSince: new Date(Date.now() - 45_000).toISOString() }])
  t.match(disconnected, /Disconnected since \S+ \(4[5-9]s\)/, 'a disconnected workload says since when')

  const cancelled = await client.delete<WorkloadView>('/v1/workloads/web')
  t.ok(['cancelling', 'cancelled'].includes(cancelled.phase))
  for (let i = 0; i < 100; i++) {
    if ((await client.get<WorkloadView>('/v1/workloads/web')).phase === 'cancelled') break
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  t.equal((await client.get<WorkloadView>('/v1/workloads/web')).phase, 'cancelled', 'removed from the local cluster')
  const again = await client.delete<WorkloadView>('/v1/workloads/web')
  t.ok(['cancelling', 'cancelled'].includes(again.phase), 'cancelling twice is harmless')
})
