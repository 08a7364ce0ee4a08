/**
 * The objects that fence one lease's tenant on our cluster, built as plain
 * data (pure, testable): the namespace with its labels and Pod Security
 * `restricted`, a ResourceQuota equal to the lease's quota, LimitRange
 * defaults, a default-deny NetworkPolicy that admits the tenant itself and the
 * tunnel range, and a default ServiceAccount that mounts no token.
 */
import { createHash } from 'node:crypto'
import { InvalidTenantError } from './errors.ts'
import { formatBytes, formatMilli } from './quantity.ts'
import type { KubeObject } from './sanitize.ts'

/** Amounts of resources: cpu in millicores, memory and storage in bytes. */
export interface Resources {
  cpu: number
  memory: number
  pods: number
  ephemeralStorage?: number
  gpu?: number
}

export interface TenantSpec {
  /** the lease this tenant namespace belongs to */
  leaseId: string
  /** peer ID of the consumer that holds the lease */
  ownerPeer: string
  /** the lease's quota: becomes the namespace's ResourceQuota */
  quota: Resources
  /** CIDRs the NetworkPolicy admits besides the tenant itself (the WireGuard tunnel range). Default []. */
  tunnelCidrs?: readonly string[]
  /** per-container defaults for containers that set none. Default 100m/128Mi requests, 500m/256Mi limits (capped by the quota). */
  containerDefaults?: { requests?: { cpu?: number, memory?: number }, limits?: { cpu?: number, memory?: number } }
  /** extra labels on the namespace */
  labels?: Record<string, string>
}

export interface TenantRef {
  namespace: string
  leaseId: string
  ownerPeer: string
}

export const labels = {
  tenant: 'skein.dev/tenant',
  leaseId: 'skein.dev/lease-id',
  ownerPeer: 'skein.dev/owner-peer',
  managedBy: 'app.kubernetes.io/managed-by'
} as const
export const annotations = { leaseId: 'skein.dev/lease-id', ownerPeer: 'skein.dev/owner-peer' } as const

const labelValueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

/** A label value: the input when it is a valid one, else a stable hash of it. */
export function labelValue (v: string): string {
  return v.length <= 63 && labelValueRe.test(v) ? v : `h-${createHash('sha256').update(v).digest('hex').slice(0, 40)}`
}

/** The namespace of a lease: "skein-" + the lease ID made DNS-safe, with a hash when that changed it. */
export function tenantNamespace (leaseId: string): string {
  if (leaseId === '') throw new InvalidTenantError('a lease ID is required')
  const clean = leaseId.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '')
  const exact = clean === leaseId && clean.length <= 50
  if (exact) return `skein-${clean}`
  const hash = createHash('sha256').update(leaseId).digest('hex').slice(0, 8)
  return `skein-${clean.slice(0, 40).replace(/-+$/g, '')}-${hash}`.replace(/--+/g, '-')
}

function checkSpec (spec: TenantSpec): void {
  if (typeof spec.leaseId !== 'string' || spec.leaseId === '' || spec.leaseId.length > 256) throw new InvalidTenantError('leaseId must be a non-empty string of at most 256 characters')
  if (typeof spec.ownerPeer !== 'string' || spec.ownerPeer === '' || spec.ownerPeer.length > 256) throw new InvalidTenantError('ownerPeer must be a non-empty string')
  const q = spec.quota
  for (const k of ['cpu', 'memory', 'pods'] as const) {
    if (!Number.isFinite(q?.[k]) || q[k] < 0) throw new InvalidTenantError(`quota.${k} must be a non-negative number`)
  }
  for (const c of spec.tunnelCidrs ?? []) {
    if (!/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(c)) throw new InvalidTenantError(`tunnel CIDR "${c}" is not a CIDR`)
  }
}

/** Every object of a tenant, in apply order (the namespace first). */
export function tenantObjects (spec: TenantSpec): KubeObject[] {
  checkSpec(spec)
  const namespace = tenantNamespace(spec.leaseId)
  // Kubernetes keeps whole millicores (rounding up) and whole bytes: round the same way here, memory and pods down
  const q = { ...spec.quota, cpu: Math.ceil(spec.quota.cpu), memory: Math.floor(spec.quota.memory), pods: Math.floor(spec.quota.pods) }
  const common = { [labels.managedBy]: 'skein', [labels.leaseId]: labelValue(spec.leaseId) }
  const ns: KubeObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: namespace,
      labels: {
        ...(spec.labels ?? {}),
        ...common,
        [labels.tenant]: 'true',
        [labels.ownerPeer]: labelValue(spec.ownerPeer),
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted'
      },
      annotations: { [annotations.leaseId]: spec.leaseId, [annotations.ownerPeer]: spec.ownerPeer }
    }
  }
  const hard: Record<string, string> = {
    'requests.cpu': formatMilli(q.cpu),
    'requests.memory': formatBytes(q.memory),
    pods: String(q.pods),
    'services.nodeports': '0',
    'services.loadbalancers': '0'
  }
  if (q.ephemeralStorage != null) hard['requests.ephemeral-storage'] = formatBytes(q.ephemeralStorage)
  if (q.gpu != null) hard['requests.nvidia.com/gpu'] = String(q.gpu)
  const quota: KubeObject = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'skein-quota', namespace, labels: common }, spec: { hard } }

  const d = spec.containerDefaults ?? {}
  const cap = (v: number, max: number): number => Math.max(1, Math.min(v, max))
  const reqCpu = cap(d.requests?.cpu ?? 100, q.cpu)
  const reqMem = cap(d.requests?.memory ?? 128 * 2 ** 20, q.memory)
  const limCpu = Math.max(reqCpu, cap(d.limits?.cpu ?? 500, q.cpu))
  const limMem = Math.max(reqMem, cap(d.limits?.memory ?? 256 * 2 ** 20, q.memory))
  const limitRange: KubeObject = {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'skein-defaults', namespace, labels: common },
    spec: {
      limits: [{
        type: 'Container',
        // a quota line on ephemeral storage makes Kubernetes refuse every pod that requests none; a default of 0 counts them as asking for nothing
        defaultRequest: { cpu: formatMilli(reqCpu), memory: formatBytes(reqMem), ...(q.ephemeralStorage != null ? { 'ephemeral-storage': '0' } : {}) },
        default: { cpu: formatMilli(limCpu), memory: formatBytes(limMem) },
        ...(q.cpu > 0 && q.memory > 0 ? { max: { cpu: formatMilli(q.cpu), memory: formatBytes(q.memory) } } : {})
      }]
    }
  }
  const peers = [{ podSelector: {} }, ...(spec.tunnelCidrs ?? []).map((cidr) => ({ ipBlock: { cidr } }))]
  const netpol: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'skein-default-deny', namespace, labels: common },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: peers }],
      egress: [
        { to: peers },
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
          ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]
        }
      ]
    }
  }
  const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace, labels: common }, automountServiceAccountToken: false }
  return [ns, quota, limitRange, netpol, sa]
}

/** Reads a TenantRef back from a namespace object. */
export function tenantRefOf (ns: { metadata?: Record<string, unknown> }): TenantRef | undefined {
  const m = ns.metadata ?? {}
  const l = (m.labels ?? {}) as Record<string, string>
  const a = (m.annotations ?? {}) as Record<string, string>
  if (l[labels.tenant] !== 'true' || typeof m.name !== 'string') return undefined
  return { namespace: m.name, leaseId: a[annotations.leaseId] ?? l[labels.leaseId] ?? '', ownerPeer: a[annotations.ownerPeer] ?? l[labels.ownerPeer] ?? '' }
}
