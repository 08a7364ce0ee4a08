/**
 * Pod logs of delegated workloads over /skein/logs/1.0.0.
 *
 * The consumer's agent dials the provider that runs the workload and writes
 * one LogsRequest (length-prefixed protobuf); the provider answers with one
 * LogsFrame per line and a last frame carrying `end` (OK, or why there are no
 * logs). Only the tenant that delegated a workload can read it: the provider
 * looks the workload up among what it holds for the requesting peer, so
 * another tenant's workload ID is answered NOT_FOUND, exactly like an unknown
 * one. With follow, the provider sends a keepalive frame (all fields empty)
 * every LOGS_KEEPALIVE_MS, and the consumer counts a stream silent for
 * LOGS_IDLE_MS as broken. The provider reads its local cluster with
 * @kubernetes/client-node (GET …/pods/NAME/log with follow, tailLines,
 * container).
 *
 *   // provider
 *   await network.handle(LOGS_PROTOCOL, (stream, peer) => { serveLogs(stream, peer, { db, logs, membership, logger }) })
 *   // consumer
 *   for await (const l of fetchLogs(network, provider, { workloadId, follow: true })) console.log(l.line)
 */
import { Writable } from 'node:stream'
import type { AbortOptions, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { Log, type KubeConfig } from '@kubernetes/client-node'
import { LogsRequest, LogsFrame, LogsOutcome } from '../../protocol/pb/logs.js'
import { parseManifests, type Manifest } from '../../protocol/delegation/manifests.ts'
import { WORKLOAD_ID_PATTERN } from '../../protocol/delegation/constants.ts'
import { DelegationError, LogsNotAvailableError, ProviderUnreachableError, WorkloadNotFoundError } from '../../protocol/delegation/errors.ts'
import type { KubeClient } from '../kube/index.ts'
import type { ComponentLogger } from '../logger.ts'
import type { DelegationStore, HostedRecord, WorkloadRecord } from './records.ts'
import type { Network } from './types.ts'

export const LOGS_PROTOCOL = '/skein/logs/1.0.0'
/** Largest LogsRequest, bytes. */
export const MAX_LOGS_REQUEST_BYTES = 1024
/** Largest LogsFrame, bytes (a longer log line is cut). */
export const MAX_LOGS_FRAME_BYTES = 20 * 1024
/** Characters of one log line carried in a frame. */
export const MAX_LOG_LINE_CHARS = 16 * 1024
/** Keepalive period of a followed log stream, ms. */
export const LOGS_KEEPALIVE_MS = 5000
/** A followed log stream silent this long counts as broken, ms. */
export const LOGS_IDLE_MS = 15_000
/** A request (and a non-followed answer's next frame) must come within this, ms. */
export const LOGS_REQUEST_TIMEOUT_MS = 10_000
/** Lines buffered per container before the reader waits for the stream. */
const LINE_QUEUE_LIMIT = 256

/** No pod of the workload has started yet, or it has no placement yet. */
export class LogsNotReadyError extends DelegationError { static override name = 'LogsNotReadyError' }

export interface LogLine { pod: string, container: string, line: string }

export interface LogsOptions extends AbortOptions {
  /** one container; default every container of every pod */
  container?: string
  follow?: boolean
  /** only the last N lines of each container; 0 or absent: all */
  tailLines?: number
}

/** A pod of a workload as logs see it. */
export interface LogPod { name: string, containers: string[], started: boolean }

/** Reading pod logs in a namespace of the local cluster. */
export interface LogsSource {
  /** the pods of a workload (named by its manifests) */
  pods(namespace: string, manifests: Manifest[], options?: AbortOptions): Promise<LogPod[]>
  /** the lines of one container; with follow, until the container stops or `signal` aborts */
  read(namespace: string, pod: string, container: string, options: { follow: boolean, tailLines?: number, signal: AbortSignal }): AsyncIterable<string>
}

const podBearing = new Set(['Deployment', 'StatefulSet', 'Job', 'Pod'])

function containersOf (m: Manifest): string[] {
  const spec = m.kind === 'Pod' ? m.spec : (m.spec as { template?: { spec?: unknown } } | undefined)?.template?.spec
  const cs = (spec as { containers?: Array<{ name?: unknown }> } | undefined)?.containers ?? []
  return cs.map((c) => String(c.name ?? '')).filter((n) => n !== '')
}

/** Splits a text stream into lines; a last line without a newline is given when the stream ends. */
class LineSplitter extends Writable {
  private rest = ''
  private readonly lines: string[] = []
  private wake?: () => void
  private waitingWrite?: () => void
  private ended = false
  private failure?: Error
  /** the HTTP body piped in: errors on it (an aborted follow) end the lines instead of going unhandled */
  private source?: NodeJS.ReadableStream & { destroy?: () => void }

  constructor () {
    super()
    this.on('pipe', (src: NodeJS.ReadableStream) => {
      this.source = src
      src.on('error', (err: Error) => { this.fail(err) })
    })
  }

  /** Stops reading: the HTTP body is dropped (no error event), then the request is aborted. */
  close (ctl?: AbortController): void {
    this.source?.destroy?.()
    ctl?.abort()
    this.fail(new Error('aborted'))
  }

  override _write (chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    const parts = (this.rest + chunk.toString('utf8')).split('\n')
    this.rest = parts.pop() ?? ''
    this.lines.push(...parts)
    this.wake?.()
    // backpressure: the HTTP body waits while the lines are not taken
    if (this.lines.length < LINE_QUEUE_LIMIT) done()
    else this.waitingWrite = () => { done() }
  }

  override _final (done: (err?: Error | null) => void): void {
    if (this.rest !== '') this.lines.push(this.rest)
    this.rest = ''
    this.ended = true
    this.wake?.()
    done()
  }

  fail (err: Error): void {
    if (this.ended) return
    this.failure = err
    this.ended = true
    this.wake?.()
  }

  async * [Symbol.asyncIterator] (): AsyncGenerator<string> {
    while (true) {
      const l = this.lines.shift()
      if (l != null) {
        if (this.lines.length < LINE_QUEUE_LIMIT / 2 && this.waitingWrite != null) { const w = this.waitingWrite; this.waitingWrite = undefined; w() }
        yield l
        continue
      }
      if (this.failure != null) throw this.failure
      if (this.ended) return
      this.waitingWrite?.()
      this.waitingWrite = undefined
      await new Promise<void>((resolve) => { this.wake = resolve })
      this.wake = undefined
    }
  }
}

/** Pod logs from the local cluster through @kubernetes/client-node (pods from the agent's kube client, lines from the Log API). */
export function kubeLogs (kube: Pick<KubeClient, 'workloadStatus'>, kubeConfig: KubeConfig): LogsSource {
  return {
    async pods (namespace, manifests, options = {}) {
      const out: LogPod[] = []
      for (const m of manifests) {
        if (!podBearing.has(m.kind)) continue
        const containers = containersOf(m)
        const s = await kube.workloadStatus(namespace, { kind: m.kind, name: m.metadata.name }, options)
        for (const p of s.pods) out.push({ name: p.name, containers, started: p.phase === 'Running' || p.phase === 'Succeeded' || p.phase === 'Failed' })
      }
      return out
    },
    read (namespace, pod, container, options) {
      const lines = new LineSplitter()
      const log = new Log(kubeConfig)
      const started = log.log(namespace, pod, container, lines, { follow: options.follow, ...(options.tailLines != null && options.tailLines > 0 ? { tailLines: options.tailLines } : {}) })
      started.then((ctl) => {
        if (options.signal.aborted) lines.close(ctl)
        else options.signal.addEventListener('abort', () => { lines.close(ctl) }, { once: true })
      }, (err: unknown) => {
        const e = err as { code?: number, body?: { message?: string }, message?: string }
        lines.fail(new LogsNotAvailableError(`${pod}/${container}: ${e.body?.message ?? e.message ?? 'the cluster did not answer'}`))
      })
      return lines
    }
  }
}

// --- the provider

export interface ServeLogsComponents {
  db: DelegationStore
  logs?: LogsSource
  membership?: { isMember(peerId: string): boolean }
  logger: ComponentLogger
}

class LogsRefusal extends Error {
  readonly outcome: LogsOutcome
  constructor (outcome: LogsOutcome, detail: string) {
    super(detail)
    this.outcome = outcome
  }
}

function deadline (ms: number, signal?: AbortSignal): AbortSignal {
  const t = AbortSignal.timeout(ms)
  return signal != null ? AbortSignal.any([signal, t]) : t
}

const gone = new Set(['CANCELLED', 'RECLAIMED', 'RELINQUISHED'])

/** The workload a tenant may read: held for exactly that peer, and not removed. */
export function tenantWorkload (db: DelegationStore, tenant: string, workloadId: string): HostedRecord {
  const h = db.getHosted(tenant, workloadId)
  if (h == null || h.consumer !== tenant || h.generation === 0 || gone.has(String(h.phase))) {
    throw new LogsRefusal(LogsOutcome.LOGS_NOT_FOUND, `no workload ${workloadId} is held here for you`)
  }
  return h
}

/** Provider: answers one LogsRequest on `stream` for `remotePeer`. */
export async function serveLogs (stream: Stream, remotePeer: string, c: ServeLogsComponents, options: AbortOptions = {}): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: Math.max(MAX_LOGS_REQUEST_BYTES, MAX_LOGS_FRAME_BYTES) })
  const abort = new AbortController()
  const onClose = (): void => { abort.abort() }
  stream.addEventListener('close', onClose, { once: true })
  const signal = options.signal != null ? AbortSignal.any([options.signal, abort.signal]) : abort.signal
  // frames from several containers go out one at a time, each awaiting the stream's backpressure
  let writing: Promise<void> = Promise.resolve()
  const send = async (f: Partial<LogsFrame>): Promise<void> => {
    const next = writing.then(async () => { await lp.write(LogsFrame.encode(f), { signal: deadline(LOGS_IDLE_MS, signal) }) })
    writing = next.catch(() => {})
    await next
  }
  let req: LogsRequest | undefined
  try {
    try {
      const bytes = await lp.read({ signal: deadline(LOGS_REQUEST_TIMEOUT_MS, signal) })
      req = LogsRequest.decode(bytes)
    } catch (err) {
      throw new LogsRefusal(LogsOutcome.LOGS_BAD_REQUEST, `the request cannot be read: ${(err as Error).message}`)
    }
    if (c.membership != null && !c.membership.isMember(remotePeer)) throw new LogsRefusal(LogsOutcome.LOGS_NOT_MEMBER, 'not a fleet member')
    if (!WORKLOAD_ID_PATTERN.test(req.workloadId)) throw new LogsRefusal(LogsOutcome.LOGS_BAD_REQUEST, 'the workload ID is malformed')
    if (req.container !== '' && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(req.container)) throw new LogsRefusal(LogsOutcome.LOGS_BAD_REQUEST, 'the container name is malformed')
    const h = tenantWorkload(c.db, remotePeer, req.workloadId)
    if (req.generation !== 0 && req.generation !== h.generation) throw new LogsRefusal(LogsOutcome.LOGS_NOT_FOUND, `generation ${req.generation} of ${req.workloadId} is not held here (${h.generation} is)`)
    if (c.logs == null) throw new LogsRefusal(LogsOutcome.LOGS_UNAVAILABLE, 'this agent has no Kubernetes client')
    let pods: LogPod[]
    try {
      pods = await c.logs.pods(h.tenantNs, parseManifests(h.manifests), { signal: deadline(LOGS_REQUEST_TIMEOUT_MS, signal) })
    } catch (err) {
      throw new LogsRefusal(LogsOutcome.LOGS_UNAVAILABLE, `the cluster cannot be read: ${(err as Error).message}`)
    }
    const container = req.container
    if (container !== '' && pods.length > 0 && !pods.some((p) => p.containers.includes(container))) {
      throw new LogsRefusal(LogsOutcome.LOGS_BAD_REQUEST, `no container ${container} in this workload (${[...new Set(pods.flatMap((p) => p.containers))].join(', ')})`)
    }
    const started = pods.filter((p) => p.started)
    if (started.length === 0) throw new LogsRefusal(LogsOutcome.LOGS_NOT_RUNNING, pods.length === 0 ? 'no pod exists yet' : `none of its ${pods.length} pod(s) has started yet`)
    const keepalive = req.follow ? setInterval(() => { send({}).catch(() => {}) }, LOGS_KEEPALIVE_MS) : undefined
    try {
      for await (const l of workloadLines(c.logs, h.tenantNs, started, { ...(container !== '' ? { container } : {}), follow: req.follow, tailLines: req.tailLines, signal })) {
        await send({ pod: l.pod, container: l.container, line: l.line.slice(0, MAX_LOG_LINE_CHARS) })
      }
    } catch (err) {
      if (signal.aborted) return
      throw new LogsRefusal(LogsOutcome.LOGS_UNAVAILABLE, (err as Error).message)
    } finally {
      if (keepalive != null) clearInterval(keepalive)
    }
    await send({ end: { outcome: LogsOutcome.LOGS_OK, detail: '' } })
    await stream.close({ signal: deadline(LOGS_REQUEST_TIMEOUT_MS) })
  } catch (err) {
    if (signal.aborted) { stream.abort(new Error('the reader went away')); return }
    const outcome = err instanceof LogsRefusal ? err.outcome : LogsOutcome.LOGS_INTERNAL
    const detail = err instanceof LogsRefusal ? err.message.slice(0, 500) : 'internal error'
    if (!(err instanceof LogsRefusal)) c.logger.error({ err, peer: remotePeer }, 'serving logs failed')
    else c.logger.debug({ peer: remotePeer, workloadId: req?.workloadId, outcome }, 'logs refused')
    try {
      await send({ end: { outcome, detail } })
      await stream.close({ signal: deadline(LOGS_REQUEST_TIMEOUT_MS) })
    } catch (e) {
      stream.abort(e as Error)
    }
  } finally {
    stream.removeEventListener('close', onClose)
  }
}

