/**
 * The emulated API server's storage: objects by resource type, one global
 * resourceVersion counter, a bounded event history for watches (410 Gone when
 * a watcher asks for a version older than what is kept), and the API server's
 * generic semantics (create, get, list, update, patch, server-side apply,
 * delete, status subresources, generation, optimistic concurrency). Kinds'
 * defaulting and admission are hooks filled by the controllers.
 */
import { randomUUID } from 'node:crypto'
import { parse as parseYaml } from 'yaml'
import { type ResourceType, groupVersion, qualifiedName, resourceTypes } from './resources.ts'
import { type Obj, parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.ts'
import { clone, fieldsV1, jsonPatch, mergePatch, PatchError, serverSideApply, strategicMerge } from './patch.ts'

export type { Obj }

/** A failure the API server reports as a Status object. */
export class StatusError extends Error {
  static override name = 'StatusError'
  readonly code: number
  readonly reason: string
  readonly details?: Obj

  constructor (code: number, reason: string, message: string, details?: Obj) {
    super(message)
    this.code = code
    this.reason = reason
    if (details != null) this.details = details
  }

  toStatus (): Obj {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, ...(this.details != null ? { details: this.details } : {}), code: this.code }
  }
}

export const notFound = (t: ResourceType, name: string): StatusError =>
  new StatusError(404, 'NotFound', `${qualifiedName(t)} "${name}" not found`, { name, ...(t.group !== '' ? { group: t.group } : {}), kind: t.name })
export const invalid = (t: ResourceType, name: string, field: string, message: string): StatusError =>
  new StatusError(422, 'Invalid', `${t.kind}${t.group !== '' ? '.' + t.group : ''} "${name}" is invalid: ${field}: ${message}`, {
    name, ...(t.group !== '' ? { group: t.group } : {}), kind: t.kind, causes: [{ reason: 'FieldValueInvalid', message, field }]
  })
export const forbidden = (t: ResourceType, name: string, message: string): StatusError =>
  new StatusError(403, 'Forbidden', `${qualifiedName(t)} "${name}" is forbidden: ${message}`, { name, ...(t.group !== '' ? { group: t.group } : {}), kind: t.name })

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED'

export interface StoredEvent {
  rv: number
  type: ResourceType
  eventType: EventType
  object: Obj
  /** the object before a MODIFIED event, for selector transitions */
  old?: Obj
}

export interface WatchEvent { type: EventType | 'ERROR' | 'BOOKMARK', object: Obj }

export interface WatchInit {
  type: ResourceType
  namespace?: string
  resourceVersion?: string
  labelSelector?: string
  fieldSelector?: string
  send: (ev: WatchEvent) => void
}

export interface Watcher {
  type: ResourceType
  namespace?: string
  matches: (o: Obj) => boolean
  send: (ev: WatchEvent) => void
}

export interface WriteOptions {
  fieldManager?: string
  force?: boolean
  dryRun?: boolean
  subresource?: 'status'
  /** true for writes by the emulator's own controllers */
  internal?: boolean
}

export interface Hooks {
  /** defaulting and validation, before admission; may throw StatusError */
  prepare?: (t: ResourceType, obj: Obj, old: Obj | undefined) => void
  /** admission (quota, terminating namespaces); may throw StatusError */
  admit?: (t: ResourceType, obj: Obj, old: Obj | undefined, opts: WriteOptions) => void
  /** called after every committed write */
  changed?: (ev: StoredEvent) => void
}

export interface StoreInit {
  /** how many events watches can replay; older versions get 410 Gone. Default 4096. */
  historySize?: number
  hooks?: Hooks
}

const nameRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const labelNameRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const labelNameKinds = new Set(['Namespace', 'Service'])

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z')
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v != null && !Array.isArray(v)
export const meta = (o: Obj): Obj => (isObj(o.metadata) ? o.metadata : (o.metadata = {}) as Obj)

function randomSuffix (n = 5): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789'
  let s = ''
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)]
  return s
}

export class Store {
  private rv = 1
  private readonly objects = new Map<ResourceType, Map<string, Obj>>()
  private readonly history: StoredEvent[] = []
  private compactedThrough = 0
  private readonly historySize: number
  private readonly watchers = new Set<Watcher>()
  /** last applied configuration per object and field manager, for server-side apply */
  private readonly applied = new Map<string, Map<string, Obj>>()
  hooks: Hooks

