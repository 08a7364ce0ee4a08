/**
 * Typed errors of workload delegation. Each maps to one Reject reason on the
 * wire (reasonFor) and back (errorForReject); the operator API maps the names
 * in agent/api/errors.ts.
 */
import { SkeinError, type SkeinErrorOptions } from '../../agent/errors.ts'
import { RejectReason } from '../pb/delegate.js'

export class DelegationError extends SkeinError {
  static override name = 'DelegationError'
}

/** A submitted manifest is not valid Kubernetes YAML we can run; `path` names the first bad field. */
export class InvalidManifestError extends DelegationError {
  static override name = 'InvalidManifestError'
  readonly path: string
  constructor (path: string, message: string, options: SkeinErrorOptions = {}) {
    super(`${path}: ${message}`, options)
    this.path = path
  }
}

export class MalformedMessageError extends DelegationError { static override name = 'DelegationMalformedError' }
export class MessageTooLargeError extends DelegationError { static override name = 'DelegationTooLargeError' }
export class BadSignatureError extends DelegationError { static override name = 'DelegationBadSignatureError' }
export class StaleMessageError extends DelegationError { static override name = 'DelegationStaleError' }
export class WrongRecipientError extends DelegationError { static override name = 'DelegationWrongRecipientError' }
export class NotMemberError extends DelegationError { static override name = 'DelegationNotMemberError' }
export class NoLeaseError extends DelegationError { static override name = 'DelegationNoLeaseError' }
export class LeaseExpiredError extends DelegationError { static override name = 'DelegationLeaseExpiredError' }
export class NotLeasePartyError extends DelegationError { static override name = 'DelegationNotLeasePartyError' }
export class InsufficientQuotaError extends DelegationError { static override name = 'InsufficientQuotaError' }
export class LoopError extends DelegationError { static override name = 'DelegationLoopError' }
export class HopLimitError extends DelegationError { static override name = 'DelegationHopLimitError' }
/** The generation is older than, or fenced by, what the provider already holds. */
export class FencedError extends DelegationError { static override name = 'FencedError' }
export class ApplyFailedError extends DelegationError { static override name = 'ApplyFailedError' }
export class InvalidTransitionError extends DelegationError { static override name = 'WorkloadTransitionError' }

/** No candidate passed the scheduler's filters. */
export class UnschedulableError extends DelegationError { static override name = 'UnschedulableError' }
export class WorkloadNotFoundError extends DelegationError { static override name = 'WorkloadNotFoundError' }
export class WorkloadExistsError extends DelegationError { static override name = 'WorkloadExistsError' }
/** Pod logs cannot be fetched over the delegation protocol yet. */
export class LogsNotAvailableError extends DelegationError { static override name = 'LogsNotAvailableError' }

/** The provider answered with a Reject. */
export class DelegationRejectedError extends DelegationError {
  static override name = 'DelegationRejectedError'
  readonly reason: RejectReason
  constructor (reason: RejectReason, detail: string) {
    super(`refused (${reason}): ${detail}`)
    this.reason = reason
  }
}

/** The provider could not be reached or did not answer in time. */
export class ProviderUnreachableError extends DelegationError { static override name = 'ProviderUnreachableError' }

const reasons: Array<[new (...args: never[]) => Error, RejectReason]> = [
  [MalformedMessageError, RejectReason.MALFORMED],
  [MessageTooLargeError, RejectReason.TOO_LARGE],
  [BadSignatureError, RejectReason.BAD_SIGNATURE],
  [StaleMessageError, RejectReason.STALE],
  [WrongRecipientError, RejectReason.WRONG_RECIPIENT],
  [NotMemberError, RejectReason.NOT_MEMBER],
  [NoLeaseError, RejectReason.NO_LEASE],
  [LeaseExpiredError, RejectReason.LEASE_EXPIRED],
  [NotLeasePartyError, RejectReason.NOT_LEASE_PARTY],
  [InsufficientQuotaError, RejectReason.INSUFFICIENT_QUOTA],
  [LoopError, RejectReason.LOOP],
  [HopLimitError, RejectReason.HOP_LIMIT],
  [FencedError, RejectReason.FENCED],
  [InvalidManifestError, RejectReason.INVALID_MANIFEST],
  [ApplyFailedError, RejectReason.APPLY_FAILED]
]

/** The wire reason for an error; anything unknown is INTERNAL (and its message stays here). */
export function reasonFor (err: unknown): RejectReason {
  for (const [cls, reason] of reasons) if (err instanceof cls) return reason
  return RejectReason.INTERNAL
}

/** True when placing the same generation elsewhere might succeed (the refusal is about this provider). */
export function isRetryElsewhere (reason: RejectReason): boolean {
  return reason !== RejectReason.INVALID_MANIFEST && reason !== RejectReason.TOO_LARGE && reason !== RejectReason.FENCED
}
