/**
 * The emulator's HTTP front: Kubernetes REST paths, discovery and OpenAPI,
 * JSON and Table responses, streaming watches, Status errors, and fault
 * injection (error statuses, hangs, dropped watches) for tests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { apiGroupList, apiResourceList, apiVersions, findType, openApiV3Doc, openApiV3Root, type ResourceType, resourceTypes } from './resources.ts'
import { StatusError, meta, type Obj } from './store.ts'
import type { Cluster } from './cluster.ts'

export interface FaultRule {
  /** HTTP status to answer with (429, 500, 503, 401, ...); 0 with hang: true to never answer */
  status: number
  /** how many matching requests it applies to. Default 1. */
  count?: number
  /** only this method (GET, POST, PATCH, ...) */
  method?: string
  /** only paths containing this string or matching this expression */
  path?: string | RegExp
  /** only watch requests (true) or only non-watch requests (false) */
  watch?: boolean
  retryAfterSeconds?: number
  /** accept the request and never answer (until the emulator stops) */
  hang?: boolean
}

export interface RequestLogEntry { method: string, path: string, status: number }

const reasons: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict',
  410: 'Expired', 415: 'UnsupportedMediaType', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout'
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v != null && !Array.isArray(v)

/** How often a followed log is looked at for new lines, ms. */
const LOG_POLL_MS = 100

export class KubeApiServer {
  readonly cluster: Cluster
  private server?: Server
  private readonly sockets = new Set<Socket>()
  private readonly watches = new Set<ServerResponse>()
  private readonly faults: Array<FaultRule & { left: number }> = []
  /** the last requests served, newest last (bounded), for tests and debugging */
  readonly requests: RequestLogEntry[] = []
  /** bearer token every request must carry; undefined accepts anyone */
  token?: string

  constructor (cluster: Cluster) {
    this.cluster = cluster
  }

