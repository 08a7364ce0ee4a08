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
  ['StoreError', { code: 'SKEIN_ERR_STORE', statusCode: 503 }]
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
