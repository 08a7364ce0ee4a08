/**
 * The manifest sanitizer: a pure function between a peer's manifests and our
 * cluster. It refuses anything that would reach past the tenant namespace or
 * weaken the node (naming the field path), and fills the securityContext
 * defaults that Pod Security `restricted` needs so that well-meant manifests
 * are admitted.
 *
 *   const objects = sanitizeManifests(manifests, { namespace: 'skein-lease-1' })
 *   // throws ManifestRejectedError { field: 'spec.template.spec.hostNetwork', index: 0 }
 */
import { ManifestRejectedError } from './errors.ts'
import { parseQuantity } from './quantity.ts'

export type KubeObject = Record<string, unknown> & { apiVersion: string, kind: string, metadata: Record<string, unknown> & { name: string, namespace?: string } }

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer'

export interface SanitizeOptions {
  /** the tenant namespace every object lands in */
  namespace: string
  /** Service types a tenant may create. Default ['ClusterIP']. */
  allowServiceTypes?: readonly ServiceType[]
  /** largest cpu a single container may request or limit, in millicores. Default 64000. */
  maxContainerCpuMilli?: number
  /** largest memory a single container may request or limit, in bytes. Default 1 TiB. */
  maxContainerMemory?: number
  /** largest replica count. Default 1000. */
  maxReplicas?: number
}

/** The kinds a tenant may send, by apiVersion/kind, and where their pod spec sits. */
const allowed: Record<string, string | null> = {
  'v1/Pod': 'spec',
  'v1/Service': null,
  'v1/ConfigMap': null,
  'v1/Secret': null,
  'apps/v1/Deployment': 'spec.template.spec',
  'apps/v1/StatefulSet': 'spec.template.spec',
  'batch/v1/Job': 'spec.template.spec'
}

const clusterScoped = new Set(['Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'PriorityClass',
  'RuntimeClass', 'APIService', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'IngressClass', 'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration'])
