/**
 * One request path to the API server through @kubernetes/client-node: its
 * KubeConfig authentication, TLS dispatcher and fetch library, with a
 * per-attempt timeout, the caller's AbortSignal, typed errors, and retries
 * with exponential backoff and full jitter for what can get better (429,
 * 5xx, timeouts, connection failures) — honouring Retry-After.
 */
import { createConfiguration, IsomorphicFetchHttpLibrary, ServerConfiguration, HttpMethod, type KubeConfig, type RequestContext } from '@kubernetes/client-node'
import {
  errorForStatus, KubeAbortedError, KubeError, KubeTimeoutError, KubeUnreachableError
} from './errors.ts'

export interface RetryPolicy {
  /** attempts in all, the first included. Default 5. */
  attempts: number
  /** first backoff, in ms. Default 200. */
  baseMs: number
  /** largest backoff, in ms. Default 5000. */
  maxMs: number
}

export const defaultRetry: RetryPolicy = { attempts: 5, baseMs: 200, maxMs: 5000 }

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>
  body?: unknown
  contentType?: string
  signal?: AbortSignal
  /** per-attempt timeout in ms */
  timeoutMs?: number
  /** false for requests that must not be repeated */
  retry?: boolean
  /** expect text, not JSON (pod logs) */
  text?: boolean
}

export interface HttpInit {
  kubeConfig: KubeConfig
  /** default per-attempt timeout, in ms. Default 10000. */
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
  /** called before each retry, for logs and metrics */
  onRetry?: (info: { method: string, path: string, attempt: number, delayMs: number, err: KubeError }) => void
  /** called after every attempt with the HTTP status, or 'error' when there was no answer (metrics) */
  onResult?: (info: { method: string, status: number | 'error' }) => void
}

/** Sleeps for ms, or rejects when the signal aborts. */
export async function sleep (ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) throw new KubeAbortedError('aborted')
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => { clearTimeout(t); reject(new KubeAbortedError('aborted')) }
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Exponential backoff with full jitter: a random delay in [0, min(max, base·2^attempt)]. */
export function backoffDelay (attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt)
  return Math.round(random() * cap)
}

function isAborted (s: AbortSignal | undefined): boolean {
  return s?.aborted === true
}

export class KubeHttp {
  readonly kubeConfig: KubeConfig
  readonly server: string
  private readonly timeoutMs: number
  private readonly retry: RetryPolicy
  private readonly onRetry?: HttpInit['onRetry']
  private readonly onResult?: HttpInit['onResult']
  private readonly library = new IsomorphicFetchHttpLibrary()
  private readonly baseServer: ServerConfiguration<Record<string, string>>

  constructor (init: HttpInit) {
    this.kubeConfig = init.kubeConfig
    const cluster = init.kubeConfig.getCurrentCluster()
    if (cluster == null) throw new KubeError('the kubeconfig has no current cluster')
    this.server = cluster.server.replace(/\/+$/, '')
    this.timeoutMs = init.timeoutMs ?? 10_000
    this.retry = { ...defaultRetry, ...(init.retry ?? {}) }
    if (init.onRetry != null) this.onRetry = init.onRetry
    if (init.onResult != null) this.onResult = init.onResult
    this.baseServer = createConfiguration({ baseServer: new ServerConfiguration(this.server, {}) }).baseServer as ServerConfiguration<Record<string, string>>
  }

  async request<T = unknown> (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, opts: RequestOptions = {}): Promise<T> {
    const attempts = opts.retry === false ? 1 : this.retry.attempts
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, opts)
      } catch (err) {
        if (!(err instanceof KubeError) || !err.retryable || attempt + 1 >= attempts) throw err
        let delay = backoffDelay(attempt, this.retry)
        if (err.retryAfterS != null) delay = Math.max(delay, Math.min(err.retryAfterS * 1000, this.retry.maxMs))
        this.onRetry?.({ method, path, attempt: attempt + 1, delayMs: delay, err })
        await sleep(delay, opts.signal)
      }
    }
  }

  private async once<T> (method: string, path: string, opts: RequestOptions): Promise<T> {
    if (opts.signal?.aborted === true) throw new KubeAbortedError(`${method} ${path}: aborted`)
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = opts.signal != null ? AbortSignal.any([opts.signal, timeout]) : timeout
    const ctx: RequestContext = this.baseServer.makeRequestContext(path, method as HttpMethod)
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) ctx.setQueryParam(k, String(v))
    ctx.setHeaderParam('Accept', opts.text === true ? 'text/plain, */*' : 'application/json')
    if (opts.body !== undefined) {
      ctx.setHeaderParam('Content-Type', opts.contentType ?? 'application/json')
      ctx.setBody(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body))
    }
    ctx.setSignal(signal)
    await this.kubeConfig.applySecurityAuthentication(ctx)
    let status: number
    let headers: Record<string, string>
    let text: string
    try {
      const res = await this.library.send(ctx).toPromise()
      status = res.httpStatusCode
      headers = res.headers
      text = await res.body.text()
    } catch (err) {
      this.onResult?.({ method, status: 'error' })
      if (isAborted(opts.signal)) throw new KubeAbortedError(`${method} ${path}: aborted`, { cause: err })
      if (timeout.aborted) throw new KubeTimeoutError(`${method} ${path}: no answer within ${timeoutMs} ms`, { cause: err })
      const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code
      throw new KubeUnreachableError(`${method} ${path}: cannot reach the API server at ${this.server}${code != null ? ` (${code})` : ''}`, { cause: err })
    }
    this.onResult?.({ method, status })
    if (status >= 200 && status < 300) {
      if (opts.text === true) return text as T
      if (text === '') return undefined as T
      try {
        return JSON.parse(text) as T
      } catch {
        throw new KubeError(`${method} ${path}: the API server answered with something that is not JSON`)
      }
    }
    let body: unknown
    try { body = JSON.parse(text) } catch { body = { message: text.slice(0, 200) } }
    throw errorForStatus(status, body, headers, `${method} ${path}`)
  }
}
