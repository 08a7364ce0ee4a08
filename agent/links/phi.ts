/**
 * The phi-accrual failure detector (Hayashibara et al., 2004, as in Akka and
 * Cassandra): instead of a yes/no timeout, a suspicion level phi that grows
 * the longer a heartbeat is overdue relative to the intervals seen so far.
 * phi = -log10(P(a heartbeat arrives later than now)), with the intervals
 * modelled as a normal distribution (logistic approximation of its CDF).
 * phi 1 ≈ 10 % chance of a false suspicion, phi 8 ≈ 10⁻⁸.
 *
 * Heartbeats here are answers to periodic pings, so on a lossy link the gaps
 * are whole multiples of the ping interval with geometric tails (a run of k
 * lost pings has probability p^k), which the normal model underestimates: at
 * 30 % loss it would call five lost pings in a row "10⁻⁸". So phi is the
 * smaller of the normal-model phi and the geometric one, k·(−log10 p), with p
 * the miss rate estimated from the same intervals (floor 1 %). A clean link is
 * still declared dead after about five silent intervals; a link losing 30 %
 * needs about sixteen.
 *
 *   const d = new PhiAccrual({ expectedIntervalMs: 1000 })
 *   d.heartbeat(now)
 *   d.phi(now + 3000) // > 8: almost surely gone
 */
export interface PhiInit {
  /** how many intervals to remember; default 100 */
  windowSize?: number
  /** floor of the standard deviation, ms, so a very regular peer is not suspected on the first jitter; default 100 */
  minStdDevMs?: number
  /** the interval assumed before any was observed (the ping interval), ms */
  expectedIntervalMs: number
  /** intervals shorter than this only move "last heartbeat", they do not enter the statistics (extra heartbeats from gossip); default 0 */
  minIntervalMs?: number
  /** added to the mean: a pause that is always tolerated, ms; default 0 */
  acceptablePauseMs?: number
}

/**
 * The geometric model trusts the loss it saw up to this rate: a link that
 * seems to lose more (or a host so loaded that its pings time out) is still
 * declared dead after about 16 silent intervals, not never.
 */
export const MAX_MISS_RATE = 0.3

/**
 * The miss rate is estimated over at least this many intervals, the ones not
 * yet observed counting as on time: a young detector that saw three pings
 * time out in its first ten intervals (a join burst on a busy host) does not
 * yet believe the link loses 23 %, which would slow its detection threefold.
 */
export const MIN_RATE_INTERVALS = 20

export class PhiAccrual {
  private readonly size: number
  private readonly minStd: number
  private readonly minInterval: number
  private readonly pause: number
  private readonly intervals: number[] = []
  private readonly missed: number[] = []
  private sumMissed = 0
  private readonly expected: number
  private next = 0
  private sum = 0
  private sumSq = 0
  last?: number

  constructor (init: PhiInit) {
    this.size = init.windowSize ?? 100
    this.minStd = init.minStdDevMs ?? 100
    this.minInterval = init.minIntervalMs ?? 0
    this.pause = init.acceptablePauseMs ?? 0
    this.expected = init.expectedIntervalMs
    // seed with the expected interval ± a quarter, as Akka does, so phi is meaningful from the first heartbeat
    const m = init.expectedIntervalMs
    this.add(m - m / 4)
    this.add(m + m / 4)
  }

  /**
   * Records a heartbeat. `missed` is how many expected heartbeats were lost
   * since the previous one, when the caller knows (failed pings); the
   * interval's length is a floor for it. Returns false when the interval was too
   * short to enter the statistics.
   */
  heartbeat (now: number, missed?: number): boolean {
    if (this.last != null) {
      const interval = now - this.last
      if (interval < this.minInterval) {
        this.last = Math.max(this.last, now)
        return false
      }
      this.add(interval, missed)
    }
    this.last = now
    return true
  }

  get mean (): number {
    return this.sum / this.intervals.length
  }

  get stdDev (): number {
    const n = this.intervals.length
    const variance = Math.max(0, this.sumSq / n - (this.sum / n) ** 2)
    return Math.max(Math.sqrt(variance), this.minStd)
  }

  /** estimated fraction of expected heartbeats that did not arrive (between 0.01 and MAX_MISS_RATE) */
  get missRate (): number {
    const n = Math.max(this.intervals.length, MIN_RATE_INTERVALS)
    return Math.min(MAX_MISS_RATE, Math.max(0.01, this.sumMissed / (this.sumMissed + n)))
  }

  /** Suspicion at `now`; 0 before the first heartbeat. */
  phi (now: number): number {
    if (this.last == null) return 0
    const elapsed = now - this.last
    const normal = phiOf(elapsed, this.mean + this.pause, this.stdDev)
    const overdue = (elapsed - this.pause) / this.expected - 1
    const geometric = overdue <= 0 ? 0 : overdue * -Math.log10(this.missRate)
    return Math.min(normal, geometric)
  }

  private add (interval: number, known?: number): void {
    // an interval k times too long counts k - 1 misses even when no ping failed: over TCP a lost
    // packet is retransmitted, so loss shows as a late answer rather than a missing one
    const missed = Math.max(known ?? 0, Math.max(0, Math.round(interval / this.expected) - 1))
    if (this.intervals.length < this.size) {
      this.intervals.push(interval)
      this.missed.push(missed)
    } else {
      const old = this.intervals[this.next] as number
      this.sum -= old
      this.sumSq -= old * old
      this.sumMissed -= this.missed[this.next] as number
      this.intervals[this.next] = interval
      this.missed[this.next] = missed
      this.next = (this.next + 1) % this.size
    }
    this.sum += interval
    this.sumSq += interval * interval
    this.sumMissed += missed
  }
}

/** phi of an elapsed time against a normal distribution of intervals (Akka's logistic approximation). */
export function phiOf (elapsed: number, mean: number, stdDev: number): number {
  const y = (elapsed - mean) / stdDev
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y))
  const p = elapsed > mean ? e / (1 + e) : 1 - 1 / (1 + e)
  // p underflows to 0 for a long silence: cap instead of Infinity
  return p <= 1e-300 ? 300 : -Math.log10(p)
}
