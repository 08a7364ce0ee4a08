/**
 * Hostile traffic on the delegation status stream (/skein/delegate-status/1.0.0),
 * both ways (issue 10, item 1): subscriptions a member has no right to make
 * or cannot make readable, sent to a real provider; and generated Status
 * frames a hostile provider answers a real consumer's subscription with.
 * `npm run fuzz -- --only handlers` runs the same cases in larger numbers.
 */
import t from 'tap'
import { fuzzStatusProvider, fuzzStatusConsumer, subscribeMuts, statusMuts } from './helpers/fuzz-status.ts'

// fixed seeds keep CI repeatable; `npm run fuzz` explores with fresh seeds and more cases
const runs = Number(process.env.SKEIN_TEST_STATUS_RUNS ?? 150)
const seed = Number(process.env.SKEIN_TEST_FUZZ_SEED ?? 20261124)

t.test('a provider refuses hostile status subscriptions: the stream ends, nothing is sent or stored, an honest subscriber keeps its stream', async (t) => {
  const r = await fuzzStatusProvider(runs, seed)
  t.comment(JSON.stringify({ byMutation: r.byMutation, endings: r.endings }))
  t.equal(r.unhandledRejections, 0)
  t.same(Object.keys(r.byMutation).sort(), [...subscribeMuts].sort(), 'every kind of subscription was tried')
  t.ok(r.honestFrames > 0, 'the honest subscriber got its status all along')
})

t.test('a consumer survives hostile Status frames: no generation moves, another provider\'s workload is untouched, refusals are counted', async (t) => {
  const r = await fuzzStatusConsumer(runs, seed)
  t.comment(JSON.stringify({ frames: r.frames, refused: r.refused, byMutation: r.byMutation }))
  t.equal(r.unhandledRejections, 0)
  t.same(Object.keys(r.byMutation).sort(), [...statusMuts].sort(), 'every kind of frame was tried')
  t.ok((r.refused.malformed ?? 0) > 0 && (r.refused.unreadable ?? 0) > 0 && (r.refused['not-placed-here'] ?? 0) > 0, 'refusals are counted by reason')
})
