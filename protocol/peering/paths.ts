/**
 * Path-vector loop detection and transitive offers.
 *
 * A request or an offer carries the agents it passed through, origin first,
 * and a hop limit. The receiver refuses one whose path holds it already
 * (a loop) or that has used up its hops. Split horizon: capacity learned
 * from X is never offered back to X, nor to anyone on its path.
 *
 *   checkPath({ path: ['A', 'B', 'C'], hopLimit: 4, receiver: 'A' }) // throws LoopDetectedError
 */
import { HopLimitError, LoopDetectedError, MalformedFrameError } from './errors.ts'
import { sub, sum, min as rmin, zero, isZero, type Resources } from './resources.ts'

export interface PathCheck {
  path: readonly string[]
  hopLimit: number
  receiver: string
  /** the peer that handed it over: it must be the last on the path */
  sender?: string
}

/** Throws LoopDetectedError, HopLimitError or MalformedFrameError; returns the path extended by the receiver. */
export function checkPath (c: PathCheck): string[] {
  if (c.sender != null && c.path[c.path.length - 1] !== c.sender) throw new MalformedFrameError('the sender must be the last agent on the path')
  if (new Set(c.path).size !== c.path.length) throw new LoopDetectedError('the path visits an agent twice')
  if (c.path.includes(c.receiver)) throw new LoopDetectedError('the path already holds this agent')
  if (c.path.length >= c.hopLimit) throw new HopLimitError(`path of ${c.path.length} reached the hop limit ${c.hopLimit}`)
  return [...c.path, c.receiver]
}

/** True when check would pass. */
export function pathAllows (c: PathCheck): boolean {
  try { checkPath(c); return true } catch { return false }
}

/** A lease this agent holds as consumer, seen as capacity it might re-offer. */
export interface HeldCapacity {
  /** the provider the lease is on */
  provider: string
  /** the path the capacity came along, origin first, ending with the provider */
  path: readonly string[]
  quota: Resources
  /** how much of it is already re-offered or re-granted to others */
  reoffered: Resources
}

export interface TransitiveOfferInit {
  self: string
  to: string
  held: readonly HeldCapacity[]
  hopLimit: number
}

export interface TransitivePart {
  path: string[]
  resources: Resources
}

/** Whether a held lease may feed an offer from `self` to `to` (split horizon, no loop, hop limit). */
export function eligible (h: HeldCapacity, self: string, to: string, hopLimit: number): boolean {
  if (h.provider === to || h.path.includes(to)) return false // split horizon
  if (h.path.includes(self)) return false // would loop through us
  return h.path.length + 1 < hopLimit // the next hop must stay under the limit
}

/**
 * What `self` can re-offer to `to` from leases it holds: for each lease, its
 * quota minus what is already re-offered, unless split horizon or the hop
 * limit forbids it (the capacity came from `to`, or through it, or would be
 * one hop too far). Each part carries the path extended by `self`.
 */
export function transitiveOffer (init: TransitiveOfferInit): TransitivePart[] {
  const parts: TransitivePart[] = []
  for (const h of init.held) {
    if (!eligible(h, init.self, init.to, init.hopLimit)) continue
    const left = sub(h.quota, h.reoffered)
    if (isZero(left)) continue
    parts.push({ path: [...h.path, init.self], resources: left })
  }
  return parts
}

/** The total an agent offers `to`: its own lendable share plus the transitive parts. */
export function totalOffer (own: Resources, parts: readonly TransitivePart[]): Resources {
  return sum([own, ...parts.map((p) => p.resources)])
}

/**
 * Takes up to `ask` out of the held leases eligible for `to`, lease by lease,
 * never beyond what is left of each. Returns what each gives (index into
 * `held`) and the path the re-granted capacity carries. The caller adds each
 * take to that lease's `reoffered`.
 */
export function allocateTransitive (init: TransitiveOfferInit & { ask: Resources }): Array<{ index: number, path: string[], take: Resources }> {
  let need = init.ask
  const out: Array<{ index: number, path: string[], take: Resources }> = []
  init.held.forEach((h, index) => {
    if (isZero(need) || !eligible(h, init.self, init.to, init.hopLimit)) return
    const take = rmin(need, sub(h.quota, h.reoffered))
    if (isZero(take)) return
    out.push({ index, path: [...h.path, init.self], take })
    need = sub(need, take)
  })
  return out
}

export { zero }
