/**
 * Peer states as one explicit state machine: alive → suspect → unreachable →
 * gone, driven by the phi-accrual detector. Hysteresis: leaving suspect or
 * unreachable takes `recoverHeartbeats` heartbeats in a row, so a lossy but
 * living link does not flap; entering needs phi over a threshold.
 *
 *   let s = initialLink(now)
 *   s = transition(s, { type: 'tick', now, phi: 9 }, thresholds) // → unreachable
 */
export type PeerState = 'alive' | 'suspect' | 'unreachable' | 'gone'
export const peerStates: readonly PeerState[] = ['alive', 'suspect', 'unreachable', 'gone']

export interface LinkStatus {
  state: PeerState
  /** when the current state was entered, ms */
  since: number
  /** heartbeats in a row since the last tick that found phi over the suspect threshold */
  recovery: number
}

export type LinkEvent =
  | { type: 'heartbeat', now: number }
  /** a periodic evaluation with the detector's current phi */
  | { type: 'tick', now: number, phi: number }
  /** other members' verdicts that the peer is unreachable (a peer this agent does not ping itself) */
  | { type: 'verdict', now: number }
  /** the peer was heard from after a verdict: the verdict was false or is over */
  | { type: 'refuted', now: number }

export interface Thresholds {
  /** phi at or over which an alive peer becomes suspect */
  phiSuspect: number
  /** phi at or over which a peer becomes unreachable */
  phiUnreachable: number
  /** heartbeats in a row that bring a suspect, unreachable or gone peer back to alive */
  recoverHeartbeats: number
  /** ms in unreachable after which the peer is gone */
  goneAfterMs: number
}

export function initialLink (now: number): LinkStatus {
  return { state: 'alive', since: now, recovery: 0 }
}

export function transition (s: LinkStatus, ev: LinkEvent, th: Thresholds): LinkStatus {
  const to = (state: PeerState): LinkStatus => state === s.state ? s : { state, since: ev.now, recovery: 0 }
  if (ev.type === 'heartbeat') {
    if (s.state === 'alive') return s
    const recovery = s.recovery + 1
    if (recovery >= th.recoverHeartbeats) return { state: 'alive', since: ev.now, recovery: 0 }
    return { ...s, recovery }
  }
  if (ev.type === 'verdict') return s.state === 'alive' || s.state === 'suspect' ? to('unreachable') : s
  if (ev.type === 'refuted') return s.state === 'unreachable' ? to('alive') : s
  // tick
  switch (s.state) {
    case 'alive':
      if (ev.phi >= th.phiUnreachable) return to('unreachable')
      if (ev.phi >= th.phiSuspect) return to('suspect')
      return s
    case 'suspect':
      if (ev.phi >= th.phiUnreachable) return to('unreachable')
      // an overdue heartbeat breaks a recovery run
      if (ev.phi >= th.phiSuspect && s.recovery > 0) return { ...s, recovery: 0 }
      return s
    case 'unreachable':
      if (ev.now - s.since >= th.goneAfterMs) return to('gone')
      if (ev.phi >= th.phiSuspect && s.recovery > 0) return { ...s, recovery: 0 }
      return s
    case 'gone':
      return s
  }
}