  constructor (init: StoreInit = {}) {
    this.historySize = init.historySize ?? 4096
    this.hooks = init.hooks ?? {}
    for (const t of resourceTypes) this.objects.set(t, new Map())
  }

  get resourceVersion (): number { return this.rv }

  private key (t: ResourceType, ns: string | undefined, name: string): string {
    return t.namespaced ? `${ns ?? ''}/${name}` : name
  }

  private bucket (t: ResourceType): Map<string, Obj> {
    const b = this.objects.get(t)
    if (b == null) throw new Error(`unknown type ${t.kind}`)
    return b
  }

  /** Every object of a type (optionally in one namespace), live references: callers must not mutate. */
  all (t: ResourceType, namespace?: string): Obj[] {
    const out: Obj[] = []
    for (const o of this.bucket(t).values()) {
      if (namespace == null || meta(o).namespace === namespace) out.push(o)
    }
    return out
  }

  peek (t: ResourceType, namespace: string | undefined, name: string): Obj | undefined {
    return this.bucket(t).get(this.key(t, namespace, name))
  }

  get (t: ResourceType, namespace: string | undefined, name: string): Obj {
    const o = this.peek(t, namespace, name)
    if (o == null) throw notFound(t, name)
    return clone(o)
  }

  list (t: ResourceType, namespace: string | undefined, labelSelector?: string, fieldSelector?: string): Obj {
    const matches = this.matcher(labelSelector, fieldSelector)
    const items = this.all(t, namespace).filter(matches).map((o) => clone(o))
    items.sort((a, b) => {
      const ka = `${String(meta(a).namespace ?? '')}/${String(meta(a).name)}`
      const kb = `${String(meta(b).namespace ?? '')}/${String(meta(b).name)}`
      return ka < kb ? -1 : ka > kb ? 1 : 0
    })
    return { kind: `${t.kind}List`, apiVersion: groupVersion(t), metadata: { resourceVersion: String(this.rv) }, items }
  }

  private matcher (labelSelector?: string, fieldSelector?: string): (o: Obj) => boolean {
    try {
      const labels = parseLabelSelector(labelSelector)
      const fields = parseFieldSelector(fieldSelector)
      return (o) => labels(meta(o).labels as Record<string, string> | undefined) && fields(o)
    } catch (err) {
      if (err instanceof SelectorError) throw new StatusError(400, 'BadRequest', err.message)
      throw err
    }
  }

  create (t: ResourceType, namespace: string | undefined, input: Obj, opts: WriteOptions = {}): Obj {
    const obj = clone(input)
    const m = meta(obj)
    if (t.namespaced) {
      if (m.namespace != null && m.namespace !== namespace) {
        throw new StatusError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request')
      }
      m.namespace = namespace
    } else {
      delete m.namespace
    }
    if ((m.name == null || m.name === '') && typeof m.generateName === 'string') m.name = `${m.generateName}${randomSuffix()}`
    const name = typeof m.name === 'string' ? m.name : ''
    if (name === '') throw invalid(t, '', 'metadata.name', 'Required value: name or generateName is required')
    const re = labelNameKinds.has(t.kind) ? labelNameRe : nameRe
    if (!re.test(name) || name.length > (labelNameKinds.has(t.kind) ? 63 : 253)) {
      throw invalid(t, name, 'metadata.name', `Invalid value: "${name}": a lowercase RFC 1123 ${labelNameKinds.has(t.kind) ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`)
    }
    if (obj.apiVersion == null) obj.apiVersion = groupVersion(t)
    if (obj.kind == null) obj.kind = t.kind
    if (obj.apiVersion !== groupVersion(t) || obj.kind !== t.kind) {
      throw new StatusError(400, 'BadRequest', `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${groupVersion(t)})`)
    }
    if (this.peek(t, namespace, name) != null) {
      throw new StatusError(409, 'AlreadyExists', `${qualifiedName(t)} "${name}" already exists`, { name, ...(t.group !== '' ? { group: t.group } : {}), kind: t.name })
    }
    delete m.resourceVersion
    delete m.deletionTimestamp
    m.uid = randomUUID()
    m.creationTimestamp = now()
    if (t.generation) m.generation = 1
    if (t.status && opts.internal !== true) delete obj.status
    this.hooks.prepare?.(t, obj, undefined)
    this.hooks.admit?.(t, obj, undefined, opts)
    if (opts.fieldManager != null) this.recordManager(obj, opts.fieldManager, 'Update', undefined)
    if (opts.dryRun === true) return obj
    return this.commit(t, 'ADDED', obj, undefined)
  }

