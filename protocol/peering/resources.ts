/**
 * Resource arithmetic in base units: cpu in millicores, memory and ephemeral
 * storage in bytes, pods and gpus as counts. Quantities parse and format the
 * way Kubernetes writes them ("500m", "2", "4Gi", "1.5G", "1e9").
 *
 *   const q = parseResources({ cpu: '2', memory: '4Gi', pods: 20 })
 *   fits(q, remaining) // true when every resource of q is ≤ remaining's
 *   formatResources(q)  // { cpu: '2', memory: '4Gi', pods: '20', ... }
 */
import { InvalidQuantityError } from './errors.ts'

export interface Resources {
  /** millicores */
  cpu: number
  /** bytes */
  memory: number
  pods: number
  gpu: number
  /** bytes */
  ephemeralStorage: number
}

export type ResourceName = keyof Resources
export const resourceNames: readonly ResourceName[] = ['cpu', 'memory', 'pods', 'gpu', 'ephemeralStorage']

/** Beyond these a quantity is absurd for one edge cluster, and refused. */
export const maxResources: Readonly<Resources> = {
  cpu: 10_000_000, // 10 000 cores
  memory: 2 ** 50, // 1 PiB
  pods: 1_000_000,
  gpu: 10_000,
  ephemeralStorage: 2 ** 52 // 4 PiB
}

export function zero (): Resources {
  return { cpu: 0, memory: 0, pods: 0, gpu: 0, ephemeralStorage: 0 }
}

export function isZero (r: Resources): boolean {
  return resourceNames.every((n) => r[n] === 0)
}

function map2 (a: Resources, b: Resources, f: (x: number, y: number) => number): Resources {
  return { cpu: f(a.cpu, b.cpu), memory: f(a.memory, b.memory), pods: f(a.pods, b.pods), gpu: f(a.gpu, b.gpu), ephemeralStorage: f(a.ephemeralStorage, b.ephemeralStorage) }
}

export function add (a: Resources, b: Resources): Resources { return map2(a, b, (x, y) => x + y) }
/** a − b, each resource floored at zero */
export function sub (a: Resources, b: Resources): Resources { return map2(a, b, (x, y) => Math.max(0, x - y)) }
export function min (a: Resources, b: Resources): Resources { return map2(a, b, Math.min) }
export function max (a: Resources, b: Resources): Resources { return map2(a, b, Math.max) }
export function sum (list: Iterable<Resources>): Resources {
  let out = zero()
  for (const r of list) out = add(out, r)
  return out
}
/** every resource of a ≤ the same resource of b */
export function fits (a: Resources, b: Resources): boolean {
  return resourceNames.every((n) => a[n] <= b[n])
}
export function equal (a: Resources, b: Resources): boolean {
  return resourceNames.every((n) => a[n] === b[n])
}
/** each resource scaled by f and rounded down */
export function scale (a: Resources, f: number): Resources {
  return { cpu: Math.floor(a.cpu * f), memory: Math.floor(a.memory * f), pods: Math.floor(a.pods * f), gpu: Math.floor(a.gpu * f), ephemeralStorage: Math.floor(a.ephemeralStorage * f) }
}

/** Throws InvalidQuantityError unless every resource is a whole number in [0, max]. */
export function validateResources (r: Partial<Record<ResourceName, unknown>> | undefined, what = 'quantity'): Resources {
  if (r == null || typeof r !== 'object') throw new InvalidQuantityError(`${what} is missing`)
  const out = zero()
  for (const n of resourceNames) {
    const v = r[n] ?? 0
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new InvalidQuantityError(`${what}.${n} is not a whole number: ${String(v)}`)
    if (v < 0) throw new InvalidQuantityError(`${what}.${n} is negative: ${v}`)
    if (v > maxResources[n]) throw new InvalidQuantityError(`${what}.${n} is absurdly large: ${v} > ${maxResources[n]}`)
    out[n] = v
  }
  return out
}

const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 }
const decimal: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 }

