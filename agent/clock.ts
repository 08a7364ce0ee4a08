/**
 * Time as a dependency: components read `clock.now()` and schedule through the
 * clock so the simulator and tests can drive time.
 */
export interface Clock {
  /** milliseconds since the epoch */
  now(): number
  /** monotonic milliseconds, for durations */
  monotonic(): number
  setTimeout(fn: () => void, ms: number): { clear(): void }
  setInterval(fn: () => void, ms: number): { clear(): void }
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout (fn, ms) {
    const t = setTimeout(fn, ms)
    t.unref?.()
    return { clear: () => { clearTimeout(t) } }
  },
  setInterval (fn, ms) {
    const t = setInterval(fn, ms)
    t.unref?.()
    return { clear: () => { clearInterval(t) } }
  }
}
