import t from 'tap'
import { yamux } from '@chainsafe/libp2p-yamux'
import { multiaddrConnectionPair } from '@libp2p/utils'
import type { StreamMuxerFactory } from '@libp2p/interface'
import { containedYamux } from '../agent/node/muxer.ts'

async function closingMuxer (factory: () => StreamMuxerFactory) {
  const [a, b] = multiaddrConnectionPair()
  const muxer = factory().createStreamMuxer(a)
  factory().createStreamMuxer(b)
  const stream = await muxer.createStream()
  await new Promise((resolve) => setTimeout(resolve, 20))
  // a graceful close has begun (its write side is closing) when the connection is aborted
  void a.close().catch(() => {})
  return { a, muxer, stream }
}

t.test('aborting a connection that is already closing does not throw out of the muxer', async (t) => {
  const plain = await closingMuxer(yamux())
  t.throws(() => { plain.muxer.abort(new Error('ping failed')) }, { name: 'StreamStateError' }, 'the plain muxer throws here')

  const seen: Error[] = []
  const { muxer, stream } = await closingMuxer(containedYamux((err) => seen.push(err)))
  t.doesNotThrow(() => { muxer.abort(new Error('ping failed')) })
  t.not(muxer.status, 'open', 'the muxer is ended all the same')
  t.equal(stream.status, 'aborted', 'and so are its streams')
  t.equal(seen.length, 1, 'the failure is reported once')
  t.equal(seen[0]?.name, 'StreamStateError')
})

t.test('other errors from abort still propagate', async (t) => {
  const [a] = multiaddrConnectionPair()
  const muxer = containedYamux()().createStreamMuxer(a)
  Object.defineProperty(muxer, 'sendGoAway', { value: () => { throw new TypeError('something else') } })
  t.throws(() => { muxer.abort(new Error('x')) }, { name: 'TypeError' })
})

/** yamux ping frames a connection end writes: requests (SYN) and answers (ACK) */
function countPings (conn: ReturnType<typeof multiaddrConnectionPair>[number]): { requests: number, answers: number } {
  const seen = { requests: 0, answers: 0 }
  const send = conn.send.bind(conn)
  conn.send = (data) => {
    const bytes = data instanceof Uint8Array ? data : data.subarray()
    // header: version, type (2 = ping), flags (1 = SYN, 2 = ACK), stream id, length
    if (bytes.byteLength >= 12 && bytes[1] === 2) {
      const flags = (bytes[2] as number) << 8 | (bytes[3] as number)
      if ((flags & 1) !== 0) seen.requests++
      if ((flags & 2) !== 0) seen.answers++
    }
    return send(data)
  }
  return seen
}

t.test('keep-alive pings go from the dialler only, and are answered', async (t) => {
  const [out, inb] = multiaddrConnectionPair()
  const fromDialler = countPings(out)
  const fromListener = countPings(inb)
  const factory = containedYamux()
  const dialler = factory().createStreamMuxer(out)
  const listener = factory().createStreamMuxer(inb)
  t.teardown(() => { dialler.abort(new Error('done')); listener.abort(new Error('done')) })
  // both ends open with an immediate keep-alive ping when they send them at all
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(fromDialler.requests, 1, 'the dialler pings')
  t.equal(fromListener.answers, 1, 'the listener answers')
  t.equal(fromListener.requests, 0, 'the listener does not ping')
  t.equal(fromDialler.answers, 0)
})
