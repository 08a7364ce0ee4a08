/**
 * Link pings over libp2p's ping protocol (/ipfs/ping/1.0.0) on one stream per
 * peer. libp2p's ping service opens a stream for every ping: a yamux SYN,
 * protocol negotiation, the 32 bytes each way, and a close from both sides,
 * each frame encrypted and written on its own. The protocol lets a dialer send
 * ping after ping on one stream (the responder echoes until the stream ends),
 * so a member reuses its stream and opens a new one only every `rotateMs` (a
 * minute, half the 2 minutes our responder gives a stream). A ping that times
 * out leaves its stream open for the next (up to MAX_LATE unanswered pings on
 * one stream; then it is replaced): the responder echoes in order, so a late
 * echo arrives before the next ping's and is recognised by its bytes, and
 * does not answer the next ping. On a busy host or a congested radio link a
 * new stream per timed-out ping (a SYN and a negotiation on the same slow
 * path) was more load where there was too much. A wrong answer ends the
 * stream. A stream that already carried a ping and is closed or reset by
 * the other side when the next ping goes out (a responder that gives streams
 * less time, as libp2p's default 10 s, ends it while we send) is replaced at
 * once, within the same ping's deadline: the peer that ended it is there, and
 * that is no evidence against the link. Pings to one peer take turns.
 *
 *   const pinger = new Pinger(node)
 *   const rttMs = await pinger.ping(peerId, { signal: AbortSignal.timeout(2000) })
 *   pinger.stop()
 */
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { equals } from 'uint8arrays/equals'
import { PING_STREAM_LIFETIME_MS, type SkeinNode } from '../node/index.ts'

export const PING_PROTOCOL = '/ipfs/ping/1.0.0'
const PING_LENGTH = 32

export class PingMismatchError extends Error {
  override name = 'PingMismatchError'
}

export class PingStreamClosedError extends Error {
  override name = 'PingStreamClosedError'
}

/** a stream that carried pings before was ended by the other side as this one went out: the ping is tried again */
class ReusedStreamEndedError extends Error {
  override name = 'ReusedStreamEndedError'
  override readonly cause: Error
  constructor (cause: Error) {
    super(cause.message)
    this.cause = cause
  }
}

/** pings sent on one stream and not answered (timed out) before it is replaced */
export const MAX_LATE = 2

interface Sent {
  data: Uint8Array
  /** the ping still waiting for this answer; none once it timed out (a late echo is then dropped) */
  waiter?: { started: number, resolve: (rtt: number) => void, reject: (err: Error) => void }
}

interface Held {
  stream: Stream
  connection: Connection
  opened: number
  /** pings this stream has answered */
  answered: number
  /** payloads sent and not yet echoed, oldest first */
  sent: Sent[]
  received: Uint8ArrayList
}

