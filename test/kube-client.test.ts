// agent/kube against a cluster over HTTP: the API emulator by default, or a real
// cluster when SKEIN_TEST_KUBECONFIG names a kubeconfig (fault injection and
// node-level checks need the emulator and are skipped there).
import t, { type Test } from 'tap'
import { KubeConfig } from '@kubernetes/client-node'
import { KubeEmulator } from '../sim/kube/index.ts'
import { resourceTypes } from '../sim/kube/resources.ts'
import { kube, type KubeClient, type WorkloadStatus } from '../agent/kube/index.ts'
import { silentLogger } from '../agent/logger.ts'

const realKubeconfig = process.env.SKEIN_TEST_KUBECONFIG
if (realKubeconfig != null && realKubeconfig !== '') t.comment(`running against the real cluster in ${realKubeconfig}`)
else t.comment('SKEIN_TEST_KUBECONFIG not set: running against the API emulator (set it to run these tests against a real cluster)')

const podType = resourceTypes.find((r) => r.kind === 'Pod') as (typeof resourceTypes)[number]
const logger = silentLogger().forComponent('skein:kube')
const runId = Math.random().toString(36).slice(2, 8)

interface Env { client: KubeClient, emu?: KubeEmulator }

async function setup (t: Test, opts: { nodes?: number, cpu?: string, memory?: string, retry?: { attempts?: number, baseMs?: number, maxMs?: number }, timeoutMs?: number } = {}): Promise<Env> {
  const kc = new KubeConfig()
  let emu: KubeEmulator | undefined
  if (realKubeconfig != null && realKubeconfig !== '') {
    kc.loadFromFile(realKubeconfig)
  } else {
    emu = new KubeEmulator({ nodes: opts.nodes ?? 2, node: { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: 110 }, jobRunMs: 100 })
    await emu.start()
    kc.loadFromString(emu.kubeconfigYaml())
  }
  const client = kube({
    kubeConfig: kc,
    backend: { mode: emu != null ? 'embedded' : 'kubeconfig', server: kc.getCurrentCluster()?.server ?? '' },
    retry: { attempts: 4, baseMs: 20, maxMs: 200, ...(opts.retry ?? {}) },
    ...(opts.timeoutMs != null ? { timeoutMs: opts.timeoutMs } : {}),
    watchTimeoutS: 30
  })({ logger })
  await client.start()
  t.teardown(async () => { await client.stop(); await emu?.stop() })
  await client.waitForSync({ signal: AbortSignal.timeout(10_000) })
  return { client, ...(emu != null ? { emu } : {}) }
}

/** Resolves when pred holds for a value the source pushes; rejects after ms. */
async function until<T> (subscribe: (cb: (v: T) => void) => () => void, pred: (v: T) => boolean, ms = 10_000): Promise<T> {
  return await new Promise<T>((resolve, reject) => {
    let unsub: () => void = () => {}
    const timer = setTimeout(() => { unsub(); reject(new Error('condition not met in time')) }, ms)
    unsub = subscribe((v) => { if (pred(v)) { clearTimeout(timer); unsub(); resolve(v) } })
  })
}


const deployment = (name: string, replicas: number, cpu = '100m'): object => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    // pause runs as a non-root user, so it also starts under Pod Security restricted on a real cluster
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu, memory: '64Mi' } } }] } }
  }
})

t.test('free capacity is node allocatable minus pod requests, kept current by watches', { skip: realKubeconfig != null && realKubeconfig !== '' ? 'node totals differ on a real cluster' : false }, async (t) => {
  const { client, emu } = await setup(t, { nodes: 2, cpu: '4', memory: '8Gi' })
  const before = client.capacity()
  t.equal(before.synced, true)
  t.equal(before.allocatable.cpu, 8000, 'two nodes of 4 cores')
  t.equal(before.free.memory, 16 * 2 ** 30)
  const tenant = await client.ensureTenant({ leaseId: `cap-${runId}`, ownerPeer: 'peerA', quota: { cpu: 4000, memory: 4 * 2 ** 30, pods: 10 } })
  await client.applyWorkload(tenant.namespace, [deployment('web', 3, '500m')])
  const after = await until<ReturnType<KubeClient['capacity']>>((cb) => client.onCapacity(() => { cb(client.capacity()) }), (c) => c.requested.cpu === 1500)
  t.equal(after.free.cpu, 6500, 'three pods of 500m requested')
  t.equal(after.requested.pods, 3)
  // losing a node takes its allocatable away, and its pods are rescheduled on the other node
  emu?.cluster.loseNode('sim-node-0')
  const lost = await until<ReturnType<KubeClient['capacity']>>((cb) => client.onCapacity(() => { cb(client.capacity()) }), (c) => c.readyNodes === 1 && c.requested.pods === 3)
  t.equal(lost.allocatable.cpu, 4000)
  t.equal(lost.free.cpu, 2500)
})

