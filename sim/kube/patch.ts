/**
 * The four ways to change an object in place: JSON merge patch (RFC 7386),
 * JSON patch (RFC 6902), strategic merge patch (lists merged by their merge
 * key, as kubectl expects for the built-in kinds) and server-side apply
 * (strategic merge plus removal of the fields this manager applied last time
 * and no longer does).
 */
import type { Obj } from './selectors.ts'

export class PatchError extends Error {
  static override name = 'PatchError'
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v != null && !Array.isArray(v)

export function clone<T> (v: T): T {
  return structuredClone(v)
}

export function mergePatch (target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch)
  const out: Obj = isObj(target) ? { ...target } : {}
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k], v)
  }
  return out
}

function unescapePointer (s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~')
}

function pointer (path: string): string[] {
  if (path === '') return []
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer "${path}"`)
  return path.slice(1).split('/').map(unescapePointer)
}

function getAt (doc: unknown, parts: string[]): unknown {
  let cur = doc
  for (const p of parts) {
    if (Array.isArray(cur)) cur = cur[Number(p)]
    else if (isObj(cur)) cur = cur[p]
    else return undefined
  }
  return cur
}

export function jsonPatch (doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be an array of operations')
  let out = clone(doc)
  for (const raw of ops) {
    if (!isObj(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') throw new PatchError('each JSON patch operation needs op and path')
    const parts = pointer(raw.path)
    const op = raw.op
    const value = op === 'copy' || op === 'move'
      ? clone(getAt(out, pointer(String(raw.from))))
      : clone(raw.value)
    if (op === 'test') {
      if (JSON.stringify(getAt(out, parts)) !== JSON.stringify(raw.value)) throw new PatchError(`testing value ${raw.path} failed`)
      continue
    }
    if (op === 'move') out = removeAt(out, pointer(String(raw.from)))
    if (op === 'remove') { out = removeAt(out, parts); continue }
    if (op === 'add' || op === 'replace' || op === 'copy' || op === 'move') {
      if (parts.length === 0) { out = value; continue }
      const parent = getAt(out, parts.slice(0, -1))
      const last = parts[parts.length - 1] as string
      if (Array.isArray(parent)) {
        const i = last === '-' ? parent.length : Number(last)
        if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new PatchError(`index ${last} out of range at ${raw.path}`)
        if (op === 'replace') parent[i] = value
        else parent.splice(i, 0, value)
      } else if (isObj(parent)) {
        if (op === 'replace' && !(last in parent)) throw new PatchError(`replace operation does not apply: doc is missing key: ${raw.path}`)
        parent[last] = value
      } else {
        throw new PatchError(`doc is missing path: ${raw.path}`)
      }
      continue
    }
    throw new PatchError(`unexpected JSON patch operation "${op}"`)
  }
  return out
}

function removeAt (doc: unknown, parts: string[]): unknown {
  if (parts.length === 0) return undefined
  const parent = getAt(doc, parts.slice(0, -1))
  const last = parts[parts.length - 1] as string
  if (Array.isArray(parent)) {
    const i = Number(last)
    if (!(i >= 0 && i < parent.length)) throw new PatchError(`index ${last} out of range`)
    parent.splice(i, 1)
  } else if (isObj(parent) && last in parent) {
    delete parent[last]
  } else {
    throw new PatchError(`remove operation does not apply: doc is missing path: /${parts.join('/')}`)
  }
  return doc
}

/** Merge keys of the built-in kinds' lists, by field name (context-free, which is good enough here). */
const mergeKeys: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  finalizers: '',
  secrets: 'name'
}

/** `ports` is keyed by containerPort in containers and by port in Services. */
function keyFor (field: string, items: unknown[]): string | undefined {
  if (field === 'ports') {
    const first = items.find(isObj)
    if (first == null) return undefined
    return 'containerPort' in first ? 'containerPort' : 'port' in first ? 'port' : undefined
  }
  return mergeKeys[field]
}

function mergeList (field: string, target: unknown, patch: unknown[]): unknown[] {
  const key = keyFor(field, patch.length > 0 ? patch : (Array.isArray(target) ? target : []))
  if (key == null || !Array.isArray(target)) return patch.filter((p) => !(isObj(p) && p.$patch != null)).map((p) => strip(p))
  if (key === '') {
    // a set of primitives: union, keeping order
    const out = [...target]
    for (const p of patch) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(p))) out.push(clone(p))
    return out
  }
  if (patch.some((p) => isObj(p) && p.$patch === 'replace')) return patch.filter((p) => !(isObj(p) && p.$patch === 'replace')).map((p) => strip(p))
  const out = [...target]
  for (const p of patch) {
    if (!isObj(p)) continue
    const i = out.findIndex((x) => isObj(x) && x[key] === p[key])
    if (p.$patch === 'delete') { if (i >= 0) out.splice(i, 1); continue }
    if (i >= 0) out[i] = strategicMerge(out[i], p)
    else out.push(strip(p))
  }
  return out
}

/** Drops patch directives from a value that is inserted as it stands. */
function strip (v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip)
  if (!isObj(v)) return v
  const out: Obj = {}
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue
    if (x === null) continue
    out[k] = strip(x)
  }
  return out
}

export function strategicMerge (target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch)
  if (patch.$patch === 'replace') return strip(patch)
  if (patch.$patch === 'delete') return undefined
  const out: Obj = isObj(target) ? { ...target } : {}
  const retain = Array.isArray(patch.$retainKeys) ? patch.$retainKeys as string[] : undefined
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') || k === '$retainKeys' || k === '$patch') continue
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length)
      const list = out[field]
      if (Array.isArray(list) && Array.isArray(v)) out[field] = list.filter((x) => !v.some((d) => JSON.stringify(d) === JSON.stringify(x)))
      continue
    }
    if (v === null) { delete out[k]; continue }
    if (Array.isArray(v)) out[k] = mergeList(k, out[k], v)
    else if (isObj(v)) {
      const merged = strategicMerge(out[k], v)
      if (merged === undefined) delete out[k]
      else out[k] = merged
    } else out[k] = v
  }
  if (retain != null) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k]
  return out
}

/**
 * Server-side apply, simplified: the applied configuration is strategically
 * merged into the live object, and fields this manager set in its previous
 * apply but left out now are removed. No conflict detection between managers.
 */
export function serverSideApply (live: Obj | undefined, applied: Obj, previous: Obj | undefined): Obj {
  let base: unknown = live == null ? {} : clone(live)
  if (previous != null) base = removeDropped(base, previous, applied)
  return strategicMerge(base, applied) as Obj
}

function removeDropped (live: unknown, prev: unknown, next: unknown, field = ''): unknown {
  if (isObj(live) && isObj(prev)) {
    const out: Obj = { ...live }
    for (const [k, pv] of Object.entries(prev)) {
      const nv = isObj(next) ? next[k] : undefined
      if (nv === undefined) { if (k !== 'apiVersion' && k !== 'kind' && k !== 'name' && k !== 'namespace') delete out[k]; continue }
      out[k] = removeDropped(out[k], pv, nv, k)
    }
    return out
  }
  if (Array.isArray(live) && Array.isArray(prev)) {
    const key = keyFor(field, prev)
    if (key == null || key === '' || !Array.isArray(next)) return live
    const nextKeys = new Set(next.filter(isObj).map((n) => n[key]))
    const dropped = new Set(prev.filter(isObj).map((p) => p[key]).filter((k) => !nextKeys.has(k)))
    return live
      .filter((x) => !(isObj(x) && dropped.has(x[key])))
      .map((x) => {
        if (!isObj(x)) return x
        const p = prev.find((y) => isObj(y) && y[key] === x[key])
        const n = next.find((y) => isObj(y) && y[key] === x[key])
        return p != null ? removeDropped(x, p, n) : x
      })
  }
  return live
}

/** The FieldsV1 set of an applied configuration, for managedFields. */
export function fieldsV1 (v: unknown, field = ''): Obj {
  const out: Obj = {}
  if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (field === '' && (k === 'apiVersion' || k === 'kind')) continue
      out[`f:${k}`] = isObj(x) || Array.isArray(x) ? fieldsV1(x, k) : {}
    }
  } else if (Array.isArray(v)) {
    const key = keyFor(field, v)
    for (const x of v) {
      if (key != null && key !== '' && isObj(x)) out[`k:${JSON.stringify({ [key]: x[key] })}`] = { '.': {}, ...fieldsV1(x, field) }
      else out[`v:${JSON.stringify(x)}`] = {}
    }
  }
  return out
}
