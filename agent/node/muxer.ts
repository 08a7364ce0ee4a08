/**
 * yamux, keep-alive pings sent by the dialler only, and with one defect of
 * @chainsafe/libp2p-yamux 8 contained: aborting a
 * muxer whose connection is already closing (a graceful close waiting on a
 * dead radio link, then libp2p's connection monitor aborting it because a
 * ping failed) throws StreamStateError from the GoAway frame it tries to
 * send. The monitor calls abort inside a promise handler, so the throw
 * becomes an unhandled rejection that would stop the agent. By then the
 * muxer and its streams are aborted; only the GoAway could not be sent, so
 * the error is counted and dropped. Anything else still throws.
 *
 *   streamMuxers: [containedYamux((err) => log.debug({ err }, 'goaway not sent'))]
 */
import { yamux } from '@chainsafe/libp2p-yamux'
import type { StreamMuxer, StreamMuxerFactory } from '@libp2p/interface'

export function containedYamux (onContained: (err: Error) => void = () => {}): () => StreamMuxerFactory {
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
