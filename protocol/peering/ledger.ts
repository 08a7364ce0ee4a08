/**
 * The provider's grant decision, pure: given what it offers, the quotas it
 * holds granted (active and grace leases), its minimum grant and a per-peer
 * cap, answer a request with a grant (possibly a counter-offer of less) or a
 * reject. Never grants beyond the offer: granted + answer ≤ offer, always.
 *
 *   const d = decide({ ask, min, offered, granted, minGrant })
 *   if (d.ok) insert(d.quota) else reject(d.error)
 */
import { InsufficientCapacityError, NotSharingError, type PeeringError } from './errors.ts'
import { isZero, fits, min as rmin, max as rmax, sub, resourceNames, describeResources, zero, type Resources } from './resources.ts'

export interface DecideInput {
  /** what the consumer asked for */
  ask: Resources
  /** the least the consumer accepts (zero: anything the provider's minimum allows) */
  min?: Resources
  /** what the provider offers in total (its lendable pool) */
  offered: Resources
  /** sum of the quotas of its active and grace leases */
  granted: Resources
  /** the provider's smallest grant, per resource (capped at what was asked) */
  minGrant?: Resources
  /** the most this consumer may hold in total, and what it holds already */
  peerCap?: Resources
  peerHeld?: Resources
}

export type Decision =
  | { ok: true, quota: Resources, counter: boolean }
  | { ok: false, error: PeeringError }

export function decide (input: DecideInput): Decision {
  if (isZero(input.offered)) return { ok: false, error: new NotSharingError('this agent offers nothing') }
  let remaining = sub(input.offered, input.granted)
  if (input.peerCap != null) remaining = rmin(remaining, sub(input.peerCap, input.peerHeld ?? zero()))
  const quota = rmin(input.ask, remaining)
  // the floor: the consumer's own minimum, and the provider's minimum grant, neither above the ask
  const floor = rmin(input.ask, rmax(input.min ?? zero(), input.minGrant ?? zero()))
  for (const n of resourceNames) {
    if (input.ask[n] > 0 && quota[n] < floor[n]) {
      return { ok: false, error: new InsufficientCapacityError(`${n}: ${quota[n]} left, at least ${floor[n]} needed`) }
    }
    if (input.ask[n] > 0 && quota[n] === 0) {
      return { ok: false, error: new InsufficientCapacityError(`no ${n} left`) }
    }
  }
  if (isZero(quota)) return { ok: false, error: new InsufficientCapacityError('nothing asked that is left') }
  return { ok: true, quota, counter: !fits(input.ask, quota) }
}

/** Invariant check for tests and the benchmark: the sum of holding quotas never exceeds the offer. */
export function overcommitted (offered: Resources, granted: Resources): string | undefined {
  return fits(granted, offered) ? undefined : `granted ${describeResources(granted)} > offered ${describeResources(offered)}`
}
