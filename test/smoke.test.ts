import t from 'tap'
import { parseDuration } from '../agent/config/duration.ts'
t.test('durations', async (t) => { t.equal(parseDuration('5s'), 5000) })
