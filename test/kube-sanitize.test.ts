// The manifest sanitizer, table-driven: every refusal names its field, and
// what passes comes out with the restricted securityContext defaults filled.
import t from 'tap'
import { sanitizeManifest, sanitizeManifests, type KubeObject } from '../agent/kube/sanitize.ts'

const ns = 'skein-lease-1'
type Obj = Record<string, unknown>

const pod = (spec: Obj = {}, container: Obj = {}): Obj => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36', ...container }], ...spec }
})
const deploy = (podSpec: Obj = {}, container: Obj = {}, extra: Obj = {}): Obj => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
  spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27', ...container }], ...podSpec } }, ...extra }
})
const svc = (spec: Obj): Obj => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }], ...spec } })

const refused: Array<[string, unknown, string, RegExp?]> = [
  ['not an object', 'kind: Pod', '(root)'],
  ['no kind', { apiVersion: 'v1', metadata: { name: 'x' } }, 'kind'],
  ['no apiVersion', { kind: 'Pod', metadata: { name: 'x' } }, 'apiVersion'],
  ['no name', { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }, 'metadata.name'],
  ['bad name', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }, 'metadata.name'],
  ['a Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }, 'kind', /cluster-scoped/],
  ['a Node', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'x' } }, 'kind', /cluster-scoped/],
  ['a ClusterRole', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'x' } }, 'kind', /RBAC/],
  ['a RoleBinding', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'x' } }, 'kind', /RBAC/],
  ['a CRD', { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x' } }, 'kind', /cluster-scoped/],
  ['a PersistentVolume', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'x' } }, 'kind', /cluster-scoped/],
  ['a DaemonSet', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'x' } }, 'kind', /not an allowed kind/],
  ['a ServiceAccount', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x' } }, 'kind', /not an allowed kind/],
  ['another namespace', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'kube-system' } }, 'metadata.namespace', /kube-system/],
  ['privileged', deploy({}, { securityContext: { privileged: true } }), 'spec.template.spec.containers[0].securityContext.privileged'],
  ['privileged init container', pod({ initContainers: [{ name: 'i', image: 'x', securityContext: { privileged: true } }] }), 'spec.initContainers[0].securityContext.privileged'],
  ['allowPrivilegeEscalation', pod({}, { securityContext: { allowPrivilegeEscalation: true } }), 'spec.containers[0].securityContext.allowPrivilegeEscalation'],
  ['hostNetwork', deploy({ hostNetwork: true }), 'spec.template.spec.hostNetwork'],
  ['hostPID', pod({ hostPID: true }), 'spec.hostPID'],
  ['hostIPC', pod({ hostIPC: true }), 'spec.hostIPC'],
  ['hostPath volume', deploy({ volumes: [{ name: 'ok', emptyDir: {} }, { name: 'root', hostPath: { path: '/' } }] }), 'spec.template.spec.volumes[1].hostPath'],
  ['added capabilities', pod({}, { securityContext: { capabilities: { add: ['NET_ADMIN'] } } }), 'spec.containers[0].securityContext.capabilities.add', /NET_ADMIN/],
  ['hostPort', pod({}, { ports: [{ containerPort: 80, hostPort: 80 }] }), 'spec.containers[0].ports[0].hostPort'],
  ['nodeName', deploy({ nodeName: 'node-1' }), 'spec.template.spec.nodeName'],
  ['another service account', deploy({ serviceAccountName: 'admin' }), 'spec.template.spec.serviceAccountName'],
  ['legacy serviceAccount field', pod({ serviceAccount: 'admin' }), 'spec.serviceAccount'],
  ['automounted token', pod({ automountServiceAccountToken: true }), 'spec.automountServiceAccountToken'],
  ['runAsNonRoot false', pod({ securityContext: { runAsNonRoot: false } }), 'spec.securityContext.runAsNonRoot'],
  ['runAsUser 0', pod({}, { securityContext: { runAsUser: 0 } }), 'spec.containers[0].securityContext.runAsUser'],
  ['unconfined seccomp', pod({ securityContext: { seccompProfile: { type: 'Unconfined' } } }), 'spec.securityContext.seccompProfile.type'],
  ['unmasked /proc', pod({}, { securityContext: { procMount: 'Unmasked' } }), 'spec.containers[0].securityContext.procMount'],
  ['NodePort service', svc({ type: 'NodePort' }), 'spec.type', /NodePort/],
  ['LoadBalancer service', svc({ type: 'LoadBalancer' }), 'spec.type'],
  ['external IPs', svc({ externalIPs: ['1.2.3.4'] }), 'spec.externalIPs'],
  ['absurd cpu request', deploy({}, { resources: { requests: { cpu: '5000' } } }), 'spec.template.spec.containers[0].resources.requests.cpu'],
  ['absurd memory limit', pod({}, { resources: { limits: { memory: '10Pi' } } }), 'spec.containers[0].resources.limits.memory'],
  ['not a quantity', pod({}, { resources: { requests: { cpu: 'lots' } } }), 'spec.containers[0].resources.requests.cpu'],
  ['negative quantity', pod({}, { resources: { requests: { memory: '-1Gi' } } }), 'spec.containers[0].resources.requests.memory'],
  ['absurd replicas', deploy({}, {}, { replicas: 100000 }), 'spec.replicas'],
  ['no containers', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } }, 'spec.containers'],
  ['no pod template', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {} }, 'spec.template.spec'],
  ['token secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/service-account-token' }, 'type']
]

