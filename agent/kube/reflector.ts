/**
 * List, then watch from the list's resourceVersion, keeping a local cache
 * current — the informer pattern. A watch that reaches its server-side
 * timeout is resumed from the last resourceVersion seen; 410 Gone (the server
 * no longer has that version), a dropped connection or a failed request mean
 * a fresh list. Failures back off with jitter; nothing polls.
 *
 *   const r = new Reflector({ http, watch, path: '/api/v1/nodes', onChange: () => recompute() })
 *   r.start(); await r.synced(signal); r.items(); r.stop()
 */
import { Watch } from '@kubernetes/client-node'
import type { KubeHttp } from './http.ts'
import { backoffDelay, defaultRetry, sleep } from './http.ts'
import { KubeGoneError, type KubeError } from './errors.ts'

export type Obj = Record<string, unknown> & { metadata?: Record<string, unknown> }

export interface ReflectorInit {
  http: KubeHttp
  /** collection path, e.g. /api/v1/pods or /apis/apps/v1/namespaces/x/deployments */
  path: string
  labelSelector?: string
  fieldSelector?: string
  /** called after every change to the cache (a list counts as one change) */
  onChange?: (event: { type: 'SYNC' | 'ADDED' | 'MODIFIED' | 'DELETED', object?: Obj }) => void
  onError?: (err: unknown, what: string) => void
  /** called when the watch starts over: after 410 Gone, a dropped connection or an error (metrics) */
  onRestart?: (reason: 'gone' | 'dropped' | 'error') => void
  /** server-side watch timeout in seconds: the watch is renewed after it, and a watch silent for this + 15 s is treated as dead. Default 60. */
  watchTimeoutS?: number
}

const keyOf = (o: Obj): string => `${String(o.metadata?.namespace ?? '')}/${String(o.metadata?.name ?? '')}`

export class Reflector {
  private readonly init: ReflectorInit
  private readonly cache = new Map<string, Obj>()
  private rv = ''
  private controller?: AbortController
  private watchAbort?: AbortController
  private running?: Promise<void>
  private hasSynced = false
  private readonly syncWaiters = new Set<() => void>()
  /** counts for status and tests */
  readonly stats = { lists: 0, watches: 0, gone: 0, dropped: 0, errors: 0 }
  lastError?: string

  constructor (init: ReflectorInit) {
    this.init = init
  }

  get synced (): boolean { return this.hasSynced }

  items (): Obj[] { return [...this.cache.values()] }

  start (): void {
    if (this.controller != null) return
    this.controller = new AbortController()
    this.running = this.loop(this.controller.signal).catch((err: unknown) => { this.init.onError?.(err, 'reflector stopped') })
  }

  async stop (): Promise<void> {
    this.controller?.abort()
    this.watchAbort?.abort()
    await this.running
    this.controller = undefined
    for (const w of this.syncWaiters) w()
    this.syncWaiters.clear()
  }

