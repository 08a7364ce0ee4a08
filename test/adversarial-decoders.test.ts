import t from 'tap'
import { fuzzDecoder, loadDecoders } from './helpers/fuzz-decoders.ts'

// a fixed seed keeps CI repeatable; `npm run fuzz` explores with fresh seeds and 100,000 runs
const runs = Number(process.env.SKEIN_TEST_FUZZ_RUNS ?? 1500)
const seed = Number(process.env.SKEIN_TEST_FUZZ_SEED ?? 20261124)

t.test('every wire decoder refuses hostile bytes with an Error and holds no memory', async (t) => {
  const decoders = await loadDecoders()
  t.ok(decoders.length > 0, `found ${decoders.length} decoders`)
  globalThis.gc?.()
  const before = process.memoryUsage().heapUsed
  for (const d of decoders) {
    const r = fuzzDecoder(d, runs, seed)
    t.equal(r.nonErrorThrows, 0, `${d.name}: ${r.accepted} accepted (${r.unencodable} with out-of-range numbers), ${r.refused} refused, never a non-Error throw`)
  }
  globalThis.gc?.()
  const grownMB = (process.memoryUsage().heapUsed - before) / 1e6
  t.ok(grownMB < 200, `heap grew ${grownMB.toFixed(1)} MB over ${decoders.length * runs} cases`)
})