t.test('refusals name the field', async (t) => {
  for (const [what, manifest, field, message] of refused) {
    t.throws(() => sanitizeManifest(manifest, { namespace: ns }), { name: 'ManifestRejectedError', field, ...(message != null ? { message } : {}) }, what)
  }
})

t.test('what passes lands in the tenant namespace with the restricted defaults filled', async (t) => {
  const o = sanitizeManifest(deploy({}, { securityContext: { capabilities: { drop: ['NET_RAW'] } } }), { namespace: ns }) as KubeObject & { spec: { template: { spec: Obj & { containers: Obj[] } } } }
  t.equal(o.metadata.namespace, ns)
  const spec = o.spec.template.spec
  t.same(spec.securityContext, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } })
  t.equal(spec.automountServiceAccountToken, false)
  t.same(spec.containers[0]?.securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ['NET_RAW', 'ALL'] } })
})

t.test('user choices that the restricted profile allows are kept', async (t) => {
  const o = sanitizeManifest(pod({ securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'Localhost', localhostProfile: 'x.json' } } }, { securityContext: { readOnlyRootFilesystem: true } }), { namespace: ns }) as KubeObject & { spec: Obj & { containers: Obj[] } }
  t.same(o.spec.securityContext, { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'Localhost', localhostProfile: 'x.json' } })
  t.same(o.spec.containers[0]?.securityContext, { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } })
})

t.test('the same namespace may be named explicitly; server-owned metadata and status are dropped', async (t) => {
  const o = sanitizeManifest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: ns, uid: 'u', resourceVersion: '9', managedFields: [], ownerReferences: [{ uid: 'x' }] }, data: { a: '1' }, status: {} }, { namespace: ns })
  t.same(o, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: ns }, data: { a: '1' } })
})

t.test('Service types are configurable', async (t) => {
  t.equal((sanitizeManifest(svc({ type: 'NodePort' }), { namespace: ns, allowServiceTypes: ['ClusterIP', 'NodePort'] }).spec as Obj).type, 'NodePort')
  t.throws(() => sanitizeManifest(svc({ type: 'LoadBalancer' }), { namespace: ns, allowServiceTypes: ['ClusterIP', 'NodePort'] }), { name: 'ManifestRejectedError', field: 'spec.type' })
  t.throws(() => sanitizeManifest(svc({ ports: [{ port: 80, nodePort: 30001 }] }), { namespace: ns }), { name: 'ManifestRejectedError', field: 'spec.ports[0].nodePort' })
})

t.test('a list is refused as a whole, naming the manifest, and its input is not changed', async (t) => {
  const input = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }, deploy({ hostNetwork: true })]
  const copy = structuredClone(input)
  t.throws(() => sanitizeManifests(input, { namespace: ns }), { name: 'ManifestRejectedError', index: 1, message: /^manifest 1: spec.template.spec.hostNetwork/ })
  t.same(input, copy)
  t.throws(() => sanitizeManifests([svc({}), svc({})], { namespace: ns }), { field: 'metadata.name', index: 1, message: /twice/ })
  t.equal(sanitizeManifests([pod(), svc({}), { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } } }], { namespace: ns }).length, 3)
})

