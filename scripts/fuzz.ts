/**
 * `npm run fuzz [-- --runs N] [--handler-runs M] [--seed S] [--only decoders|handlers]`:
 * at least 100,000 hostile inputs per wire decoder (test/helpers/fuzz-decoders.ts),
 * then M hostile frames (default 5,000) against each real protocol handler —
 * the provider sides of /skein/peering/1.0.0 and /skein/delegate/1.0.0 over
 * in-memory streams, and the announcement check (test/helpers/fuzz-handlers.ts);
 * and M hostile cases each way on /skein/delegate-status/1.0.0: subscriptions to
 * a provider, Status frames to a consumer (test/helpers/fuzz-status.ts).
 * Prints one JSON line per decoder and per handler and exits 1 on any failure.
 * CI runs smaller counts inside npm test (test/adversarial-*.test.ts).
 */
import { parseArgs } from 'node:util'
import { fuzzDecoder, loadDecoders } from '../test/helpers/fuzz-decoders.ts'
import { fuzzHandler, fuzzAnnouncements, inProcessPeering, inProcessDelegate, peeringCases, delegateCases } from '../test/helpers/fuzz-handlers.ts'
import { fuzzStatusProvider, fuzzStatusConsumer } from '../test/helpers/fuzz-status.ts'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    'handler-runs': { type: 'string', default: '5000' },
    seed: { type: 'string' },
    only: { type: 'string' }
  }
})
const count = (name: string, text: string | undefined): number => {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) {
    console.error(`fuzz: --${name} must be a positive integer, not ${text}`)
    process.exit(2)
  }
  return n
}
const runs = count('runs', values.runs)
const handlerRuns = count('handler-runs', values['handler-runs'])
const seed = values.seed != null ? Number(values.seed) : undefined
const only = values.only
if (only != null && only !== 'decoders' && only !== 'handlers') {
  console.error(`fuzz: --only is decoders or handlers, not ${only}`)
  process.exit(2)
}
const heapMB = (): number => { globalThis.gc?.(); return Math.round(process.memoryUsage().heapUsed / 1e6) }
/** the cause fast-check wraps, first lines only */
const why = (err: unknown): string => {
  const e = err as Error & { cause?: Error }
  return `${e.cause?.message ?? ''} ${e.message.split('\n').slice(0, 3).join(' ')}`.trim()
}

let failed = false
if (only !== 'handlers') {
  for (const d of await loadDecoders()) {
    const started = performance.now()
    try {
      const r = fuzzDecoder(d, runs, seed)
      console.log(JSON.stringify({ ...r, seconds: Math.round(performance.now() - started) / 1000, heapMB: heapMB() }))
    } catch (err) {
      failed = true
      console.log(JSON.stringify({ decoder: d.name, failed: why(err) }))
    }
  }
}
if (only !== 'decoders') {
  const handlers = [[inProcessPeering, peeringCases], [inProcessDelegate, delegateCases]] as const
  for (const [make, cases] of handlers) {
    const target = await make()
    const started = performance.now()
    try {
      const r = await fuzzHandler(target, cases(), handlerRuns, seed)
      console.log(JSON.stringify({ ...r, seconds: Math.round(performance.now() - started) / 1000, heapMB: heapMB() }))
    } catch (err) {
      failed = true
      console.log(JSON.stringify({ target: target.name, failed: why(err) }))
    } finally {
      await target.close()
    }
  }
  const started = performance.now()
  try {
    const r = await fuzzAnnouncements(handlerRuns, seed)
    if (!r.honestAccepted) throw new Error('an honest announcement was refused')
    console.log(JSON.stringify({ ...r, seconds: Math.round(performance.now() - started) / 1000, heapMB: heapMB() }))
  } catch (err) {
    failed = true
    console.log(JSON.stringify({ target: 'announcements', failed: why(err) }))
  }
  for (const [name, fuzz] of [['status stream (provider)', fuzzStatusProvider], ['status stream (consumer)', fuzzStatusConsumer]] as const) {
    const started = performance.now()
    try {
      const r = await fuzz(handlerRuns, seed)
      if (r.unhandledRejections > 0) throw new Error(`${r.unhandledRejections} unhandled rejections`)
      console.log(JSON.stringify({ ...r, seconds: Math.round(performance.now() - started) / 1000, heapMB: heapMB() }))
    } catch (err) {
      failed = true
      console.log(JSON.stringify({ target: name, failed: why(err) }))
    }
  }
}
process.exit(failed ? 1 : 0)