// --- the consumer

/** The typed error for an outcome the provider ended with. */
export function logsError (outcome: LogsOutcome, detail: string, name = 'the workload'): Error {
  switch (outcome) {
    case LogsOutcome.LOGS_NOT_FOUND:
      return new WorkloadNotFoundError(`the provider holds no ${name}: ${detail}`, { hint: 'it may have been cancelled or moved; see `skein describe workload NAME`' })
    case LogsOutcome.LOGS_NOT_RUNNING:
      return new LogsNotReadyError(`${name} is not running yet: ${detail}`, { hint: 'wait until it runs (`skein workloads`), then try again' })
    case LogsOutcome.LOGS_BAD_REQUEST:
      return new LogsNotAvailableError(`the provider refused the request: ${detail}`)
    default:
      return new LogsNotAvailableError(`the provider cannot give logs (${outcome}): ${detail}`, { hint: 'try again later, or read them with kubectl on the provider\'s cluster' })
  }
}

export interface FetchLogsRequest extends LogsOptions {
  workloadId: string
  generation?: number
  /** the workload's name, for messages */
  name?: string
}

/** Consumer: the log lines of one workload from the provider `peer`. */
export async function * fetchLogs (network: Network, peer: string, r: FetchLogsRequest): AsyncGenerator<LogLine> {
  const name = r.name ?? `workload ${r.workloadId}`
  let stream: Stream
  try {
    stream = await network.dial(peer, LOGS_PROTOCOL, { signal: deadline(5000, r.signal) })
  } catch (err) {
    if (r.signal?.aborted === true) throw err
    throw new ProviderUnreachableError(`cannot reach the provider ${peer} of ${name}: ${(err as Error).message}`, { hint: 'the link may be down; `skein peers` shows it, and its last known status stays in `skein workloads`' })
  }
  const lp = lpStream(stream, { maxDataLength: MAX_LOGS_FRAME_BYTES })
  let ended = false
  try {
    await lp.write(LogsRequest.encode({ workloadId: r.workloadId, container: r.container ?? '', follow: r.follow === true, tailLines: r.tailLines ?? 0, generation: r.generation ?? 0 }), { signal: deadline(LOGS_REQUEST_TIMEOUT_MS, r.signal) })
    while (true) {
      let bytes
      try {
        bytes = await lp.read({ signal: deadline(r.follow === true ? LOGS_IDLE_MS : LOGS_REQUEST_TIMEOUT_MS, r.signal) })
      } catch (err) {
        if (r.signal?.aborted === true) throw err
        throw new ProviderUnreachableError(`the log stream from ${peer} broke: ${(err as Error).message}`, { hint: 'the link may be down; try again when it is back' })
      }
      const f = LogsFrame.decode(bytes)
      if (f.end != null) {
        ended = true
        if (f.end.outcome === LogsOutcome.LOGS_OK) return
        throw logsError(f.end.outcome, f.end.detail, name)
      }
      if (f.pod === '' && f.line === '') continue
      yield { pod: f.pod, container: f.container, line: f.line }
    }
  } finally {
    if (ended) await stream.close().catch(() => { stream.abort(new Error('closing')) })
    else stream.abort(new Error('the log reader stopped'))
  }
}