t.test('a tenant namespace is fenced by labels, quota, limits, network policy and no token; updated and deleted with its lease', async (t) => {
  const { client, emu } = await setup(t)
  const leaseId = `lease-${runId}`
  const ref = await client.ensureTenant({ leaseId, ownerPeer: '12D3KooWConsumer', quota: { cpu: 1000, memory: 2 ** 30, pods: 5 }, tunnelCidrs: ['100.64.0.0/10'] })
  t.equal(ref.namespace, `skein-${leaseId}`)
  const http = (client as unknown as { http: { request: <T>(m: string, p: string, o?: object) => Promise<T> } }).http
  const ns = await http.request<{ metadata: { labels: Record<string, string> } }>('GET', `/api/v1/namespaces/${ref.namespace}`)
  t.equal(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted')
  t.equal(ns.metadata.labels['skein.dev/owner-peer'], '12D3KooWConsumer')
  t.equal(ns.metadata.labels['skein.dev/lease-id'], leaseId)
  const quota = await http.request<{ spec: { hard: Record<string, string> } }>('GET', `/api/v1/namespaces/${ref.namespace}/resourcequotas/skein-quota`)
  t.same(quota.spec.hard, { 'requests.cpu': '1', 'requests.memory': '1Gi', pods: '5', 'services.nodeports': '0', 'services.loadbalancers': '0' })
  const sa = await http.request<{ automountServiceAccountToken: boolean }>('GET', `/api/v1/namespaces/${ref.namespace}/serviceaccounts/default`)
  t.equal(sa.automountServiceAccountToken, false)
  const np = await http.request<{ spec: { policyTypes: string[], ingress: Array<{ from: unknown[] }> } }>('GET', `/apis/networking.k8s.io/v1/namespaces/${ref.namespace}/networkpolicies/skein-default-deny`)
  t.same(np.spec.policyTypes, ['Ingress', 'Egress'])
  t.same(np.spec.ingress[0]?.from, [{ podSelector: {} }, { ipBlock: { cidr: '100.64.0.0/10' } }])
  t.ok((await client.listTenants()).some((x) => x.leaseId === leaseId && x.ownerPeer === '12D3KooWConsumer'))

  // the lease grows: the quota follows
  await client.ensureTenant({ leaseId, ownerPeer: '12D3KooWConsumer', quota: { cpu: 2000, memory: 2 ** 31, pods: 8 } })
  const grown = await http.request<{ spec: { hard: Record<string, string> } }>('GET', `/api/v1/namespaces/${ref.namespace}/resourcequotas/skein-quota`)
  t.equal(grown.spec.hard['requests.cpu'], '2')
  t.equal(grown.spec.hard.pods, '8')

  await client.applyWorkload(ref.namespace, [deployment('api', 1)])
  await client.deleteTenant(leaseId, { wait: true, signal: AbortSignal.timeout(20_000) })
  t.notOk((await client.listTenants()).some((x) => x.leaseId === leaseId), 'gone from the tenant list')
  if (emu != null) t.equal(emu.cluster.store.all(podType, ref.namespace).length, 0, 'its pods went with it')
})

t.test('pods beyond the quota are refused by admission, and the deployment reports why', async (t) => {
  const { client } = await setup(t)
  const ref = await client.ensureTenant({ leaseId: `quota-${runId}`, ownerPeer: 'peerQ', quota: { cpu: 500, memory: 2 ** 30, pods: 10 } })
  t.teardown(async () => { await client.deleteTenant(`quota-${runId}`).catch(() => {}) })
  // a bare pod over quota: the API answers 403 with the quota message
  await t.rejects(client.applyWorkload(ref.namespace, [{
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu: '1', memory: '64Mi' } } }] }
  }]), { name: 'KubeQuotaExceededError', statusCode: 403, message: /exceeded quota: skein-quota/ })
  // a deployment of 3 × 200m fits two pods; the third is refused and the status says so
  const statuses: WorkloadStatus[] = []
  const w = client.watchWorkloads(ref.namespace, (s) => { statuses.push(s) })
  t.teardown(async () => { await w.stop() })
  await client.applyWorkload(ref.namespace, [deployment('many', 3, '200m')])
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline && !statuses.some((s) => s.name === 'many' && s.readyReplicas === 2 && s.conditions.some((c) => c.type === 'ReplicaFailure'))) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const last = [...statuses].reverse().find((s) => s.name === 'many')
  t.equal(last?.readyReplicas, 2, 'two pods fit the quota')
  t.match(last?.conditions.find((c) => c.type === 'ReplicaFailure')?.message, /exceeded quota/)
  t.equal(last?.phase, 'Progressing')
})

