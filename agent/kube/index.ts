/**
 * agent/kube: everything the agent does to its own cluster, through
 * @kubernetes/client-node — free capacity kept current by watches, one fenced
 * tenant namespace per lease, server-side apply of sanitized workloads into
 * it, their status, their logs. The rest of the agent sees only the narrow
 * `KubeClient` interface below (fake it in unit tests; use the API emulator
 * in sim/kube for anything end-to-end).
 *
 *   const backend = await openKubeBackend(kubeBackendConfig(config.kube))   // kubeconfig | in-cluster | embedded emulator
 *   const client = kube({ kubeConfig: backend.kubeConfig, backend: backend.info, onStop: backend.close, ...kubeClientOptions(config.kube) })({ logger, metrics })
 *   await client.start()
 *   await client.waitForSync({ signal })
 *   client.capacity().free                                       // { cpu: 3400, memory: 7516192768, pods: 107, ... }
 *   const t = await client.ensureTenant({ leaseId, ownerPeer, quota: { cpu: 1000, memory: 2 ** 30, pods: 10 }, tunnelCidrs: ['100.64.0.0/10'] })
 *   await client.applyWorkload(t.namespace, manifests)           // throws ManifestRejectedError naming the field
 *   const w = client.watchWorkloads(t.namespace, (s) => console.log(s.kind, s.name, s.phase))
 *   await w.stop(); await client.deleteTenant(leaseId); await client.stop()
 *
 * Units everywhere: cpu in millicores, memory and storage in bytes, pods as a
 * count. Every async method takes `{ signal }` and has a default timeout;
 * API failures are typed (errors.ts) and retried with backoff where that helps.
 */
import type { ComponentLogger } from '../logger.ts'
import type { KubeConfig } from '@kubernetes/client-node'
import type { Registry } from 'prom-client'
import type { RetryPolicy } from './http.ts'
import type { KubeObject, SanitizeOptions } from './sanitize.ts'
import type { Capacity, WorkloadRef, WorkloadStatus } from './status.ts'
import type { TenantRef, TenantSpec } from './tenant.ts'
import { KubeClientImpl } from './client.ts'

export type { Capacity, WorkloadRef, WorkloadStatus, PodSummary, WorkloadPhase, Condition } from './status.ts'
export type { TenantRef, TenantSpec, Resources } from './tenant.ts'
export type { KubeObject, SanitizeOptions, ServiceType } from './sanitize.ts'
export { sanitizeManifest, sanitizeManifests } from './sanitize.ts'
export { tenantNamespace, tenantObjects } from './tenant.ts'
export { computeCapacity, workloadStatus } from './status.ts'
export { openKubeBackend, resolveKubeMode, type KubeBackend, type KubeBackendConfig, type KubeBackendInfo, type KubeMode } from './backend.ts'
export * from './errors.ts'

export interface CallOptions {
  signal?: AbortSignal
}

export interface AppliedObject {
  kind: string
  name: string
  namespace: string
  uid: string
  resourceVersion: string
}

export interface WorkloadWatch {
  /** ends the watch; resolves once its connections are closed */
  stop(): Promise<void>
}

export interface KubeInfo {
  backend: string
  server: string
  context?: string
  /** the capacity watches have listed once and are current */
  synced: boolean
  nodes: number
  readyNodes: number
  /** the latest API error seen by a watch, if any */
  lastError?: string
}

export interface KubeClient {
  start(): Promise<void>
  /** stops every watch (and the embedded emulator, if this client owns one); safe to call twice */
  stop(): Promise<void>

  /**
   * Free capacity now, from node allocatable minus pod requests; current as of the last watch event.
   * `tenantRequested` is the part of `requested` in tenant namespaces (skein-*), so that an offer
   * can count granted leases once: lendable ≈ allocatable − (requested − tenantRequested) − Σ granted quotas.
   */
  capacity(): Capacity & { synced: boolean }
  /** called whenever free capacity changes; returns an unsubscribe function */
  onCapacity(listener: (c: Capacity) => void): () => void
  /** resolves once the capacity watches have listed nodes and pods */
  waitForSync(opts?: CallOptions): Promise<void>

  /** creates or updates the fenced namespace of a lease (idempotent) */
  ensureTenant(spec: TenantSpec, opts?: CallOptions): Promise<TenantRef>
  /** deletes a lease's namespace and everything in it; `wait` resolves only once it is gone */
  deleteTenant(leaseId: string, opts?: CallOptions & { wait?: boolean }): Promise<void>
  listTenants(opts?: CallOptions): Promise<TenantRef[]>

  /** sanitizes, then server-side applies (field manager `skein`) every manifest into the namespace */
  applyWorkload(namespace: string, manifests: readonly unknown[], opts?: CallOptions): Promise<AppliedObject[]>
  /** what applyWorkload would refuse, without applying: throws ManifestRejectedError naming the field */
  checkWorkload(namespace: string, manifests: readonly unknown[]): void
  /** deletes the named objects (their pods go with them); missing ones are not an error */
  deleteWorkload(namespace: string, refs: readonly WorkloadRef[], opts?: CallOptions): Promise<void>
  workloadStatus(namespace: string, ref: WorkloadRef, opts?: CallOptions): Promise<WorkloadStatus>
  /** watches every Deployment, StatefulSet, Job and bare Pod of a namespace; calls back on each status change */
  watchWorkloads(namespace: string, listener: (status: WorkloadStatus) => void): WorkloadWatch
  podLogs(namespace: string, pod: string, opts?: CallOptions & { container?: string, tailLines?: number }): Promise<string>

  info(): KubeInfo
}

export interface KubeInit {
  kubeConfig: KubeConfig
  backend?: { mode: string, server: string, context?: string }
  /** per-request timeout, in ms. Default 10000. */
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
  /** sanitizer policy (Service types, per-container limits) */
  sanitize?: Omit<SanitizeOptions, 'namespace'>
  /** field manager for server-side apply. Default "skein". */
  fieldManager?: string
  /** server-side watch timeout, in seconds; watches are renewed after it (a watch silent for 15 s longer is treated as dead). Default 60. */
  watchTimeoutS?: number
  /** run after stop(), e.g. to stop an embedded emulator */
  onStop?: () => Promise<void> | void
}

export interface KubeComponents {
  logger: ComponentLogger
  /** when given: skein_kube_requests_total, skein_kube_retries_total, skein_kube_watch_restarts_total, skein_kube_free_* */
  metrics?: { registry: Registry }
}

export function kube (init: KubeInit): (components: KubeComponents) => KubeClient {
  return (components) => new KubeClientImpl(init, components)
}

export type { KubeObject as Manifest }