/** Lines of a workload running on the local cluster, read like a provider reads them. */
export async function * localLogs (source: LogsSource | undefined, namespace: string, manifests: string, name: string, o: LogsOptions = {}): AsyncGenerator<LogLine> {
  if (source == null) throw new LogsNotAvailableError('this agent has no Kubernetes client')
  const pods = await source.pods(namespace, parseManifests(manifests), o.signal != null ? { signal: o.signal } : {})
  const started = pods.filter((p) => p.started)
  if (o.container != null && pods.length > 0 && !pods.some((p) => p.containers.includes(o.container as string))) {
    throw new LogsNotAvailableError(`no container ${o.container} in ${name}`)
  }
  if (started.length === 0) throw logsError(LogsOutcome.LOGS_NOT_RUNNING, pods.length === 0 ? 'no pod exists yet' : `none of its ${pods.length} pod(s) has started yet`, name)
  yield * workloadLines(source, namespace, started, o)
}

/**
 * The lines of every container (or one) of the started pods: one after the
 * other, or with follow all at once, merged as they come through a bounded
 * queue (a reader waits while it is full).
 */
export async function * workloadLines (source: LogsSource, namespace: string, pods: LogPod[], o: LogsOptions = {}): AsyncGenerator<LogLine> {
  const abort = new AbortController()
  const signal = o.signal != null ? AbortSignal.any([o.signal, abort.signal]) : abort.signal
  const jobs = pods.flatMap((p) => p.containers.filter((x) => o.container == null || x === o.container).map((x) => ({ pod: p.name, container: x })))
  const space: Array<() => void> = []
  const roomy = (): void => { for (const r of space.splice(0)) r() }
  const read = (j: { pod: string, container: string }): AsyncIterable<string> =>
    source.read(namespace, j.pod, j.container, { follow: o.follow === true, ...(o.tailLines != null && o.tailLines > 0 ? { tailLines: o.tailLines } : {}), signal })
  try {
    if (o.follow !== true) {
      for (const j of jobs) for await (const line of read(j)) yield { ...j, line }
      return
    }
    const queue: LogLine[] = []
    let active = jobs.length
    let failure: Error | undefined
    let wake: (() => void) | undefined
    const pumps = jobs.map(async (j) => {
      try {
        for await (const line of read(j)) {
          while (queue.length >= LINE_QUEUE_LIMIT && !signal.aborted) await new Promise<void>((resolve) => { space.push(resolve) })
          queue.push({ ...j, line })
          wake?.()
        }
      } catch (err) {
        if (!signal.aborted) failure ??= err as Error
      } finally {
        active--
        wake?.()
      }
    })
    while (true) {
      const l = queue.shift()
      if (l != null) { roomy(); yield l; continue }
      if (failure != null) throw failure
      if (active === 0) break
      await new Promise<void>((resolve) => { wake = resolve })
      wake = undefined
    }
    await Promise.all(pumps)
  } finally {
    abort.abort()
    roomy()
  }
}

