/**
 * The KubeClient implementation: capacity reflectors (nodes, non-terminal
 * pods), tenant namespaces and workloads by server-side apply, status watches.
 * See index.ts for the contract.
 */
import type { AppliedObject, CallOptions, KubeClient, KubeComponents, KubeInfo, KubeInit, WorkloadWatch } from './index.ts'
import { Counter, Gauge } from 'prom-client'
import { KubeHttp } from './http.ts'
import { Reflector, type Obj } from './reflector.ts'
import { KubeGoneError, KubeInvalidError, KubeNotFoundError } from './errors.ts'
import { sanitizeManifests, type KubeObject } from './sanitize.ts'
import { computeCapacity, podSelector, selects, workloadStatus, type Capacity, type WorkloadRef, type WorkloadStatus } from './status.ts'
import { tenantNamespace, tenantObjects, tenantRefOf, labels, type TenantRef, type TenantSpec } from './tenant.ts'

/** Where each kind the agent touches lives in the REST API. */
const kinds: Record<string, { prefix: string, plural: string, namespaced: boolean }> = {
  Namespace: { prefix: '/api/v1', plural: 'namespaces', namespaced: false },
  Node: { prefix: '/api/v1', plural: 'nodes', namespaced: false },
  Pod: { prefix: '/api/v1', plural: 'pods', namespaced: true },
  Service: { prefix: '/api/v1', plural: 'services', namespaced: true },
  ConfigMap: { prefix: '/api/v1', plural: 'configmaps', namespaced: true },
  Secret: { prefix: '/api/v1', plural: 'secrets', namespaced: true },
  ServiceAccount: { prefix: '/api/v1', plural: 'serviceaccounts', namespaced: true },
  ResourceQuota: { prefix: '/api/v1', plural: 'resourcequotas', namespaced: true },
  LimitRange: { prefix: '/api/v1', plural: 'limitranges', namespaced: true },
  Deployment: { prefix: '/apis/apps/v1', plural: 'deployments', namespaced: true },
  StatefulSet: { prefix: '/apis/apps/v1', plural: 'statefulsets', namespaced: true },
  Job: { prefix: '/apis/batch/v1', plural: 'jobs', namespaced: true },
  NetworkPolicy: { prefix: '/apis/networking.k8s.io/v1', plural: 'networkpolicies', namespaced: true }
}

function pathFor (kind: string, namespace: string | undefined, name?: string): string {
  const k = kinds[kind]
  if (k == null) throw new KubeInvalidError(`kind ${kind} is not one the agent manages`)
  const ns = k.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : ''
  return `${k.prefix}${ns}/${k.plural}${name != null ? `/${encodeURIComponent(name)}` : ''}`
}

const meta = (o: Obj): Record<string, unknown> => (o.metadata ?? {})

export class KubeClientImpl implements KubeClient {
  private readonly init: KubeInit
  private readonly log: KubeComponents['logger']
  readonly http: KubeHttp
  private readonly nodes: Reflector
  private readonly pods: Reflector
  private readonly listeners = new Set<(c: Capacity) => void>()
  private readonly watches = new Set<WorkloadWatch>()
  private lastCapacity = ''
  private started = false
  private stopping?: Promise<void>
  private readonly fieldManager: string
  private readonly onRestart: (resource: string) => (reason: 'gone' | 'dropped' | 'error') => void

