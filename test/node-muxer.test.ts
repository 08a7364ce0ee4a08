import t from 'tap'
import { yamux } from '@chainsafe/libp2p-yamux'
import { multiaddrConnectionPair } from '@libp2p/utils'
import type { Stream, StreamMuxerFactory } from '@libp2p/interface'
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

/** window updates without a flag a connection end writes (the grants of a reader, not a stream's SYN or ACK) */
function countGrants (conn: ReturnType<typeof multiaddrConnectionPair>[number]): { grants: number, granted: number } {
  const seen = { grants: 0, granted: 0 }
  const send = conn.send.bind(conn)
  conn.send = (data) => {
    const bytes = data instanceof Uint8Array ? data : data.subarray()
    // header: version, type (1 = window update), flags, stream id, length (the bytes granted)
    if (bytes.byteLength >= 12 && bytes[1] === 1 && bytes[2] === 0 && bytes[3] === 0) {
      seen.grants++
      seen.granted += new DataView(bytes.buffer, bytes.byteOffset, 12).getUint32(8)
    }
    return send(data)
  }
  return seen
}

async function pair () {
  const [out, inb] = multiaddrConnectionPair()
  const fromReader = countGrants(inb)
  const factory = containedYamux()
  const dialler = factory().createStreamMuxer(out)
  const listener = factory().createStreamMuxer(inb)
  const inbound = new Promise<Stream>((resolve) => {
    listener.addEventListener('stream', (evt) => { resolve(evt.detail) }, { once: true })
  })
  const writer = await dialler.createStream()
  let received = 0
  const reader = async (): Promise<Stream> => {
    const s = await inbound
    s.addEventListener('message', (evt) => { received += evt.data.byteLength })
    return s
  }
  const write = async (bytes: Uint8Array): Promise<void> => {
    if (!writer.send(bytes)) await writer.onDrain()
  }
  return { dialler, listener, writer, reader, write, fromReader, received: () => received }
}

async function until (cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

t.test('a reader grants its window back when half of it is used, not after every message', async (t) => {
  const p = await pair()
  t.teardown(() => { p.dialler.abort(new Error('done')); p.listener.abort(new Error('done')) })
  await p.write(new Uint8Array(100))
  await p.reader()
  for (let i = 1; i < 200; i++) await p.write(new Uint8Array(100))
  await until(() => p.received() === 200 * 100, '200 messages')
  t.equal(p.fromReader.grants, 0, '200 messages of 100 bytes (20 KB) need no grant from a 256 KiB window')
})

t.test('a stream carries many times its window with grants at half the window, in both directions', async (t) => {
  const p = await pair()
  t.teardown(() => { p.dialler.abort(new Error('done')); p.listener.abort(new Error('done')) })
  const total = 4 * 1024 * 1024
  const chunk = new Uint8Array(16 * 1024).fill(7)
  await p.write(chunk)
  const back = await p.reader()
  for (let sent = chunk.byteLength; sent < total; sent += chunk.byteLength) await p.write(chunk)
  await until(() => p.received() === total, 'the 4 MiB')
  t.ok(p.fromReader.grants >= 4, `the reader granted the window back ${p.fromReader.grants} times`)
  t.ok(p.fromReader.grants <= total / (128 * 1024), 'no more often than once per half window used')
  t.ok(p.fromReader.granted >= total - 256 * 1024, 'and granted back all but at most one window of what it read')

  // and back the other way on the same stream
  let echoed = 0
  p.writer.addEventListener('message', (evt) => { echoed += evt.data.byteLength })
  for (let sent = 0; sent < total; sent += chunk.byteLength) {
    if (!back.send(chunk)) await back.onDrain()
  }
  await until(() => echoed === total, 'the 4 MiB back')
  t.pass('4 MiB each way, no stall')
})
