/**
 * A small seeded PRNG (sfc32, seeded through splitmix32) so that a scenario
 * and a seed give the same fault schedule on every machine. Not for secrets.
 *
 *   const rng = createRng(42)
 *   rng.next()            // [0, 1)
 *   rng.int(0, 10)        // integer in [0, 10)
 *   rng.fork('flap')      // an independent stream, stable per label
 */
export interface Rng {
  /** a float in [0, 1) */
  next(): number
  /** an integer in [min, max) */
  int(min: number, max: number): number
  /** true with probability p */
  chance(p: number): boolean
  /** an exponentially distributed value with the given mean */
  exp(mean: number): number
  pick<T>(items: readonly T[]): T
  /** k distinct items, in a seeded order */
  sample<T>(items: readonly T[], k: number): T[]
  /** an independent generator derived from this one's seed and a label */
  fork(label: string): Rng
}

function splitmix32 (seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

/** FNV-1a over a string, for labels */
export function hashString (s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

export function createRng (seed: number): Rng {
  const init = splitmix32(seed)
  let a = init(); let b = init(); let c = init(); let d = init()
  const next = (): number => {
    // sfc32
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) >>> 0
    return t / 4294967296
  }
  for (let i = 0; i < 12; i++) next()
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * Math.max(0, max - min)),
    chance: (p) => next() < p,
    exp: (mean) => -Math.log(1 - next()) * mean,
    pick: (items) => {
      if (items.length === 0) throw new RangeError('pick from an empty list')
      return items[Math.floor(next() * items.length)] as never
    },
    sample: (items, k) => {
      const copy = [...items]
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1))
        const tmp = copy[i] as (typeof copy)[number]
        copy[i] = copy[j] as (typeof copy)[number]
        copy[j] = tmp
      }
      return copy.slice(0, Math.max(0, Math.min(k, copy.length)))
    },
    fork: (label) => createRng((seed ^ hashString(label)) >>> 0)
  }
  return rng
}
