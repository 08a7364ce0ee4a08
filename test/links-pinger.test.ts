/**
 * Link pings reuse one ping stream per peer: a member pinging a peer once a
 * second opens a stream every few seconds, not one a ping. A ping whose answer
 * is wrong, late or cut off ends its stream, and the next ping starts clean;
 * pings asked for at once take turns. The other side is libp2p's
 * stock ping service, so any libp2p peer can be pinged this way.
 */
import t, { type Test } from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Stream } from '@libp2p/interface'
import { createNode, libp2pLogger, type SkeinNode } from '../agent/node/index.ts'
import { MAX_LATE, Pinger, PING_PROTOCOL, PingMismatchError } from '../agent/links/pinger.ts'
import { signPayload, verifyPayload } from '../protocol/signing/index.ts'

async function pair (t: Test): Promise<{ a: SkeinNode, b: SkeinNode }> {
  const a = await createNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] })
  const b = await createNode({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'] })
  await a.start()
  await b.start()
  t.teardown(async () => { await a.stop(); await b.stop() })
  await a.peerStore.merge(b.peerId, { multiaddrs: b.getMultiaddrs() })
  return { a, b }
}

/** inbound ping streams B holds from A */
const inbound = (a: SkeinNode, b: SkeinNode): Stream[] => b.getConnections(a.peerId).flatMap((c) => c.streams.filter((s) => s.protocol === PING_PROTOCOL))

t.test('ten pings a few seconds apart share one stream; an old stream is replaced', async (t) => {
  const { a, b } = await pair(t)
  let now = 0
  const pinger = new Pinger(a, { rotateMs: 5000, now: () => now })
  for (let i = 0; i < 10; i++) {
    const rtt = await pinger.ping(b.peerId, { signal: AbortSignal.timeout(5000) })
    t.ok(rtt >= 0, 'a round-trip time')
    now += 400
  }
  t.equal(pinger.streamsOpened, 1, 'one stream for ten pings within its lifetime')
  t.equal(inbound(a, b).length, 1, 'the responder holds one ping stream')
  now += 5000
  await pinger.ping(b.peerId, { signal: AbortSignal.timeout(5000) })
  t.equal(pinger.streamsOpened, 2, 'a stream older than its lifetime is closed and a new one opened')
  pinger.stop()
})

t.test('pings asked for at once take turns on the one stream, each with its own answer', async (t) => {
  const { a, b } = await pair(t)
  const pinger = new Pinger(a)
  const rtts = await Promise.all([1, 2, 3, 4].map(async () => await pinger.ping(b.peerId, { signal: AbortSignal.timeout(5000) })))
  t.equal(rtts.length, 4)
  t.ok(rtts.every((r) => r >= 0), 'every ping answered')
  t.equal(pinger.streamsOpened, 1, 'one stream')
  pinger.stop()
  // one whose deadline passes while it waits its turn fails without sending
  await b.unhandle(PING_PROTOCOL)
  await b.handle(PING_PROTOCOL, () => {}, { maxInboundStreams: 8 })
  const slow = new Pinger(a)
  const first = slow.ping(b.peerId, { signal: AbortSignal.timeout(1500) })
  const second = slow.ping(b.peerId, { signal: AbortSignal.timeout(200) })
  const t0 = Date.now()
  await t.rejects(second)
  t.ok(Date.now() - t0 < 1200, 'the waiting ping ended at its own deadline')
  await t.rejects(first)
  slow.stop()
})

t.test('a wrong answer fails the ping with a typed error and the next ping opens a new stream', async (t) => {
  const { a, b } = await pair(t)
  await b.unhandle(PING_PROTOCOL)
  let answers = 0
  await b.handle(PING_PROTOCOL, (stream) => {
    stream.addEventListener('message', (evt) => {
      const data = evt.data.subarray()
      // the first ping of every stream gets its bytes reversed; later ones an honest echo
      stream.send(answers++ === 0 ? data.slice().reverse() : data)
    })
  })
  const pinger = new Pinger(a)
  await t.rejects(pinger.ping(b.peerId, { signal: AbortSignal.timeout(5000) }), PingMismatchError)
  answers = 1
  t.ok(await pinger.ping(b.peerId, { signal: AbortSignal.timeout(5000) }) >= 0, 'the next ping is answered')
  t.equal(pinger.streamsOpened, 2, 'on a new stream')
  pinger.stop()
})

t.test('a ping answered late ends at its deadline; the next goes on the same stream and the late echo does not answer it', async (t) => {
  const { a, b } = await pair(t)
  await b.unhandle(PING_PROTOCOL)
  let delayMs = 700
  await b.handle(PING_PROTOCOL, (stream) => {
    // echoes in order, each after delayMs
    let chain = Promise.resolve()
    stream.addEventListener('message', (evt) => {
      const data = evt.data.subarray().slice()
      const wait = delayMs
      chain = chain.then(async () => { await new Promise((resolve) => setTimeout(resolve, wait)); stream.send(data) })
    })
  }, { maxInboundStreams: 8 })
  const pinger = new Pinger(a)
  t.teardown(() => { pinger.stop() })
  const started = Date.now()
  await t.rejects(pinger.ping(b.peerId, { signal: AbortSignal.timeout(300) }))
  t.ok(Date.now() - started < 3000, 'it failed at its deadline')
  delayMs = 0
  // the first echo comes 700 ms after the first ping; this one is sent before it and answered right after it
  const rtt = await pinger.ping(b.peerId, { signal: AbortSignal.timeout(5000) })
  t.ok(rtt >= 300, `answered by its own echo, after the late one (${rtt} ms)`)
  t.equal(pinger.streamsOpened, 1, 'on the same stream')
  t.ok(await pinger.ping(b.peerId, { signal: AbortSignal.timeout(5000) }) < 300, 'and the next at once')
})

t.test(`after ${MAX_LATE} unanswered pings the stream is replaced, and an echo of a ping the responder skipped is passed over`, async (t) => {
  const { a, b } = await pair(t)
  await b.unhandle(PING_PROTOCOL)
  let silent = true
  await b.handle(PING_PROTOCOL, (stream) => {
    stream.addEventListener('message', (evt) => { if (!silent) stream.send(evt.data.subarray()) })
  }, { maxInboundStreams: 8 })
  const pinger = new Pinger(a)
  t.teardown(() => { pinger.stop() })
  await t.rejects(pinger.ping(b.peerId, { signal: AbortSignal.timeout(200) }))
  silent = false
  // the first ping was swallowed: the answer to the second is its own, the first passed over
  t.ok(await pinger.ping(b.peerId, { signal: AbortSignal.timeout(5000) }) >= 0)
  t.equal(pinger.streamsOpened, 1)
  silent = true
  for (let i = 0; i < MAX_LATE; i++) await t.rejects(pinger.ping(b.peerId, { signal: AbortSignal.timeout(200) }))
  t.equal(pinger.streamsOpened, 1, `${MAX_LATE} unanswered pings on the one stream`)
  silent = false
  t.ok(await pinger.ping(b.peerId, { signal: AbortSignal.timeout(5000) }) >= 0, 'the next is answered')
  t.equal(pinger.streamsOpened, 2, 'on a new stream')
})

/** a ping out to a peer that never answers, and the peer's end of its stream once it is there */
async function unanswered (t: Test): Promise<{ pinger: Pinger, out: Promise<number>, theirs: Stream[] }> {
  const { a, b } = await pair(t)
  await b.unhandle(PING_PROTOCOL)
  await b.handle(PING_PROTOCOL, () => {}, { maxInboundStreams: 8 })
  const pinger = new Pinger(a)
  t.teardown(() => { pinger.stop() })
  const out = pinger.ping(b.peerId, { signal: AbortSignal.timeout(20_000) })
  const until = Date.now() + 5000
  while (inbound(a, b).length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10))
  return { pinger, out, theirs: inbound(a, b) }
}