async function waitOrAbort (p: Promise<void>, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted()
  const { promise, reject } = Promise.withResolvers<never>()
  const onAbort = (): void => { reject(signal.reason ?? new Error('ping aborted')) }
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    await Promise.race([p, promise])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

export interface PingerOptions {
  /** a stream older than this is closed before the next ping and a new one opened (default 1 min; our responder ends a stream after 2) */
  rotateMs?: number
  now?: () => number
}

export class Pinger {
  private readonly node: SkeinNode
  private readonly held = new Map<string, Held>()
  /** the last ping asked for, by peer: the next one waits for it */
  private readonly tails = new Map<string, Promise<void>>()
  private readonly rotateMs: number
  private readonly now: () => number
  /** streams opened, for tests and the bench: pings per stream is what this saves */
  streamsOpened = 0

  constructor (node: SkeinNode, options: PingerOptions = {}) {
    this.node = node
    this.rotateMs = options.rotateMs ?? PING_STREAM_LIFETIME_MS / 2
    this.now = options.now ?? (() => performance.now())
  }

  /**
   * Round-trip time in ms of one ping to `peer`; dials it when there is no
   * connection. Pings to one peer take turns (the protocol allows one outbound
   * ping stream per peer): a ping asked for while one is out starts when that
   * one ends, and `signal` bounds the wait as well.
   */
  async ping (peer: PeerId, options: { signal: AbortSignal }): Promise<number> {
    const key = peer.toString()
    const before = this.tails.get(key)
    const turn = (async () => {
      if (before != null) await waitOrAbort(before, options.signal)
      return await this.pingNow(key, peer, options.signal)
    })()
    const tail = turn.then(() => {}, () => {})
    this.tails.set(key, tail)
    try {
      return await turn
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }

  private async pingNow (key: string, peer: PeerId, signal: AbortSignal): Promise<number> {
    try {
      return await this.pingOnce(key, peer, signal)
    } catch (err) {
      if (!(err instanceof ReusedStreamEndedError) || signal.aborted) throw err instanceof ReusedStreamEndedError ? err.cause : err
      return await this.pingOnce(key, peer, signal)
    }
  }

  private async pingOnce (key: string, peer: PeerId, signal: AbortSignal): Promise<number> {
    let h = this.held.get(key)
    if (h != null && (h.connection.status !== 'open' || h.stream.status !== 'open' || h.stream.writeStatus !== 'writable' || h.stream.readStatus !== 'readable' || h.stream.remoteWriteStatus !== 'writable' || this.now() - h.opened >= this.rotateMs)) {
      this.release(key, h)
      h = undefined
    }
    if (h != null && h.sent.length >= MAX_LATE) {
      // this many pings unanswered on it: a stream that no longer echoes, not a late one
      this.held.delete(key)
      h.stream.abort(new PingStreamClosedError(`${h.sent.length} pings unanswered on this stream`))
      h = undefined
    }
    if (h == null) {
      h = this.hold(await this.open(peer, signal))
      this.held.set(key, h)
    }
    try {
      const rtt = await this.exchange(h, signal)
      h.answered++
      return rtt
    } catch (err) {
      // timed out with the stream still open: kept, and its late echo will be told from the next ping's answer
      if (signal.aborted && h.stream.status === 'open' && h.connection.status === 'open') throw err
      // the stream closed under the ping while its connection stayed: the other side ended it
      const endedByThem = err instanceof PingStreamClosedError && h.connection.status === 'open'
      if (this.held.get(key) === h) this.held.delete(key)
      h.stream.abort(err as Error)
      throw h.answered > 0 && endedByThem ? new ReusedStreamEndedError(err) : err
    }
  }

  /** a newly opened stream, with the listener that matches echoes to the pings sent, in order */
  private hold (opened: { stream: Stream, connection: Connection }): Held {
    const h: Held = { ...opened, opened: this.now(), answered: 0, sent: [], received: new Uint8ArrayList() }
    const fail = (err: Error): void => {
      for (const s of h.sent.splice(0)) s.waiter?.reject(err)
    }
    h.stream.addEventListener('message', (evt) => {
      h.received.append(evt.data)
      while (h.received.byteLength >= PING_LENGTH) {
        const echo = h.received.subarray(0, PING_LENGTH)
        h.received.consume(PING_LENGTH)
        // the responder echoes in order; a ping it never echoed (lost before it) is passed over
        const at = h.sent.findIndex((s) => equals(s.data, echo))
        if (at < 0) {
          const err = new PingMismatchError(`ping answered with ${PING_LENGTH} bytes that are not any of the ${h.sent.length} sent`)
          fail(err)
          h.stream.abort(err)
          return
        }
        const [s] = h.sent.splice(0, at + 1).slice(-1) as [Sent]
        s.waiter?.resolve(Math.round(this.now() - s.waiter.started))
      }
    })
    // the other side closing its end (or the whole stream going) means no answer can come
    const onClose = (): void => { fail(new PingStreamClosedError('the ping stream closed before the answer came')) }
    h.stream.addEventListener('close', onClose)
    h.stream.addEventListener('remoteCloseWrite', onClose)
    return h
  }

  /** closes every held stream */
  stop (): void {
    for (const [key, h] of this.held) this.release(key, h)
  }

  private async open (peer: PeerId, signal: AbortSignal): Promise<{ stream: Stream, connection: Connection }> {
    const connection = await this.node.dial(peer, { signal })
    const stream = await connection.newStream(PING_PROTOCOL, { signal, runOnLimitedConnection: true })
    this.streamsOpened++
    return { stream, connection }
  }

  private release (key: string, h: Held): void {
    if (this.held.get(key) === h) this.held.delete(key)
    if (h.stream.status === 'open') h.stream.close().catch(() => {})
  }

  /** sends 32 random bytes on the held stream and waits for the same 32 back */
  private async exchange (h: Held, signal: AbortSignal): Promise<number> {
    signal.throwIfAborted()
    const { stream, connection } = h
    if (stream.remoteWriteStatus !== 'writable' || stream.readStatus === 'closing' || stream.readStatus === 'closed') throw new PingStreamClosedError('the other side has closed the ping stream')
    if (connection.status !== 'open') throw new PingStreamClosedError('the connection of the ping stream is closed')
    const { promise, resolve, reject } = Promise.withResolvers<number>()
    const sent: Sent = { data: crypto.getRandomValues(new Uint8Array(PING_LENGTH)), waiter: { started: this.now(), resolve, reject } }
    const onAbort = (): void => {
      // it may still come: the entry stays, so that its echo is recognised, but answers nobody
      delete sent.waiter
      reject(signal.reason ?? new Error('ping aborted'))
    }
    // a connection that closes does not always close its streams first
    const onConnectionClose = (evt: CustomEvent<Connection>): void => {
      if (evt.detail.id === connection.id) reject(new PingStreamClosedError('the connection of the ping stream closed before the answer came'))
    }
    this.node.addEventListener('connection:close', onConnectionClose)
    signal.addEventListener('abort', onAbort)
    try {
      h.sent.push(sent)
      stream.send(sent.data)
      return await promise
    } finally {
      signal.removeEventListener('abort', onAbort)
      this.node.removeEventListener('connection:close', onConnectionClose)
    }
  }
}
