// `skein logs`: pod logs of a delegated workload, read by the provider from its own cluster and
// streamed to the consumer over /skein/logs/1.0.0; a tenant never reads another tenant's logs.
import t from 'tap'
import { startAgent, runSkein } from './helpers/agent.ts'
import { deploymentYaml, until } from './helpers/delegation.ts'
import type { WorkloadView } from '../agent/api/routes/workloads.ts'
import type { LeaseView } from '../agent/api/routes/leases.ts'
import type { ApiClient } from '../agent/client/index.ts'
import { libp2pNetwork } from '../agent/delegation/network.ts'
import { fetchLogs, type LogLine } from '../agent/delegation/logs.ts'
import { ApiError } from '../agent/errors.ts'

const kube = { mode: 'embedded', embedded: { cpu: '4', memory: '8Gi', pods: 110 } }
const quota = { cpu: '1', memory: '1Gi', pods: 5, ephemeralStorage: '1Gi' }
const app = (name: string): string => deploymentYaml(name, 1, '100m', '64Mi').replace('memory: 64Mi }', 'memory: 64Mi, ephemeral-storage: 10Mi }')

/** Log items from the agent until `enough` says so (then the stream is dropped) or the agent ends it. */
async function readLogs (client: ApiClient, path: string, enough: (items: LogLine[]) => boolean = () => false, timeoutMs = 20_000): Promise<Array<LogLine & { error?: { code: string } }>> {
  const items: Array<LogLine & { error?: { code: string } }> = []
  const abort = new AbortController()
  const timer = setTimeout(() => { abort.abort() }, timeoutMs)
  try {
    await client.stream(path, (i) => { items.push(i as LogLine); if (enough(items)) abort.abort() }, { signal: abort.signal })
  } catch (err) {
    if (!abort.signal.aborted) throw err
  } finally {
    clearTimeout(timer)
  }
  return items
}

async function running (client: ApiClient, name: string): Promise<WorkloadView> {
  let w: WorkloadView | undefined
  for (let i = 0; i < 150 && !(w?.phase === 'running' && w.readyReplicas === 1); i++) {
    w = await client.get<WorkloadView>(`/v1/workloads/${name}`)
    if (w.phase !== 'running') await new Promise((resolve) => setTimeout(resolve, 200))
  }
  if (w?.phase !== 'running') throw new Error(`${name} is ${w?.phase ?? '?'} (${w?.lastError ?? '-'})`)
  return w
}

const code = async (p: Promise<unknown>): Promise<string> => {
  try { await p } catch (err) { return err instanceof ApiError ? `${err.statusCode} ${err.code}` : (err as Error).name }
  return 'no error'
}

