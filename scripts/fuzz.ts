/**
 * `npm run fuzz [-- --runs N] [--seed S]`: at least 100,000 hostile inputs per
 * wire decoder (see test/helpers/fuzz-decoders.ts); prints one JSON line per
 * decoder and exits 1 on any failure. CI runs a smaller count inside npm test.
 */
import { parseArgs } from 'node:util'
import { fuzzDecoder, loadDecoders } from '../test/helpers/fuzz-decoders.ts'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '100000' }, seed: { type: 'string' } } })
const runs = Number(values.runs)
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`fuzz: --runs must be a positive integer, not ${values.runs}`)
  process.exit(2)
}
let failed = false
for (const d of await loadDecoders()) {
  const started = performance.now()
  try {
    const r = fuzzDecoder(d, runs, values.seed != null ? Number(values.seed) : undefined)
    console.log(JSON.stringify({ ...r, seconds: Math.round(performance.now() - started) / 1000, heapMB: Math.round(process.memoryUsage().heapUsed / 1e6) }))
  } catch (err) {
    failed = true
    console.log(JSON.stringify({ decoder: d.name, failed: (err as Error).message.split('\n').slice(0, 6).join(' ') }))
  }
}
process.exit(failed ? 1 : 0)
