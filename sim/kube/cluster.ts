/**
 * What runs behind the emulated API server: defaulting and validation of the
 * kinds Skein uses, admission (LimitRange defaults, ResourceQuota, namespaces
 * being terminated), and the controllers — scheduler and node simulator
 * (pods placed against node allocatable, Pending → Running, Unschedulable
 * with the real message), Deployment → ReplicaSet → Pods, StatefulSet, Job,
 * ResourceQuota status, namespace deletion, owner-reference garbage
 * collection — plus fault hooks (fail a pod, lose a node).
 *
 * Controllers reconcile on every committed change (coalesced) and on timers
 * for things that happen later (a Job's pod finishing); there is no polling.
 */
import { createHash } from 'node:crypto'
import { formatBytes, formatMilli, formatResource, milli, resourceValue, units } from '../../agent/kube/quantity.ts'
import { type ResourceType, resourceTypes, qualifiedName } from './resources.ts'
import { Store, StatusError, forbidden, invalid, meta, type Obj, type StoredEvent, type WriteOptions } from './store.ts'
import { structuredMatcher, type StructuredSelector } from './selectors.ts'
import { clone } from './patch.ts'

export interface NodeSpec {
  /** cpu quantity, e.g. "4" or "3500m". Default "4". */
  cpu?: string
  /** memory quantity. Default "8Gi". */
  memory?: string
  /** pods per node. Default 110. */
  pods?: number
  labels?: Record<string, string>
}

export interface ClusterInit {
  /** number of simulated nodes. Default 1. */
  nodes?: number
  /** capacity of each node (the same for all). */
  node?: NodeSpec
  /** node name prefix. Default "sim-node". */
  nodePrefix?: string
  /** how long a scheduled pod stays Pending before it runs, in ms. Default 0. */
  startDelayMs?: number
  /** how long a Job's pod runs before it succeeds, in ms. Default 200. */
  jobRunMs?: number
  /** bounded watch history, in events. Default 4096. */
  historySize?: number
  /** a running container writes one heartbeat log line this often, in ms; 0 for none. Default 5000. */
  logEveryMs?: number
}

/** One line of a pod's log; `container` is unset for lines every container shows (scheduling, restarts). */
export interface LogEntry { seq: number, at: number, container?: string, text: string }

const T = (kind: string): ResourceType => {
  const t = resourceTypes.find((x) => x.kind === kind)
  if (t == null) throw new Error(`no type ${kind}`)
  return t
}
const Pod = T('Pod'); const Node = T('Node'); const Namespace = T('Namespace'); const ReplicaSet = T('ReplicaSet')
const Deployment = T('Deployment'); const StatefulSet = T('StatefulSet'); const Job = T('Job'); const ResourceQuota = T('ResourceQuota')
const LimitRange = T('LimitRange'); const ServiceAccount = T('ServiceAccount'); const Service = T('Service'); const Event = T('Event')

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v != null && !Array.isArray(v)
const obj = (v: unknown): Obj => (isObj(v) ? v : {})
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : [])
const str = (v: unknown): string => (typeof v === 'string' ? v : '')
const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z')
const nameOf = (o: Obj): string => str(meta(o).name)
const nsOf = (o: Obj): string => str(meta(o).namespace)
const uidOf = (o: Obj): string => str(meta(o).uid)
const labelsOf = (o: Obj): Record<string, string> => obj(meta(o).labels) as Record<string, string>
const terminal = (p: Obj): boolean => obj(p.status).phase === 'Succeeded' || obj(p.status).phase === 'Failed'

function shortHash (v: unknown): string {
  const h = createHash('sha256').update(JSON.stringify(v)).digest()
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789'
  let s = ''
  for (let i = 0; i < 10; i++) s += alphabet[(h[i] as number) % alphabet.length]
  return s
}

export interface PodRequests { cpu: number, memory: number }

/** Effective requests of a pod: containers summed, init containers as a max. */
export function podRequests (pod: Obj): PodRequests {
  const spec = obj(pod.spec)
  let cpu = 0; let memory = 0
  for (const c of arr(spec.containers)) {
    const req = obj(obj(c.resources).requests)
    cpu += milli(req.cpu as string); memory += units(req.memory as string)
  }
  for (const c of arr(spec.initContainers)) {
    const req = obj(obj(c.resources).requests)
    cpu = Math.max(cpu, milli(req.cpu as string)); memory = Math.max(memory, units(req.memory as string))
  }
  return { cpu, memory }
}

/** Sets a condition, keeping lastTransitionTime when the status did not change. */
function setCondition (conditions: Obj[], c: { type: string, status: string, reason?: string, message?: string }, extra: Obj = {}): Obj[] {
  const prev = conditions.find((x) => x.type === c.type)
  const same = prev != null && prev.status === c.status
  const next: Obj = { type: c.type, status: c.status, ...extra, lastTransitionTime: same ? prev.lastTransitionTime : now(), ...(c.reason != null ? { reason: c.reason } : {}), ...(c.message != null ? { message: c.message } : {}) }
  if (same && prev.reason === c.reason && prev.message === c.message) return conditions
  const out = conditions.filter((x) => x.type !== c.type)
  out.push(next)
  return out
}

function defaultPodSpec (spec: Obj): void {
  spec.restartPolicy ??= 'Always'
  spec.dnsPolicy ??= 'ClusterFirst'
  spec.schedulerName ??= 'default-scheduler'
  spec.terminationGracePeriodSeconds ??= 30
  spec.securityContext ??= {}
  if (spec.serviceAccountName == null && typeof spec.serviceAccount === 'string') spec.serviceAccountName = spec.serviceAccount
  spec.serviceAccountName ??= 'default'
  spec.serviceAccount = spec.serviceAccountName
  for (const c of [...arr(spec.containers), ...arr(spec.initContainers)]) {
    const image = str(c.image)
    c.imagePullPolicy ??= image.endsWith(':latest') || !/:[^/]+$/.test(image) ? 'Always' : 'IfNotPresent'
    c.terminationMessagePath ??= '/dev/termination-log'
    c.terminationMessagePolicy ??= 'File'
    const res = obj(c.resources)
    c.resources = res
    // the API server defaults requests from limits
    if (isObj(res.limits)) {
      const req = obj(res.requests)
      for (const [k, v] of Object.entries(res.limits)) if (req[k] == null) req[k] = v
      res.requests = req
    }
    for (const p of arr(c.ports)) p.protocol ??= 'TCP'
  }
}