t.test('logs of a workload come from its provider, follow streams new lines, and tenants are kept apart', async (t) => {
  const b = await startAgent(t, { kube, discovery: { mdns: false, dht: false } })
  const bootstrap = b.agent.listenAddrs().filter((x) => x.includes('/p2p/')).slice(0, 1)
  const consumer = { kube, discovery: { mdns: false, dht: false, bootstrap }, peering: { share: false }, delegation: { localCandidate: false } }
  const [a, c] = await Promise.all([startAgent(t, consumer), startAgent(t, consumer)])
  await until(() => (a.agent.node?.getConnections(b.agent.node?.peerId).length ?? 0) > 0 && (c.agent.node?.getConnections(b.agent.node?.peerId).length ?? 0) > 0, 'connections to B', 20_000)
  await a.client.post<LeaseView>('/v1/leases', { peer: b.agent.peerId, quota, duration: '1h' })
  await c.client.post<LeaseView>('/v1/leases', { peer: b.agent.peerId, quota, duration: '1h' })

  t.equal(await code(a.client.stream('/v1/workloads/nope/logs', () => {})), '404 SKEIN_ERR_WORKLOAD_NOT_FOUND', 'no such workload')

  await a.client.post('/v1/workloads', { manifests: app('web') })
  await c.client.post('/v1/workloads', { manifests: app('api') })
  const web = await running(a.client, 'web')
  const api = await running(c.client, 'api')
  t.equal(web.placement?.target, b.agent.peerId)

  // everything there is: the pod's start on B's cluster
  const all = await readLogs(a.client, '/v1/workloads/web/logs')
  t.ok(all.length >= 2, `${all.length} lines`)
  t.ok(all.every((l) => l.container === 'main' && l.pod.startsWith('web-')), 'lines name their pod and container')
  t.ok(all.some((l) => /container main started on \S+ \(image nginx:1.27\)/.test(l.line)), 'the start line from the provider\'s cluster')
  const tail = await readLogs(a.client, '/v1/workloads/web/logs?tailLines=1')
  t.equal(tail.length, 1, '--tail 1 gives one line')
  t.equal(tail[0]?.line, all.at(-1)?.line, 'the last one')

  // follow: a heartbeat written after the stream opened arrives on it
  const opened = all.filter((l) => l.line.includes('heartbeat')).length
  const followed = await readLogs(a.client, '/v1/workloads/web/logs?follow=true&tailLines=1', (items) => items.filter((l) => l.line.includes('heartbeat')).length >= 2, 25_000)
  const beats = followed.filter((l) => l.line.includes('heartbeat')).map((l) => Number(/heartbeat (\d+)/.exec(l.line)?.[1]))
  t.ok(beats.length >= 2, `new heartbeats streamed while following (${beats.join(',')}; ${opened} before)`)
  t.ok(beats.every((n, i) => i === 0 || n === (beats[i - 1] ?? 0) + 1), 'in order, none twice')

  // the CLI prints them
  const cli = await runSkein(['logs', 'web', '--tail', '1', '--prefix', '--api', a.agent.config.api])
  t.equal(cli.code, 0, cli.stderr)
  t.match(cli.stdout, /^\[web-[a-z0-9-]+\/main\] \S+ \[skein-sim\] container main /)

  // tenant check on the provider: C asks B for A's workload by its ID and gets nothing but NOT_FOUND
  const cNet = libp2pNetwork(c.agent.node as never)
  const stolen: LogLine[] = []
  const err = await (async () => { try { for await (const l of fetchLogs(cNet, b.agent.peerId, { workloadId: web.id })) stolen.push(l) } catch (e) { return e as Error } })()
  t.equal(err?.name, 'WorkloadNotFoundError', 'another tenant\'s workload is not found')
  t.equal(stolen.length, 0, 'and not one line of it leaks')
  const aNet = libp2pNetwork(a.agent.node as never)
  const err2 = await (async () => { try { for await (const _ of fetchLogs(aNet, b.agent.peerId, { workloadId: api.id })) t.fail('a line of C\'s workload reached A') } catch (e) { return e as Error } })()
  t.equal(err2?.name, 'WorkloadNotFoundError', 'both ways')
  const own = await readLogs(c.client, '/v1/workloads/api/logs')
  t.ok(own.some((l) => l.pod.startsWith('api-')), 'each tenant reads its own')
  t.notOk(own.some((l) => l.pod.startsWith('web-')))

  // not running yet: a node selector no node matches keeps the pod Pending on B
  const pending = app('stuck').replace('    spec:\n      containers:', '    spec:\n      nodeSelector: { disk: none }\n      containers:')
  await a.client.post('/v1/workloads', { manifests: pending })
  const held = await until(() => b.agent.delegation?.hosted().find((h) => h.name === 'stuck'), 'B to accept it', 20_000)
  let pods = 0
  for (let i = 0; i < 200 && pods === 0; i++) {
    pods = (await b.agent.kube?.workloadStatus(held.tenantNs, { kind: 'Deployment', name: 'stuck' }).catch(() => undefined))?.pods.length ?? 0
    if (pods === 0) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.equal(pods, 1, 'its pod exists on B, Pending')
  let message = ''
  try { await a.client.stream('/v1/workloads/stuck/logs', () => {}) } catch (err) { message = `${(err as ApiError).statusCode} ${(err as ApiError).code} ${(err as Error).message}` }
  t.match(message, /^409 SKEIN_ERR_LOGS_NOT_READY workload stuck is not running yet: none of its 1 pod\(s\) has started yet/, 'the provider says so')

  // provider unreachable: a typed error with a hint
  await b.agent.stop()
  const down = await code(a.client.stream('/v1/workloads/web/logs', () => {}))
  t.equal(down, '504 SKEIN_ERR_PROVIDER_UNREACHABLE')
  const cliDown = await runSkein(['logs', 'web', '--api', a.agent.config.api])
  t.equal(cliDown.code, 1)
  t.match(cliDown.stderr, /error: cannot reach the provider .* of workload web: .*\nhint: the link may be down/)
})
