// Pure parts of agent/kube: quantities, tenant objects, backend choice,
// capacity and status arithmetic, error mapping, backoff, configuration.
import t from 'tap'
import { milli, units, parseQuantity, formatBytes, formatMilli } from '../agent/kube/quantity.ts'
import { tenantNamespace, tenantObjects, labelValue } from '../agent/kube/tenant.ts'
import { resolveKubeMode } from '../agent/kube/backend.ts'
import { computeCapacity, workloadStatus, podSelector } from '../agent/kube/status.ts'
import { errorForStatus } from '../agent/kube/errors.ts'
import { backoffDelay, defaultRetry } from '../agent/kube/http.ts'
import { finishConfig } from '../agent/config/index.ts'
import { kubeClientOptions } from '../agent/kube/config.ts'

t.test('quantities', async (t) => {
  const cases: Array<[string, number | undefined]> = [['100m', 0.1], ['1', 1], ['1.5', 1.5], ['128Mi', 128 * 2 ** 20], ['1Gi', 2 ** 30], ['2G', 2e9], ['1e3', 1000], ['500k', 5e5], ['x', undefined], ['', undefined], ['1Mib', undefined]]
  for (const [q, v] of cases) t.equal(parseQuantity(q), v, q)
  t.equal(milli('250m'), 250)
  t.equal(milli('0.1'), 100)
  t.equal(milli('1.5'), 1500)
  t.equal(units('64Mi'), 64 * 2 ** 20)
  t.equal(formatMilli(1500), '1500m')
  t.equal(formatMilli(2000), '2')
  t.equal(formatBytes(3 * 2 ** 30), '3Gi')
  t.equal(formatBytes(1000), '1000')
})

t.test('tenant namespace names are DNS-safe, stable and distinct', async (t) => {
  t.equal(tenantNamespace('lease-1'), 'skein-lease-1')
  const odd = tenantNamespace('Lease_ABC/42')
  t.match(odd, /^skein-lease-abc-42-[0-9a-f]{8}$/)
  t.not(tenantNamespace('Lease_ABC/42'), tenantNamespace('lease_abc/42'), 'case differences do not collide')
  t.ok(tenantNamespace('x'.repeat(200)).length <= 63)
  t.throws(() => tenantNamespace(''), { name: 'InvalidTenantError' })
  t.equal(labelValue('12D3KooWabc'), '12D3KooWabc')
  t.match(labelValue('has space'), /^h-[0-9a-f]{40}$/)
})

t.test('tenant objects: namespace first, quota equal to the lease, defaults capped by it', async (t) => {
  const objs = tenantObjects({ leaseId: 'l1', ownerPeer: 'peer', quota: { cpu: 250, memory: 2 ** 27, pods: 3, ephemeralStorage: 2 ** 30 }, tunnelCidrs: ['100.64.0.0/10'] })
  t.same(objs.map((o) => o.kind), ['Namespace', 'ResourceQuota', 'LimitRange', 'NetworkPolicy', 'ServiceAccount'])
  t.ok(objs.slice(1).every((o) => o.metadata.namespace === 'skein-l1'))
  t.same((objs[1]?.spec as { hard: object }).hard, { 'requests.cpu': '250m', 'requests.memory': '128Mi', pods: '3', 'services.nodeports': '0', 'services.loadbalancers': '0', 'requests.ephemeral-storage': '1Gi' })
  const lr = (objs[2]?.spec as { limits: Array<Record<string, Record<string, string>>> }).limits[0]
  t.same(lr?.defaultRequest, { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '0' }, 'a pod that asks for no ephemeral storage is counted as asking for none, not refused by the quota')
  t.same(lr?.default, { cpu: '250m', memory: '128Mi' }, 'defaults never exceed the quota')
  t.throws(() => tenantObjects({ leaseId: 'l', ownerPeer: 'p', quota: { cpu: -1, memory: 0, pods: 0 } }), { name: 'InvalidTenantError' })
  t.throws(() => tenantObjects({ leaseId: 'l', ownerPeer: 'p', quota: { cpu: 1, memory: 1, pods: 1 }, tunnelCidrs: ['nope'] }), { name: 'InvalidTenantError' })
})