/**
 * The lines of a workload for the operator: from the provider of its
 * placement, or from the local cluster. Throws a typed error when it has no
 * placement yet or has ended.
 */
export async function * workloadLogs (c: { workload: WorkloadRecord, network: Network, logs?: LogsSource, localNamespace: string }, o: LogsOptions = {}): AsyncGenerator<LogLine> {
  const w = c.workload
  const p = w.placement
  if (w.phase === 'cancelled' || w.phase === 'cancelling' || w.phase === 'failed') {
    throw new LogsNotReadyError(`workload ${w.name} is ${w.phase}: nothing runs to read logs from`, { hint: `see skein describe workload ${w.name}` })
  }
  if (p == null || w.phase === 'pending' || w.phase === 'failing-over') {
    throw new LogsNotReadyError(`workload ${w.name} is not running yet (${w.phase})`, { hint: 'wait until it runs (`skein workloads`), then try again' })
  }
  if (p.local) {
    yield * localLogs(c.logs, c.localNamespace, w.manifests, `workload ${w.name}`, o)
    return
  }
  const via = w.status?.via ?? []
  if (via.length > 0) {
    // passed on down a waterfall: its pods run on the last cluster of the chain, which we hold no lease with
    throw new LogsNotAvailableError(`workload ${w.name} was passed on by ${p.target} to ${via.join(' → ')}: its logs are not readable from here`, { hint: `read them on the cluster of ${via[via.length - 1] ?? ''}` })
  }
  yield * fetchLogs(c.network, p.target, { ...o, workloadId: w.id, generation: p.generation, name: `workload ${w.name}` })
}
