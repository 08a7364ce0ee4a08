/**
 * Submitted manifests: ordinary Kubernetes YAML (or JSON), one or more
 * documents of Deployment, StatefulSet, Job, Pod, Service, ConfigMap or
 * Secret. Validation refuses the first problem with InvalidManifestError
 * naming its path ("[0].spec.template.spec.containers[1].image"); resource
 * requests are summed from the pod specs × replicas. Sanitizing for the tenant
 * namespace (privileged, hostPath…) is agent/kube's job on the provider.
 *
 *   const docs = parseManifests(yamlText)
 *   const requests = requestsOf(docs) // { cpu: 500, memory: 268435456, pods: 2, ... }
 */
import { parseAllDocuments } from 'yaml'
import { add, scale, zero, parseCpu, parseCount, type Resources } from '../peering/resources.ts'
import { InvalidManifestError } from './errors.ts'
import { MAX_MANIFEST_BYTES, MAX_NAME_CHARS, NAME_PATTERN } from './constants.ts'

export type Manifest = Record<string, unknown> & { apiVersion: string, kind: ManifestKind, metadata: { name: string } & Record<string, unknown> }

export const manifestKinds = ['Deployment', 'StatefulSet', 'Job', 'Pod', 'Service', 'ConfigMap', 'Secret'] as const
export type ManifestKind = typeof manifestKinds[number]

const apiVersions: Record<ManifestKind, string[]> = {
  Deployment: ['apps/v1'],
  StatefulSet: ['apps/v1'],
  Job: ['batch/v1'],
  Pod: ['v1'],
  Service: ['v1'],
  ConfigMap: ['v1'],
  Secret: ['v1']
}

const MAX_DOCUMENTS = 64

/** Parses YAML (several documents) or JSON (an object, an array, or a List) and validates every document. */
export function parseManifests (text: string): Manifest[] {
  if (Buffer.byteLength(text) > MAX_MANIFEST_BYTES) {
    throw new InvalidManifestError('manifests', `larger than ${MAX_MANIFEST_BYTES} bytes`)
  }
  const docs: unknown[] = []
  const parsed = parseAllDocuments(text)
  const list = Array.isArray(parsed) ? parsed : [parsed]
  for (const [i, d] of list.entries()) {
    if (d.errors.length > 0) {
      const e = d.errors[0]
      throw new InvalidManifestError(`[${i}]`, `not valid YAML: ${(e?.message ?? '').split('\n')[0] ?? ''}`)
    }
    const v: unknown = d.toJS({ maxAliasCount: 100 })
    if (v == null) continue
    if (Array.isArray(v)) docs.push(...v as unknown[])
    else if (isObject(v) && v.kind === 'List' && Array.isArray(v.items)) docs.push(...v.items as unknown[])
    else docs.push(v)
  }
  return validateManifests(docs)
}

/** Validates already parsed documents; returns them typed. */
export function validateManifests (docs: unknown[]): Manifest[] {
  if (docs.length === 0) throw new InvalidManifestError('manifests', 'holds no Kubernetes object')
  if (docs.length > MAX_DOCUMENTS) throw new InvalidManifestError('manifests', `holds ${docs.length} objects; at most ${MAX_DOCUMENTS}`)
  const seen = new Set<string>()
  docs.forEach((d, i) => {
    validateOne(d, `[${i}]`)
    const m = d as Manifest
    const key = `${m.kind}/${m.metadata.name}`
    if (seen.has(key)) throw new InvalidManifestError(`[${i}].metadata.name`, `${key} appears twice`)
    seen.add(key)
  })
  return docs as Manifest[]
}