t.test('per-container limits are configurable', async (t) => {
  t.throws(() => sanitizeManifest(pod({}, { resources: { requests: { cpu: '3' } } }), { namespace: ns, maxContainerCpuMilli: 2000 }), { name: 'ManifestRejectedError', field: 'spec.containers[0].resources.requests.cpu' })
  t.doesNotThrow(() => sanitizeManifest(pod({}, { resources: { requests: { cpu: '2' } } }), { namespace: ns, maxContainerCpuMilli: 2000 }))
})

t.test('property: whatever the sanitizer lets through is fenced', async (t) => {
  const fc = await import('fast-check')
  const maybe = <T>(a: import('fast-check').Arbitrary<T>) => fc.option(a, { nil: undefined })
  const container = fc.record({
    name: fc.constantFrom('a', 'b', 'c'),
    image: fc.constant('x:1'),
    securityContext: maybe(fc.record({
      privileged: maybe(fc.boolean()),
      allowPrivilegeEscalation: maybe(fc.boolean()),
      runAsUser: maybe(fc.constantFrom(0, 1000)),
      capabilities: maybe(fc.record({ add: maybe(fc.constantFrom([], ['NET_ADMIN'])), drop: maybe(fc.constantFrom([], ['NET_RAW'])) }, { requiredKeys: [] }))
    }, { requiredKeys: [] })),
    ports: maybe(fc.array(fc.record({ containerPort: fc.constant(80), hostPort: maybe(fc.constantFrom(0, 8080)) }, { requiredKeys: ['containerPort'] }), { maxLength: 2 })),
    resources: maybe(fc.record({ requests: fc.record({ cpu: fc.constantFrom('100m', '2', '100000') }) }))
  }, { requiredKeys: ['name', 'image'] })
  const podSpec = fc.record({
    containers: fc.array(container, { minLength: 1, maxLength: 2 }),
    hostNetwork: maybe(fc.boolean()),
    hostPID: maybe(fc.boolean()),
    nodeName: maybe(fc.constantFrom('', 'n1')),
    serviceAccountName: maybe(fc.constantFrom('default', 'admin')),
    automountServiceAccountToken: maybe(fc.boolean()),
    volumes: maybe(fc.array(fc.constantFrom({ name: 'e', emptyDir: {} }, { name: 'h', hostPath: { path: '/' } }), { maxLength: 2 })),
    securityContext: maybe(fc.record({ runAsNonRoot: maybe(fc.boolean()) }, { requiredKeys: [] }))
  }, { requiredKeys: ['containers'] })
  const manifest = fc.record({
    namespace: maybe(fc.constantFrom(ns, 'other')),
    spec: podSpec
  }).map(({ namespace, spec }) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...(namespace != null ? { namespace } : {}) }, spec }))
  fc.assert(fc.property(manifest, (m) => {
    let out: KubeObject
    try {
      out = sanitizeManifest(m, { namespace: ns })
    } catch (err) {
      return (err as Error).name === 'ManifestRejectedError'
    }
    const spec = out.spec as Obj & { containers: Array<Obj & { securityContext: Obj & { capabilities: { drop: string[], add?: unknown } } }>, volumes?: Obj[], securityContext: Obj }
    return out.metadata.namespace === ns &&
      spec.hostNetwork !== true && spec.hostPID !== true && (spec.nodeName == null || spec.nodeName === '') &&
      spec.automountServiceAccountToken === false && (spec.serviceAccountName == null || spec.serviceAccountName === 'default') &&
      (spec.volumes ?? []).every((v) => v.hostPath == null) && spec.securityContext.runAsNonRoot === true &&
      spec.containers.every((c) => c.securityContext.privileged !== true && c.securityContext.allowPrivilegeEscalation === false &&
        c.securityContext.capabilities.drop.includes('ALL') && c.securityContext.capabilities.add == null && c.securityContext.runAsUser !== 0 &&
        ((c.ports ?? []) as Obj[]).every((p) => p.hostPort == null || p.hostPort === 0))
  }), { numRuns: 500 })
  t.pass('500 random pods: every accepted one is fenced')
})
