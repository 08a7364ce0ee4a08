/**
 * Output of data commands: `-o table` (default, for people), `-o json` and
 * `-o yaml` (for scripts).
 */
import { stringify as toYaml } from 'yaml'
import { Option } from 'commander'

export type OutputFormat = 'table' | 'json' | 'yaml'

export function outputOption (): Option {
  return new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'yaml']).default('table')
}

export interface Column<T> {
  header: string
  value: (row: T) => string | number | undefined | null
  align?: 'left' | 'right'
}

export function renderTable<T> (rows: T[], columns: Array<Column<T>>): string {
  const cells = rows.map((r) => columns.map((c) => {
    const v = c.value(r)
    return v == null || v === '' ? '-' : String(v)
  }))
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => (row[i] as string).length)))
  const line = (vals: string[]): string => vals.map((v, i) => {
    const w = widths[i] as number
    const last = i === vals.length - 1
    return columns[i]?.align === 'right' ? v.padStart(w) : (last ? v : v.padEnd(w))
  }).join('  ')
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n') + '\n'
}

/** A two-column key/value view of one object. */
export function renderKeyValues (pairs: Array<[string, unknown]>): string {
  const w = Math.max(...pairs.map(([k]) => k.length))
  return pairs.map(([k, v]) => `${(k + ':').padEnd(w + 1)}  ${Array.isArray(v) ? v.join(', ') : v == null ? '-' : String(v)}`).join('\n') + '\n'
}

export function render (format: OutputFormat, data: unknown, table: () => string): string {
  switch (format) {
    case 'json': return JSON.stringify(data, null, 2) + '\n'
    case 'yaml': return toYaml(data)
    default: return table()
  }
}
