/**
 * Kubernetes resource quantities ("100m", "1.5", "128Mi", "2G", "1e3") as plain
 * numbers: cpu in millicores, everything else in base units (bytes, pods).
 * Shared by the agent and the API emulator.
 *
 *   parseQuantity('250m') === 0.25; milli('250m') === 250; formatBytes(134217728) === '128Mi'
 */

const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 }
const decimal: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 }
const re = /^([+-]?[0-9]*\.?[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?[0-9]+))?$/

/** The value of a quantity in base units, or undefined when it is not one. */
export function parseQuantity (q: string | number | undefined | null): number | undefined {
  if (q == null) return undefined
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined
  const m = re.exec(q.trim())
  if (m == null) return undefined
  const n = Number(m[1])
  if (m[3] != null) return n * 10 ** Number(m[3])
  const suffix = m[2] ?? ''
  return n * (binary[suffix] ?? decimal[suffix] ?? 1)
}

/** A quantity in thousandths (millicores for cpu), rounded up as Kubernetes does. */
export function milli (q: string | number | undefined | null): number {
  const v = parseQuantity(q)
  return v == null ? 0 : Math.ceil(Math.round(v * 1e6) / 1e3)
}

/** A quantity in whole base units (bytes), rounded up. */
export function units (q: string | number | undefined | null): number {
  const v = parseQuantity(q)
  return v == null ? 0 : Math.ceil(v - 1e-9)
}

/** Millicores as a Kubernetes cpu quantity: 1500 → "1500m", 2000 → "2". */
export function formatMilli (m: number): string {
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`
}

/** Bytes as a Kubernetes quantity with the largest exact binary suffix. */
export function formatBytes (b: number): string {
  if (b === 0) return '0'
  for (const s of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const) {
    const f = binary[s] as number
    if (b % f === 0) return `${b / f}${s}`
  }
  return String(b)
}

/** Formats a quantity for the given resource name: cpu as millicores, the rest as base units. */
export function formatResource (name: string, value: number): string {
  if (name === 'cpu' || name.endsWith('.cpu')) return formatMilli(value)
  if (name.includes('memory') || name.includes('storage')) return formatBytes(value)
  return String(value)
}

/** Reads a quantity for the given resource name into the unit formatResource writes. */
export function resourceValue (name: string, q: string | number | undefined | null): number {
  if (name === 'cpu' || name.endsWith('.cpu')) return milli(q)
  return units(q)
}
