/**
 * The consumer's view of one workload: a union of phases and one transition
 * function over a table. Anything the table does not list is refused with
 * InvalidTransitionError (tryTransition returns undefined instead).
 *
 *   pending ─placed─► placing ─ack─► delegated ─running─► running
 *      ▲  ▲             │  └reject─┐    │ ▲                 │
 *      │  └─────────────┴──────────┘    │ └──reconnect──┐   │
 *      │                        disconnect ─► disconnected ◄┘
 *      │                                       │ failover
 *      └─unschedulable─► failed ◄──────── failing-over ─placed─► placing
 *   any live phase ─cancel─► cancelling ─cancelled─► cancelled
 *   running|delegated ─succeeded─► succeeded
 */
import { InvalidTransitionError } from './errors.ts'

export type WorkloadPhase =
  | 'pending' | 'placing' | 'delegated' | 'running' | 'disconnected'
  | 'failing-over' | 'failed' | 'cancelling' | 'cancelled' | 'succeeded'

export const workloadPhases: readonly WorkloadPhase[] = [
  'pending', 'placing', 'delegated', 'running', 'disconnected', 'failing-over', 'failed', 'cancelling', 'cancelled', 'succeeded'
]

export type WorkloadEvent =
  /** the scheduler chose a target and the Delegate is in the outbox (or the local apply started) */
  | 'placed'
  /** no candidate passed the filters */
  | 'unschedulable'
  /** the target acknowledged this generation */
  | 'ack'
  /** the target refused this generation: place it again */
  | 'reject'
  /** the target reports pods being created or not all ready */
  | 'progressing'
  /** the target reports every replica ready */
  | 'running'
  /** the target reports the workload finished (a Job) */
  | 'succeeded'
  /** the target can no longer run it (capacity lost, quota shrunk, pods failing, lease reclaimed) */
  | 'relinquished'
  /** the target became unreachable */
  | 'disconnect'
  /** the target is reachable again */
  | 'reconnect'
  /** failoverAfter passed while disconnected, with on-disconnect=failover */
  | 'failover'
  /** the operator cancelled it */
  | 'cancel'
  /** the placement confirmed the removal (or there was none) */
  | 'cancelled'

export const workloadEvents: readonly WorkloadEvent[] = [
  'placed', 'unschedulable', 'ack', 'reject', 'progressing', 'running', 'succeeded', 'relinquished',
  'disconnect', 'reconnect', 'failover', 'cancel', 'cancelled'
]

const live = { cancel: 'cancelling' } as const

const table: Record<WorkloadPhase, Partial<Record<WorkloadEvent, WorkloadPhase>>> = {
  pending: { placed: 'placing', unschedulable: 'failed', ...live },
  placing: {
    ack: 'delegated', reject: 'pending', progressing: 'delegated', running: 'running', succeeded: 'succeeded',
    relinquished: 'failing-over', disconnect: 'disconnected', placed: 'placing', ...live
  },
  delegated: {
    ack: 'delegated', progressing: 'delegated', running: 'running', succeeded: 'succeeded',
    relinquished: 'failing-over', disconnect: 'disconnected', ...live
  },
  running: {
    ack: 'running', running: 'running', progressing: 'delegated', succeeded: 'succeeded',
    relinquished: 'failing-over', disconnect: 'disconnected', ...live
  },
  disconnected: {
    reconnect: 'delegated', running: 'running', progressing: 'delegated', ack: 'delegated', succeeded: 'succeeded',
    disconnect: 'disconnected', failover: 'failing-over', relinquished: 'failing-over', ...live
  },
  'failing-over': { placed: 'placing', unschedulable: 'failed', ...live },
  failed: { placed: 'placing', unschedulable: 'failed', ...live },
  cancelling: { cancelled: 'cancelled', cancel: 'cancelling' },
  cancelled: { cancel: 'cancelled' },
  succeeded: { cancel: 'cancelled' }
}

/** The phase after `event`; throws InvalidTransitionError when the machine does not allow it. */
export function transition (phase: WorkloadPhase, event: WorkloadEvent): WorkloadPhase {
  const next = table[phase][event]
  if (next == null) throw new InvalidTransitionError(`a ${phase} workload cannot take ${event}`)
  return next
}

/** The phase after `event`, or undefined when the machine does not allow it. */
export function tryTransition (phase: WorkloadPhase, event: WorkloadEvent): WorkloadPhase | undefined {
  return table[phase][event]
}

export function isTerminal (phase: WorkloadPhase): boolean {
  return phase === 'cancelled' || phase === 'succeeded'
}

/** Phases in which the workload has (or is getting) a placement that reports status. */
export function isPlaced (phase: WorkloadPhase): boolean {
  return phase === 'placing' || phase === 'delegated' || phase === 'running' || phase === 'disconnected'
}
