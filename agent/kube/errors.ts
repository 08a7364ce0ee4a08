/**
 * Typed errors for everything the agent asks of its cluster. API failures
 * become one class per status family (callers and tests match on `.name`);
 * `retryable` says whether backing off and trying again can help.
 */
import { SkeinError, type SkeinErrorOptions } from '../errors.ts'

export interface KubeErrorOptions extends SkeinErrorOptions {
  statusCode?: number
  /** the Status reason from the API server (NotFound, AlreadyExists, Invalid, Expired, ...) */
  reason?: string
  /** seconds the server asked us to wait (Retry-After) */
  retryAfterS?: number
}

export class KubeError extends SkeinError {
  static override name = 'KubeError'
  readonly statusCode?: number
  readonly reason?: string
  readonly retryAfterS?: number
  /** whether the same request may succeed if tried again later */
  readonly retryable: boolean = false

  constructor (message: string, options: KubeErrorOptions = {}) {
    super(message, options)
    if (options.statusCode != null) this.statusCode = options.statusCode
    if (options.reason != null) this.reason = options.reason
    if (options.retryAfterS != null) this.retryAfterS = options.retryAfterS
  }
}

/** 401: the credentials are missing, wrong or expired. */
export class KubeUnauthorizedError extends KubeError { static override name = 'KubeUnauthorizedError' }
/** 403: RBAC or an admission plugin said no (see KubeQuotaExceededError for quota). */
export class KubeForbiddenError extends KubeError { static override name = 'KubeForbiddenError' }
/** 403 from ResourceQuota admission: the tenant's quota has no room for this. */
export class KubeQuotaExceededError extends KubeForbiddenError { static override name = 'KubeQuotaExceededError' }
/** 404 */
export class KubeNotFoundError extends KubeError { static override name = 'KubeNotFoundError' }
/** 409: AlreadyExists, a resourceVersion conflict or a field-manager conflict. */
export class KubeConflictError extends KubeError { static override name = 'KubeConflictError' }
/** 410: the resourceVersion asked for is older than what the server keeps; re-list. */
export class KubeGoneError extends KubeError { static override name = 'KubeGoneError' }
/** 400 and 422: the object or request is invalid. */
export class KubeInvalidError extends KubeError { static override name = 'KubeInvalidError' }

/** 429: throttled; retried after Retry-After. */
export class KubeTooManyRequestsError extends KubeError {
  static override name = 'KubeTooManyRequestsError'
  override readonly retryable = true
}

/** 5xx */
export class KubeServerError extends KubeError {
  static override name = 'KubeServerError'
  override readonly retryable = true
}

/** The request did not finish in time (client timeout or 504). */
export class KubeTimeoutError extends KubeError {
  static override name = 'KubeTimeoutError'
  override readonly retryable = true
}

/** The API server could not be reached at all (refused, reset, DNS). */
export class KubeUnreachableError extends KubeError {
  static override name = 'KubeUnreachableError'
  override readonly retryable = true
}

/** The caller aborted the request. */
export class KubeAbortedError extends KubeError { static override name = 'KubeAbortedError' }

/** No usable backend: no kubeconfig, no service account, or a broken configuration. */
export class KubeConfigError extends KubeError { static override name = 'KubeConfigError' }

/** The manifest sanitizer refused a manifest; `field` names the offending field path. */
export class ManifestRejectedError extends SkeinError {
  static override name = 'ManifestRejectedError'
  readonly field: string
  readonly index?: number

  constructor (field: string, message: string, index?: number, options: SkeinErrorOptions = {}) {
    super(`${index != null ? `manifest ${index}: ` : ''}${field}: ${message}`, options)
    this.field = field
    if (index != null) this.index = index
  }
}

/** The tenant specification is malformed (lease ID, peer ID, quota). */
export class InvalidTenantError extends SkeinError { static override name = 'InvalidTenantError' }

interface StatusLike { message?: unknown, reason?: unknown, code?: unknown, details?: { retryAfterSeconds?: unknown } }

/** Maps an HTTP status and Status body to the matching error class. */
export function errorForStatus (statusCode: number, body: unknown, headers: Record<string, string> = {}, what = 'request'): KubeError {
  const status = (typeof body === 'object' && body != null ? body : {}) as StatusLike
  const message = typeof status.message === 'string' && status.message !== '' ? status.message : `${what} failed with HTTP ${statusCode}`
  const reason = typeof status.reason === 'string' ? status.reason : undefined
  const ra = Number(headers['retry-after'] ?? status.details?.retryAfterSeconds)
  const opts: KubeErrorOptions = { statusCode, ...(reason != null ? { reason } : {}), ...(Number.isFinite(ra) && ra >= 0 ? { retryAfterS: ra } : {}) }
  switch (statusCode) {
    case 400: case 422: return new KubeInvalidError(message, opts)
    case 401: return new KubeUnauthorizedError(message, { ...opts, hint: 'check the kubeconfig credentials (kube.kubeconfig) or the service account token' })
    case 403: return /exceeded quota|failed quota/.test(message) ? new KubeQuotaExceededError(message, opts) : new KubeForbiddenError(message, opts)
    case 404: return new KubeNotFoundError(message, opts)
    case 409: return new KubeConflictError(message, opts)
    case 410: return new KubeGoneError(message, opts)
    case 429: return new KubeTooManyRequestsError(message, opts)
    case 408: case 504: return new KubeTimeoutError(message, opts)
  }
  if (statusCode >= 500) return new KubeServerError(message, opts)
  return new KubeError(message, opts)
}