t.test('a ping whose stream is cut off fails at once', async (t) => {
  const { out, theirs } = await unanswered(t)
  const cut = Date.now()
  for (const s of theirs) s.abort(new Error('cut off'))
  await t.rejects(out)
  t.ok(Date.now() - cut < 5000, `failed ${Date.now() - cut} ms after the stream was cut, not at its 20 s deadline`)
})

t.test('a ping whose answer can no longer come (the other side closed its end) fails at once', async (t) => {
  const { out, theirs } = await unanswered(t)
  const cut = Date.now()
  for (const s of theirs) s.close().catch(() => {})
  await t.rejects(out, { name: 'PingStreamClosedError' })
  t.ok(Date.now() - cut < 5000, `failed ${Date.now() - cut} ms after the other side closed, not at its 20 s deadline`)
})

t.test('libp2p logs nothing unless DEBUG names something', async (t) => {
  const quiet = libp2pLogger(undefined).forComponent('libp2p:test')
  t.equal(quiet.enabled, false)
  t.equal(quiet.newScope('x'), quiet, 'a scope of a quiet logger is the same quiet logger')
  t.doesNotThrow(() => { quiet('x %s', 'y'); quiet.error('e'); quiet.trace('t') })
  t.equal(typeof libp2pLogger('libp2p:*').forComponent('libp2p:test'), 'function')
})

