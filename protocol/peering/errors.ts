/**
 * Named errors of the peering protocol. Each carries the RejectReason that goes
 * on the wire when the error answers a peer, so an outcome is always an enum.
 */
import { RejectReason } from '../pb/peering.js'
import { SkeinError, type SkeinErrorOptions } from '../../agent/errors.ts'

export class PeeringError extends SkeinError {
  static override name = 'PeeringError'
  readonly reason: RejectReason = RejectReason.INTERNAL
}

/** A quantity is negative, fractional where it must be whole, absurdly large, or not a quantity. */
export class InvalidQuantityError extends PeeringError {
  static override name = 'InvalidQuantityError'
  override readonly reason = RejectReason.INVALID_QUANTITY
}

/** A frame could not be decoded, or a field is missing or malformed. */
export class MalformedFrameError extends PeeringError {
  static override name = 'MalformedFrameError'
  override readonly reason = RejectReason.MALFORMED
}

export class UnsupportedVersionError extends PeeringError {
  static override name = 'UnsupportedVersionError'
  override readonly reason = RejectReason.UNSUPPORTED_VERSION
}

export class BadSignatureError extends PeeringError {
  static override name = 'BadSignatureError'
  override readonly reason = RejectReason.BAD_SIGNATURE
}

export class StaleMessageError extends PeeringError {
  static override name = 'StaleMessageError'
  override readonly reason = RejectReason.STALE
}

export class ReplayedMessageError extends PeeringError {
  static override name = 'ReplayedMessageError'
  override readonly reason = RejectReason.REPLAY
}

export class WrongRecipientError extends PeeringError {
  static override name = 'WrongRecipientError'
  override readonly reason = RejectReason.WRONG_RECIPIENT
}

export class NotMemberError extends PeeringError {
  static override name = 'NotMemberError'
  override readonly reason = RejectReason.NOT_MEMBER
}

/** The path of a request or offer already holds the receiver. */
export class LoopDetectedError extends PeeringError {
  static override name = 'LoopDetectedError'
  override readonly reason = RejectReason.LOOP
}

export class HopLimitError extends PeeringError {
  static override name = 'HopLimitError'
  override readonly reason = RejectReason.HOP_LIMIT
}

export class InsufficientCapacityError extends PeeringError {
  static override name = 'InsufficientCapacityError'
  override readonly reason = RejectReason.INSUFFICIENT_CAPACITY
}

export class NotSharingError extends PeeringError {
  static override name = 'NotSharingError'
  override readonly reason = RejectReason.NOT_SHARING
}

export class PolicyDeniedError extends PeeringError {
  static override name = 'PolicyDeniedError'
  override readonly reason = RejectReason.POLICY_DENIED
}

export class DuplicateLeaseError extends PeeringError {
  static override name = 'DuplicateLeaseError'
  override readonly reason = RejectReason.DUPLICATE_LEASE
}

export class UnknownLeaseError extends PeeringError {
  static override name = 'UnknownLeaseError'
  override readonly reason = RejectReason.UNKNOWN_LEASE
}

export class LeaseExpiredError extends PeeringError {
  static override name = 'LeaseExpiredError'
  override readonly reason = RejectReason.LEASE_EXPIRED
}

export class NotLeasePartyError extends PeeringError {
  static override name = 'NotLeasePartyError'
  override readonly reason = RejectReason.NOT_LEASE_PARTY
}

export class TenantFailedError extends PeeringError {
  static override name = 'TenantFailedError'
  override readonly reason = RejectReason.TENANT_FAILED
}

/** A transition the lease state machine does not allow. */
export class InvalidTransitionError extends PeeringError {
  static override name = 'InvalidTransitionError'
}

/** A peer refused our request; `reason` is what it said. */
export class PeeringRejectedError extends PeeringError {
  static override name = 'PeeringRejectedError'
  override readonly reason: RejectReason

  constructor (reason: RejectReason, message: string, options: SkeinErrorOptions = {}) {
    super(message, options)
    this.reason = reason
  }
}

/** A peer could not be reached or did not answer within the deadline. */
export class PeerUnreachableError extends PeeringError {
  static override name = 'PeerUnreachableError'
}

const byReason: Record<string, new (message: string, options?: SkeinErrorOptions) => PeeringError> = {
  [RejectReason.INVALID_QUANTITY]: InvalidQuantityError,
  [RejectReason.MALFORMED]: MalformedFrameError,
  [RejectReason.UNSUPPORTED_VERSION]: UnsupportedVersionError,
  [RejectReason.BAD_SIGNATURE]: BadSignatureError,
  [RejectReason.STALE]: StaleMessageError,
  [RejectReason.REPLAY]: ReplayedMessageError,
  [RejectReason.WRONG_RECIPIENT]: WrongRecipientError,
  [RejectReason.NOT_MEMBER]: NotMemberError,
  [RejectReason.LOOP]: LoopDetectedError,
  [RejectReason.HOP_LIMIT]: HopLimitError,
  [RejectReason.INSUFFICIENT_CAPACITY]: InsufficientCapacityError,
  [RejectReason.NOT_SHARING]: NotSharingError,
  [RejectReason.POLICY_DENIED]: PolicyDeniedError,
  [RejectReason.DUPLICATE_LEASE]: DuplicateLeaseError,
  [RejectReason.UNKNOWN_LEASE]: UnknownLeaseError,
  [RejectReason.LEASE_EXPIRED]: LeaseExpiredError,
  [RejectReason.NOT_LEASE_PARTY]: NotLeasePartyError,
  [RejectReason.TENANT_FAILED]: TenantFailedError
}

/** The error a reject from a peer turns into on our side (same class as the peer raised). */
export function errorForReject (reason: RejectReason, detail: string): PeeringError {
  const Cls = byReason[reason]
  const message = `peer refused: ${reason}${detail !== '' ? ` (${detail})` : ''}`
  return Cls != null ? new Cls(message) : new PeeringRejectedError(reason, message)
}

/** The wire reason for anything thrown while handling a frame. */
export function reasonFor (err: unknown): RejectReason {
  return err instanceof PeeringError ? err.reason : RejectReason.INTERNAL
}