function validateOne (d: unknown, p: string): void {
  if (!isObject(d)) throw new InvalidManifestError(p, 'must be a mapping (a Kubernetes object)')
  if (typeof d.kind !== 'string' || d.kind === '') throw new InvalidManifestError(`${p}.kind`, 'is required')
  if (!(manifestKinds as readonly string[]).includes(d.kind)) {
    throw new InvalidManifestError(`${p}.kind`, `${d.kind} is not supported (use ${manifestKinds.join(', ')})`)
  }
  const kind = d.kind as ManifestKind
  if (typeof d.apiVersion !== 'string' || d.apiVersion === '') throw new InvalidManifestError(`${p}.apiVersion`, 'is required')
  if (!apiVersions[kind].includes(d.apiVersion)) {
    throw new InvalidManifestError(`${p}.apiVersion`, `${d.apiVersion} is not an apiVersion of ${kind} (use ${apiVersions[kind].join(' or ')})`)
  }
  const meta = d.metadata
  if (!isObject(meta)) throw new InvalidManifestError(`${p}.metadata`, 'is required')
  checkName(meta.name, `${p}.metadata.name`)
  if (meta.namespace != null && typeof meta.namespace !== 'string') throw new InvalidManifestError(`${p}.metadata.namespace`, 'must be a string')
  for (const f of ['labels', 'annotations'] as const) {
    if (meta[f] != null) checkStringMap(meta[f], `${p}.metadata.${f}`)
  }
  const spec = d.spec
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet': {
      if (!isObject(spec)) throw new InvalidManifestError(`${p}.spec`, 'is required')
      checkCount(spec.replicas, `${p}.spec.replicas`)
      if (kind === 'StatefulSet' && spec.serviceName != null && typeof spec.serviceName !== 'string') {
        throw new InvalidManifestError(`${p}.spec.serviceName`, 'must be a string')
      }
      checkTemplate(spec.template, `${p}.spec.template`)
      break
    }
    case 'Job': {
      if (!isObject(spec)) throw new InvalidManifestError(`${p}.spec`, 'is required')
      checkCount(spec.parallelism, `${p}.spec.parallelism`)
      checkCount(spec.completions, `${p}.spec.completions`)
      checkTemplate(spec.template, `${p}.spec.template`)
      break
    }
    case 'Pod':
      checkPodSpec(spec, `${p}.spec`)
      break
    case 'Service': {
      if (spec != null && !isObject(spec)) throw new InvalidManifestError(`${p}.spec`, 'must be a mapping')
      const ports = isObject(spec) ? spec.ports : undefined
      if (ports != null) {
        if (!Array.isArray(ports)) throw new InvalidManifestError(`${p}.spec.ports`, 'must be a list')
        ports.forEach((port, j) => {
          if (!isObject(port)) throw new InvalidManifestError(`${p}.spec.ports[${j}]`, 'must be a mapping')
          if (!isPort(port.port)) throw new InvalidManifestError(`${p}.spec.ports[${j}].port`, 'must be a port number 1-65535')
        })
      }
      break
    }
    case 'ConfigMap':
    case 'Secret':
      for (const f of ['data', 'stringData', 'binaryData'] as const) {
        if (d[f] != null) checkStringMap(d[f], `${p}.${f}`)
      }
      break
  }
}

function checkTemplate (t: unknown, p: string): void {
  if (!isObject(t)) throw new InvalidManifestError(p, 'is required')
  checkPodSpec(t.spec, `${p}.spec`)
}

function checkPodSpec (s: unknown, p: string): void {
  if (!isObject(s)) throw new InvalidManifestError(p, 'is required')
  if (!Array.isArray(s.containers) || s.containers.length === 0) throw new InvalidManifestError(`${p}.containers`, 'needs at least one container')
  const check = (list: unknown[], field: string): void => {
    list.forEach((c, j) => {
      const cp = `${p}.${field}[${j}]`
      if (!isObject(c)) throw new InvalidManifestError(cp, 'must be a mapping')
      checkName(c.name, `${cp}.name`)
      if (typeof c.image !== 'string' || c.image.trim() === '') throw new InvalidManifestError(`${cp}.image`, 'is required')
      if (c.resources != null) {
        if (!isObject(c.resources)) throw new InvalidManifestError(`${cp}.resources`, 'must be a mapping')
        for (const f of ['requests', 'limits'] as const) {
          const r = c.resources[f]
          if (r == null) continue
          if (!isObject(r)) throw new InvalidManifestError(`${cp}.resources.${f}`, 'must be a mapping')
          for (const [k, v] of Object.entries(r)) {
            if (typeof v !== 'string' && typeof v !== 'number') throw new InvalidManifestError(`${cp}.resources.${f}.${k}`, 'must be a quantity')
            quantity(k, v, `${cp}.resources.${f}.${k}`)
          }
        }
      }
    })
  }
  check(s.containers, 'containers')
  if (s.initContainers != null) {
    if (!Array.isArray(s.initContainers)) throw new InvalidManifestError(`${p}.initContainers`, 'must be a list')
    check(s.initContainers, 'initContainers')
  }
}

