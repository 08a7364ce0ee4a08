/**
 * The lease state machine: one union type, one transition function.
 *
 *   requested ─grant─► active ─miss─► grace ─graceEnd─► expired
 *       │                 ▲  └─renew─┘  │
 *       │                 └────renew────┘
 *       ├─reject──► released      any live state ─release─► released
 *       └─timeout─► expired       active|grace ─termEnd─► expired
 *
 * `expired` and `released` are terminal. Releasing a released lease is a
 * no-op (either side may release, and both may do it at once).
 */
import { InvalidTransitionError } from './errors.ts'
import type { Resources } from './resources.ts'

export type LeaseState = 'requested' | 'active' | 'grace' | 'expired' | 'released'
export const leaseStates: readonly LeaseState[] = ['requested', 'active', 'grace', 'expired', 'released']

export type LeaseEvent = 'grant' | 'reject' | 'timeout' | 'renew' | 'miss' | 'graceEnd' | 'termEnd' | 'release'
export const leaseEvents: readonly LeaseEvent[] = ['grant', 'reject', 'timeout', 'renew', 'miss', 'graceEnd', 'termEnd', 'release']

export type LeaseRole = 'provider' | 'consumer'

export interface Lease {
  id: string
  role: LeaseRole
  consumer: string
  provider: string
  quota: Resources
  /** ms since the epoch */
  created: number
  /** end of the term, ms since the epoch */
  expires: number
  /** the consumer renews before this; after it the lease is in grace */
  renewBy: number
  /** how long a lease stays in grace after a missed renewal, ms */
  graceMs: number
  state: LeaseState
  /** the path the request came along, origin first */
  path: string[]
  /** why it ended, when it has */
  reason?: string
}

const table: Record<LeaseState, Partial<Record<LeaseEvent, LeaseState>>> = {
  requested: { grant: 'active', reject: 'released', timeout: 'expired', release: 'released' },
  active: { renew: 'active', miss: 'grace', termEnd: 'expired', release: 'released' },
  grace: { renew: 'active', graceEnd: 'expired', termEnd: 'expired', release: 'released' },
  expired: {},
  released: { release: 'released' }
}

/** The state after `event`; throws InvalidTransitionError when the machine does not allow it. */
export function transition (state: LeaseState, event: LeaseEvent): LeaseState {
  const next = table[state][event]
  if (next == null) throw new InvalidTransitionError(`a ${state} lease cannot take ${event}`)
  return next
}

export function canTransition (state: LeaseState, event: LeaseEvent): boolean {
  return table[state][event] != null
}

/** Holds quota on the provider: counted against its offer. */
export function isHolding (state: LeaseState): boolean {
  return state === 'active' || state === 'grace'
}

export function isTerminal (state: LeaseState): boolean {
  return state === 'expired' || state === 'released'
}

/**
 * What time alone does to a lease at `now`: the event due, or undefined.
 * A term that has ended wins over a missed renewal.
 */
export function dueEvent (lease: Pick<Lease, 'state' | 'expires' | 'renewBy' | 'graceMs'>, now: number): LeaseEvent | undefined {
  if (lease.state === 'active' || lease.state === 'grace') {
    if (now >= lease.expires) return 'termEnd'
    if (lease.state === 'active' && now >= lease.renewBy) return 'miss'
    if (lease.state === 'grace' && now >= lease.renewBy + lease.graceMs) return 'graceEnd'
  }
  return undefined
}

/** When dueEvent will next have something to say, or undefined for a lease time cannot move. */
export function nextDeadline (lease: Pick<Lease, 'state' | 'expires' | 'renewBy' | 'graceMs'>): number | undefined {
  if (lease.state === 'active') return Math.min(lease.expires, lease.renewBy)
  if (lease.state === 'grace') return Math.min(lease.expires, lease.renewBy + lease.graceMs)
  return undefined
}

/** Applies every event time has made due at `now` (active → grace → expired may happen in one call). */
export function advance (lease: Lease, now: number): Array<{ event: LeaseEvent, from: LeaseState, to: LeaseState }> {
  const steps: Array<{ event: LeaseEvent, from: LeaseState, to: LeaseState }> = []
  for (let ev = dueEvent(lease, now); ev != null; ev = dueEvent(lease, now)) {
    const from = lease.state
    lease.state = transition(from, ev)
    steps.push({ event: ev, from, to: lease.state })
  }
  return steps
}