t.test('backend choice', async (t) => {
  const has = (...paths: string[]) => (p: string) => paths.includes(p)
  const env = { HOME: '/home/u' }
  const cases: Array<[string, Parameters<typeof resolveKubeMode>[0], NodeJS.ProcessEnv, (p: string) => boolean, ReturnType<typeof resolveKubeMode>]> = [
    ['auto, nothing: embedded', { mode: 'auto' }, env, has(), { mode: 'embedded' }],
    ['auto, configured path', { mode: 'auto', kubeconfig: '/etc/k3s.yaml' }, env, has(), { mode: 'kubeconfig', kubeconfig: '/etc/k3s.yaml' }],
    ['auto, KUBECONFIG', { mode: 'auto' }, { ...env, KUBECONFIG: '/missing:/k.yaml' }, has('/k.yaml'), { mode: 'kubeconfig', kubeconfig: '/k.yaml' }],
    ['auto, ~/.kube/config', { mode: 'auto' }, env, has('/home/u/.kube/config'), { mode: 'kubeconfig', kubeconfig: '/home/u/.kube/config' }],
    ['auto, service account', { mode: 'auto' }, { ...env, KUBERNETES_SERVICE_HOST: '10.0.0.1' }, has('/var/run/secrets/kubernetes.io/serviceaccount/token'), { mode: 'in-cluster' }],
    ['auto, service host without token', { mode: 'auto' }, { ...env, KUBERNETES_SERVICE_HOST: '10.0.0.1' }, has(), { mode: 'embedded' }],
    ['embedded even with a kubeconfig', { mode: 'embedded' }, env, has('/home/u/.kube/config'), { mode: 'embedded' }]
  ]
  for (const [what, config, e, exists, want] of cases) t.same(resolveKubeMode(config, e, exists), want, what)
  t.throws(() => resolveKubeMode({ mode: 'kubeconfig' }, env, has()), { name: 'KubeConfigError' })
})

const node = (name: string, cpu: string, memory: string, ready = true, unschedulable = false): Record<string, unknown> => ({
  metadata: { name }, spec: unschedulable ? { unschedulable: true } : {},
  status: { allocatable: { cpu, memory, pods: '10' }, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] }
})
const pod = (nodeName: string, cpu: string, memory: string, phase = 'Running'): Record<string, unknown> => ({
  metadata: { name: `p-${Math.random()}` }, spec: { nodeName, containers: [{ resources: { requests: { cpu, memory } } }] }, status: { phase }
})

t.test('capacity arithmetic', async (t) => {
  const c = computeCapacity(
    [node('a', '4', '8Gi'), node('b', '2', '4Gi'), node('down', '16', '64Gi', false), node('cordoned', '16', '64Gi', true, true)],
    [pod('a', '1500m', '1Gi'), pod('b', '500m', '512Mi'), pod('a', '1', '1Gi', 'Succeeded'), pod('down', '1', '1Gi'), pod('', '1', '1Gi', 'Pending')]
  )
  t.same(c.allocatable, { cpu: 6000, memory: 12 * 2 ** 30, pods: 20, ephemeralStorage: 0, gpu: 0 })
  t.same(c.requested, { cpu: 2000, memory: 1.5 * 2 ** 30, pods: 2, ephemeralStorage: 0, gpu: 0 })
  t.equal(c.free.cpu, 4000)
  t.equal(c.readyNodes, 2)
  t.equal(c.nodes, 4)
  const tenant = { ...pod('a', '250m', '256Mi'), metadata: { name: 't', namespace: 'skein-lease-1' } }
  const withTenant = computeCapacity([node('a', '4', '8Gi')], [pod('a', '1', '1Gi'), tenant])
  t.equal(withTenant.requested.cpu, 1250)
  t.same([withTenant.tenantRequested.cpu, withTenant.tenantRequested.pods], [250, 1], 'tenant pods are broken out')
  const over = computeCapacity([node('a', '1', '1Gi')], [pod('a', '2', '2Gi')])
  t.equal(over.free.cpu, 0, 'never negative')
})

