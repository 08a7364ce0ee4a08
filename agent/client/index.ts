/**
 * The operator API client: what the CLI (and tests, and scripts) use to talk
 * to a running agent over its unix socket or TCP with a bearer token.
 *
 *   const client = new ApiClient({ address: 'unix:/run/skein/skein.sock' })
 *   const status = await client.get<Status>('/v1/status')
 */
import { request } from 'node:http'
import { AgentUnreachableError, ApiError, InvalidRequestError } from '../errors.ts'

export interface ApiClientInit {
  /** unix:PATH or tcp:HOST:PORT */
  address: string
  token?: string
  /** per-request timeout in ms; default 10000 */
  timeoutMs?: number
}

export interface RawResponse { status: number, headers: Record<string, string | string[] | undefined>, body: string }

export class ApiClient {
  readonly address: string
  private readonly target: { socketPath: string } | { host: string, port: number }
  private readonly token?: string
  private readonly timeoutMs: number

  constructor (init: ApiClientInit) {
    this.address = init.address
    if (init.address.startsWith('unix:') && init.address.length > 5) {
      this.target = { socketPath: init.address.slice(5) }
    } else {
      const m = /^tcp:(.+):([0-9]{1,5})$/.exec(init.address)
      if (m == null) throw new InvalidRequestError(`"${init.address}" is not an API address`, { hint: 'use --api unix:PATH or --api tcp:HOST:PORT' })
      this.target = { host: (m[1] as string).replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) }
    }
    if (init.token != null) this.token = init.token
    this.timeoutMs = init.timeoutMs ?? 10_000
  }

  async get<T> (path: string, opts: { signal?: AbortSignal } = {}): Promise<T> {
    return await this.json<T>('GET', path, undefined, opts)
  }

  async post<T> (path: string, body: unknown, opts: { signal?: AbortSignal } = {}): Promise<T> {
    return await this.json<T>('POST', path, body, opts)
  }

  async delete<T> (path: string, opts: { signal?: AbortSignal } = {}): Promise<T> {
    return await this.json<T>('DELETE', path, undefined, opts)
  }

  async json<T> (method: string, path: string, body?: unknown, opts: { signal?: AbortSignal } = {}): Promise<T> {
    const res = await this.raw(method, path, body === undefined ? undefined : JSON.stringify(body), opts)
    let parsed: unknown
    try {
      parsed = res.body === '' ? undefined : JSON.parse(res.body)
    } catch {
      parsed = undefined
    }
    if (res.status >= 400) {
      const e = (parsed as { error?: { code?: string, message?: string, hint?: string } } | undefined)?.error
      throw new ApiError(e?.code ?? `HTTP_${res.status}`, res.status, e?.message ?? `the agent answered HTTP ${res.status}`,
        res.status === 401 ? { hint: 'pass the token from <stateDir>/api.token with --token or SKEIN_TOKEN' } : typeof e?.hint === 'string' ? { hint: e.hint } : {})
    }
    return parsed as T
  }

  /**
   * GET a stream of JSON lines (application/x-ndjson); `onItem` gets each
   * parsed line as it arrives, until the agent ends the answer. An error
   * answer (before the stream starts) throws like json() does. No request
   * timeout once the answer has begun: a followed stream may be quiet.
   */
  async stream (path: string, onItem: (item: unknown) => void, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const headers: Record<string, string> = { accept: 'application/x-ndjson, application/json' }
    if (this.token != null) headers.authorization = `Bearer ${this.token}`
    const failed = await new Promise<RawResponse | undefined>((resolve, reject) => {
      const req = request({ ...this.target, method: 'GET', path, headers, timeout: this.timeoutMs, ...(opts.signal != null ? { signal: opts.signal } : {}) }, (res) => {
        const chunks: Buffer[] = []
        if ((res.statusCode ?? 0) >= 400) {
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }) })
          res.on('error', reject)
          return
        }
        req.setTimeout(0)
        let rest = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => {
          const parts = (rest + c).split('\n')
          rest = parts.pop() ?? ''
          try {
            for (const p of parts) if (p.trim() !== '') onItem(JSON.parse(p))
          } catch (err) {
            res.destroy(err as Error)
          }
        })
        res.on('end', () => {
          try {
            if (rest.trim() !== '') onItem(JSON.parse(rest))
            resolve(undefined)
          } catch (err) { reject(err as Error) }
        })
        res.on('error', reject)
        res.on('close', () => { if (!res.complete) reject(new AgentUnreachableError(`the agent at ${this.address} ended the stream early`)) })
      })
      req.on('timeout', () => { req.destroy(new AgentUnreachableError(`the agent at ${this.address} did not answer within ${this.timeoutMs} ms`)) })
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof AgentUnreachableError || err.name === 'AbortError') { reject(err); return }
        reject(new AgentUnreachableError(`no agent answers at ${this.address} (${err.code ?? err.message})`, {
          hint: 'start one with `skein agent`, or point --api (or SKEIN_API) at its socket'
        }))
      })
      req.end()
    })
    if (failed == null) return
    let parsed: { error?: { code?: string, message?: string, hint?: string } } | undefined
    try { parsed = JSON.parse(failed.body) as typeof parsed } catch { parsed = undefined }
    const e = parsed?.error
    throw new ApiError(e?.code ?? `HTTP_${failed.status}`, failed.status, e?.message ?? `the agent answered HTTP ${failed.status}`,
      failed.status === 401 ? { hint: 'pass the token from <stateDir>/api.token with --token or SKEIN_TOKEN' } : typeof e?.hint === 'string' ? { hint: e.hint } : {})
  }

  async raw (method: string, path: string, body?: string, opts: { signal?: AbortSignal, headers?: Record<string, string> } = {}): Promise<RawResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) }
    if (body !== undefined) {
      headers['content-type'] = 'application/json'
      headers['content-length'] = String(Buffer.byteLength(body))
    }
    if (this.token != null) headers.authorization = `Bearer ${this.token}`
    return await new Promise<RawResponse>((resolve, reject) => {
      const req = request({ ...this.target, method, path, headers, timeout: this.timeoutMs, ...(opts.signal != null ? { signal: opts.signal } : {}) }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }) })
        res.on('error', reject)
      })
      req.on('timeout', () => { req.destroy(new AgentUnreachableError(`the agent at ${this.address} did not answer within ${this.timeoutMs} ms`)) })
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof AgentUnreachableError || err.name === 'AbortError') { reject(err); return }
        reject(new AgentUnreachableError(`no agent answers at ${this.address} (${err.code ?? err.message})`, {
          hint: 'start one with `skein agent`, or point --api (or SKEIN_API) at its socket'
        }))
      })
      if (body !== undefined) req.write(body)
      req.end()
    })
  }
}
