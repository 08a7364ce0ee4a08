/** A clock the test drives, for the failure detector and anything else on the Clock interface. */
import type { Clock } from '../../agent/clock.ts'

/**
 * Timers fire only when advance() passes them, in order; after each, `settle`
 * lets the callbacks it started run (by default five microtask turns; pass
 * one that waits for setImmediate when timers start I/O-like work).
 */
export class ManualClock implements Clock {
  t = 1_800_000_000_000
  private timers: Array<{ at: number, fn: () => void, every?: number, id: number }> = []
  private ids = 0
  private readonly settle: () => Promise<void>

  constructor (settle: () => Promise<void> = async () => { for (let i = 0; i < 5; i++) await Promise.resolve() }) {
    this.settle = settle
  }

  now (): number { return this.t }
  monotonic (): number { return this.t }
  setTimeout (fn: () => void, ms: number): { clear(): void } { return this.add(fn, ms) }
  setInterval (fn: () => void, ms: number): { clear(): void } { return this.add(fn, ms, ms) }

  private add (fn: () => void, ms: number, every?: number): { clear(): void } {
    const id = ++this.ids
    this.timers.push({ at: this.t + ms, fn, id, ...(every != null ? { every } : {}) })
    return { clear: () => { this.timers = this.timers.filter((x) => x.id !== id) } }
  }

  /** moves time forward, firing due timers in order and letting what they started settle between them */
  async advance (ms: number): Promise<void> {
    const end = this.t + ms
    for (;;) {
      const next = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0]
      if (next == null) break
      this.t = next.at
      if (next.every != null) next.at += next.every
      else this.timers = this.timers.filter((x) => x !== next)
      next.fn()
      await this.settle()
    }
    this.t = end
  }
}