function checkName (v: unknown, p: string): void {
  if (typeof v !== 'string' || v === '') throw new InvalidManifestError(p, 'is required')
  if (v.length > MAX_NAME_CHARS || !NAME_PATTERN.test(v)) {
    throw new InvalidManifestError(p, `"${v.slice(0, 80)}" is not a valid name (lower case letters, digits, '-' and '.', at most ${MAX_NAME_CHARS})`)
  }
}

function checkCount (v: unknown, p: string): void {
  if (v == null) return
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > 10_000) throw new InvalidManifestError(p, 'must be a whole number 0-10000')
}

function checkStringMap (v: unknown, p: string): void {
  if (!isObject(v)) throw new InvalidManifestError(p, 'must be a mapping of strings')
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw new InvalidManifestError(`${p}.${k}`, 'must be a string')
  }
}

function isPort (v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535
}

function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v != null && !Array.isArray(v)
}

const resourceKeys: Record<string, keyof Resources> = {
  cpu: 'cpu', memory: 'memory', 'ephemeral-storage': 'ephemeralStorage', 'nvidia.com/gpu': 'gpu', 'amd.com/gpu': 'gpu'
}

function quantity (name: string, v: string | number, p: string): number {
  try {
    return name === 'cpu' ? parseCpu(v) : parseCount(v)
  } catch (err) {
    throw new InvalidManifestError(p, (err as Error).message)
  }
}

function containerResources (c: Record<string, unknown>): Resources {
  const out = zero()
  const res = isObject(c.resources) ? c.resources : {}
  const requests = isObject(res.requests) ? res.requests : {}
  const limits = isObject(res.limits) ? res.limits : {}
  // a limit without a request makes the request equal to the limit, as in Kubernetes
  for (const src of [limits, requests]) {
    for (const [k, v] of Object.entries(src)) {
      const key = resourceKeys[k]
      if (key == null || (typeof v !== 'string' && typeof v !== 'number')) continue
      out[key] = quantity(k, v, k)
    }
  }
  return out
}

function podResources (spec: Record<string, unknown>): Resources {
  const containers = (Array.isArray(spec.containers) ? spec.containers : []).filter(isObject)
  const inits = (Array.isArray(spec.initContainers) ? spec.initContainers : []).filter(isObject)
  let r = zero()
  for (const c of containers) r = add(r, containerResources(c))
  // init containers run one at a time before the others: the pod needs the larger of the two
  for (const c of inits) {
    const ic = containerResources(c)
    r = { cpu: Math.max(r.cpu, ic.cpu), memory: Math.max(r.memory, ic.memory), gpu: Math.max(r.gpu, ic.gpu), ephemeralStorage: Math.max(r.ephemeralStorage, ic.ephemeralStorage), pods: 0 }
  }
  r.pods = 1
  return r
}

/** Replicas a pod-bearing manifest asks for (0 for Service, ConfigMap, Secret). */
export function replicasOf (m: Manifest): number {
  const spec = isObject(m.spec) ? m.spec : {}
  switch (m.kind) {
    case 'Deployment':
    case 'StatefulSet': return typeof spec.replicas === 'number' ? spec.replicas : 1
    case 'Job': return typeof spec.parallelism === 'number' ? spec.parallelism : 1
    case 'Pod': return 1
    default: return 0
  }
}

/** Total resource requests of the manifests: per pod spec × replicas; pods counts pods. */
export function requestsOf (docs: readonly Manifest[]): Resources {
  let total = zero()
  for (const m of docs) {
    const n = replicasOf(m)
    if (n === 0) continue
    const spec = isObject(m.spec) ? m.spec : {}
    const podSpec = m.kind === 'Pod' ? spec : (isObject(spec.template) && isObject(spec.template.spec) ? spec.template.spec : {})
    total = add(total, scale(podResources(podSpec), n))
  }
  return total
}
