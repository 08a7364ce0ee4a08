/**
 * Durations and quantities as operators write them: "500ms", "30s", "5m",
 * "24h", "30d". Bare numbers are milliseconds.
 */
const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

export const durationPattern = '^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$'

/** Parses a duration to milliseconds; returns undefined when it is not one. */
export function parseDuration (value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)$/.exec(value.trim())
  if (m == null) return undefined
  const ms = Number(m[1]) * (units[m[2] as string] as number)
  return Number.isFinite(ms) ? Math.round(ms) : undefined
}

/** Formats milliseconds the short way a person reads them ("1.5s", "3m", "2h"). */
export function formatDuration (ms: number): string {
  if (!Number.isFinite(ms)) return '-'
  const abs = Math.abs(ms)
  if (abs < 1000) return `${Math.round(ms)}ms`
  if (abs < 60_000) return `${(ms / 1000).toFixed(abs < 10_000 ? 1 : 0)}s`
  if (abs < 3_600_000) return `${Math.round(ms / 60_000)}m`
  if (abs < 86_400_000) return `${Math.round(ms / 3_600_000)}h`
  return `${Math.round(ms / 86_400_000)}d`
}