  update (t: ResourceType, namespace: string | undefined, name: string, input: Obj, opts: WriteOptions = {}): Obj {
    const live = this.peek(t, namespace, name)
    if (live == null) throw notFound(t, name)
    const obj = clone(input)
    const m = meta(obj)
    if (m.name != null && m.name !== name) throw new StatusError(400, 'BadRequest', `the name of the object (${String(m.name)}) does not match the name on the URL (${name})`)
    if (m.resourceVersion != null && m.resourceVersion !== '' && m.resourceVersion !== meta(live).resourceVersion) {
      throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(t)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, ...(t.group !== '' ? { group: t.group } : {}), kind: t.name })
    }
    return this.replace(t, live, obj, opts, 'Update')
  }

  /** Shared tail of update, patch and apply: keeps what the server owns, moves generation, commits. */
  private replace (t: ResourceType, live: Obj, obj: Obj, opts: WriteOptions, operation: 'Update' | 'Apply', applied?: Obj): Obj {
    const lm = meta(live)
    const m = meta(obj)
    obj.apiVersion = groupVersion(t)
    obj.kind = t.kind
    m.name = lm.name
    if (t.namespaced) m.namespace = lm.namespace
    else delete m.namespace
    m.uid = lm.uid
    m.creationTimestamp = lm.creationTimestamp
    if (lm.deletionTimestamp != null) m.deletionTimestamp = lm.deletionTimestamp
    else delete m.deletionTimestamp
    m.managedFields = clone(lm.managedFields)
    if (t.status && opts.internal !== true) {
      if (opts.subresource === 'status') {
        obj.spec = clone(live.spec)
        m.labels = clone(lm.labels)
        m.annotations = clone(lm.annotations)
      } else {
        obj.status = clone(live.status)
      }
    }
    if (obj.status === undefined) delete obj.status
    if (m.labels === undefined) delete m.labels
    if (m.annotations === undefined) delete m.annotations
    if (t.generation) {
      const gen = typeof lm.generation === 'number' ? lm.generation : 1
      m.generation = JSON.stringify(live.spec) !== JSON.stringify(obj.spec) ? gen + 1 : gen
    }
    this.hooks.prepare?.(t, obj, live)
    this.hooks.admit?.(t, obj, live, opts)
    if (opts.fieldManager != null) this.recordManager(obj, opts.fieldManager, operation, applied)
    if (m.managedFields === undefined) delete m.managedFields
    const before = { ...obj, metadata: { ...m, resourceVersion: lm.resourceVersion } }
    if (JSON.stringify(before) === JSON.stringify(live)) return clone(live)
    if (opts.dryRun === true) return obj
    return this.commit(t, 'MODIFIED', obj, live)
  }

  private recordManager (obj: Obj, manager: string, operation: 'Update' | 'Apply', applied: Obj | undefined): void {
    const m = meta(obj)
    const list = (Array.isArray(m.managedFields) ? m.managedFields : []) as Obj[]
    const rest = list.filter((e) => !(e.manager === manager && e.operation === operation))
    const fields = applied != null ? fieldsV1(applied) : fieldsV1({ metadata: { ...(m.labels != null ? { labels: m.labels } : {}) }, spec: obj.spec, data: obj.data })
    rest.push({ manager, operation, apiVersion: obj.apiVersion, time: now(), fieldsType: 'FieldsV1', fieldsV1: fields })
    m.managedFields = rest
  }

  patch (t: ResourceType, namespace: string | undefined, name: string, contentType: string, body: string, opts: WriteOptions = {}): Obj {
    const type = contentType.split(';')[0]?.trim() ?? ''
    if (type === 'application/apply-patch+yaml' || type === 'application/apply-patch+cbor') return this.apply(t, namespace, name, body, opts)
    const live = this.peek(t, namespace, name)
    if (live == null) throw notFound(t, name)
    let patch: unknown
    try {
      patch = JSON.parse(body)
    } catch (err) {
      throw new StatusError(400, 'BadRequest', `error decoding patch: ${(err as Error).message}`)
    }
    let next: unknown
    try {
      switch (type) {
        case 'application/json-patch+json': next = jsonPatch(live, patch); break
        case 'application/merge-patch+json': next = mergePatch(live, patch); break
        case 'application/strategic-merge-patch+json': next = strategicMerge(live, patch); break
        default: throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`)
      }
    } catch (err) {
      if (err instanceof PatchError) throw new StatusError(422, 'Invalid', err.message)
      throw err
    }
    if (!isObj(next)) throw new StatusError(422, 'Invalid', 'the patch did not produce an object')
    const m = meta(next)
    if (m.resourceVersion != null && m.resourceVersion !== meta(live).resourceVersion) {
      throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(t)} "${name}": the object has been modified; please apply your changes to the latest version and try again`)
    }
    return this.replace(t, live, next, opts, 'Update')
  }

  /** Applies a JSON, merge or strategic merge patch to a detached object (for subresources such as scale). */
  previewPatch (target: Obj, contentType: string, body: string): Obj {
    const type = contentType.split(';')[0]?.trim() ?? ''
    let patch: unknown
    try { patch = JSON.parse(body) } catch (err) { throw new StatusError(400, 'BadRequest', `error decoding patch: ${(err as Error).message}`) }
    try {
      const out = type === 'application/json-patch+json' ? jsonPatch(target, patch) : type === 'application/strategic-merge-patch+json' ? strategicMerge(target, patch) : mergePatch(target, patch)
      return isObj(out) ? out : {}
    } catch (err) {
      if (err instanceof PatchError) throw new StatusError(422, 'Invalid', err.message)
      throw err
    }
  }

  private apply (t: ResourceType, namespace: string | undefined, name: string, body: string, opts: WriteOptions): Obj {
    if (opts.fieldManager == null || opts.fieldManager === '') {
      throw new StatusError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch')
    }
    let applied: unknown
    try {
      applied = parseYaml(body)
    } catch (err) {
      throw new StatusError(400, 'BadRequest', `error decoding YAML: ${(err as Error).message.split('\n')[0] ?? ''}`)
    }
    if (!isObj(applied)) throw new StatusError(400, 'BadRequest', 'the applied configuration must be an object')
    const am = meta(applied)
    if (am.name != null && am.name !== name) throw new StatusError(400, 'BadRequest', `the name of the object (${String(am.name)}) does not match the name on the URL (${name})`)
    if (applied.apiVersion !== groupVersion(t) || applied.kind !== t.kind) {
      throw new StatusError(400, 'BadRequest', `apiVersion and kind must be ${groupVersion(t)} ${t.kind} for this endpoint`)
    }
    const key = `${t.name}.${t.group}/${this.key(t, namespace, name)}`
    const live = this.peek(t, namespace, name)
    const managers = this.applied.get(key) ?? new Map<string, Obj>()
    const stripped = clone(applied)
    if (opts.subresource !== 'status') delete stripped.status
    if (live == null) {
      const created = this.create(t, namespace, { ...stripped, metadata: { ...meta(stripped), name } }, { ...opts, fieldManager: undefined })
      this.recordApply(t, created, opts.fieldManager, stripped, opts)
      if (opts.dryRun !== true) { managers.set(opts.fieldManager, stripped); this.applied.set(key, managers) }
      return created
    }
    const next = serverSideApply(live, stripped, managers.get(opts.fieldManager))
    const out = this.replace(t, live, next, opts, 'Apply', stripped)
    if (opts.dryRun !== true) { managers.set(opts.fieldManager, stripped); this.applied.set(key, managers) }
    return out
  }

  private recordApply (t: ResourceType, created: Obj, manager: string, applied: Obj, opts: WriteOptions): void {
    if (opts.dryRun === true) return
    const live = this.peek(t, meta(created).namespace as string | undefined, String(meta(created).name))
    if (live == null) return
    this.recordManager(live, manager, 'Apply', applied)
    meta(created).managedFields = clone(meta(live).managedFields)
  }

  /** Removes an object now (no graceful termination); namespaces go Terminating first. */
  delete (t: ResourceType, namespace: string | undefined, name: string, opts: WriteOptions = {}): Obj {
    const live = this.peek(t, namespace, name)
    if (live == null) throw notFound(t, name)
    if (t.kind === 'Namespace' && !opts.internal) {
      if (meta(live).deletionTimestamp != null) return clone(live)
      const next = clone(live)
      meta(next).deletionTimestamp = now()
      next.status = { ...(isObj(next.status) ? next.status : {}), phase: 'Terminating' }
      if (opts.dryRun === true) return next
      return this.commit(t, 'MODIFIED', next, live)
    }
    if (opts.dryRun === true) return clone(live)
    this.bucket(t).delete(this.key(t, namespace, name))
    this.applied.delete(`${t.name}.${t.group}/${this.key(t, namespace, name)}`)
    const gone = clone(live)
    this.rv++
    meta(gone).resourceVersion = String(this.rv)
    if (meta(gone).deletionTimestamp == null) meta(gone).deletionTimestamp = now()
    this.record({ rv: this.rv, type: t, eventType: 'DELETED', object: gone })
    return clone(gone)
  }

  private commit (t: ResourceType, eventType: EventType, obj: Obj, old: Obj | undefined): Obj {
    this.rv++
    meta(obj).resourceVersion = String(this.rv)
    const m = meta(obj)
    this.bucket(t).set(this.key(t, m.namespace as string | undefined, String(m.name)), obj)
    this.record({ rv: this.rv, type: t, eventType, object: obj, ...(old != null ? { old } : {}) })
    return clone(obj)
  }

  private record (ev: StoredEvent): void {
    this.history.push(ev)
    while (this.history.length > this.historySize) {
      const dropped = this.history.shift()
      if (dropped != null) this.compactedThrough = dropped.rv
    }
    for (const w of this.watchers) this.deliver(w, ev)
    this.hooks.changed?.(ev)
  }

  private deliver (w: Watcher, ev: StoredEvent): void {
    if (w.type !== ev.type) return
    if (w.namespace != null && meta(ev.object).namespace !== w.namespace) return
    const now = w.matches(ev.object)
    const before = ev.old != null ? w.matches(ev.old) : now
    let type: EventType | undefined
    if (ev.eventType === 'MODIFIED') type = now && before ? 'MODIFIED' : now ? 'ADDED' : before ? 'DELETED' : undefined
    else type = now ? ev.eventType : undefined
    if (type != null) w.send({ type, object: clone(ev.object) })
  }

  /** Forgets the whole event history: every watch from an older version now gets 410 Gone. */
  compact (): void {
    const last = this.history[this.history.length - 1]
    if (last != null) this.compactedThrough = last.rv
    this.history.length = 0
  }

  watch (init: WatchInit): () => void {
    const w: Watcher = {
      type: init.type,
      ...(init.namespace != null ? { namespace: init.namespace } : {}),
      matches: this.matcher(init.labelSelector, init.fieldSelector),
      send: init.send
    }
    const rvText = init.resourceVersion ?? ''
    if (rvText === '' || rvText === '0') {
      for (const o of this.all(init.type, init.namespace)) if (w.matches(o)) w.send({ type: 'ADDED', object: clone(o) })
    } else {
      const from = Number(rvText)
      if (!Number.isInteger(from) || from < 0) throw new StatusError(400, 'BadRequest', `invalid resource version "${rvText}"`)
      if (from < this.compactedThrough) {
        w.send({ type: 'ERROR', object: new StatusError(410, 'Expired', `too old resource version: ${from} (${this.compactedThrough + 1})`).toStatus() })
        return () => {}
      }
      for (const ev of this.history) if (ev.rv > from) this.deliver(w, ev)
    }
    this.watchers.add(w)
    return () => { this.watchers.delete(w) }
  }

  /** Sends 410 Gone to every open watch and closes them, as an API server does after a watch-cache reset. */
  expireWatches (): void {
    this.compact()
    for (const w of [...this.watchers]) {
      w.send({ type: 'ERROR', object: new StatusError(410, 'Expired', `too old resource version: ${this.compactedThrough} (${this.compactedThrough + 1})`).toStatus() })
    }
  }

  get watchCount (): number { return this.watchers.size }
}
