import { SkeinError } from '../errors.ts'

/** The fleet configuration (key, certificate) is missing, unreadable or does not fit together. */
export class FleetConfigError extends SkeinError {
  static override name = 'FleetConfigError'
}

/** A revocation handed to the agent is not signed by this fleet's key, or is not a revocation. */
export class InvalidRevocationError extends SkeinError {
  static override name = 'InvalidRevocationError'
}
