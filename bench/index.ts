/**
 * Benchmark dispatcher. Each benchmark is one file, bench/<name>.ts, exporting
 * `run(args: string[]): Promise<Record<string, unknown>>`; the dispatcher loads
 * it, runs it, and prints its result: one JSON object with --json (for
 * BENCHMARKS.md and scripts), a readable summary otherwise.
 *
 *   npm run bench                               # list the benchmarks
 *   npm run bench -- footprint --json           # one JSON object on stdout
 *   npm run bench -- footprint --idle 10s       # arguments after the name go to run()
 *
 * Benchmarks write progress to stderr only, so stdout stays one JSON object.
 */
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export interface Benchmark {
  run: (args: string[]) => Promise<Record<string, unknown>>
}

const here = dirname(fileURLToPath(import.meta.url))

export function listBenchmarks (): string[] {
  return readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.includes('.test.')).map((f) => f.slice(0, -3)).sort()
}

/** Flattens nested results to `a.b: value` lines for people. */
export function summarize (result: Record<string, unknown>, prefix = ''): string[] {
  const lines: string[] = []
  for (const [k, v] of Object.entries(result)) {
    const key = prefix === '' ? k : `${prefix}.${k}`
    if (v != null && typeof v === 'object' && !Array.isArray(v)) lines.push(...summarize(v as Record<string, unknown>, key))
    else lines.push(`${key}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
  }
  return lines
}

export async function main (argv: string[]): Promise<number> {
  const json = argv.includes('--json')
  const rest = argv.filter((a) => a !== '--json')
  const name = rest[0]
  const known = listBenchmarks()
  if (name == null || name === '--help' || name === '-h') {
    process.stderr.write(`usage: npm run bench -- <name> [args] [--json]\nbenchmarks: ${known.join(', ') || '(none)'}\n`)
    return name == null ? 2 : 0
  }
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !known.includes(name)) {
    process.stderr.write(`bench: no benchmark "${name}"; there are: ${known.join(', ') || '(none)'}\n`)
    return 2
  }
  const mod = await import(pathToFileURL(join(here, `${name}.ts`)).href) as Partial<Benchmark>
  if (typeof mod.run !== 'function') {
    process.stderr.write(`bench: bench/${name}.ts exports no run(args)\n`)
    return 2
  }
  const result = await mod.run(rest.slice(1))
  process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${name}\n${summarize(result).map((l) => `  ${l}`).join('\n')}\n`)
  return 0
}

if (import.meta.main) {
  let code = 1
  try {
    code = await main(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`)
  }
  // a benchmark may leave sockets or timers behind; its result is printed (stdout to a pipe is synchronous on Linux)
  process.exit(code)
}