/** Parses a Kubernetes quantity to a number of base units (may be fractional); throws InvalidQuantityError. */
export function parseQuantityValue (input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new InvalidQuantityError(`${input} is not a quantity`)
    return input
  }
  const s = input.trim()
  const m = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?[0-9]{1,3}))?$/.exec(s)
  if (m == null) throw new InvalidQuantityError(`"${input}" is not a quantity (write it like 500m, 2, 4Gi or 1.5G)`)
  const sign = m[1] === '-' ? -1 : 1
  const num = Number(m[2])
  const suffix = m[3] ?? ''
  const mult = m[4] != null ? 10 ** Number(m[4]) : (binary[suffix] ?? decimal[suffix] ?? 1)
  const v = sign * num * mult
  if (!Number.isFinite(v)) throw new InvalidQuantityError(`"${input}" is out of range`)
  return v
}

/** CPU as millicores ("500m" → 500, "2" → 2000, 1.5 → 1500), rounded up like Kubernetes. */
export function parseCpu (input: string | number): number {
  return roundUp(parseQuantityValue(input) * 1000)
}

/** Bytes or counts ("4Gi" → 4294967296, "20" → 20), rounded up. */
export function parseCount (input: string | number): number {
  return roundUp(parseQuantityValue(input))
}

function roundUp (v: number): number {
  // absorb float noise like 0.1*1000 = 100.00000000000001 before rounding up
  const r = Math.round(v)
  return Math.abs(v - r) < 1e-6 ? r : Math.ceil(v)
}

export function formatCpu (millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`
}

export function formatBytes (bytes: number): string {
  if (bytes === 0) return '0'
  for (const [suffix, mult] of [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes % mult === 0) return `${bytes / mult}${suffix}`
  }
  return String(bytes)
}

/** Resources as people write them: strings per resource. */
export interface ResourceQuantities {
  cpu?: string | number
  memory?: string | number
  pods?: string | number
  gpu?: string | number
  ephemeralStorage?: string | number
}

/** Parses and validates { cpu: '2', memory: '4Gi', pods: 20 }; missing resources are zero. */
export function parseResources (q: ResourceQuantities, what = 'quantity'): Resources {
  const raw: Record<string, number> = {}
  for (const n of resourceNames) {
    const v = q[n]
    if (v == null || v === '') continue
    let parsed: number
    try {
      parsed = n === 'cpu' ? parseCpu(v) : parseCount(v)
    } catch (err) {
      throw new InvalidQuantityError(`${what}.${n}: ${(err as Error).message}`)
    }
    raw[n] = parsed
  }
  return validateResources(raw, what)
}

export function formatResources (r: Resources): Record<ResourceName, string> {
  return {
    cpu: formatCpu(r.cpu),
    memory: formatBytes(r.memory),
    pods: String(r.pods),
    gpu: String(r.gpu),
    ephemeralStorage: formatBytes(r.ephemeralStorage)
  }
}

/** One short line: "cpu=2 memory=4Gi pods=20" (zeros left out). */
export function describeResources (r: Resources): string {
  const f = formatResources(r)
  const parts = resourceNames.filter((n) => r[n] !== 0).map((n) => `${n}=${f[n]}`)
  return parts.length === 0 ? 'nothing' : parts.join(' ')
}

/** Wire form (protocol/pb Resources) ↔ Resources. */
export interface WireResources { cpuMillis: number, memoryBytes: number, pods: number, gpu: number, ephemeralStorageBytes: number }

export function toWire (r: Resources): WireResources {
  return { cpuMillis: r.cpu, memoryBytes: r.memory, pods: r.pods, gpu: r.gpu, ephemeralStorageBytes: r.ephemeralStorage }
}

export function fromWire (w: WireResources | undefined, what = 'quantity'): Resources {
  if (w == null) return zero()
  return validateResources({ cpu: w.cpuMillis, memory: w.memoryBytes, pods: w.pods, gpu: w.gpu, ephemeralStorage: w.ephemeralStorageBytes }, what)
}