  /** Resolves once the first list has landed; rejects on abort. */
  async waitForSync (signal?: AbortSignal): Promise<void> {
    if (this.hasSynced) return
    await new Promise<void>((resolve, reject) => {
      const done = (): void => { signal?.removeEventListener('abort', onAbort); resolve() }
      const onAbort = (): void => { this.syncWaiters.delete(done); reject(signal?.reason ?? new Error('aborted')) }
      this.syncWaiters.add(done)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  private async list (signal: AbortSignal): Promise<void> {
    const list = await this.init.http.request<{ metadata?: { resourceVersion?: string }, items?: Obj[] }>('GET', this.init.path, {
      query: { labelSelector: this.init.labelSelector, fieldSelector: this.init.fieldSelector },
      signal
    })
    this.stats.lists++
    this.cache.clear()
    for (const o of list.items ?? []) this.cache.set(keyOf(o), o)
    this.rv = list.metadata?.resourceVersion ?? ''
    this.hasSynced = true
    this.lastError = undefined
    for (const w of this.syncWaiters) w()
    this.syncWaiters.clear()
    this.init.onChange?.({ type: 'SYNC' })
  }

  private async loop (signal: AbortSignal): Promise<void> {
    let failures = 0
    let needList = true
    while (!signal.aborted) {
      try {
        if (needList) { await this.list(signal); needList = false }
        const began = Date.now()
        const outcome = await this.watchOnce(signal)
        if (outcome === 'gone') { this.stats.gone++; needList = true; this.init.onRestart?.('gone') }
        // a watch that ends well before its server-side timeout was dropped: events may be lost in between, re-list
        else if (Date.now() - began < (this.init.watchTimeoutS ?? 60) * 900) { this.stats.dropped++; needList = true; this.init.onRestart?.('dropped') }
        failures = 0
      } catch (err) {
        if (signal.aborted) return
        this.stats.errors++
        this.lastError = (err as Error).message
        if (err instanceof KubeGoneError) { this.stats.gone++; this.init.onRestart?.('gone') } else { this.stats.dropped++; this.init.onRestart?.('error') }
        // whatever broke (410, a failed watch, a failed list), start over from a fresh list
        needList = true
        this.init.onError?.(err, `list/watch ${this.init.path}`)
        failures++
        await sleep(backoffDelay(Math.min(failures, 6), defaultRetry) + 100, signal).catch(() => {})
      }
    }
  }

  /** One watch connection; resolves when it ends normally, 'gone' on 410. */
  private async watchOnce (signal: AbortSignal): Promise<'ended' | 'gone'> {
    const watch = new Watch(this.init.http.kubeConfig)
    const timeoutS = this.init.watchTimeoutS ?? 60
    // client-node aborts a watch that connects or stays silent longer than requestTimeoutMs: just past the server's own timeout
    ;(watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = (timeoutS + 15) * 1000
    this.stats.watches++
    return await new Promise<'ended' | 'gone'>((resolve, reject) => {
      let gone = false
      let settled = false
      const finish = (err: unknown): void => {
        if (settled) return
        settled = true
        signal.removeEventListener('abort', onAbort)
        if (gone) resolve('gone')
        else if (err != null && !signal.aborted) reject(toError(err))
        else resolve('ended')
      }
      const onAbort = (): void => { this.watchAbort?.abort(); finish(null) }
      signal.addEventListener('abort', onAbort, { once: true })
      watch.watch(this.init.path, {
        resourceVersion: this.rv,
        allowWatchBookmarks: true,
        timeoutSeconds: timeoutS,
        ...(this.init.labelSelector != null ? { labelSelector: this.init.labelSelector } : {}),
        ...(this.init.fieldSelector != null ? { fieldSelector: this.init.fieldSelector } : {})
      }, (type: string, object: Obj) => {
        if (type === 'ERROR') {
          const code = Number((object as { code?: unknown }).code)
          if (code === 410) gone = true
          else this.lastError = String((object as { message?: unknown }).message ?? 'watch error')
          this.watchAbort?.abort()
          finish(null)
          return
        }
        const rv = object.metadata?.resourceVersion
        if (typeof rv === 'string' && rv !== '') this.rv = rv
        this.lastError = undefined
        if (type === 'BOOKMARK') return
        const key = keyOf(object)
        if (type === 'DELETED') this.cache.delete(key)
        else this.cache.set(key, object)
        this.init.onChange?.({ type: type as 'ADDED' | 'MODIFIED' | 'DELETED', object })
      }, (err: unknown) => {
        const code = (err as { statusCode?: number } | null)?.statusCode
        if (code === 410) gone = true
        finish(err)
      }).then((ctl) => { this.watchAbort = ctl; if (settled) ctl.abort() }, (err: unknown) => { finish(err) })
    })
  }
}

function toError (err: unknown): KubeError | Error {
  return err instanceof Error ? err : new Error(String(err))
}
