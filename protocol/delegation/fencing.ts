/**
 * Idempotency and fencing by (workload id, generation).
 *
 * Provider: the same id and generation gets the same answer; an older
 * generation, or one at or below a fence a Cancel left, is refused as FENCED;
 * a newer generation replaces what runs. A Cancel removes every generation at
 * or below its fence and leaves the fence behind (a tombstone) so a late
 * Delegate cannot bring the old copy back.
 *
 * Consumer: after a failover the old placement's generation is fenced; a late
 * Ack or Status from it is ignored and answered with a Cancel.
 *
 *   decideDelegate({ generation: 2, fence: 1 }, 2) // { action: 'repeat' }
 *   classifyReport(workload, 'peerB', 1)           // 'fenced' → send Cancel
 */

export interface HeldGeneration {
  /** the generation held now (0 when only a tombstone is left) */
  generation: number
  /** every generation ≤ fence is refused */
  fence: number
}

export type DelegateDecision =
  | { action: 'accept' }
  | { action: 'repeat' }
  | { action: 'replace', previous: number }
  | { action: 'fenced', detail: string }

export function decideDelegate (held: HeldGeneration | undefined, generation: number): DelegateDecision {
  if (held != null && generation <= held.fence) {
    return { action: 'fenced', detail: `generation ${generation} is fenced (fence ${held.fence})` }
  }
  if (held == null || held.generation === 0) return { action: 'accept' }
  if (generation === held.generation) return { action: 'repeat' }
  if (generation < held.generation) {
    return { action: 'fenced', detail: `generation ${generation} is older than the held generation ${held.generation}` }
  }
  return { action: 'replace', previous: held.generation }
}

export type CancelDecision =
  /** remove what runs, keep the fence */
  | { action: 'remove', fence: number }
  /** nothing runs here for it: just remember the fence */
  | { action: 'tombstone', fence: number }
  /** a newer generation runs here: leave it, remember the fence */
  | { action: 'keep-newer', fence: number }

export function decideCancel (held: HeldGeneration | undefined, cancel: { generation: number, fence: number }): CancelDecision {
  const fence = Math.max(cancel.fence, cancel.generation, held?.fence ?? 0)
  if (held == null || held.generation === 0) return { action: 'tombstone', fence }
  if (held.generation <= fence) return { action: 'remove', fence }
  return { action: 'keep-newer', fence }
}

export interface PlacementView {
  /** the workload's current generation */
  generation: number
  /** where that generation is placed; undefined while unplaced */
  placement?: { target: string, generation: number } | undefined
}

/**
 * How a consumer treats an Ack or Status for `generation` from `from`:
 * 'current' (apply it), 'fenced' (ignore it and cancel that copy), 'future'
 * (a generation we never made: ignore it and cancel it too).
 */
export function classifyReport (w: PlacementView, from: string, generation: number): 'current' | 'fenced' | 'future' {
  if (w.placement != null && w.placement.target === from && w.placement.generation === generation) return 'current'
  if (generation > w.generation) return 'future'
  return 'fenced'
}