t.test('workload phases', async (t) => {
  const dep = (replicas: number, status: Record<string, unknown>, gen = 1): Record<string, unknown> => ({ kind: 'Deployment', metadata: { name: 'd', namespace: 'n', generation: gen }, spec: { replicas, selector: { matchLabels: { a: 'b' } } }, status: { observedGeneration: 1, ...status } })
  t.equal(workloadStatus(dep(2, {}), []).phase, 'Pending')
  t.equal(workloadStatus(dep(2, { replicas: 2, readyReplicas: 1 }), []).phase, 'Progressing')
  t.equal(workloadStatus(dep(2, { replicas: 2, readyReplicas: 2, availableReplicas: 2 }), []).phase, 'Running')
  t.equal(workloadStatus(dep(2, { replicas: 2, readyReplicas: 2 }, 2), []).phase, 'Progressing', 'not observed yet')
  t.equal(workloadStatus(dep(2, { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }), []).phase, 'Failed')
  const job = (status: Record<string, unknown>): Record<string, unknown> => ({ kind: 'Job', metadata: { name: 'j' }, spec: {}, status })
  t.equal(workloadStatus(job({ conditions: [{ type: 'Complete', status: 'True' }], succeeded: 1 }), []).phase, 'Succeeded')
  t.equal(workloadStatus(job({ conditions: [{ type: 'Failed', status: 'True' }] }), []).phase, 'Failed')
  const p = workloadStatus({ kind: 'Pod', metadata: { name: 'p' }, spec: {}, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' }] } }, [])
  t.equal(p.phase, 'Pending')
  t.match(p.pods[0], { reason: 'Unschedulable', message: /nodes are available/ })
  t.equal(podSelector({ spec: { selector: { matchLabels: { a: 'b' }, matchExpressions: [{ key: 'c', operator: 'In', values: ['d', 'e'] }] } } }), 'a=b,c in (d,e)')
})

t.test('API statuses map to typed errors', async (t) => {
  const cases: Array<[number, string, boolean]> = [[400, 'KubeInvalidError', false], [401, 'KubeUnauthorizedError', false], [403, 'KubeForbiddenError', false], [404, 'KubeNotFoundError', false],
    [409, 'KubeConflictError', false], [410, 'KubeGoneError', false], [422, 'KubeInvalidError', false], [429, 'KubeTooManyRequestsError', true], [500, 'KubeServerError', true],
    [503, 'KubeServerError', true], [504, 'KubeTimeoutError', true]]
  for (const [code, name, retryable] of cases) {
    const e = errorForStatus(code, { message: 'm' })
    t.equal(e.name, name, String(code))
    t.equal(e.retryable, retryable, `${code} retryable`)
  }
  t.equal(errorForStatus(403, { message: 'pods "x" is forbidden: exceeded quota: q, requested: pods=1' }).name, 'KubeQuotaExceededError')
  t.equal(errorForStatus(429, {}, { 'retry-after': '3' }).retryAfterS, 3)
})

t.test('backoff is jittered under an exponential cap', async (t) => {
  t.equal(backoffDelay(0, defaultRetry, () => 1), 200)
  t.equal(backoffDelay(3, defaultRetry, () => 1), 1600)
  t.equal(backoffDelay(10, defaultRetry, () => 1), 5000, 'capped')
  t.equal(backoffDelay(3, defaultRetry, () => 0), 0)
})

t.test('the kube configuration section: defaults, validation, client options', async (t) => {
  const c = finishConfig({ stateDir: '/tmp/skein-x' }, {})
  t.equal(c.kube.mode, 'auto')
  t.same(c.kube.embedded, { nodes: 1, cpu: '4', memory: '8Gi', pods: 110 })
  t.throws(() => finishConfig({ stateDir: '/tmp/skein-x', kube: { mode: 'bogus' } }, {}), { name: 'ConfigError', key: 'kube.mode' })
  t.throws(() => finishConfig({ stateDir: '/tmp/skein-x', kube: { embedded: { cpu: 'lots' } } }, {}), { name: 'ConfigError', key: 'kube.embedded.cpu' })
  const o = kubeClientOptions(finishConfig({ stateDir: '/tmp/skein-x', kube: { requestTimeout: '3s', maxContainerCpu: '8', allowServiceTypes: ['ClusterIP', 'NodePort'] } }, {}).kube)
  t.equal(o.timeoutMs, 3000)
  t.equal(o.sanitize?.maxContainerCpuMilli, 8000)
  t.same(o.sanitize?.allowServiceTypes, ['ClusterIP', 'NodePort'])
})
