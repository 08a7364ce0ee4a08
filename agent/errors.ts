/**
 * Named error classes shared by every subsystem. Callers and tests match on
 * `.name`; the operator API maps names to an error code and HTTP status in one
 * table (see agent/api/errors.ts). Only `message` and `hint` are meant for users.
 */

export interface SkeinErrorOptions extends ErrorOptions {
  /** one line telling the operator what to do about it */
  hint?: string
}

export class SkeinError extends Error {
  static override name = 'SkeinError'
  readonly hint?: string

  constructor (message: string, options: SkeinErrorOptions = {}) {
    super(message, options)
    this.name = (this.constructor as typeof SkeinError).name
    if (options.hint != null) this.hint = options.hint
  }
}

/** A configuration value is missing, malformed or out of range; `key` names it. */
export class ConfigError extends SkeinError {
  static override name = 'ConfigError'
  readonly key: string

  constructor (key: string, message: string, options: SkeinErrorOptions = {}) {
    super(`config ${key}: ${message}`, options)
    this.key = key
  }
}

/** The identity key file is readable by group or others, or cannot be parsed. */
export class IdentityError extends SkeinError {
  static override name = 'IdentityError'
}

/** Another agent process holds the state directory. */
export class StateDirLockedError extends SkeinError {
  static override name = 'StateDirLockedError'
  readonly pid?: number

  constructor (message: string, pid?: number, options: SkeinErrorOptions = {}) {
    super(message, options)
    if (pid != null) this.pid = pid
  }
}

/** The durable store failed to open, migrate or write. */
export class StoreError extends SkeinError {
  static override name = 'StoreError'
}

/** A request failed validation. */
export class InvalidRequestError extends SkeinError {
  static override name = 'InvalidRequestError'
}

/** The thing asked for does not exist. */
export class NotFoundError extends SkeinError {
  static override name = 'NotFoundError'
}

/** The caller did not prove who it is (missing or wrong token). */
export class UnauthorizedError extends SkeinError {
  static override name = 'UnauthorizedError'
}

/** The CLI could not reach an agent's operator API. */
export class AgentUnreachableError extends SkeinError {
  static override name = 'AgentUnreachableError'
}

/** The agent answered the CLI with an error. */
export class ApiError extends SkeinError {
  static override name = 'ApiError'
  readonly code: string
  readonly statusCode: number

  constructor (code: string, statusCode: number, message: string, options: SkeinErrorOptions = {}) {
    super(message, options)
    this.code = code
    this.statusCode = statusCode
  }
}

/** Turns anything thrown into one line for a user. */
export function describeError (err: unknown): { message: string, hint?: string } {
  if (err instanceof SkeinError) {
    return err.hint != null ? { message: err.message, hint: err.hint } : { message: err.message }
  }
  if (err instanceof Error) return { message: err.message }
  return { message: String(err) }
}
