/**
 * yamux, keep-alive pings sent by the dialler only, window updates sent when
 * half a stream's receive window is used, and with one defect of
 * @chainsafe/libp2p-yamux 8 contained: aborting a
 * muxer whose connection is already closing (a graceful close waiting on a
 * dead radio link, then libp2p's connection monitor aborting it because a
 * ping failed) throws StreamStateError from the GoAway frame it tries to
 * send. The monitor calls abort inside a promise handler, so the throw
 * becomes an unhandled rejection that would stop the agent. By then the
 * muxer and its streams are aborted; only the GoAway could not be sent, so
 * the error is counted and dropped. Anything else still throws.
 *
 * @chainsafe/libp2p-yamux 8 answers every data frame it reads with a window
 * update that grants the bytes back: a second frame, encrypted and written on
 * its own, for every message on every stream (38 % of the frames 40 simulated
 * members sent). The yamux specification leaves the timing to the receiver;
 * hashicorp's and rust-libp2p's implementations send the update once half the
 * window (256 KiB at first) is used, so the sender never runs dry, and so does
 * this one now. Updates that carry a flag (the SYN or ACK of a stream opened
 * before any data went its way) and the one after a pause are sent as before.
 *
 *   streamMuxers: [containedYamux((err) => log.debug({ err }, 'goaway not sent'))]
 */
import { yamux } from '@chainsafe/libp2p-yamux'
import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream'
import type { StreamMuxer, StreamMuxerFactory } from '@libp2p/interface'

/** the receive window of a yamux stream, which the package keeps private */
interface ReceiveWindow {
  state: StreamState
  recvWindow: number
  recvWindowCapacity: number
}

let windowUpdatesBatched = false

/** every yamux stream in the process sends its window update at half the window (once; see above) */
function batchWindowUpdates (): void {
  if (windowUpdatesBatched) return
  windowUpdatesBatched = true
  const send = Object.getOwnPropertyDescriptor(YamuxStream.prototype, 'sendWindowUpdate')?.value as (this: YamuxStream) => void
  Object.defineProperty(YamuxStream.prototype, 'sendWindowUpdate', {
    configurable: true,
    writable: true,
    value: function sendWindowUpdate (this: YamuxStream): void {
      const w = this as unknown as ReceiveWindow
      // Init and SYNReceived send a flag with the update; Paused only records the time
      const plain = w.state === StreamState.SYNSent || w.state === StreamState.Established || w.state === StreamState.Finished
      if (plain && w.recvWindow - w.recvWindowCapacity < w.recvWindow / 2) return
      send.call(this)
    }
  })
}

export function containedYamux (onContained: (err: Error) => void = () => {}): () => StreamMuxerFactory {
  batchWindowUpdates()
  const base = yamux()
  // Keep-alive pings (every 30 s and answered; an unanswered one changes nothing, the links layer judges
  // liveness) come from the dialler only: one side's pings keep a NAT binding and an idle radio link as warm as
  // both sides' did. Connected to each of 199 others, a member otherwise sends 199 / 30 × 2 ≈ 13 a second
  const listening = yamux({ enableKeepAlive: false })
  return () => {
    const factory: StreamMuxerFactory = base()
    const inbound: StreamMuxerFactory = listening()
    const create = factory.createStreamMuxer.bind(factory)
    factory.createStreamMuxer = (maConn): StreamMuxer => {
      const muxer = maConn.direction === 'inbound' ? inbound.createStreamMuxer(maConn) : create(maConn)
      const abort = muxer.abort.bind(muxer)
      muxer.abort = (err: Error): void => {
        try {
          abort(err)
        } catch (thrown) {
          if ((thrown as Error).name !== 'StreamStateError') throw thrown
          onContained(thrown as Error)
        }
      }
      return muxer
    }
    return factory
  }
}
