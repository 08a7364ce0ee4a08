/**
 * Bandwidth probe, /skein/probe/1.0.0: the prober sends one length-prefixed
 * frame of N bytes, the other side answers with one byte once it has all of
 * it. Transfer time − one RTT ≈ N / bandwidth. An active measurement, so it
 * runs only as often as links.bandwidthProbeInterval says (default: on
 * request); on a link this estimate is a floor (TCP slow start on one small
 * transfer), not a capacity test.
 */
import { lpStream } from '@libp2p/utils'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Stream, StreamHandler } from '@libp2p/interface'
import type { SkeinNode } from '../node/index.ts'

export const PROBE_PROTOCOL = '/skein/probe/1.0.0'
export const MAX_PROBE_BYTES = 16 * 1024 * 1024

export function probeHandler (): StreamHandler {
  return async (stream: Stream) => {
    const lp = lpStream(stream, { maxDataLength: MAX_PROBE_BYTES })
    const signal = AbortSignal.timeout(30_000)
    try {
      await lp.read({ signal })
      await lp.write(new Uint8Array([1]), { signal })
      await stream.close({ signal })
    } catch (err) {
      stream.abort(err as Error)
    }
  }
}

export function prober (node: SkeinNode, now: () => number): (peerId: string, bytes: number, options: { signal: AbortSignal }) => Promise<number> {
  return async (peerId, bytes, { signal }) => {
    const stream = await node.dialProtocol(peerIdFromString(peerId), PROBE_PROTOCOL, { signal })
    const lp = lpStream(stream, { maxDataLength: 16 })
    try {
      const started = now()
      await lp.write(new Uint8Array(bytes), { signal })
      await lp.read({ signal })
      const ms = now() - started
      await stream.close({ signal })
      return ms
    } catch (err) {
      stream.abort(err as Error)
      throw err
    }
  }
}