  async listen (port: number, host: string): Promise<number> {
    const server = createServer((req, res) => { this.handle(req, res) })
    server.keepAliveTimeout = 5000
    server.on('connection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)) })
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => { server.off('error', reject); resolve() })
    })
    const addr = server.address()
    return typeof addr === 'object' && addr != null ? addr.port : port
  }

  async close (): Promise<void> {
    const server = this.server
    if (server == null) return
    this.server = undefined
    for (const w of this.watches) w.end()
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
  }

  inject (rule: FaultRule): void {
    this.faults.push({ ...rule, left: rule.count ?? 1 })
  }

  clearFaults (): void { this.faults.length = 0 }

  /** Ends every open watch stream abruptly, as a flapping connection does. */
  dropWatches (): number {
    const n = this.watches.size
    for (const w of [...this.watches]) w.socket?.destroy()
    return n
  }

  get openWatches (): number { return this.watches.size }

  private fault (method: string, path: string, watch: boolean): (FaultRule & { left: number }) | undefined {
    const i = this.faults.findIndex((f) =>
      (f.method == null || f.method.toUpperCase() === method) &&
      (f.watch == null || f.watch === watch) &&
      (f.path == null || (typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path))))
    if (i < 0) return undefined
    const f = this.faults[i] as FaultRule & { left: number }
    if (--f.left <= 0) this.faults.splice(i, 1)
    return f
  }

  private logRequest (method: string, path: string, status: number): void {
    this.requests.push({ method, path, status })
    if (this.requests.length > 500) this.requests.shift()
  }

  private send (res: ServerResponse, req: IncomingMessage, url: URL, code: number, body: unknown, headers: Record<string, string> = {}): void {
    this.logRequest(req.method ?? 'GET', url.pathname + url.search, code)
    if (res.headersSent || res.destroyed) return
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    res.writeHead(code, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache, private', ...headers })
    res.end(text)
  }

  private fail (res: ServerResponse, req: IncomingMessage, url: URL, err: StatusError, headers: Record<string, string> = {}): void {
    this.send(res, req, url, err.code, err.toStatus(), headers)
  }

  private handle (req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const method = req.method ?? 'GET'
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1' || url.pathname.includes('/watch/')
    const f = this.fault(method, url.pathname + url.search, watch)
    if (f != null) {
      if (f.hang === true) { this.logRequest(method, url.pathname, 0); req.resume(); return }
      const headers: Record<string, string> = f.retryAfterSeconds != null ? { 'retry-after': String(f.retryAfterSeconds) } : {}
      const reason = reasons[f.status] ?? 'InternalError'
      const message = f.status === 429 ? 'Too many requests, please try again later.' : f.status >= 500 ? 'Internal error occurred: injected fault' : `injected fault ${f.status}`
      req.resume()
      this.fail(res, req, url, new StatusError(f.status, reason, message, f.retryAfterSeconds != null ? { retryAfterSeconds: f.retryAfterSeconds } : undefined), headers)
      return
    }
    if (this.token != null && req.headers.authorization !== `Bearer ${this.token}`) {
      req.resume()
      this.fail(res, req, url, new StatusError(401, 'Unauthorized', 'Unauthorized'))
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > 3 * 1024 * 1024) { req.destroy(); return }
      chunks.push(c)
    })
    req.on('end', () => {
      try {
        this.route(req, res, url, method, Buffer.concat(chunks).toString('utf8'))
      } catch (err) {
        if (err instanceof StatusError) this.fail(res, req, url, err)
        else this.fail(res, req, url, new StatusError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`))
      }
    })
  }

  private route (req: IncomingMessage, res: ServerResponse, url: URL, method: string, body: string): void {
    const path = url.pathname.replace(/\/+$/, '') || '/'
    if (method === 'GET') {
      switch (path) {
        case '/version': return this.send(res, req, url, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0-skein-emulator', gitCommit: '', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23', compiler: 'gc', platform: 'linux/arm64' })
        case '/api': return this.send(res, req, url, 200, apiVersions())
        case '/apis': return this.send(res, req, url, 200, apiGroupList())
        case '/healthz': case '/readyz': case '/livez': return this.send(res, req, url, 200, 'ok')
        case '/openapi/v3': return this.send(res, req, url, 200, openApiV3Root())
      }
      if (path.startsWith('/openapi/v3/')) {
        const doc = openApiV3Doc(path.slice('/openapi/v3/'.length))
        if (doc != null) return this.send(res, req, url, 200, doc)
      }
      if (path === '/api/v1') return this.send(res, req, url, 200, apiResourceList('', 'v1'))
      const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path)
      if (gv != null) {
        const list = apiResourceList(gv[1] as string, gv[2] as string)
        if (list != null) return this.send(res, req, url, 200, list)
      }
    }
    const target = this.parse(path)
    if (target == null) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource')
    this.serveResource(req, res, url, method, body, target)
  }

  private parse (path: string): { type: ResourceType, namespace?: string, name?: string, sub?: string, watchPath: boolean } | undefined {
    let m = /^\/api\/(v1)\/(.*)$/.exec(path)
    let group = ''
    if (m == null) {
      m = /^\/apis\/([^/]+)\/([^/]+)\/(.*)$/.exec(path)
      if (m == null) return undefined
      group = m[1] as string
      m = [m[0], m[2] as string, m[3] as string] as unknown as RegExpExecArray
    }
    const version = m[1] as string
    let segs = (m[2] as string).split('/').filter((s) => s !== '').map(decodeURIComponent)
    let watchPath = false
    if (segs[0] === 'watch') { watchPath = true; segs = segs.slice(1) }
    if (segs[0] === 'namespaces' && segs.length >= 3) {
      const t = findType(group, version, segs[2] as string)
      if (t != null && t.namespaced) {
        return { type: t, namespace: segs[1] as string, ...(segs[3] != null ? { name: segs[3] } : {}), ...(segs[4] != null ? { sub: segs[4] } : {}), watchPath }
      }
    }
    const t = findType(group, version, segs[0] ?? '')
    if (t == null) return undefined
    return { type: t, ...(segs[1] != null ? { name: segs[1] } : {}), ...(segs[2] != null ? { sub: segs[2] } : {}), watchPath }
  }

  private serveResource (req: IncomingMessage, res: ServerResponse, url: URL, method: string, body: string,
    target: { type: ResourceType, namespace?: string, name?: string, sub?: string, watchPath: boolean }): void {
    const { type: t, namespace, name, sub } = target
    const store = this.cluster.store
    const q = url.searchParams
    const parseBody = (): Obj => {
      try {
        const v: unknown = JSON.parse(body)
        if (!isObj(v)) throw new Error('not an object')
        return v
      } catch (err) {
        throw new StatusError(400, 'BadRequest', `the body of the request could not be decoded: ${(err as Error).message}`)
      }
    }
    const opts = {
      ...(q.get('fieldManager') != null ? { fieldManager: q.get('fieldManager') as string } : {}),
      ...(q.get('force') === 'true' ? { force: true } : {}),
      ...(q.get('dryRun') === 'All' ? { dryRun: true } : {})
    }
    const scalable = t.kind === 'Deployment' || t.kind === 'ReplicaSet' || t.kind === 'StatefulSet'
    if (sub != null && sub !== 'status' && !(sub === 'log' && t.kind === 'Pod') && !(sub === 'scale' && scalable)) {
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource')
    }
    if (sub === 'scale' && name != null) return this.scale(req, res, url, method, body, t, namespace ?? 'default', name, parseBody)
    if (sub === 'log') {
      if (method !== 'GET' || name == null) throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')
      const tail = q.get('tailLines')
      const ns = namespace ?? 'default'
      const opened = this.cluster.openLog(ns, name, q.get('container') ?? undefined, tail != null ? Number(tail) : undefined)
      if (q.get('follow') !== 'true' && q.get('follow') !== '1') return this.send(res, req, url, 200, opened.entries.map((e) => e.text + '\n').join(''))
      return this.followLog(req, res, url, ns, name, opened)
    }
    if (t.namespaced && name != null && namespace == null) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource')
    const status = sub === 'status' ? { subresource: 'status' as const } : {}
    switch (method) {
      case 'GET': {
        if (name == null) {
          if (target.watchPath || q.get('watch') === 'true' || q.get('watch') === '1') return this.watch(req, res, url, t, namespace)
          const list = store.list(t, namespace, q.get('labelSelector') ?? undefined, q.get('fieldSelector') ?? undefined)
          return this.send(res, req, url, 200, this.wantsTable(req) ? this.table(t, list.items as Obj[], String(meta(list).resourceVersion)) : list)
        }
        if (target.watchPath) return this.watch(req, res, url, t, namespace, name)
        const o = store.get(t, namespace, name)
        return this.send(res, req, url, 200, this.wantsTable(req) ? this.table(t, [o], String(meta(o).resourceVersion)) : o)
      }
      case 'POST': {
        if (name != null) throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')
        return this.send(res, req, url, 201, store.create(t, namespace, parseBody(), opts))
      }
      case 'PUT': {
        if (name == null) throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')
        return this.send(res, req, url, 200, store.update(t, namespace, name, parseBody(), { ...opts, ...status }))
      }
      case 'PATCH': {
        if (name == null) throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')
        const ct = req.headers['content-type'] ?? ''
        const existed = store.peek(t, namespace, name) != null
        const out = store.patch(t, namespace, name, ct, body, { ...opts, ...status })
        return this.send(res, req, url, existed ? 200 : 201, out)
      }
      case 'DELETE': {
        let policy = q.get('propagationPolicy') ?? undefined
        if (body.trim() !== '') {
          const b = parseBody()
          if (typeof b.propagationPolicy === 'string') policy = b.propagationPolicy
          if (b.orphanDependents === true) policy = 'Orphan'
        }
        if (name == null) {
          const list = store.list(t, namespace, q.get('labelSelector') ?? undefined, q.get('fieldSelector') ?? undefined)
          for (const o of list.items as Obj[]) this.deleteOne(t, namespace ?? (meta(o).namespace as string | undefined), String(meta(o).name), policy, opts.dryRun === true)
          return this.send(res, req, url, 200, list)
        }
        const out = this.deleteOne(t, namespace, name, policy, opts.dryRun === true)
        if (meta(out).deletionTimestamp != null && t.kind === 'Namespace') return this.send(res, req, url, 200, out)
        return this.send(res, req, url, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, ...(t.group !== '' ? { group: t.group } : {}), kind: t.name, uid: meta(out).uid } })
      }
    }
    throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')
  }

  /** The autoscaling/v1 Scale subresource: what `kubectl scale` reads and writes. */
  private scale (req: IncomingMessage, res: ServerResponse, url: URL, method: string, body: string, t: ResourceType, namespace: string, name: string, parseBody: () => Obj): void {
    const store = this.cluster.store
    const view = (o: Obj): Obj => {
      const m = meta(o)
      const sel = isObj(o.spec) && isObj(o.spec.selector) && isObj(o.spec.selector.matchLabels) ? o.spec.selector.matchLabels : {}
      return {
        kind: 'Scale', apiVersion: 'autoscaling/v1',
        metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
        spec: { replicas: isObj(o.spec) ? o.spec.replicas : 0 },
        status: { replicas: isObj(o.status) ? (o.status.replicas ?? 0) : 0, selector: Object.entries(sel).map(([k, v]) => `${k}=${String(v)}`).join(',') }
      }
    }
    if (method === 'GET') return this.send(res, req, url, 200, view(store.get(t, namespace, name)))
    let replicas: unknown
    if (method === 'PUT') replicas = (parseBody().spec as Obj | undefined)?.replicas
    else if (method === 'PATCH') {
      const live = view(store.get(t, namespace, name))
      const patched = store.previewPatch(live, req.headers['content-type'] ?? '', body)
      replicas = (patched.spec as Obj | undefined)?.replicas
    } else throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) throw new StatusError(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`)
    const live = store.get(t, namespace, name)
    live.spec = { ...(isObj(live.spec) ? live.spec : {}), replicas }
    return this.send(res, req, url, 200, view(store.update(t, namespace, name, live)))
  }

  private deleteOne (t: ResourceType, namespace: string | undefined, name: string, policy: string | undefined, dryRun: boolean): Obj {
    const store = this.cluster.store
    if (policy === 'Orphan' && !dryRun) {
      const uid = meta(store.get(t, namespace, name)).uid
      for (const dt of resourceTypes) {
        for (const o of store.all(dt, namespace)) {
          const refs = meta(o).ownerReferences
          if (!Array.isArray(refs) || !refs.some((r: Obj) => r.uid === uid)) continue
          const next = structuredClone(o)
          meta(next).ownerReferences = (refs as Obj[]).filter((r) => r.uid !== uid)
          if ((meta(next).ownerReferences as Obj[]).length === 0) delete meta(next).ownerReferences
          store.update(dt, meta(o).namespace as string | undefined, String(meta(o).name), next, { internal: true })
        }
      }
    }
    return store.delete(t, namespace, name, { dryRun })
  }

  private wantsTable (req: IncomingMessage): boolean {
    return /as=Table/.test(req.headers.accept ?? '')
  }

  private table (t: ResourceType, items: Obj[], rv: string): Obj {
    const age = (o: Obj): string => {
      const s = Math.max(0, Math.round((Date.now() - Date.parse(String(meta(o).creationTimestamp))) / 1000))
      return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`
    }
    const st = (o: Obj): Obj => (isObj(o.status) ? o.status : {})
    const sp = (o: Obj): Obj => (isObj(o.spec) ? o.spec : {})
    let cols: Array<[string, (o: Obj) => unknown]> = [['Name', (o) => meta(o).name]]
    switch (t.kind) {
      case 'Pod': cols = [...cols,
        ['Ready', (o) => { const cs = (st(o).containerStatuses as Obj[] | undefined) ?? []; return `${cs.filter((c) => c.ready === true).length}/${(sp(o).containers as Obj[] | undefined)?.length ?? 0}` }],
        ['Status', (o) => st(o).phase],
        ['Restarts', (o) => ((st(o).containerStatuses as Obj[] | undefined) ?? []).reduce((n, c) => n + Number(c.restartCount ?? 0), 0)]]; break
      case 'Deployment': cols = [...cols, ['Ready', (o) => `${Number(st(o).readyReplicas ?? 0)}/${Number(sp(o).replicas ?? 0)}`], ['Up-to-date', (o) => st(o).updatedReplicas ?? 0], ['Available', (o) => st(o).availableReplicas ?? 0]]; break
      case 'Service': cols = [...cols, ['Type', (o) => sp(o).type], ['Cluster-IP', (o) => sp(o).clusterIP]]; break
      case 'Namespace': cols = [...cols, ['Status', (o) => st(o).phase]]; break
      case 'Node': cols = [...cols, ['Status', (o) => (((st(o).conditions as Obj[] | undefined) ?? []).find((c) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady')]]; break
    }
    cols.push(['Age', age])
    return {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: rv },
      columnDefinitions: cols.map(([name], i) => ({ name, type: 'string', format: i === 0 ? 'name' : '', description: name, priority: 0 })),
      rows: items.map((o) => ({ cells: cols.map(([, f]) => f(o) ?? '<none>'), object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: meta(o) } }))
    }
  }

  /**
   * GET …/pods/NAME/log?follow=true: what exists, then new lines as the pod
   * writes them (polled every LOG_POLL_MS), until the pod finishes or is
   * deleted, the client goes away, or the emulator stops.
   */
  private followLog (req: IncomingMessage, res: ServerResponse, url: URL, namespace: string, name: string,
    opened: { uid: string, container: string, seq: number, entries: Array<{ seq: number, text: string }> }): void {
    this.logRequest(req.method ?? 'GET', url.pathname + url.search, 200)
    res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' })
    let seq = 0
    const write = (entries: Array<{ seq: number, text: string }>): void => {
      if (entries.length === 0 || res.writableEnded || res.destroyed) return
      res.write(entries.map((e) => e.text + '\n').join(''))
      seq = Math.max(seq, ...entries.map((e) => e.seq))
    }
    write(opened.entries)
    // with tailLines, the lines before the tail are not sent later either
    seq = Math.max(seq, opened.seq)
    res.flushHeaders()
    this.watches.add(res)
    const end = (): void => {
      clearInterval(timer)
      this.watches.delete(res)
      if (!res.writableEnded) res.end()
    }
    const timer = setInterval(() => {
      const next = this.cluster.followLog(namespace, name, opened.uid, opened.container, seq)
      write(next.entries)
      if (!next.open) end()
    }, LOG_POLL_MS)
    timer.unref()
    res.on('close', end)
  }

  private watch (req: IncomingMessage, res: ServerResponse, url: URL, t: ResourceType, namespace: string | undefined, name?: string): void {
    const q = url.searchParams
    let fieldSelector = q.get('fieldSelector') ?? undefined
    if (name != null) fieldSelector = [fieldSelector, `metadata.name=${name}`].filter((x) => x != null && x !== '').join(',')
    this.logRequest(req.method ?? 'GET', url.pathname + url.search, 200)
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' })
    res.flushHeaders()
    this.watches.add(res)
    let unsubscribe: () => void = () => {}
    const timers: { t?: NodeJS.Timeout } = {}
    const end = (): void => {
      unsubscribe()
      if (timers.t != null) clearTimeout(timers.t)
      this.watches.delete(res)
      if (!res.writableEnded) res.end()
    }
    res.on('close', end)
    const bookmarks = q.get('allowWatchBookmarks') === 'true'
    try {
      unsubscribe = this.cluster.store.watch({
        type: t,
        ...(namespace != null ? { namespace } : {}),
        ...(q.get('resourceVersion') != null ? { resourceVersion: q.get('resourceVersion') as string } : {}),
        ...(q.get('labelSelector') != null ? { labelSelector: q.get('labelSelector') as string } : {}),
        ...(fieldSelector != null ? { fieldSelector } : {}),
        send: (ev) => {
          if (res.writableEnded || res.destroyed) return
          res.write(JSON.stringify(ev) + '\n')
          if (ev.type === 'ERROR') setImmediate(end)
        }
      })
    } catch (err) {
      const status = err instanceof StatusError ? err : new StatusError(500, 'InternalError', (err as Error).message)
      res.write(JSON.stringify({ type: 'ERROR', object: status.toStatus() }) + '\n')
      end()
      return
    }
    const timeoutSeconds = Number(q.get('timeoutSeconds') ?? 1800)
    const timer = setTimeout(() => {
      if (bookmarks && !res.writableEnded) {
        res.write(JSON.stringify({ type: 'BOOKMARK', object: { kind: t.kind, apiVersion: t.group === '' ? t.version : `${t.group}/${t.version}`, metadata: { resourceVersion: String(this.cluster.store.resourceVersion) } } }) + '\n')
      }
      end()
    }, Math.max(1, timeoutSeconds) * 1000)
    timer.unref()
    timers.t = timer
  }
}