t.test('workloads are applied server-side, watched to Running and Succeeded, logged and deleted', async (t) => {
  const { client } = await setup(t)
  const ref = await client.ensureTenant({ leaseId: `wl-${runId}`, ownerPeer: 'peerW', quota: { cpu: 4000, memory: 4 * 2 ** 30, pods: 20 } })
  t.teardown(async () => { await client.deleteTenant(`wl-${runId}`).catch(() => {}) })
  const seen = new Map<string, WorkloadStatus>()
  const w = client.watchWorkloads(ref.namespace, (s) => { seen.set(`${s.kind}/${s.name}`, s) })
  t.teardown(async () => { await w.stop() })
  const applied = await client.applyWorkload(ref.namespace, [
    deployment('web', 2),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once' }, spec: { template: { spec: { restartPolicy: 'Never', securityContext: { runAsUser: 65534 }, containers: [{ name: 'c', image: 'busybox:1.36', command: ['true'], resources: { requests: { cpu: '50m', memory: '16Mi' } } }] } } } }
  ])
  t.same(applied.map((a) => `${a.kind}/${a.name}`), ['Deployment/web', 'Service/web', 'ConfigMap/cfg', 'Job/once'])
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline && !(seen.get('Deployment/web')?.phase === 'Running' && seen.get('Job/once')?.phase === 'Succeeded')) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const web = seen.get('Deployment/web')
  t.equal(web?.phase, 'Running')
  t.equal(web?.readyReplicas, 2)
  t.equal(web?.pods.length, 2)
  t.ok(web?.pods.every((p) => p.ip != null && p.ip !== '' && p.restarts === 0), 'pods have IPs')
  t.equal(seen.get('Job/once')?.phase, 'Succeeded')

  // applying the same manifests again changes nothing; a new replica count rolls through
  await client.applyWorkload(ref.namespace, [deployment('web', 3)])
  const st = await client.workloadStatus(ref.namespace, { kind: 'Deployment', name: 'web' })
  t.equal(st.replicas, 3)

  const pod = web?.pods[0]?.name ?? ''
  const logs = await client.podLogs(ref.namespace, pod, { tailLines: 10 })
  t.type(logs, 'string')

  await client.deleteWorkload(ref.namespace, [{ kind: 'Deployment', name: 'web' }, { kind: 'Job', name: 'once' }, { kind: 'ConfigMap', name: 'nope' }])
  await t.rejects(client.workloadStatus(ref.namespace, { kind: 'Deployment', name: 'web' }), { name: 'KubeNotFoundError' })
})