const rbacKinds = new Set(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'])

/** metadata the server owns; dropped before apply */
const serverOwnedMeta = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink', 'ownerReferences', 'finalizers']

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v != null && !Array.isArray(v)

export function sanitizeManifests (manifests: readonly unknown[], opts: SanitizeOptions): KubeObject[] {
  const seen = new Set<string>()
  return manifests.map((m, i) => {
    const o = sanitizeManifest(m, opts, i)
    const key = `${o.apiVersion}/${o.kind}/${o.metadata.name}`
    if (seen.has(key)) throw new ManifestRejectedError('metadata.name', `${o.kind} "${o.metadata.name}" appears twice`, i)
    seen.add(key)
    return o
  })
}

export function sanitizeManifest (manifest: unknown, opts: SanitizeOptions, index?: number): KubeObject {
  const reject = (field: string, message: string): never => { throw new ManifestRejectedError(field, message, index) }
  if (!isObj(manifest)) return reject('(root)', 'a manifest must be an object')
  const o = structuredClone(manifest)
  const apiVersion = o.apiVersion
  const kind = o.kind
  if (typeof apiVersion !== 'string' || apiVersion === '') return reject('apiVersion', 'is required')
  if (typeof kind !== 'string' || kind === '') return reject('kind', 'is required')
  if (rbacKinds.has(kind)) return reject('kind', `RBAC kind ${kind} is not allowed`)
  if (clusterScoped.has(kind)) return reject('kind', `cluster-scoped kind ${kind} is not allowed`)
  const key = `${apiVersion}/${kind}`
  if (!(key in allowed)) return reject('kind', `${apiVersion} ${kind} is not an allowed kind (allowed: Deployment, StatefulSet, Job, Pod, Service, ConfigMap, Secret)`)
  if (!isObj(o.metadata)) return reject('metadata', 'is required')
  const meta = o.metadata
  if (typeof meta.name !== 'string' || !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(meta.name)) {
    return reject('metadata.name', 'must be a lowercase RFC 1123 name')
  }
  if (meta.namespace != null && meta.namespace !== opts.namespace) {
    return reject('metadata.namespace', `"${String(meta.namespace)}" is not this tenant's namespace (${opts.namespace})`)
  }
  meta.namespace = opts.namespace
  for (const k of serverOwnedMeta) delete meta[k]
  delete o.status

  const maxReplicas = opts.maxReplicas ?? 1000
  const spec = isObj(o.spec) ? o.spec : undefined
  if (spec != null && 'replicas' in spec && spec.replicas != null) {
    if (typeof spec.replicas !== 'number' || !Number.isInteger(spec.replicas) || spec.replicas < 0 || spec.replicas > maxReplicas) {
      return reject('spec.replicas', `must be an integer from 0 to ${maxReplicas}`)
    }
  }
  if (kind === 'Job' && spec != null) {
    for (const f of ['parallelism', 'completions'] as const) {
      const v = spec[f]
      if (v != null && (typeof v !== 'number' || v < 0 || v > maxReplicas)) return reject(`spec.${f}`, `must be an integer from 0 to ${maxReplicas}`)
    }
  }

  if (kind === 'Service') sanitizeService(o, opts, reject)
  if (kind === 'Secret' && typeof o.type === 'string' && o.type === 'kubernetes.io/service-account-token') {
    return reject('type', 'service-account-token Secrets are not allowed')
  }

  const podPath = allowed[key]
  if (podPath != null) {
    const podSpec = podPath.split('.').reduce<unknown>((cur, p) => (isObj(cur) ? cur[p] : undefined), o)
    if (!isObj(podSpec)) return reject(podPath, 'is required')
    sanitizePodSpec(podSpec, podPath, opts, reject)
  }
  return o as KubeObject
}

type Reject = (field: string, message: string) => never

function sanitizeService (o: Obj, opts: SanitizeOptions, reject: Reject): void {
  const spec = isObj(o.spec) ? o.spec : {}
  const type = typeof spec.type === 'string' ? spec.type : 'ClusterIP'
  const allowedTypes = opts.allowServiceTypes ?? ['ClusterIP']
  if (!(allowedTypes as readonly string[]).includes(type)) reject('spec.type', `Service type ${type} is not allowed (allowed: ${allowedTypes.join(', ')})`)
  if (Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0) reject('spec.externalIPs', 'external IPs are not allowed')
  if (spec.clusterIP != null && spec.clusterIP !== '' && spec.clusterIP !== 'None') reject('spec.clusterIP', 'a fixed cluster IP is not allowed')
  if (Array.isArray(spec.ports)) {
    spec.ports.forEach((p, i) => {
      if (isObj(p) && p.nodePort != null && !(allowedTypes as readonly string[]).includes('NodePort')) reject(`spec.ports[${i}].nodePort`, 'node ports are not allowed')
    })
  }
}

function sanitizePodSpec (spec: Obj, path: string, opts: SanitizeOptions, reject: Reject): void {
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[f] === true) reject(`${path}.${f}`, `${f} is not allowed`)
  }
  if (spec.nodeName != null && spec.nodeName !== '') reject(`${path}.nodeName`, 'pinning to a node is not allowed')
  for (const f of ['serviceAccountName', 'serviceAccount'] as const) {
    if (spec[f] != null && spec[f] !== 'default') reject(`${path}.${f}`, 'only the default service account is allowed')
  }
  if (spec.automountServiceAccountToken === true) reject(`${path}.automountServiceAccountToken`, 'service-account tokens are not mounted into tenant pods')
  spec.automountServiceAccountToken = false
  if (typeof spec.priorityClassName === 'string' && spec.priorityClassName.startsWith('system-')) reject(`${path}.priorityClassName`, 'system priority classes are not allowed')
  if (Array.isArray(spec.volumes)) {
    spec.volumes.forEach((v, i) => {
      if (isObj(v) && v.hostPath != null) reject(`${path}.volumes[${i}].hostPath`, 'hostPath volumes are not allowed')
    })
  }
  const psc = isObj(spec.securityContext) ? spec.securityContext : {}
  spec.securityContext = psc
  if (psc.runAsNonRoot === false) reject(`${path}.securityContext.runAsNonRoot`, 'must not be false (Pod Security restricted)')
  if (psc.runAsUser === 0) reject(`${path}.securityContext.runAsUser`, 'running as root is not allowed')
  checkSeccomp(psc, `${path}.securityContext`, reject)
  if (isObj(psc.windowsOptions) && psc.windowsOptions.hostProcess === true) reject(`${path}.securityContext.windowsOptions.hostProcess`, 'host processes are not allowed')
  psc.runAsNonRoot ??= true
  psc.seccompProfile ??= { type: 'RuntimeDefault' }

  for (const list of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    const cs = spec[list]
    if (cs == null) continue
    if (!Array.isArray(cs)) { reject(`${path}.${list}`, 'must be a list'); continue }
    if (list === 'containers' && cs.length === 0) reject(`${path}.containers`, 'at least one container is required')
    cs.forEach((c, i) => {
      const cp = `${path}.${list}[${i}]`
      if (!isObj(c)) { reject(cp, 'must be an object'); return }
      sanitizeContainer(c, cp, opts, reject)
    })
  }
  if (spec.containers == null) reject(`${path}.containers`, 'at least one container is required')
}

