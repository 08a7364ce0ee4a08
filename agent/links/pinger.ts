/**
 * Link pings over libp2p's ping protocol (/ipfs/ping/1.0.0) on one stream per
 * peer. libp2p's ping service opens a stream for every ping: a yamux SYN,
 * protocol negotiation, the 32 bytes each way, and a close from both sides,
 * each frame encrypted and written on its own. The protocol lets a dialer send
 * ping after ping on one stream (the responder echoes until the stream ends),
 * so a member reuses its stream and opens a new one only every `rotateMs` (a
 * minute, half the 2 minutes our responder gives a stream). A ping that fails
 * or times out ends its stream: an echo that comes late must not answer the
 * next ping. A stream that already carried a ping and is closed or reset by
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

interface Held {
  stream: Stream
  connection: Connection
  opened: number
  /** pings this stream has answered */
  answered: number
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
    if (h == null) {
      h = { ...await this.open(peer, signal), opened: this.now(), answered: 0 }
      this.held.set(key, h)
    }
    try {
      const rtt = await this.exchange(h.stream, h.connection, signal)
      h.answered++
      return rtt
    } catch (err) {
      // the stream closed under the ping while its connection stayed: the other side ended it
      const endedByThem = err instanceof PingStreamClosedError && h.connection.status === 'open'
      if (this.held.get(key) === h) this.held.delete(key)
      h.stream.abort(err as Error)
      throw h.answered > 0 && endedByThem ? new ReusedStreamEndedError(err) : err
    }
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

  /** sends 32 random bytes on `stream` and waits for the same 32 back */
  private async exchange (stream: Stream, connection: Connection, signal: AbortSignal): Promise<number> {
    signal.throwIfAborted()
    if (stream.remoteWriteStatus !== 'writable' || stream.readStatus === 'closing' || stream.readStatus === 'closed') throw new PingStreamClosedError('the other side has closed the ping stream')
    const data = crypto.getRandomValues(new Uint8Array(PING_LENGTH))
    const received = new Uint8ArrayList()
    const { promise, resolve, reject } = Promise.withResolvers<number>()
    let started = 0
    const onMessage = (evt: { data: Uint8Array | Uint8ArrayList }): void => {
      received.append(evt.data)
      if (received.byteLength < PING_LENGTH) return
      const rtt = this.now() - started
      if (received.byteLength > PING_LENGTH || !equals(received.subarray(), data)) reject(new PingMismatchError(`ping answered with ${received.byteLength} bytes that are not the ones sent`))
      else resolve(Math.round(rtt))
    }
    // the other side closing its end (or the whole stream going) means no answer can come
    const onClose = (): void => { reject(new PingStreamClosedError('the ping stream closed before the answer came')) }
    const onAbort = (): void => { reject(signal.reason ?? new Error('ping aborted')) }
    // a connection that closes does not always close its streams first
    const onConnectionClose = (evt: CustomEvent<Connection>): void => {
      if (evt.detail.id === connection.id) reject(new PingStreamClosedError('the connection of the ping stream closed before the answer came'))
    }
    if (connection.status !== 'open') throw new PingStreamClosedError('the connection of the ping stream is closed')
    this.node.addEventListener('connection:close', onConnectionClose)
    stream.addEventListener('message', onMessage)
    stream.addEventListener('close', onClose)
    stream.addEventListener('remoteCloseWrite', onClose)
    signal.addEventListener('abort', onAbort)
    try {
      started = this.now()
      stream.send(data)
      return await promise
    } finally {
      stream.removeEventListener('message', onMessage)
      stream.removeEventListener('close', onClose)
      stream.removeEventListener('remoteCloseWrite', onClose)
      signal.removeEventListener('abort', onAbort)
      this.node.removeEventListener('connection:close', onConnectionClose)
    }
  }
}