function validatePodSpec (t: ResourceType, name: string, spec: Obj, path: string): void {
  const containers = arr(spec.containers)
  if (containers.length === 0) throw invalid(t, name, `${path}.containers`, 'Required value')
  containers.forEach((c, i) => {
    if (str(c.name) === '') throw invalid(t, name, `${path}.containers[${i}].name`, 'Required value')
    if (str(c.image) === '') throw invalid(t, name, `${path}.containers[${i}].image`, 'Required value')
  })
  for (const [res, q] of containers.flatMap((c) => Object.entries(obj(obj(c.resources).requests)))) {
    if (resourceValue(res, q as string) < 0) throw invalid(t, name, `${path}.containers.resources.requests[${res}]`, `Invalid value: "${String(q)}": must be greater than or equal to 0`)
  }
}

export class Cluster {
  readonly store: Store
  private readonly init: Required<Omit<ClusterInit, 'node' | 'historySize'>> & { node: Required<Omit<NodeSpec, 'labels'>> & { labels: Record<string, string> } }
  private timer: NodeJS.Timeout | undefined
  private dueAt = Infinity
  private reconciling = false
  private dirty = false
  private stopped = false
  private nextIp = new Map<string, number>()
  private nextClusterIp = 10
  private nextNodePort = 30000
  /** when a bound pod may start or a running pod finishes: pod uid → ms */
  private readonly readyAt = new Map<string, number>()
  private readonly logs = new Map<string, LogEntry[]>()
  /** heartbeat lines already written: pod uid → count */
  private readonly beats = new Map<string, number>()
  private logSeq = 0

