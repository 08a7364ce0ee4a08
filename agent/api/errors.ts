/**
 * One table from error class names to the operator API's error codes and HTTP
 * statuses. Subsystems add their own errors with `registerApiError`.
 */
export interface ApiErrorMapping { code: string, statusCode: number }

const table = new Map<string, ApiErrorMapping>([
  ['InvalidRequestError', { code: 'SKEIN_ERR_INVALID_REQUEST', statusCode: 400 }],
  ['ConfigError', { code: 'SKEIN_ERR_INVALID_CONFIG', statusCode: 400 }],
  ['UnauthorizedError', { code: 'SKEIN_ERR_UNAUTHORIZED', statusCode: 401 }],
  ['NotFoundError', { code: 'SKEIN_ERR_NOT_FOUND', statusCode: 404 }],
  ['StoreError', { code: 'SKEIN_ERR_STORE', statusCode: 503 }],
  // tunnels (agent/tunnels/errors.ts)
  ['TunnelCommandError', { code: 'SKEIN_ERR_TUNNEL_COMMAND', statusCode: 502 }],
  ['TunnelKeyBindingError', { code: 'SKEIN_ERR_TUNNEL_KEY_BINDING', statusCode: 403 }],
  ['TunnelKeyError', { code: 'SKEIN_ERR_TUNNEL_KEY', statusCode: 400 }],
  ['OverlayAddressError', { code: 'SKEIN_ERR_OVERLAY_ADDRESS', statusCode: 409 }],
  ['TunnelBackendUnavailableError', { code: 'SKEIN_ERR_TUNNEL_BACKEND_UNAVAILABLE', statusCode: 503 }],
  ['TunnelsDisabledError', { code: 'SKEIN_ERR_TUNNELS_DISABLED', statusCode: 409 }],
  // kube (agent/kube/errors.ts): the manifest and tenant are the caller's fault; the rest is the cluster's (502/503/504)
  ['ManifestRejectedError', { code: 'SKEIN_ERR_MANIFEST_REJECTED', statusCode: 422 }],
  ['InvalidTenantError', { code: 'SKEIN_ERR_INVALID_TENANT', statusCode: 400 }],
  ['KubeQuotaExceededError', { code: 'SKEIN_ERR_KUBE_QUOTA_EXCEEDED', statusCode: 409 }],
  ['KubeNotFoundError', { code: 'SKEIN_ERR_KUBE_NOT_FOUND', statusCode: 404 }],
  ['KubeConflictError', { code: 'SKEIN_ERR_KUBE_CONFLICT', statusCode: 409 }],
  ['KubeInvalidError', { code: 'SKEIN_ERR_KUBE_INVALID', statusCode: 422 }],
  ['KubeForbiddenError', { code: 'SKEIN_ERR_KUBE_FORBIDDEN', statusCode: 502 }],
  ['KubeUnauthorizedError', { code: 'SKEIN_ERR_KUBE_UNAUTHORIZED', statusCode: 502 }],
  ['KubeTooManyRequestsError', { code: 'SKEIN_ERR_KUBE_THROTTLED', statusCode: 503 }],
  ['KubeServerError', { code: 'SKEIN_ERR_KUBE_SERVER', statusCode: 502 }],
  ['KubeUnreachableError', { code: 'SKEIN_ERR_KUBE_UNREACHABLE', statusCode: 503 }],
  ['KubeTimeoutError', { code: 'SKEIN_ERR_KUBE_TIMEOUT', statusCode: 504 }],
  ['KubeGoneError', { code: 'SKEIN_ERR_KUBE', statusCode: 502 }],
  ['KubeAbortedError', { code: 'SKEIN_ERR_KUBE_ABORTED', statusCode: 503 }],
  ['KubeConfigError', { code: 'SKEIN_ERR_KUBE_CONFIG', statusCode: 500 }],
  ['KubeError', { code: 'SKEIN_ERR_KUBE', statusCode: 502 }]
])

export function registerApiError (name: string, mapping: ApiErrorMapping): void {
  table.set(name, mapping)
}

export function apiErrorFor (name: string): ApiErrorMapping | undefined {
  return table.get(name)
}

/** fastify's own error codes that reach callers */
export const fastifyCodes: Record<string, ApiErrorMapping> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'SKEIN_ERR_BODY_TOO_LARGE', statusCode: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'SKEIN_ERR_UNSUPPORTED_MEDIA_TYPE', statusCode: 415 },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'SKEIN_ERR_INVALID_REQUEST', statusCode: 400 },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'SKEIN_ERR_INVALID_REQUEST', statusCode: 400 },
  FST_ERR_VALIDATION: { code: 'SKEIN_ERR_INVALID_REQUEST', statusCode: 400 }
}
