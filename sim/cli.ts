/**
 * npm run sim -- SCENARIO.yaml [--seed N] [--short] [--json OUT.json] [--html OUT.html]
 *               [--log-level warn] [--log-file FILE] [--keep-state] [--schedule]
 *
 * Runs a scenario with real agents in this process and prints the report as
 * JSON on stdout. Exits 1 when the run breaks an expectation (lost work,
 * overcommit, unexpected loop refusals, agent errors, no full view), 2 on a
 * bad scenario or flag. --schedule prints the seeded fault schedule and exits.
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadScenario } from './scenario.ts'
import { buildSchedule } from './schedule.ts'
import { runScenario } from './runner.ts'
import { buildReport, checkReport } from './report.ts'
import { renderHtml } from './html.ts'

async function main (argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        seed: { type: 'string' },
        short: { type: 'boolean', default: false },
        json: { type: 'string' },
        html: { type: 'string' },
        'log-level': { type: 'string' },
        'log-file': { type: 'string' },
        'keep-state': { type: 'boolean', default: false },
        schedule: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false }
      }
    })
  } catch (err) {
    process.stderr.write(`sim: ${(err as Error).message}\n`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.help === true || positionals.length !== 1) {
    process.stderr.write('usage: npm run sim -- SCENARIO.yaml [--seed N] [--short] [--json OUT.json] [--html OUT.html] [--log-level warn] [--log-file FILE] [--keep-state] [--schedule]\n')
    return values.help === true ? 0 : 2
  }
  const seed = values.seed != null ? Number(values.seed) : undefined
  if (seed != null && (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)) {
    process.stderr.write(`sim: --seed ${values.seed}: not an integer in 0..4294967295\n`)
    return 2
  }
  const logLevel = values['log-level']
  if (logLevel != null && !['error', 'warn', 'info', 'debug', 'silent'].includes(logLevel)) {
    process.stderr.write(`sim: --log-level ${logLevel}: one of error, warn, info, debug, silent\n`)
    return 2
  }
  let scenario
  try {
    scenario = loadScenario(positionals[0] as string, { short: values.short === true })
  } catch (err) {
    process.stderr.write(`sim: ${(err as Error).message}\n`)
    return 2
  }
  if (values.schedule === true) {
    process.stdout.write(JSON.stringify(buildSchedule(scenario, seed ?? scenario.seed), null, 2) + '\n')
    return 0
  }
  const obs = await runScenario(scenario, {
    ...(seed != null ? { seed } : {}),
    ...(logLevel != null ? { logLevel: logLevel as 'warn' } : {}),
    ...(values['log-file'] != null ? { logFile: values['log-file'] } : {}),
    keepState: values['keep-state'] === true,
    progress: (line) => { process.stderr.write(`sim: ${line}\n`) }
  })
  const report = buildReport(obs)
  const violations = checkReport(report)
  const text = JSON.stringify({ ...report, violations }, null, 2) + '\n'
  if (values.json != null) writeFileSync(values.json, text)
  if (values.html != null) writeFileSync(values.html, renderHtml(report, obs))
  process.stdout.write(text)
  if (violations.length > 0) {
    process.stderr.write(`sim: FAILED: ${violations.join('; ')}\n`)
    return 1
  }
  return 0
}

main(process.argv.slice(2)).then((code) => { process.exit(code) }, (err: unknown) => {
  process.stderr.write(`sim: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
