/**
 * The waterfall, peering side: leases this agent holds as consumer, seen as
 * capacity it may lend on to its own peers (policy `peering.reoffer`).
 *
 * What a held lease can still give is its quota minus what is spoken for:
 * our own workloads placed under it, and the larger of what is re-granted
 * from it and what re-delegated workloads use of it. A held lease feeds an
 * offer or a grant to peer X only when split horizon allows (the capacity
 * did not come from or through X, nor through anyone on the request's path)
 * and the chain stays under the hop limit. A grant is backed first by our own
 * capacity, then lease by lease; the backing is stored with the lease so
 * nothing is counted twice.
 *
 *   const held = heldCapacity(peering.held(), ledger.reoffered(), usage, pathOf)
 *   const usable = eligibleFor(held, self, 'A', ['A'], 4)
 *   const backing = backGrant(quota, ownLeft, usable) // { own, via: [{ leaseId, take }] }
 */
import { add, sub, sum, max as rmax, min as rmin, zero, isZero, eligible, type HeldCapacity, type Resources } from '../../protocol/peering/index.ts'
import type { LeaseBacking, StoredLease } from './ledger.ts'

/** What delegation uses of a held lease: for our own workloads, and for workloads re-delegated on behalf of others. */
export interface HeldUsage {
  own: Resources
  relayed: Resources
}

export interface HeldLease extends HeldCapacity {
  leaseId: string
  expires: number
}

/** The held leases as capacity: `reoffered` is everything spoken for (own use + max(re-granted, relayed)), never above the quota. */
export function heldCapacity (
  held: readonly StoredLease[],
  regranted: ReadonlyMap<string, Resources>,
  usage: (leaseId: string) => HeldUsage | undefined,
  pathOf: (provider: string) => string[]
): HeldLease[] {
  return held.map((l) => {
    const u = usage(l.id) ?? { own: zero(), relayed: zero() }
    const spoken = add(u.own, rmax(regranted.get(l.id) ?? zero(), u.relayed))
    return { leaseId: l.id, provider: l.provider, path: pathOf(l.provider), quota: l.quota, reoffered: rmin(spoken, l.quota), expires: l.expires }
  })
}

/** What is left to lend of a held lease. */
export function leftOf (h: HeldCapacity): Resources {
  return sub(h.quota, h.reoffered)
}

/**
 * The held leases that may back capacity for `to`, asked along
 * `requestPath` (origin first, `to` last; [to] for an offer query): split
 * horizon against everyone on that path, no loop through us, and the longest
 * chain a delegation could then take (requestPath, us, the capacity's path)
 * under the hop limit.
 */
export function eligibleFor (held: readonly HeldLease[], self: string, to: string, requestPath: readonly string[], hopLimit: number): HeldLease[] {
  return held.filter((h) => eligible(h, self, to, hopLimit) &&
    !requestPath.some((p) => h.path.includes(p)) &&
    requestPath.length + h.path.length < hopLimit &&
    !isZero(leftOf(h)))
}

/** The capacity path of an offer made of our own share and these held leases: everyone it came through, then us. */
export function offerPath (self: string, parts: readonly HeldLease[]): string[] {
  const out: string[] = []
  for (const h of parts) for (const p of h.path) if (p !== self && !out.includes(p)) out.push(p)
  return [...out, self]
}

/** Sum of what the held leases can still lend. */
export function lendable (parts: readonly HeldLease[]): Resources {
  return sum(parts.map(leftOf))
}

/**
 * Splits a grant of `quota` between our own capacity (first) and the held
 * leases (in order), never taking beyond what each has left. Undefined when
 * they cannot back all of it.
 */
export function backGrant (quota: Resources, ownLeft: Resources, parts: readonly HeldLease[]): LeaseBacking | undefined {
  const own = rmin(quota, ownLeft)
  let rest = sub(quota, own)
  const via: LeaseBacking['via'] = []
  for (const h of parts) {
    if (isZero(rest)) break
    const take = rmin(rest, leftOf(h))
    if (isZero(take)) continue
    via.push({ leaseId: h.leaseId, take })
    rest = sub(rest, take)
  }
  if (!isZero(rest)) return undefined
  return { own, via }
}