  constructor (init: ClusterInit = {}) {
    this.init = {
      nodes: init.nodes ?? 1,
      nodePrefix: init.nodePrefix ?? 'sim-node',
      startDelayMs: init.startDelayMs ?? 0,
      jobRunMs: init.jobRunMs ?? 200,
      logEveryMs: init.logEveryMs ?? 5000,
      node: { cpu: init.node?.cpu ?? '4', memory: init.node?.memory ?? '8Gi', pods: init.node?.pods ?? 110, labels: init.node?.labels ?? {} }
    }
    this.store = new Store({
      ...(init.historySize != null ? { historySize: init.historySize } : {}),
      hooks: {
        prepare: (t, o, old) => { this.prepare(t, o, old) },
        admit: (t, o, old, opts) => { this.admit(t, o, old, opts) },
        changed: (ev) => { this.changed(ev) }
      }
    })
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.store.create(Namespace, undefined, { metadata: { name } }, { internal: true })
    }
    for (let i = 0; i < this.init.nodes; i++) this.addNode(`${this.init.nodePrefix}-${i}`)
  }

  stop (): void {
    this.stopped = true
    if (this.timer != null) clearTimeout(this.timer)
    this.timer = undefined
  }

  // ---- fault and topology hooks ----

  addNode (name: string, spec: NodeSpec = {}): Obj {
    const index = this.store.all(Node).length
    const cpu = spec.cpu ?? this.init.node.cpu
    const memory = spec.memory ?? this.init.node.memory
    const pods = String(spec.pods ?? this.init.node.pods)
    const resources = { cpu, memory, pods, 'ephemeral-storage': '20Gi' }
    return this.store.create(Node, undefined, {
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'arm64', 'node.kubernetes.io/instance-type': 'skein-sim', ...this.init.node.labels, ...(spec.labels ?? {}) } },
      spec: { podCIDR: `10.42.${index}.0/24`, podCIDRs: [`10.42.${index}.0/24`] },
      status: {
        capacity: resources,
        allocatable: resources,
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now(), lastTransitionTime: now() }],
        addresses: [{ type: 'InternalIP', address: `10.0.0.${index + 1}` }, { type: 'Hostname', address: name }],
        nodeInfo: { kubeletVersion: 'v1.32.0-skein-sim', osImage: 'skein emulator', architecture: 'arm64', operatingSystem: 'linux', containerRuntimeVersion: 'sim://1.0', kernelVersion: '6.0.0', machineID: '', systemUUID: '', bootID: '', kubeProxyVersion: '' }
      }
    }, { internal: true })
  }

  /** The node stops reporting: NotReady, cordoned and tainted; its pods are evicted (controllers recreate them elsewhere). */
  loseNode (name: string): void {
    const node = this.store.get(Node, undefined, name)
    const status = obj(node.status)
    status.conditions = setCondition(arr(status.conditions), { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }, { lastHeartbeatTime: now() })
    const spec = obj(node.spec)
    spec.unschedulable = true
    spec.taints = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: now() }]
    node.spec = spec
    this.store.update(Node, undefined, name, node, { internal: true })
    for (const p of this.store.all(Pod)) {
      if (obj(p.spec).nodeName === name) this.store.delete(Pod, nsOf(p), nameOf(p), { internal: true })
    }
  }

  restoreNode (name: string): void {
    const node = this.store.get(Node, undefined, name)
    const status = obj(node.status)
    status.conditions = setCondition(arr(status.conditions), { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }, { lastHeartbeatTime: now() })
    const spec = obj(node.spec)
    delete spec.unschedulable
    delete spec.taints
    this.store.update(Node, undefined, name, node, { internal: true })
  }

  /** A container exits: restarted in place under restartPolicy Always, else the pod fails. */
  failPod (namespace: string, name: string, opts: { exitCode?: number, reason?: string } = {}): void {
    const pod = this.store.get(Pod, namespace, name)
    const status = obj(pod.status)
    const exitCode = opts.exitCode ?? 1
    const reason = opts.reason ?? 'Error'
    const finishedAt = now()
    if (obj(pod.spec).restartPolicy === 'Always' || (obj(pod.spec).restartPolicy === 'OnFailure' && exitCode !== 0)) {
      status.containerStatuses = arr(status.containerStatuses).map((c) => ({
        ...c,
        restartCount: (typeof c.restartCount === 'number' ? c.restartCount : 0) + 1,
        lastState: { terminated: { exitCode, reason, startedAt: obj(obj(c.state).running).startedAt ?? finishedAt, finishedAt } },
        state: { running: { startedAt: finishedAt } }
      }))
      this.log(pod, `container exited with code ${exitCode} (${reason}); restarted`)
    } else {
      status.phase = 'Failed'
      status.reason = reason
      status.containerStatuses = arr(status.containerStatuses).map((c) => ({ ...c, ready: false, started: false, state: { terminated: { exitCode, reason, finishedAt } } }))
      status.conditions = setCondition(setCondition(arr(status.conditions), { type: 'Ready', status: 'False', reason: 'PodFailed' }), { type: 'ContainersReady', status: 'False', reason: 'PodFailed' })
      this.log(pod, `container exited with code ${exitCode} (${reason})`)
    }
    pod.status = status
    this.store.update(Pod, namespace, name, pod, { internal: true })
  }

  /** The log lines the node simulator wrote for a pod (every container's). */
  podLog (pod: Obj): string[] {
    return this.logEntries(pod).map((e) => e.text)
  }

  /**
   * A pod's log entries, oldest first, for one container (plus the lines
   * every container shows) or all of them. Heartbeats that fell due since
   * the last read are written first: a running pod writes one line per
   * container every logEveryMs, stamped with the time it fell due.
   */
  logEntries (pod: Obj, container?: string): LogEntry[] {
    this.heartbeats(pod)
    const all = this.logs.get(uidOf(pod)) ?? []
    return container == null ? all : all.filter((e) => e.container == null || e.container === container)
  }

  private heartbeats (pod: Obj): void {
    const every = this.init.logEveryMs
    const status = obj(pod.status)
    if (every <= 0 || status.phase !== 'Running') return
    const start = Date.parse(str(status.startTime))
    if (!Number.isFinite(start)) return
    const uid = uidOf(pod)
    let n = this.beats.get(uid) ?? 0
    const due = Math.floor((Date.now() - start) / every)
    // a pod read after a long pause catches up with at most the last 200 beats
    if (due - n > 200) n = due - 200
    for (; n < due; n++) {
      const at = start + (n + 1) * every
      for (const c of arr(obj(pod.spec).containers)) this.log(pod, `container ${str(c.name)} running (heartbeat ${n + 1})`, { container: str(c.name), at })
    }
    this.beats.set(uid, n)
  }

  private log (pod: Obj, line: string, opts: { container?: string, at?: number } = {}): void {
    const uid = uidOf(pod)
    const lines = this.logs.get(uid) ?? []
    const at = opts.at ?? Date.now()
    lines.push({ seq: ++this.logSeq, at, ...(opts.container != null ? { container: opts.container } : {}), text: `${new Date(at).toISOString()} [skein-sim] ${line}` })
    if (lines.length > 200) lines.shift()
    this.logs.set(uid, lines)
  }

  // ---- defaulting and validation ----

  private prepare (t: ResourceType, o: Obj, old: Obj | undefined): void {
    const m = meta(o)
    const name = nameOf(o)
    switch (t.kind) {
      case 'Namespace': {
        m.labels = { ...obj(m.labels), 'kubernetes.io/metadata.name': name }
        o.spec = { finalizers: ['kubernetes'], ...obj(o.spec) }
        if (old == null) o.status = { phase: 'Active' }
        else if (o.status == null) o.status = clone(old.status)
        break
      }
      case 'Pod': {
        const spec = obj(o.spec)
        o.spec = spec
        defaultPodSpec(spec)
        validatePodSpec(t, name, spec, 'spec')
        if (old == null) o.status = { phase: 'Pending', qosClass: this.qos(spec) }
        else {
          const oc = arr(obj(old.spec).containers).map((c) => JSON.stringify(c.resources ?? {}))
          const nc = arr(spec.containers).map((c) => JSON.stringify(c.resources ?? {}))
          if (JSON.stringify(oc) !== JSON.stringify(nc)) throw invalid(t, name, 'spec', 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations) or `spec.terminationGracePeriodSeconds`')
          if (obj(old.spec).nodeName != null && spec.nodeName !== obj(old.spec).nodeName) throw invalid(t, name, 'spec.nodeName', 'Forbidden: pod updates may not change nodeName')
        }
        break
      }
      case 'Deployment':
      case 'ReplicaSet':
      case 'StatefulSet': {
        const spec = obj(o.spec)
        o.spec = spec
        spec.replicas ??= 1
        if (typeof spec.replicas !== 'number' || spec.replicas < 0) throw invalid(t, name, 'spec.replicas', `Invalid value: ${JSON.stringify(spec.replicas)}: must be greater than or equal to 0`)
        spec.revisionHistoryLimit ??= 10
        if (t.kind === 'Deployment') {
          spec.progressDeadlineSeconds ??= 600
          spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } }
        }
        if (t.kind === 'StatefulSet') {
          spec.podManagementPolicy ??= 'OrderedReady'
          spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }
          spec.serviceName ??= ''
        }
        this.checkTemplate(t, name, spec)
        if (old == null) o.status = {}
        break
      }
      case 'Job': {
        const spec = obj(o.spec)
        o.spec = spec
        spec.parallelism ??= 1
        spec.completions ??= 1
        spec.backoffLimit ??= 6
        spec.completionMode ??= 'NonIndexed'
        const template = obj(spec.template)
        spec.template = template
        const tm = obj(template.metadata)
        template.metadata = tm
        if (old == null) {
          const uid = uidOf(o)
          if (spec.manualSelector !== true) {
            tm.labels = { ...obj(tm.labels), 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name }
            spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } }
          }
          o.status = {}
        } else if (JSON.stringify(obj(old.spec).template) !== JSON.stringify(spec.template)) {
          throw invalid(t, name, 'spec.template', 'Invalid value: field is immutable')
        }
        const rp = obj(template.spec).restartPolicy
        if (rp !== 'Never' && rp !== 'OnFailure') throw invalid(t, name, 'spec.template.spec.restartPolicy', `Required value: valid values: "OnFailure", "Never"`)
        this.checkTemplate(t, name, spec)
        break
      }
      case 'Service': {
        const spec = obj(o.spec)
        o.spec = spec
        spec.type ??= 'ClusterIP'
        spec.sessionAffinity ??= 'None'
        const oldSpec = old != null ? obj(old.spec) : undefined
        if (spec.clusterIP == null || spec.clusterIP === '') spec.clusterIP = oldSpec?.clusterIP ?? this.allocateClusterIp()
        spec.clusterIPs = spec.clusterIP === 'None' ? ['None'] : [spec.clusterIP]
        spec.ipFamilies ??= ['IPv4']
        spec.ipFamilyPolicy ??= 'SingleStack'
        spec.internalTrafficPolicy ??= 'Cluster'
        const ports = arr(spec.ports)
        if (ports.length === 0 && spec.clusterIP !== 'None') throw invalid(t, name, 'spec.ports', 'Required value')
        for (const p of ports) {
          p.protocol ??= 'TCP'
          p.targetPort ??= p.port
          if ((spec.type === 'NodePort' || spec.type === 'LoadBalancer') && p.nodePort == null) {
            const prev = arr(oldSpec?.ports).find((x) => x.port === p.port)
            p.nodePort = prev?.nodePort ?? this.nextNodePort++
          }
        }
        if (old == null) o.status = { loadBalancer: {} }
        break
      }
      case 'LimitRange': {
        for (const item of arr(obj(o.spec).limits)) {
          if (isObj(item.default) && !isObj(item.defaultRequest)) item.defaultRequest = clone(item.default)
        }
        break
      }
      case 'ResourceQuota': {
        if (old == null) o.status = {}
        break
      }
    }
  }

  private checkTemplate (t: ResourceType, name: string, spec: Obj): void {
    const template = obj(spec.template)
    const tspec = obj(template.spec)
    defaultPodSpec(tspec)
    validatePodSpec(t, name, tspec, 'spec.template.spec')
    template.spec = tspec
    spec.template = template
    const selector = spec.selector as StructuredSelector | undefined
    if (selector == null) throw invalid(t, name, 'spec.selector', 'Required value')
    const labels = obj(obj(template.metadata).labels) as Record<string, string>
    if (!structuredMatcher(selector)(labels)) {
      throw invalid(t, name, 'spec.template.metadata.labels', `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``)
    }
  }

  private qos (spec: Obj): string {
    const cs = arr(spec.containers)
    const any = cs.some((c) => Object.keys(obj(obj(c.resources).requests)).length > 0 || Object.keys(obj(obj(c.resources).limits)).length > 0)
    if (!any) return 'BestEffort'
    const guaranteed = cs.every((c) => {
      const r = obj(c.resources); const req = obj(r.requests); const lim = obj(r.limits)
      return lim.cpu != null && lim.memory != null && milli(req.cpu as string) === milli(lim.cpu as string) && units(req.memory as string) === units(lim.memory as string)
    })
    return guaranteed ? 'Guaranteed' : 'Burstable'
  }

  private allocateClusterIp (): string {
    const n = this.nextClusterIp++
    return `10.43.${Math.floor(n / 250)}.${n % 250}`
  }

  // ---- admission ----

  private admit (t: ResourceType, o: Obj, old: Obj | undefined, _opts: WriteOptions): void {
    if (!t.namespaced || old != null) return
    const ns = this.store.peek(Namespace, undefined, nsOf(o))
    if (ns == null) throw new StatusError(404, 'NotFound', `namespaces "${nsOf(o)}" not found`, { name: nsOf(o), kind: 'namespaces' })
    if (meta(ns).deletionTimestamp != null) {
      throw new StatusError(403, 'Forbidden', `${qualifiedName(t)} "${nameOf(o)}" is forbidden: unable to create new content in namespace ${nsOf(o)} because it is being terminated`, { name: nameOf(o), kind: t.name })
    }
    if (t.kind === 'Pod') this.applyLimitRanges(o)
    this.checkQuota(t, o)
  }

  private applyLimitRanges (pod: Obj): void {
    const ranges = this.store.all(LimitRange, nsOf(pod))
    for (const lr of ranges) {
      for (const item of arr(obj(lr.spec).limits)) {
        if (item.type !== 'Container') continue
        for (const c of arr(obj(pod.spec).containers)) {
          const res = obj(c.resources)
          const lim = obj(res.limits); const req = obj(res.requests)
          for (const [k, v] of Object.entries(obj(item.default))) if (lim[k] == null) lim[k] = v
          for (const [k, v] of Object.entries(obj(item.defaultRequest))) if (req[k] == null) req[k] = v
          if (Object.keys(lim).length > 0) res.limits = lim
          if (Object.keys(req).length > 0) res.requests = req
          c.resources = res
          for (const [k, max] of Object.entries(obj(item.max))) {
            const have = lim[k] ?? req[k]
            if (have != null && resourceValue(k, have as string) > resourceValue(k, max as string)) {
              throw forbidden(Pod, nameOf(pod), `maximum ${k} usage per Container is ${String(max)}, but limit is ${String(have)}`)
            }
          }
          for (const [k, min] of Object.entries(obj(item.min))) {
            const have = req[k]
            if (have != null && resourceValue(k, have as string) < resourceValue(k, min as string)) {
              throw forbidden(Pod, nameOf(pod), `minimum ${k} usage per Container is ${String(min)}, but request is ${String(have)}`)
            }
          }
        }
      }
    }
  }

  /** What one object counts against a quota, by quota resource name. */
  private usageOf (t: ResourceType, o: Obj): Record<string, number> {
    const u: Record<string, number> = { [`count/${qualifiedName(t)}`]: 1 }
    const legacy: Record<string, string> = { Service: 'services', ConfigMap: 'configmaps', Secret: 'secrets', PersistentVolumeClaim: 'persistentvolumeclaims', ReplicationController: 'replicationcontrollers' }
    if (legacy[t.kind] != null) u[legacy[t.kind] as string] = 1
    if (t.kind === 'Service') {
      const type = obj(o.spec).type
      if (type === 'NodePort') u['services.nodeports'] = arr(obj(o.spec).ports).length
      if (type === 'LoadBalancer') u['services.loadbalancers'] = 1
    }
    if (t.kind === 'Pod') {
      if (terminal(o)) return {}
      u.pods = 1
      for (const kind of ['requests', 'limits'] as const) {
        for (const res of ['cpu', 'memory', 'ephemeral-storage']) {
          let total = 0
          for (const c of arr(obj(o.spec).containers)) total += resourceValue(res, obj(obj(c.resources)[kind])[res] as string)
          u[`${kind}.${res}`] = total
          if (kind === 'requests') u[res] = total
        }
      }
    }
    return u
  }

  private checkQuota (t: ResourceType, o: Obj): void {
    const quotas = this.store.all(ResourceQuota, nsOf(o))
    if (quotas.length === 0) return
    const req = this.usageOf(t, o)
    for (const q of quotas) {
      const hard = obj(obj(q.spec).hard)
      const keys = Object.keys(hard).filter((k) => k in req)
      if (keys.length === 0) continue
      if (t.kind === 'Pod') {
        const missing: string[] = []
        for (const k of keys) {
          const m = /^(requests|limits)\.(cpu|memory|ephemeral-storage)$/.exec(k) ?? /^()(cpu|memory|ephemeral-storage)$/.exec(k)
          if (m == null) continue
          const kind = m[1] === 'limits' ? 'limits' : 'requests'
          const lacking = arr(obj(o.spec).containers).filter((c) => obj(obj(c.resources)[kind])[m[2] as string] == null).map((c) => str(c.name))
          if (lacking.length > 0) missing.push(`${kind}.${m[2] as string} for: ${lacking.join(',')}`)
        }
        if (missing.length > 0) throw forbidden(t, nameOf(o), `failed quota: ${nameOf(q)}: must specify ${missing.join('; ')}`)
      }
      const used = this.quotaUsed(nsOf(o), keys)
      const over = keys.filter((k) => (used[k] ?? 0) + (req[k] ?? 0) > resourceValue(k, hard[k] as string))
      if (over.length > 0) {
        const fmt = (m: Record<string, number> | Obj, f: (k: string) => string): string => over.map((k) => `${k}=${f(k)}`).join(',')
        throw forbidden(t, nameOf(o), `exceeded quota: ${nameOf(q)}, requested: ${fmt(req, (k) => formatResource(k, req[k] ?? 0))}, used: ${fmt(used, (k) => formatResource(k, used[k] ?? 0))}, limited: ${fmt(hard, (k) => String(hard[k]))}`)
      }
    }
  }

  private quotaUsed (namespace: string, keys: string[]): Record<string, number> {
    const used: Record<string, number> = {}
    for (const k of keys) used[k] = 0
    for (const t of resourceTypes) {
      if (!t.namespaced) continue
      for (const o of this.store.all(t, namespace)) {
        const u = this.usageOf(t, o)
        for (const k of keys) used[k] = (used[k] ?? 0) + (u[k] ?? 0)
      }
    }
    return used
  }

  // ---- reconciliation ----

  private changed (ev: StoredEvent): void {
    if (ev.type === Event) return
    if (ev.type === Pod && ev.eventType === 'DELETED') {
      this.logs.delete(uidOf(ev.object))
      this.beats.delete(uidOf(ev.object))
      this.readyAt.delete(uidOf(ev.object))
    }
    if (ev.type === Namespace && ev.eventType === 'ADDED') {
      this.queue(() => {
        try { this.store.create(ServiceAccount, nameOf(ev.object), { metadata: { name: 'default' } }, { internal: true }) } catch {}
      })
    }
    this.schedule(0)
  }

  private readonly pending: Array<() => void> = []
  private queue (fn: () => void): void { this.pending.push(fn) }

  private schedule (ms: number): void {
    if (this.stopped) return
    if (this.reconciling) { this.dirty = true; if (ms === 0) return }
    const at = Date.now() + ms
    if (this.timer != null && this.dueAt <= at) return
    if (this.timer != null) clearTimeout(this.timer)
    this.dueAt = at
    this.timer = setTimeout(() => { this.timer = undefined; this.dueAt = Infinity; this.reconcile() }, ms)
    this.timer.unref()
  }

  /** Runs every controller until nothing changes (bounded), then sleeps until the next change or timer. */
  reconcile (): void {
    if (this.stopped) return
    this.reconciling = true
    let next = Infinity
    try {
      for (let round = 0; round < 20; round++) {
        this.dirty = false
        for (const fn of this.pending.splice(0)) fn()
        this.namespaces()
        this.garbageCollect()
        this.deployments()
        this.replicaSets()
        this.statefulSets()
        this.jobs()
        this.schedulePods()
        next = Math.min(next, this.kubelet())
        this.quotas()
        if (!this.dirty) break
      }
    } finally {
      this.reconciling = false
    }
    if (this.dirty) this.schedule(0)
    if (next !== Infinity) this.schedule(Math.max(1, next - Date.now()))
    if (this.retryAt !== Infinity) { this.schedule(Math.max(1, this.retryAt - Date.now())); this.retryAt = Infinity }
  }

  private retryAt = Infinity

  private write (t: ResourceType, o: Obj): void {
    try {
      this.store.update(t, nsOf(o) === '' ? undefined : nsOf(o), nameOf(o), o, { internal: true })
    } catch (err) {
      if (!(err instanceof StatusError)) throw err
    }
  }

  private namespaces (): void {
    for (const ns of this.store.all(Namespace)) {
      if (meta(ns).deletionTimestamp == null) continue
      const name = nameOf(ns)
      let left = 0
      for (const t of resourceTypes) {
        if (!t.namespaced) continue
        for (const o of this.store.all(t, name)) {
          left++
          try { this.store.delete(t, name, nameOf(o), { internal: true }) } catch {}
        }
      }
      if (left === 0) {
        try { this.store.delete(Namespace, undefined, name, { internal: true }) } catch {}
      }
    }
  }

  private garbageCollect (): void {
    const uids = new Set<string>()
    for (const t of resourceTypes) for (const o of this.store.all(t)) uids.add(uidOf(o))
    for (const t of resourceTypes) {
      if (!t.namespaced) continue
      for (const o of this.store.all(t)) {
        const owners = arr(meta(o).ownerReferences)
        if (owners.length > 0 && owners.every((r) => !uids.has(str(r.uid)))) {
          try { this.store.delete(t, nsOf(o), nameOf(o), { internal: true }) } catch {}
        }
      }
    }
  }

  private owned (t: ResourceType, owner: Obj): Obj[] {
    const uid = uidOf(owner)
    return this.store.all(t, nsOf(owner)).filter((o) => arr(meta(o).ownerReferences).some((r) => r.uid === uid && r.controller === true))
  }

  private ownerRef (kind: ResourceType, owner: Obj): Obj {
    return { apiVersion: kind.group === '' ? kind.version : `${kind.group}/${kind.version}`, kind: kind.kind, name: nameOf(owner), uid: uidOf(owner), controller: true, blockOwnerDeletion: true }
  }

  private createPod (owner: ResourceType, parent: Obj, template: Obj, name: { name?: string, generateName?: string }, extraLabels: Record<string, string> = {}): boolean {
    const tm = obj(template.metadata)
    const pod: Obj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        ...name,
        namespace: nsOf(parent),
        labels: { ...obj(tm.labels), ...extraLabels },
        ...(isObj(tm.annotations) ? { annotations: clone(tm.annotations) } : {}),
        ownerReferences: [this.ownerRef(owner, parent)]
      },
      spec: clone(obj(template.spec))
    }
    try {
      this.store.create(Pod, nsOf(parent), pod, { internal: true })
      return true
    } catch (err) {
      if (!(err instanceof StatusError)) throw err
      const status = obj(parent.status)
      status.conditions = setCondition(arr(status.conditions), { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: err.message })
      parent.status = status
      this.write(owner, parent)
      this.retryAt = Math.min(this.retryAt, Date.now() + 1000)
      return false
    }
  }

  private clearFailure (parent: Obj): void {
    const status = obj(parent.status)
    if (arr(status.conditions).some((c) => c.type === 'ReplicaFailure')) {
      status.conditions = arr(status.conditions).filter((c) => c.type !== 'ReplicaFailure')
    }
    if (arr(status.conditions).length === 0) delete status.conditions
    parent.status = status
  }

  private deployments (): void {
    for (const live of this.store.all(Deployment)) {
      if (meta(live).deletionTimestamp != null) continue
      const d = clone(live)
      const spec = obj(d.spec)
      const replicas = Number(spec.replicas ?? 1)
      const template = clone(obj(spec.template))
      const hash = shortHash(template)
      const rsName = `${nameOf(d)}-${hash}`
      const sets = this.owned(ReplicaSet, d)
      let current = sets.find((rs) => nameOf(rs) === rsName)
      const revision = Math.max(0, ...sets.map((rs) => Number(obj(meta(rs).annotations)['deployment.kubernetes.io/revision'] ?? 0)))
      if (current == null) {
        const tm = obj(template.metadata)
        tm.labels = { ...obj(tm.labels), 'pod-template-hash': hash }
        template.metadata = tm
        const selector = clone(obj(spec.selector)) as StructuredSelector
        selector.matchLabels = { ...(selector.matchLabels ?? {}), 'pod-template-hash': hash }
        try {
          current = this.store.create(ReplicaSet, nsOf(d), {
            metadata: {
              name: rsName,
              namespace: nsOf(d),
              labels: obj(tm.labels),
              annotations: { 'deployment.kubernetes.io/revision': String(revision + 1), 'deployment.kubernetes.io/desired-replicas': String(replicas) },
              ownerReferences: [this.ownerRef(Deployment, d)]
            },
            spec: { replicas: 0, selector, template }
          }, { internal: true })
        } catch (err) {
          if (!(err instanceof StatusError)) throw err
          const status = obj(d.status)
          status.conditions = setCondition(arr(status.conditions), { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: err.message })
          d.status = status
          this.write(Deployment, d)
          continue
        }
      }
      const newAvailable = Number(obj(current.status).availableReplicas ?? 0)
      for (const rs of sets) {
        const want = nameOf(rs) === rsName ? replicas : Math.max(0, Math.min(Number(obj(rs.spec).replicas ?? 0), replicas - newAvailable))
        if (obj(rs.spec).replicas !== want) {
          const next = clone(rs)
          obj(next.spec).replicas = want
          this.write(ReplicaSet, next)
        }
      }
      if (obj(current.spec).replicas !== replicas && !sets.some((rs) => nameOf(rs) === rsName)) {
        const next = clone(current)
        obj(next.spec).replicas = replicas
        this.write(ReplicaSet, next)
      }
      const all = this.owned(ReplicaSet, d)
      const sum = (f: string): number => all.reduce((n, rs) => n + Number(obj(rs.status)[f] ?? 0), 0)
      const cur = all.find((rs) => nameOf(rs) === rsName)
      const updated = Number(obj(cur?.status).replicas ?? 0)
      const available = sum('availableReplicas')
      const maxUnavailable = this.maxUnavailable(spec, replicas)
      const status = obj(d.status)
      const conds = arr(status.conditions)
      let c = setCondition(conds, available >= replicas - maxUnavailable
        ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
        : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, { lastUpdateTime: now() })
      const done = updated === replicas && Number(obj(cur?.status).availableReplicas ?? 0) === replicas && sum('replicas') === replicas
      c = setCondition(c, done
        ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }
        : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` }, { lastUpdateTime: now() })
      const failure = arr(obj(cur?.status).conditions).find((x) => x.type === 'ReplicaFailure')
      if (failure != null) c = setCondition(c, { type: 'ReplicaFailure', status: 'True', reason: str(failure.reason), message: str(failure.message) }, { lastUpdateTime: now() })
      else c = c.filter((x) => x.type !== 'ReplicaFailure')
      const next: Obj = {
        observedGeneration: meta(d).generation,
        replicas: sum('replicas'),
        updatedReplicas: updated,
        readyReplicas: sum('readyReplicas'),
        availableReplicas: available,
        ...(replicas - available > 0 ? { unavailableReplicas: replicas - available } : {}),
        conditions: c
      }
      if (next.readyReplicas === 0) delete next.readyReplicas
      if (next.availableReplicas === 0) delete next.availableReplicas
      if (JSON.stringify(stripTimes(next)) !== JSON.stringify(stripTimes(status))) {
        d.status = next
        this.write(Deployment, d)
      }
    }
  }

  private maxUnavailable (spec: Obj, replicas: number): number {
    const v = obj(obj(spec.strategy).rollingUpdate).maxUnavailable ?? '25%'
    if (obj(spec.strategy).type === 'Recreate') return replicas
    if (typeof v === 'number') return v
    const pct = /^(\d+)%$/.exec(String(v))
    return pct != null ? Math.floor(replicas * Number(pct[1]) / 100) : Number(v)
  }

  private podReady (p: Obj): boolean {
    return !terminal(p) && arr(obj(p.status).conditions).some((c) => c.type === 'Ready' && c.status === 'True')
  }

  private replicaSets (): void {
    for (const live of this.store.all(ReplicaSet)) {
      const rs = clone(live)
      const want = Number(obj(rs.spec).replicas ?? 0)
      let pods = this.owned(Pod, rs)
      for (const p of pods.filter(terminal)) { try { this.store.delete(Pod, nsOf(p), nameOf(p), { internal: true }) } catch {} }
      pods = pods.filter((p) => !terminal(p))
      let ok = true
      for (let i = pods.length; i < want && ok; i++) ok = this.createPod(ReplicaSet, rs, obj(obj(rs.spec).template), { generateName: `${nameOf(rs)}-` })
      if (pods.length > want) {
        const order = [...pods].sort((a, b) => Number(this.podReady(a)) - Number(this.podReady(b)) || str(meta(b).creationTimestamp).localeCompare(str(meta(a).creationTimestamp)))
        for (const p of order.slice(0, pods.length - want)) { try { this.store.delete(Pod, nsOf(p), nameOf(p), { internal: true }) } catch {} }
      }
      const fresh = this.store.peek(ReplicaSet, nsOf(rs), nameOf(rs))
      if (fresh == null) continue
      const r = clone(fresh)
      pods = this.owned(Pod, r).filter((p) => !terminal(p))
      if (ok) this.clearFailure(r)
      const ready = pods.filter((p) => this.podReady(p)).length
      const status = obj(r.status)
      const next: Obj = { ...status, replicas: pods.length, fullyLabeledReplicas: pods.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: meta(r).generation }
      for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'] as const) if (next[k] === 0) delete next[k]
      if (JSON.stringify(next) !== JSON.stringify(status)) { r.status = next; this.write(ReplicaSet, r) }
    }
  }

  private statefulSets (): void {
    for (const live of this.store.all(StatefulSet)) {
      const s = clone(live)
      const spec = obj(s.spec)
      const want = Number(spec.replicas ?? 1)
      const revision = `${nameOf(s)}-${shortHash(spec.template)}`
      const pods = this.owned(Pod, s)
      const byName = new Map(pods.map((p) => [nameOf(p), p]))
      let ok = true
      for (const p of pods.filter(terminal)) { try { this.store.delete(Pod, nsOf(p), nameOf(p), { internal: true }) } catch {} }
      for (let i = 0; i < want && ok; i++) {
        const name = `${nameOf(s)}-${i}`
        const p = byName.get(name)
        if (p != null && !terminal(p)) {
          if (spec.podManagementPolicy !== 'Parallel' && !this.podReady(p)) break
          continue
        }
        const template = clone(obj(spec.template))
        obj(template.spec).hostname = name
        if (str(spec.serviceName) !== '') obj(template.spec).subdomain = spec.serviceName
        ok = this.createPod(StatefulSet, s, template, { name }, { 'statefulset.kubernetes.io/pod-name': name, 'controller-revision-hash': revision, 'apps.kubernetes.io/pod-index': String(i) })
        if (spec.podManagementPolicy !== 'Parallel') break
      }
      for (const p of pods) {
        const i = Number(nameOf(p).slice(nameOf(s).length + 1))
        if (i >= want) { try { this.store.delete(Pod, nsOf(p), nameOf(p), { internal: true }) } catch {} }
      }
      const fresh = this.store.peek(StatefulSet, nsOf(s), nameOf(s))
      if (fresh == null) continue
      const r = clone(fresh)
      if (ok) this.clearFailure(r)
      const now = this.owned(Pod, r).filter((p) => !terminal(p))
      const ready = now.filter((p) => this.podReady(p)).length
      const status = obj(r.status)
      const next: Obj = { ...status, observedGeneration: meta(r).generation, replicas: now.length, readyReplicas: ready, currentReplicas: now.length, updatedReplicas: now.length, availableReplicas: ready, currentRevision: revision, updateRevision: revision, collisionCount: 0 }
      if (JSON.stringify(next) !== JSON.stringify(status)) { r.status = next; this.write(StatefulSet, r) }
    }
  }

  private jobs (): void {
    for (const live of this.store.all(Job)) {
      const j = clone(live)
      const spec = obj(j.spec)
      const status = obj(j.status)
      const finished = arr(status.conditions).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')
      const pods = this.owned(Pod, j)
      const active = pods.filter((p) => !terminal(p))
      const succeeded = pods.filter((p) => obj(p.status).phase === 'Succeeded').length
      const failed = pods.filter((p) => obj(p.status).phase === 'Failed').length
      const completions = Number(spec.completions ?? 1)
      const parallelism = Number(spec.parallelism ?? 1)
      let conds = arr(status.conditions)
      let ok = true
      if (!finished && spec.suspend !== true) {
        if (succeeded >= completions) {
          conds = setCondition(setCondition(conds, { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' }, { lastProbeTime: now() }),
            { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' }, { lastProbeTime: now() })
          status.completionTime = now()
        } else if (failed > Number(spec.backoffLimit ?? 6)) {
          conds = setCondition(setCondition(conds, { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }, { lastProbeTime: now() }),
            { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }, { lastProbeTime: now() })
          for (const p of active) { try { this.store.delete(Pod, nsOf(p), nameOf(p), { internal: true }) } catch {} }
        } else {
          const want = Math.min(parallelism, completions - succeeded) - active.length
          for (let i = 0; i < want && ok; i++) ok = this.createPod(Job, j, obj(spec.template), { generateName: `${nameOf(j)}-` })
        }
      }
      const fresh = this.store.peek(Job, nsOf(j), nameOf(j))
      if (fresh == null) continue
      const r = clone(fresh)
      const stillActive = this.owned(Pod, r).filter((p) => !terminal(p)).length
      const next: Obj = {
        ...obj(r.status),
        startTime: obj(r.status).startTime ?? now(),
        ...(stillActive > 0 ? { active: stillActive } : {}),
        ...(succeeded > 0 ? { succeeded } : {}),
        ...(failed > 0 ? { failed } : {}),
        ...(status.completionTime != null ? { completionTime: status.completionTime } : {}),
        ready: this.owned(Pod, r).filter((p) => this.podReady(p)).length,
        terminating: 0,
        ...(conds.length > 0 ? { conditions: conds } : {})
      }
      if (stillActive === 0) delete next.active
      if (!ok) next.conditions = setCondition(arr(next.conditions), { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: str(arr(obj(r.status).conditions).find((c) => c.type === 'ReplicaFailure')?.message) })
      if (JSON.stringify(next) !== JSON.stringify(obj(r.status))) { r.status = next; this.write(Job, r) }
    }
  }

  /** Used requests and pod count per node, from bound non-terminal pods. */
  nodeUsage (): Map<string, { cpu: number, memory: number, pods: number }> {
    const use = new Map<string, { cpu: number, memory: number, pods: number }>()
    for (const n of this.store.all(Node)) use.set(nameOf(n), { cpu: 0, memory: 0, pods: 0 })
    for (const p of this.store.all(Pod)) {
      const node = str(obj(p.spec).nodeName)
      const u = use.get(node)
      if (u == null || terminal(p)) continue
      const r = podRequests(p)
      u.cpu += r.cpu; u.memory += r.memory; u.pods++
    }
    return use
  }

  private schedulePods (): void {
    const pending = this.store.all(Pod).filter((p) => str(obj(p.spec).nodeName) === '' && !terminal(p))
    if (pending.length === 0) return
    pending.sort((a, b) => str(meta(a).creationTimestamp).localeCompare(str(meta(b).creationTimestamp)))
    const nodes = this.store.all(Node)
    const usage = this.nodeUsage()
    for (const live of pending) {
      const p = clone(live)
      const req = podRequests(p)
      const reasons = new Map<string, number>()
      const add = (r: string): void => { reasons.set(r, (reasons.get(r) ?? 0) + 1) }
      let chosen: string | undefined
      let chosenScore = Infinity
      const selector = obj(obj(p.spec).nodeSelector) as Record<string, string>
      for (const n of nodes) {
        const name = nameOf(n)
        const alloc = obj(obj(n.status).allocatable)
        const u = usage.get(name) ?? { cpu: 0, memory: 0, pods: 0 }
        const fails: string[] = []
        if (obj(n.spec).unschedulable === true) fails.push('node(s) were unschedulable')
        else if (!Object.entries(selector).every(([k, v]) => labelsOf(n)[k] === v)) fails.push("node(s) didn't match Pod's node affinity/selector")
        else {
          if (u.pods + 1 > units(alloc.pods as string)) fails.push('Too many pods')
          if (u.cpu + req.cpu > milli(alloc.cpu as string)) fails.push('Insufficient cpu')
          if (u.memory + req.memory > units(alloc.memory as string)) fails.push('Insufficient memory')
        }
        if (fails.length === 0) {
          // least allocated first, as the default scheduler scores nodes
          const score = (u.cpu + req.cpu) / Math.max(1, milli(alloc.cpu as string)) + (u.memory + req.memory) / Math.max(1, units(alloc.memory as string))
          if (chosen == null || score < chosenScore) { chosen = name; chosenScore = score }
          continue
        }
        fails.forEach(add)
      }
      const status = obj(p.status)
      if (chosen != null) {
        const u = usage.get(chosen)
        if (u != null) { u.cpu += req.cpu; u.memory += req.memory; u.pods++ }
        obj(p.spec).nodeName = chosen
        status.conditions = setCondition(arr(status.conditions), { type: 'PodScheduled', status: 'True' }, { lastProbeTime: null })
        const node = nodes.find((n) => nameOf(n) === chosen)
        status.hostIP = str(arr(obj(node?.status).addresses).find((a) => a.type === 'InternalIP')?.address)
        status.hostIPs = [{ ip: status.hostIP }]
        p.status = status
        this.readyAt.set(uidOf(p), Date.now() + this.init.startDelayMs)
        this.log(p, `scheduled to ${chosen}`)
        this.write(Pod, p)
      } else {
        const detail = [...reasons.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([r, n]) => `${n} ${r}`).join(', ')
        const message = `0/${nodes.length} nodes are available${detail !== '' ? ': ' + detail : ''}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} No preemption victims found for incoming pod.`
        status.conditions = setCondition(arr(status.conditions), { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }, { lastProbeTime: null })
        p.status = status
        this.write(Pod, p)
      }
    }
  }

  /** Starts bound pods and finishes run-to-completion ones; returns when it next has something to do. */
  private kubelet (): number {
    let next = Infinity
    const t = Date.now()
    for (const live of this.store.all(Pod)) {
      const spec = obj(live.spec)
      const node = str(spec.nodeName)
      if (node === '' || terminal(live)) continue
      const status = obj(live.status)
      const uid = uidOf(live)
      if (status.phase === 'Pending') {
        const at = this.readyAt.get(uid) ?? t
        if (at > t) { next = Math.min(next, at); continue }
        const p = clone(live)
        const s = obj(p.status)
        const ip = this.allocatePodIp(node)
        const startedAt = now()
        s.phase = 'Running'
        s.podIP = ip
        s.podIPs = [{ ip }]
        s.startTime = startedAt
        s.containerStatuses = arr(spec.containers).map((c) => ({ name: c.name, image: c.image, imageID: `sim://${str(c.image)}`, containerID: `sim://${uid.slice(0, 12)}-${str(c.name)}`, ready: true, started: true, restartCount: 0, state: { running: { startedAt } } }))
        let c = arr(s.conditions)
        for (const type of ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled']) c = setCondition(c, { type, status: 'True' }, { lastProbeTime: null })
        s.conditions = c
        p.status = s
        for (const c of arr(spec.containers)) this.log(p, `container ${str(c.name)} started on ${node} (image ${str(c.image)})`, { container: str(c.name) })
        const runMs = this.runMs(p)
        if (runMs != null) { this.readyAt.set(uid, t + runMs); next = Math.min(next, t + runMs) } else this.readyAt.delete(uid)
        this.write(Pod, p)
        continue
      }
      if (status.phase === 'Running') {
        const runMs = this.runMs(live)
        if (runMs == null) continue
        const at = this.readyAt.get(uid) ?? t
        if (at > t) { next = Math.min(next, at); continue }
        this.readyAt.delete(uid)
        const code = Number(obj(meta(live).annotations)['sim.skein.dev/exit-code'] ?? 0)
        const p = clone(live)
        const s = obj(p.status)
        const finishedAt = now()
        s.phase = code === 0 ? 'Succeeded' : 'Failed'
        s.containerStatuses = arr(s.containerStatuses).map((c) => ({ ...c, ready: false, started: false, state: { terminated: { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: obj(obj(c.state).running).startedAt, finishedAt } } }))
        let c = arr(s.conditions)
        for (const type of ['Ready', 'ContainersReady']) c = setCondition(c, { type, status: 'False', reason: code === 0 ? 'PodCompleted' : 'PodFailed' }, { lastProbeTime: null })
        s.conditions = c
        p.status = s
        this.log(p, `container exited with code ${code}`)
        this.write(Pod, p)
      }
    }
    return next
  }

  /** How long a pod runs before it exits by itself, or undefined for a server. */
  private runMs (p: Obj): number | undefined {
    const a = obj(meta(p).annotations)['sim.skein.dev/run-seconds']
    if (a != null) return Number(a) * 1000
    if (arr(meta(p).ownerReferences).some((r) => r.kind === 'Job')) return this.init.jobRunMs
    return undefined
  }

  private allocatePodIp (node: string): string {
    const n = this.store.peek(Node, undefined, node)
    const cidr = str(obj(n?.spec).podCIDR)
    const base = cidr !== '' ? cidr.split('.').slice(0, 3).join('.') : '10.42.250'
    const i = (this.nextIp.get(node) ?? 1) + 1
    this.nextIp.set(node, i > 254 ? 2 : i)
    return `${base}.${i}`
  }

  private quotas (): void {
    for (const live of this.store.all(ResourceQuota)) {
      const q = clone(live)
      const hard = obj(obj(q.spec).hard)
      const used = this.quotaUsed(nsOf(q), Object.keys(hard))
      const next = {
        hard: clone(hard),
        used: Object.fromEntries(Object.keys(hard).map((k) => [k, formatResource(k, used[k] ?? 0)]))
      }
      if (JSON.stringify(next) !== JSON.stringify(q.status)) { q.status = next; this.write(ResourceQuota, q) }
    }
  }

  /** The log text of a pod for GET .../pods/NAME/log, or a StatusError as the real API server gives. */
  readLog (namespace: string, name: string, container: string | undefined, tailLines?: number): string {
    return this.openLog(namespace, name, container, tailLines).entries.map((e) => e.text + '\n').join('')
  }

  /**
   * Checks a log request as the API server does and returns the entries to
   * send first, with the pod's uid and container (for follow: later entries
   * come from logEntries with a higher seq, while the pod is that uid).
   */
  openLog (namespace: string, name: string, container: string | undefined, tailLines?: number): { uid: string, container: string, seq: number, entries: LogEntry[] } {
    const pod = this.store.get(Pod, namespace, name)
    const containers = arr(obj(pod.spec).containers).map((c) => str(c.name))
    if (container == null && containers.length > 1) {
      throw new StatusError(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`)
    }
    const c = container ?? containers[0] ?? ''
    if (!containers.includes(c)) throw new StatusError(400, 'BadRequest', `container ${c} is not valid for pod ${name}`)
    if (obj(pod.status).phase === 'Pending') {
      throw new StatusError(400, 'BadRequest', `container "${c}" in pod "${name}" is waiting to start: ContainerCreating`)
    }
    let entries = this.logEntries(pod, c)
    const seq = entries.at(-1)?.seq ?? 0
    if (tailLines != null && tailLines >= 0) entries = entries.slice(Math.max(0, entries.length - tailLines))
    return { uid: uidOf(pod), container: c, seq, entries }
  }

  /** For a follow: the pod's entries after `seq`, and whether its container can write more (false once the pod is gone or finished). */
  followLog (namespace: string, name: string, uid: string, container: string, seq: number): { entries: LogEntry[], open: boolean } {
    const pod = this.store.peek(Pod, namespace, name)
    if (pod == null || uidOf(pod) !== uid) return { entries: [], open: false }
    const entries = this.logEntries(pod, container).filter((e) => e.seq > seq)
    const phase = obj(pod.status).phase
    return { entries, open: phase !== 'Succeeded' && phase !== 'Failed' && meta(pod).deletionTimestamp == null }
  }
}

function stripTimes (s: unknown): unknown {
  return JSON.parse(JSON.stringify(s, (k, v: unknown) => (k === 'lastUpdateTime' || k === 'lastTransitionTime' ? undefined : v)))
}

export { formatBytes, formatMilli, Service }
