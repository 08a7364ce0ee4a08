/**
 * Framing on libp2p 3 streams: length-prefixed protobuf with size caps via
 * pbStream/lpStream from @libp2p/utils for the request-response protocol,
 * and async iterables composed with it-pipe for the long-lived status stream.
 * Every exchange has a deadline; the status queue is bounded and coalesces by
 * workload (the latest status of each wins), so a slow consumer costs memory
 * proportional to its workloads, never to the number of updates.
 *
 *   const res = await request(stream, { cancel }, { signal })
 *   await serveRequest(stream, async (req) => ({ ack }), { signal })
 *   for await (const s of statusFrames(stream, { idleMs })) { ... }
 */
import type { Stream, MessageStream, AbortOptions } from '@libp2p/interface'
import { pbStream, lpStream } from '@libp2p/utils'
import { pipe } from 'it-pipe'
import { DelegateRequest, DelegateResponse, Status, StatusSubscribe } from '../pb/delegate.js'
import { MAX_DELEGATE_FRAME_BYTES, MAX_HOP_LIMIT, MAX_RESYNC_FRAME_BYTES, MAX_STATUS_FRAME_BYTES, REQUEST_TIMEOUT_MS, STATUS_QUEUE_LIMIT } from './constants.ts'
import { validateResponse, validateStatus } from './frames.ts'
import { MalformedMessageError } from './errors.ts'

function deadline (options: AbortOptions = {}, ms = REQUEST_TIMEOUT_MS): AbortSignal {
  const t = AbortSignal.timeout(ms)
  return options.signal != null ? AbortSignal.any([options.signal, t]) : t
}

/** Consumer: one request, one response, then the stream is closed. */
export async function request (stream: Stream, req: DelegateRequest, options: AbortOptions & { timeoutMs?: number } = {}): Promise<DelegateResponse> {
  const signal = deadline(options, options.timeoutMs)
  try {
    const pb = pbStream(stream, { maxDataLength: Math.max(MAX_DELEGATE_FRAME_BYTES, MAX_RESYNC_FRAME_BYTES) })
    await pb.write(req, DelegateRequest, { signal })
    const res = await pb.read(DelegateResponse, { signal, limits: { resync: 1 } as never })
    await stream.close({ signal })
    return validateResponse(res)
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}

/** Provider: reads one request, answers with what `handler` returns, closes. */
export async function serveRequest (stream: Stream, handler: (req: DelegateRequest) => Promise<DelegateResponse>, options: AbortOptions & { timeoutMs?: number } = {}): Promise<void> {
  const signal = deadline(options, options.timeoutMs)
  try {
    const pb = pbStream(stream, { maxDataLength: MAX_DELEGATE_FRAME_BYTES })
    const req = await pb.read(DelegateRequest, { signal })
    const res = await handler(req)
    await pb.write(res, DelegateResponse, { signal })
    await stream.close({ signal })
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}

/** Consumer: opens a subscription on a fresh status stream. */
export async function subscribe (stream: Stream, consumer: string, options: AbortOptions = {}): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: MAX_STATUS_FRAME_BYTES })
  await lp.write(StatusSubscribe.encode({ consumer }), { signal: deadline(options) })
}

/** Provider: reads the subscription that opens a status stream. */
export async function readSubscribe (stream: Stream, options: AbortOptions = {}): Promise<StatusSubscribe> {
  const lp = lpStream(stream, { maxDataLength: MAX_STATUS_FRAME_BYTES })
  const bytes = await lp.read({ signal: deadline(options) })
  return StatusSubscribe.decode(bytes)
}

/**
 * Consumer: the Status frames of a status stream as an async iterable,
 * decoded and validated through an it-pipe chain. Ends when the provider
 * closes; throws when no frame (not even a keepalive) came for `idleMs`.
 */
export function statusFrames (stream: Stream, options: AbortOptions & { idleMs: number }): AsyncIterable<Status> {
  const lp = lpStream(stream, { maxDataLength: MAX_STATUS_FRAME_BYTES })
  async function * raw (): AsyncGenerator<Uint8Array> {
    while (true) {
      let bytes
      try {
        bytes = await lp.read({ signal: deadline(options, options.idleMs) })
      } catch (err) {
        // the provider closed its end: the iterable ends
        if ((err as Error).name === 'UnexpectedEOFError' && stream.readStatus !== 'readable') return
        throw err
      }
      yield bytes.subarray()
    }
  }
  const decode = async function * (source: AsyncIterable<Uint8Array>): AsyncGenerator<Status> {
    for await (const b of source) {
      let s: Status
      try {
        s = Status.decode(b, { limits: { podIps: 256, via: { agents: MAX_HOP_LIMIT } } })
      } catch (err) {
        throw new MalformedMessageError(`a Status cannot be decoded: ${(err as Error).message}`)
      }
      yield validateStatus(s)
    }
  }
  return pipe(raw, decode)
}

/**
 * Provider: writes every status `source` yields to the stream, each frame
 * awaiting the stream's backpressure, until the source ends or the stream does.
 */
export async function writeStatusFrames (stream: MessageStream, source: AsyncIterable<Status>, options: AbortOptions = {}): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: MAX_STATUS_FRAME_BYTES })
  await pipe(
    source,
    async function * (src: AsyncIterable<Status>) { for await (const s of src) yield Status.encode(s) },
    async (src: AsyncIterable<Uint8Array>) => { for await (const b of src) await lp.write(b, options) }
  )
}

/**
 * A bounded, coalescing queue of statuses for one subscriber: the latest
 * status of each workload replaces an older one still waiting; beyond
 * `limit` workloads the oldest waiting entry is dropped (the subscriber gets
 * it again at its next resync or keepalive).
 */
export class StatusQueue implements AsyncIterable<Status> {
  private readonly waiting = new Map<string, Status>()
  private wake?: () => void
  private closed = false
  readonly limit: number
  dropped = 0

  constructor (limit = STATUS_QUEUE_LIMIT) {
    this.limit = limit
  }

  push (s: Status): void {
    if (this.closed) return
    this.waiting.delete(s.workloadId)
    this.waiting.set(s.workloadId, s)
    while (this.waiting.size > this.limit) {
      const oldest = this.waiting.keys().next().value
      if (oldest === undefined) break
      this.waiting.delete(oldest)
      this.dropped++
    }
    this.wake?.()
  }

  close (): void {
    this.closed = true
    this.wake?.()
  }

  get size (): number {
    return this.waiting.size
  }

  async * [Symbol.asyncIterator] (): AsyncGenerator<Status> {
    while (true) {
      const first = this.waiting.entries().next().value
      if (first != null) {
        this.waiting.delete(first[0])
        yield first[1]
        continue
      }
      if (this.closed) return
      await new Promise<void>((resolve) => { this.wake = resolve })
      this.wake = undefined
    }
  }
}
