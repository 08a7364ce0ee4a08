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