  constructor (init: KubeInit, components: KubeComponents) {
    this.init = init
    this.log = components.logger
    this.fieldManager = init.fieldManager ?? 'skein'
    const registers = components.metrics != null ? [components.metrics.registry] : []
    const requests = new Counter({ name: 'skein_kube_requests_total', help: 'Kubernetes API requests by method and HTTP status (error: no answer)', labelNames: ['method', 'code'], registers })
    const retries = new Counter({ name: 'skein_kube_retries_total', help: 'Kubernetes API requests retried after a retryable failure, by error', labelNames: ['reason'], registers })
    const restarts = new Counter({ name: 'skein_kube_watch_restarts_total', help: 'Watches started over with a fresh list, by reason (gone: 410, dropped, error)', labelNames: ['resource', 'reason'], registers })
    this.onRestart = (resource) => (reason) => { restarts.inc({ resource, reason }) }
    if (registers.length > 0) {
      const free = (): Capacity['free'] => computeCapacity(this.nodes.items(), this.pods.items()).free
      for (const [res, suffix, unit] of [['cpu', '_millicores', 'millicores'], ['memory', '_bytes', 'bytes'], ['pods', '', 'pods']] as const) {
        // read at scrape time from the watch caches
        new Gauge({
          name: `skein_kube_free_${res}${suffix}`,
          help: `Free ${res} of the local cluster in ${unit}: allocatable of ready nodes minus requests of running pods`,
          registers,
          collect () { this.set(free()[res]) }
        })
      }
    }
    this.http = new KubeHttp({
      onResult: ({ method, status }) => { requests.inc({ method, code: String(status) }) },
      kubeConfig: init.kubeConfig,
      ...(init.timeoutMs != null ? { timeoutMs: init.timeoutMs } : {}),
      ...(init.retry != null ? { retry: init.retry } : {}),
      onRetry: ({ method, path, attempt, delayMs, err }) => {
        retries.inc({ reason: err.name })
        this.log.debug({ method, path, attempt, delayMs, err: err.message, status: err.statusCode }, 'retrying kube request')
      }
    })
    const onError = (err: unknown, what: string): void => {
      if (err instanceof KubeGoneError) this.log.debug({ what }, 'watch expired (410 Gone): re-listing')
      else this.log.warn({ what, err: (err as Error).message }, 'kube watch failed; retrying')
    }
    const common = { http: this.http, onError, ...(init.watchTimeoutS != null ? { watchTimeoutS: init.watchTimeoutS } : {}) }
    this.nodes = new Reflector({ ...common, path: '/api/v1/nodes', onRestart: this.onRestart('nodes'), onChange: () => { this.capacityChanged() } })
    this.pods = new Reflector({ ...common, path: '/api/v1/pods', onRestart: this.onRestart('pods'), fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed', onChange: () => { this.capacityChanged() } })
  }

  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    this.nodes.start()
    this.pods.start()
    this.log.info({ backend: this.init.backend?.mode, server: this.http.server, context: this.init.backend?.context }, 'kube client started')
  }

  async stop (): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.all([...this.watches].map(async (w) => { await w.stop() }))
      await Promise.all([this.nodes.stop(), this.pods.stop()])
      this.listeners.clear()
      await this.init.onStop?.()
    })()
    await this.stopping
  }

  // ---- capacity ----

  capacity (): Capacity & { synced: boolean } {
    return { ...computeCapacity(this.nodes.items(), this.pods.items()), synced: this.nodes.synced && this.pods.synced }
  }

  private capacityChanged (): void {
    if (!this.nodes.synced || !this.pods.synced || this.listeners.size === 0) return
    const c = computeCapacity(this.nodes.items(), this.pods.items())
    const key = JSON.stringify(c)
    if (key === this.lastCapacity) return
    this.lastCapacity = key
    for (const l of this.listeners) {
      try { l(c) } catch (err) { this.log.error({ err }, 'capacity listener threw') }
    }
  }

  onCapacity (listener: (c: Capacity) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  async waitForSync (opts: CallOptions = {}): Promise<void> {
    const signal = opts.signal ?? AbortSignal.timeout(30_000)
    await Promise.all([this.nodes.waitForSync(signal), this.pods.waitForSync(signal)])
  }

  info (): KubeInfo {
    const c = computeCapacity(this.nodes.items(), this.pods.items())
    const lastError = this.nodes.lastError ?? this.pods.lastError
    return {
      backend: this.init.backend?.mode ?? 'kubeconfig',
      server: this.http.server,
      ...(this.init.backend?.context != null ? { context: this.init.backend.context } : {}),
      synced: this.nodes.synced && this.pods.synced,
      nodes: c.nodes,
      readyNodes: c.readyNodes,
      ...(lastError != null ? { lastError } : {})
    }
  }

  // ---- server-side apply ----

  private async apply (o: KubeObject, signal?: AbortSignal): Promise<AppliedObject> {
    const ns = o.metadata.namespace
    const out = await this.http.request<Obj>('PATCH', pathFor(o.kind, ns, o.metadata.name), {
      query: { fieldManager: this.fieldManager, force: true },
      body: JSON.stringify(o),
      contentType: 'application/apply-patch+yaml',
      ...(signal != null ? { signal } : {})
    })
    const m = meta(out)
    return { kind: o.kind, name: o.metadata.name, namespace: String(m.namespace ?? ns ?? ''), uid: String(m.uid ?? ''), resourceVersion: String(m.resourceVersion ?? '') }
  }

  // ---- tenants ----

  async ensureTenant (spec: TenantSpec, opts: CallOptions = {}): Promise<TenantRef> {
    const objects = tenantObjects(spec)
    for (const o of objects) await this.apply(o, opts.signal)
    const namespace = objects[0]?.metadata.name ?? tenantNamespace(spec.leaseId)
    this.log.info({ leaseId: spec.leaseId, ownerPeer: spec.ownerPeer, namespace, quota: spec.quota }, 'tenant namespace applied')
    return { namespace, leaseId: spec.leaseId, ownerPeer: spec.ownerPeer }
  }

  async deleteTenant (leaseId: string, opts: CallOptions & { wait?: boolean } = {}): Promise<void> {
    const namespace = tenantNamespace(leaseId)
    try {
      await this.http.request('DELETE', pathFor('Namespace', undefined, namespace), { body: { propagationPolicy: 'Background' }, ...(opts.signal != null ? { signal: opts.signal } : {}) })
    } catch (err) {
      if (!(err instanceof KubeNotFoundError)) throw err
    }
    this.log.info({ leaseId, namespace }, 'tenant namespace deleted')
    if (opts.wait === true) await this.waitGone(namespace, opts.signal ?? AbortSignal.timeout(60_000))
  }

  /** Watches one namespace until it is gone (no polling). */
  private async waitGone (namespace: string, signal: AbortSignal): Promise<void> {
    let resolveGone!: () => void
    const gone = new Promise<void>((resolve) => { resolveGone = resolve })
    const r = new Reflector({
      http: this.http,
      path: '/api/v1/namespaces',
      fieldSelector: `metadata.name=${namespace}`,
      onChange: () => { if (r.items().length === 0) resolveGone() }
    })
    r.start()
    try {
      await Promise.race([gone, new Promise<never>((_resolve, reject) => {
        if (signal.aborted) reject(signal.reason)
        signal.addEventListener('abort', () => { reject(signal.reason) }, { once: true })
      })])
    } finally {
      await r.stop()
    }
  }

  async listTenants (opts: CallOptions = {}): Promise<TenantRef[]> {
    const list = await this.http.request<{ items?: Obj[] }>('GET', '/api/v1/namespaces', { query: { labelSelector: `${labels.tenant}=true` }, ...(opts.signal != null ? { signal: opts.signal } : {}) })
    return (list.items ?? []).map((ns) => tenantRefOf(ns)).filter((t): t is TenantRef => t != null)
  }

  // ---- workloads ----

  checkWorkload (namespace: string, manifests: readonly unknown[]): void {
    sanitizeManifests(manifests, { ...(this.init.sanitize ?? {}), namespace })
  }

  async applyWorkload (namespace: string, manifests: readonly unknown[], opts: CallOptions = {}): Promise<AppliedObject[]> {
    const objects = sanitizeManifests(manifests, { ...(this.init.sanitize ?? {}), namespace })
    const out: AppliedObject[] = []
    for (const o of objects) out.push(await this.apply(o, opts.signal))
    this.log.info({ namespace, objects: out.map((o) => `${o.kind}/${o.name}`) }, 'workload applied')
    return out
  }

  async deleteWorkload (namespace: string, refs: readonly WorkloadRef[], opts: CallOptions = {}): Promise<void> {
    for (const ref of refs) {
      try {
        await this.http.request('DELETE', pathFor(ref.kind, namespace, ref.name), { body: { propagationPolicy: 'Background' }, ...(opts.signal != null ? { signal: opts.signal } : {}) })
      } catch (err) {
        if (!(err instanceof KubeNotFoundError)) throw err
      }
    }
  }

  async workloadStatus (namespace: string, ref: WorkloadRef, opts: CallOptions = {}): Promise<WorkloadStatus> {
    const sig = opts.signal != null ? { signal: opts.signal } : {}
    const o = await this.http.request<Obj>('GET', pathFor(ref.kind, namespace, ref.name), sig)
    o.kind ??= ref.kind
    let pods: Obj[] = []
    const selector = podSelector(o)
    if (selector != null && ref.kind !== 'Pod') {
      const list = await this.http.request<{ items?: Obj[] }>('GET', pathFor('Pod', namespace), { query: { labelSelector: selector }, ...sig })
      pods = list.items ?? []
    }
    return workloadStatus(o, pods)
  }

  watchWorkloads (namespace: string, listener: (status: WorkloadStatus) => void): WorkloadWatch {
    const last = new Map<string, string>()
    const emit = (): void => {
      if (![deployments, statefulsets, jobs, pods].every((r) => r.synced)) return
      const allPods = pods.items()
      const statuses: WorkloadStatus[] = []
      for (const [kind, r] of [['Deployment', deployments], ['StatefulSet', statefulsets], ['Job', jobs]] as const) {
        for (const o of r.items()) {
          o.kind ??= kind
          statuses.push(workloadStatus(o, allPods.filter((p) => selects(o, (meta(p).labels ?? {}) as Record<string, string>))))
        }
      }
      for (const p of allPods) {
        if (Array.isArray(meta(p).ownerReferences) && (meta(p).ownerReferences as unknown[]).length > 0) continue
        p.kind ??= 'Pod'
        statuses.push(workloadStatus(p, []))
      }
      const seen = new Set<string>()
      for (const s of statuses) {
        const key = `${s.kind}/${s.name}`
        seen.add(key)
        const text = JSON.stringify(s)
        if (last.get(key) === text) continue
        last.set(key, text)
        try { listener(s) } catch (err) { this.log.error({ err }, 'workload status listener threw') }
      }
      for (const key of [...last.keys()]) if (!seen.has(key)) last.delete(key)
    }
    const onError = (err: unknown, what: string): void => { this.log.warn({ what, err: (err as Error).message, namespace }, 'workload watch failed; retrying') }
    const mk = (kind: string): Reflector => new Reflector({ http: this.http, path: pathFor(kind, namespace), onChange: emit, onError, ...(this.init.watchTimeoutS != null ? { watchTimeoutS: this.init.watchTimeoutS } : {}) })
    const deployments = mk('Deployment'); const statefulsets = mk('StatefulSet'); const jobs = mk('Job'); const pods = mk('Pod')
    const all = [deployments, statefulsets, jobs, pods]
    for (const r of all) r.start()
    const w: WorkloadWatch = {
      stop: async () => {
        this.watches.delete(w)
        await Promise.all(all.map(async (r) => { await r.stop() }))
      }
    }
    this.watches.add(w)
    return w
  }

  async podLogs (namespace: string, pod: string, opts: CallOptions & { container?: string, tailLines?: number } = {}): Promise<string> {
    return await this.http.request<string>('GET', `${pathFor('Pod', namespace, pod)}/log`, {
      query: { container: opts.container, tailLines: opts.tailLines },
      text: true,
      ...(opts.signal != null ? { signal: opts.signal } : {})
    })
  }
}