t.test('signatures interoperate with the keys\' own sign and verify, in both directions', async (t) => {
  const key = await generateKeyPair('Ed25519')
  const other = await generateKeyPair('Ed25519')
  const payload = new TextEncoder().encode('a payload')
  const framed = new Uint8Array([...new TextEncoder().encode('skein:beacon\0'), ...payload])
  const ours = await signPayload(key, 'beacon', payload)
  t.ok(await key.publicKey.verify(framed, ours), 'the library verifies ours')
  t.ok(await verifyPayload(key.publicKey, 'beacon', payload, await key.sign(framed)), 'we verify the library\'s')
  t.notOk(await verifyPayload(other.publicKey, 'beacon', payload, ours), 'not under another key (after the first key was cached)')
  t.notOk(await verifyPayload(key.publicKey, 'announce', payload, ours), 'not in another domain')
  t.notOk(await verifyPayload(key.publicKey, 'beacon', payload, ours.subarray(0, 63)), 'not a short signature')
  const flipped = ours.slice()
  flipped[10] = (flipped[10] as number) ^ 1
  t.notOk(await verifyPayload(key.publicKey, 'beacon', payload, flipped), 'not a changed signature')
  const k1 = await generateKeyPair('secp256k1')
  t.ok(await verifyPayload(k1.publicKey, 'beacon', payload, await signPayload(k1, 'beacon', payload)), 'other key types sign and verify through their own code')
})

t.test('a stream that answered pings and is ended by the other side as the next ping goes out is replaced within that ping', async (t) => {
  const { a, b } = await pair(t)
  await b.unhandle(PING_PROTOCOL)
  let streams = 0
  // a responder that answers one ping per stream and resets the stream when the second comes (one that gives
  // streams less time than we keep them, ending one just as we send)
  await b.handle(PING_PROTOCOL, (stream) => {
    streams++
    let pings = 0
    stream.addEventListener('message', (evt) => {
      if (pings++ === 0) stream.send(evt.data.subarray())
      else stream.abort(new Error('stream lifetime over'))
    })
  }, { maxInboundStreams: 8 })
  const pinger = new Pinger(a)
  t.teardown(() => { pinger.stop() })
  t.ok(await pinger.ping(b.peerId, { signal: AbortSignal.timeout(5000) }) >= 0, 'the first ping is answered')
  t.ok(await pinger.ping(b.peerId, { signal: AbortSignal.timeout(5000) }) >= 0, 'so is the second, on a new stream')
  t.equal(pinger.streamsOpened, 2)
  t.equal(streams, 2)
  pinger.stop()
  // a fresh stream ended by them is a failed ping: there is no earlier answer to say the stream, not the peer, ended
  await b.unhandle(PING_PROTOCOL)
  await b.handle(PING_PROTOCOL, (stream) => {
    stream.addEventListener('message', () => { stream.abort(new Error('no')) })
  }, { maxInboundStreams: 8 })
  const fresh = new Pinger(a)
  t.teardown(() => { fresh.stop() })
  await t.rejects(fresh.ping(b.peerId, { signal: AbortSignal.timeout(5000) }), { name: 'PingStreamClosedError' })
  t.equal(fresh.streamsOpened, 1, 'not tried again')
})

t.test('our responder keeps a ping stream past the 10 s libp2p gives one by default', async (t) => {
  const { a, b } = await pair(t)
  const pinger = new Pinger(a)
  t.teardown(() => { pinger.stop() })
  await pinger.ping(b.peerId, { signal: AbortSignal.timeout(5000) })
  await new Promise((resolve) => setTimeout(resolve, 10_500))
  t.equal(inbound(a, b).length, 1, 'the responder still holds the stream after 10.5 s')
  await pinger.ping(b.peerId, { signal: AbortSignal.timeout(5000) })
  t.equal(pinger.streamsOpened, 1, 'and the next ping goes on it')
})