function checkSeccomp (sc: Obj, path: string, reject: Reject): void {
  if (isObj(sc.seccompProfile) && sc.seccompProfile.type === 'Unconfined') reject(`${path}.seccompProfile.type`, 'Unconfined seccomp is not allowed')
}

function sanitizeContainer (c: Obj, path: string, opts: SanitizeOptions, reject: Reject): void {
  const sc = isObj(c.securityContext) ? c.securityContext : {}
  c.securityContext = sc
  if (sc.privileged === true) reject(`${path}.securityContext.privileged`, 'privileged containers are not allowed')
  if (sc.allowPrivilegeEscalation === true) reject(`${path}.securityContext.allowPrivilegeEscalation`, 'privilege escalation is not allowed')
  if (sc.runAsNonRoot === false) reject(`${path}.securityContext.runAsNonRoot`, 'must not be false (Pod Security restricted)')
  if (sc.runAsUser === 0) reject(`${path}.securityContext.runAsUser`, 'running as root is not allowed')
  if (sc.procMount != null && sc.procMount !== 'Default') reject(`${path}.securityContext.procMount`, 'only the default /proc mount is allowed')
  checkSeccomp(sc, `${path}.securityContext`, reject)
  if (isObj(sc.windowsOptions) && sc.windowsOptions.hostProcess === true) reject(`${path}.securityContext.windowsOptions.hostProcess`, 'host processes are not allowed')
  const caps = isObj(sc.capabilities) ? sc.capabilities : {}
  if (Array.isArray(caps.add) && caps.add.length > 0) reject(`${path}.securityContext.capabilities.add`, `adding capabilities (${caps.add.map(String).join(', ')}) is not allowed`)
  sc.allowPrivilegeEscalation = false
  const drop = Array.isArray(caps.drop) ? caps.drop.map(String) : []
  if (!drop.includes('ALL')) drop.push('ALL')
  caps.drop = drop
  delete caps.add
  sc.capabilities = caps

  if (Array.isArray(c.ports)) {
    c.ports.forEach((p, i) => {
      if (isObj(p) && p.hostPort != null && p.hostPort !== 0) reject(`${path}.ports[${i}].hostPort`, 'host ports are not allowed')
      if (isObj(p) && p.hostIP != null) reject(`${path}.ports[${i}].hostIP`, 'host IPs are not allowed')
    })
  }
  const maxCpu = opts.maxContainerCpuMilli ?? 64000
  const maxMem = opts.maxContainerMemory ?? 2 ** 40
  const res = isObj(c.resources) ? c.resources : undefined
  for (const kind of ['requests', 'limits'] as const) {
    const r = res != null && isObj(res[kind]) ? res[kind] : undefined
    if (r == null) continue
    for (const [name, q] of Object.entries(r)) {
      const field = `${path}.resources.${kind}.${name}`
      const v = parseQuantity(q as string | number)
      if (v == null || v < 0) { reject(field, `"${String(q)}" is not a resource quantity`); continue }
      if (name === 'cpu' && v * 1000 > maxCpu) reject(field, `${String(q)} cpu is more than any container may ask for (${maxCpu / 1000})`)
      if (name === 'memory' && v > maxMem) reject(field, `${String(q)} memory is more than any container may ask for`)
    }
  }
}