t.test('a manifest that reaches past the tenant is refused before anything is applied', async (t) => {
  const { client } = await setup(t)
  const ref = await client.ensureTenant({ leaseId: `san-${runId}`, ownerPeer: 'peerS', quota: { cpu: 1000, memory: 2 ** 30, pods: 5 } })
  t.teardown(async () => { await client.deleteTenant(`san-${runId}`).catch(() => {}) })
  const bad = deployment('evil', 1) as { spec: { template: { spec: Record<string, unknown> } } }
  bad.spec.template.spec.hostNetwork = true
  await t.rejects(client.applyWorkload(ref.namespace, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first' }, data: {} }, bad]),
    { name: 'ManifestRejectedError', field: 'spec.template.spec.hostNetwork', index: 1 })
  await t.rejects(client.workloadStatus(ref.namespace, { kind: 'Deployment', name: 'evil' }), { name: 'KubeNotFoundError' })
})

t.test('real cluster: it answers and has Ready nodes', { skip: realKubeconfig == null || realKubeconfig === '' ? 'SKEIN_TEST_KUBECONFIG not set: the real-cluster suite is skipped (the tests above ran against the emulator)' : false }, async (t) => {
  const { client } = await setup(t)
  const c = client.capacity()
  t.ok(c.readyNodes >= 1, `${c.readyNodes} ready nodes`)
  t.ok(c.allocatable.cpu > 0)
  t.equal(client.info().synced, true)
})

const emulatorOnly = realKubeconfig != null && realKubeconfig !== '' ? 'fault injection needs the emulator' : false

t.test('throttling and server errors are retried with backoff; other errors are typed and not retried', { skip: emulatorOnly }, async (t) => {
  const { client, emu } = await setup(t)
  const e = emu as KubeEmulator
  e.faults.inject({ status: 429, count: 2, path: '/api/v1/namespaces', method: 'GET', retryAfterSeconds: 0 })
  t.ok(Array.isArray(await client.listTenants()), '429 twice, then success')
  e.faults.inject({ status: 500, count: 2, path: '/api/v1/namespaces', method: 'GET' })
  t.ok(Array.isArray(await client.listTenants()), '500 twice, then success')
  e.faults.inject({ status: 503, count: 10, path: '/api/v1/namespaces', method: 'GET' })
  await t.rejects(client.listTenants(), { name: 'KubeServerError', statusCode: 503 }, 'gives up after the attempts')
  e.faults.clear()
  for (const [status, name] of [[401, 'KubeUnauthorizedError'], [403, 'KubeForbiddenError'], [404, 'KubeNotFoundError'], [409, 'KubeConflictError'], [422, 'KubeInvalidError']] as const) {
    e.faults.inject({ status, count: 1, path: '/api/v1/namespaces', method: 'GET' })
    const before = e.server.requests.length
    await t.rejects(client.listTenants(), { name, statusCode: status })
    t.equal(e.server.requests.length - before, 1, `${status} is not retried`)
  }
})

t.test('a request the server never answers times out instead of hanging', { skip: emulatorOnly }, async (t) => {
  const { client, emu } = await setup(t, { timeoutMs: 300, retry: { attempts: 2, baseMs: 10, maxMs: 20 } })
  emu?.faults.inject({ status: 0, hang: true, count: 5, path: '/api/v1/namespaces', method: 'GET' })
  await t.rejects(client.listTenants(), { name: 'KubeTimeoutError' })
  const ac = new AbortController()
  emu?.faults.inject({ status: 0, hang: true, count: 1, path: '/api/v1/namespaces', method: 'GET' })
  const p = client.listTenants({ signal: ac.signal })
  ac.abort()
  await t.rejects(p, { name: 'KubeAbortedError' })
})

t.test('capacity watches re-list after dropped connections, failing watches and 410 Gone', { skip: emulatorOnly }, async (t) => {
  const { client, emu } = await setup(t)
  const e = emu as KubeEmulator
  const ref = await client.ensureTenant({ leaseId: `flap-${runId}`, ownerPeer: 'peerF', quota: { cpu: 4000, memory: 4 * 2 ** 30, pods: 10 } })
  const waitPods = async (n: number): Promise<void> => {
    await until<ReturnType<KubeClient['capacity']>>((cb) => { const u = client.onCapacity(() => { cb(client.capacity()) }); cb(client.capacity()); return u }, (c) => c.requested.pods === n)
  }
  // the connections drop: the watch resumes from its resourceVersion
  t.ok(e.faults.dropWatches() >= 2, 'node and pod watches were open')
  await client.applyWorkload(ref.namespace, [deployment('a', 1)])
  await waitPods(1)
  // the server forgets history while we are disconnected: 410 Gone, then a fresh list
  e.faults.inject({ status: 500, count: 2, watch: true })
  e.faults.dropWatches()
  await client.applyWorkload(ref.namespace, [deployment('b', 1)])
  e.faults.compact()
  await waitPods(2)
  // the open watch is told 410 Gone: re-list
  const deadline = Date.now() + 10_000
  while (e.server.openWatches < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  e.faults.expireWatches()
  await client.applyWorkload(ref.namespace, [deployment('c', 1)])
  await waitPods(3)
  const stats = (client as unknown as { pods: { stats: { lists: number, gone: number, dropped: number } } }).pods.stats
  t.ok(stats.lists >= 3, `re-listed (${stats.lists} lists)`)
  t.ok(stats.dropped >= 1, 'saw the connection drop')
  t.ok(stats.gone >= 1, 'saw 410 Gone')
})
