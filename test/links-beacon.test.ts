/**
 * UDP heartbeats between agents: a member's probe is echoed, and the echo
 * gives a round-trip time; everything else is dropped, counted by reason,
 * and answered with nothing: a non-member, a forged signature, a probe
 * addressed to another agent, a replayed probe, an echo nobody waits for,
 * garbage, an oversized datagram, a member probing faster than the limit.
 * The failure detector counts an answered beacon as a heartbeat when the
 * ping over the connection is stalled, and measures loss on beacons.
 */
import t, { type Test } from 'tap'
import fc from 'fast-check'
import { createSocket } from 'node:dgram'
import { networkInterfaces } from 'node:os'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Registry } from 'prom-client'
import type { PrivateKey } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { Beacon, Links, NoBeaconError, PeerRefusedError, type BeaconAddress, type PeerState } from '../agent/links/index.ts'
import { beaconBinds, pickBeaconTarget } from '../agent/discovery/wiring.ts'
import { makeBeacon, newNonce, openBeacon, MAX_BEACON_BYTES } from '../protocol/beacon/index.ts'
import { silentLogger } from '../agent/logger.ts'
import { systemClock } from '../agent/clock.ts'

interface Side { key: PrivateKey, id: string, beacon: Beacon, registry: Registry, at: BeaconAddress }

async function side (t: Test, members: Set<string>, init: ConstructorParameters<typeof Beacon>[0] = {}, hosts = ['127.0.0.1']): Promise<Side> {
  const key = await generateKeyPair('Ed25519')
  const id = peerIdFromPrivateKey(key).toString()
  members.add(id)
  const registry = new Registry()
  const beacon = new Beacon(init, { privateKey: key, selfPeerId: id, isMember: (p) => members.has(p), logger: silentLogger().forComponent('test'), registry, now: () => performance.now() })
  t.equal(await beacon.start(hosts.map((host) => ({ host, port: 0 }))), hosts.length, 'bound')
  t.teardown(() => { beacon.stop() })
  return { key, id, beacon, registry, at: beacon.addresses[0] as BeaconAddress }
}

const dropped = async (s: Side, reason: string): Promise<number> =>
  (await s.registry.getSingleMetric('skein_beacon_dropped_total')?.get())?.values.find((v) => v.labels.reason === reason)?.value ?? 0

/** sends raw bytes to `to` from a fresh socket; resolves with what came back within `ms` */
async function raw (to: BeaconAddress, bytes: Uint8Array, ms = 300): Promise<Buffer[]> {
  const s = createSocket('udp4')
  const got: Buffer[] = []
  s.on('message', (m) => got.push(m))
  await new Promise<void>((resolve) => { s.bind(0, '127.0.0.1', resolve) })
  await new Promise<void>((resolve, reject) => { s.send(bytes, to.port, to.host, (err) => { if (err != null) reject(err); else resolve() }) })
  await new Promise((resolve) => setTimeout(resolve, ms))
  s.close()
  return got
}

const until = async (what: string, fn: () => Promise<boolean>, ms = 5000): Promise<void> => {
  const end = Date.now() + ms
  while (!await fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

t.test('a member\'s probe is echoed, with a round-trip time', async (t) => {
  const members = new Set<string>()
  const a = await side(t, members)
  const b = await side(t, members)
  const rtt = await a.beacon.probe(b.id, b.at, { signal: AbortSignal.timeout(3000) })
  t.ok(rtt >= 0 && rtt < 3000, `round trip ${rtt.toFixed(2)} ms`)
  t.equal((await a.registry.getSingleMetric('skein_beacon_echoes_total')?.get())?.values[0]?.value, 1, 'one echo counted')
  // a probe to a port where nothing answers times out
  await t.rejects(a.beacon.probe(b.id, { host: '127.0.0.1', port: 9 }, { signal: AbortSignal.timeout(200) }), 'no echo, no heartbeat')
  await t.rejects(a.beacon.probe(b.id, { host: '::1', port: b.at.port }, { signal: AbortSignal.timeout(200) }), { name: 'NoBeaconError' }, 'no IPv6 socket bound')
})

const hostAddress = Object.values(networkInterfaces()).flat().find((i) => i != null && i.family === 'IPv4' && !i.internal)?.address

t.test('probes reach an address of this host that is not loopback, from a wildcard or a specific socket', { skip: hostAddress == null ? 'no IPv4 address but loopback' : false }, async (t) => {
  const members = new Set<string>()
  const wild = await side(t, members, {}, ['0.0.0.0'])
  // bound to loopback first and the host's address second: the loopback socket cannot send to the other
  const both = await side(t, members, {}, ['127.0.0.1', hostAddress as string])
  const at = { host: hostAddress as string, port: wild.at.port }
  t.ok(await both.beacon.probe(wild.id, at, { signal: AbortSignal.timeout(3000) }) >= 0, 'from the socket on the host\'s address')
  t.ok(await wild.beacon.probe(both.id, { host: hostAddress as string, port: (both.beacon.addresses[1] as BeaconAddress).port }, { signal: AbortSignal.timeout(3000) }) >= 0, 'from a wildcard socket')
  t.ok(await both.beacon.probe(wild.id, { host: '127.0.0.1', port: wild.at.port }, { signal: AbortSignal.timeout(3000) }) >= 0, 'and to loopback from the loopback one')
})

t.test('everything but a member\'s probe or awaited echo is dropped by reason and not answered', async (t) => {
  const members = new Set<string>()
  const a = await side(t, members)
  const b = await side(t, members)
  const outsider = await generateKeyPair('Ed25519')
  const outsiderId = peerIdFromPrivateKey(outsider).toString()
  const probe = async (key: PrivateKey, from: string, to: string): Promise<Uint8Array> => await makeBeacon(key, { kind: 'probe', from, to, nonce: newNonce() })

  t.same(await raw(b.at, await probe(outsider, outsiderId, b.id)), [], 'a non-member gets no echo')
  t.equal(await dropped(b, 'non-member'), 1)

  // signed by the outsider, claiming to be A
  t.same(await raw(b.at, await probe(outsider, a.id, b.id)), [], 'a forged probe gets no echo')
  t.equal(await dropped(b, 'bad-signature'), 1)

  t.same(await raw(b.at, await probe(a.key, a.id, outsiderId)), [], 'a probe for another agent gets no echo')
  t.equal(await dropped(b, 'misaddressed'), 1)

  const once = await probe(a.key, a.id, b.id)
  t.equal((await raw(b.at, once)).length, 1, 'a member\'s probe is echoed, to where it came from')
  t.same(await raw(b.at, once), [], 'the same probe again is not')
  t.equal(await dropped(b, 'replayed'), 1)

  const echo = await makeBeacon(b.key, { kind: 'echo', from: b.id, to: a.id, nonce: newNonce() })
  await raw(a.at, echo, 50)
  await until('the unsolicited echo to be counted', async () => await dropped(a, 'unsolicited') === 1)

  t.same(await raw(b.at, new Uint8Array([1, 2, 3, 255, 255])), [])
  t.same(await raw(b.at, new Uint8Array(MAX_BEACON_BYTES + 1)), [])
  t.ok(await dropped(b, 'malformed') >= 1, 'garbage counted as malformed')
  t.equal(await dropped(b, 'oversized'), 1)
})

t.test('a member probing faster than the limit gets only so many echoes', async (t) => {
  const members = new Set<string>()
  const a = await side(t, members)
  const b = await side(t, members, { echoesPerSecond: 5 })
  const results = await Promise.allSettled(Array.from({ length: 20 }, async () => await a.beacon.probe(b.id, b.at, { signal: AbortSignal.timeout(500) })))
  const answered = results.filter((r) => r.status === 'fulfilled').length
  t.ok(answered >= 5 && answered <= 6, `${answered} of 20 answered`)
  t.ok(await dropped(b, 'rate-limited') >= 14, 'the rest counted as rate-limited')
})

t.test('hostile datagrams never throw and are never accepted', async (t) => {
  const members = new Set<string>()
  const a = await side(t, members)
  const b = await side(t, members)
  const valid = await makeBeacon(a.key, { kind: 'probe', from: a.id, to: b.id, nonce: newNonce() })
  await fc.assert(fc.asyncProperty(
    fc.oneof(
      fc.uint8Array({ maxLength: 700 }),
      // one bit flipped in a valid probe
      fc.tuple(fc.nat(valid.byteLength - 1), fc.integer({ min: 0, max: 7 })).map(([i, bit]) => { const c = new Uint8Array(valid); c[i] = (c[i] as number) ^ (1 << bit); return c })
    ),
    async (bytes) => {
      const r = await openBeacon(bytes, { self: b.id, isMember: (p) => members.has(p) })
      // only an intact signature over the same fields passes, and then it says what was signed
      if (r.ok) return r.beacon.from === a.id && r.beacon.kind === 'probe'
      return typeof r.reason === 'string'
    }
  ), { numRuns: 2000 })
})

t.test('beacon addresses: the TCP listen addresses as UDP, and the peer\'s one on the host it connects from', async (t) => {
  const ma = (s: string): ReturnType<typeof multiaddr> => multiaddr(s)
  t.same(beaconBinds(['/ip4/0.0.0.0/tcp/7946', '/ip4/10.0.0.2/tcp/0', '/ip6/::/tcp/0', '/ip4/10.0.0.2/udp/4001/quic-v1', '/dns4/example.org/tcp/1'],
    [ma('/ip4/127.0.0.1/tcp/7946'), ma('/ip4/192.168.1.5/tcp/7946'), ma('/ip4/10.0.0.2/tcp/40123'), ma('/ip6/::1/tcp/40999')]),
  [{ host: '0.0.0.0', port: 7946 }, { host: '10.0.0.2', port: 40123 }, { host: '::', port: 40999 }],
  'a wildcard stays a wildcard; port 0 is the port listened on; anything not IP and TCP is left out')
  t.same(beaconBinds(['/ip4/0.0.0.0/tcp/0'], []), [], 'a port not known is not bound')
  const known = [ma('/ip4/127.0.0.1/tcp/4001'), ma('/ip4/192.168.1.5/tcp/4001'), ma('/ip4/10.9.0.7/tcp/4001')]
  t.same(pickBeaconTarget([ma('/ip4/10.9.0.7/tcp/51234')], known), { host: '10.9.0.7', port: 4001 }, 'the address on the connection\'s host')
  t.same(pickBeaconTarget([], known), { host: '192.168.1.5', port: 4001 }, 'no connection: the first that is not loopback')
  t.same(pickBeaconTarget([ma('/ip4/127.0.0.1/tcp/50000')], [ma('/ip4/127.0.0.1/tcp/4001')]), { host: '127.0.0.1', port: 4001 }, 'loopback when the peer is on loopback')
  t.equal(pickBeaconTarget([], [ma('/ip4/127.0.0.1/tcp/4001')]), undefined, 'not loopback for a peer elsewhere')
})

t.test('the failure detector: an answered beacon is a heartbeat while pings stall; loss is measured on beacons', async (t) => {
  let beaconOk = true
  const links = new Links({ pingIntervalMs: 100, pingTimeoutMs: 150 }, {
    clock: systemClock,
    logger: silentLogger().forComponent('test'),
    // the connection is stalled: every ping times out
    ping: async (_p, { signal }) => await new Promise<number>((_resolve, reject) => { signal.addEventListener('abort', () => { reject(new Error('timed out')) }, { once: true }) }),
    beacon: async () => { if (beaconOk) return 1; throw new Error('no echo') }
  })
  const states: PeerState[] = []
  links.onChange((_p, _f, to) => states.push(to))
  links.start()
  t.teardown(() => { links.stop() })
  links.track('peer')
  await new Promise((resolve) => setTimeout(resolve, 2000))
  const info = links.get('peer')
  t.same(states, [], 'never suspected while beacons answer')
  t.equal(info?.loss, 0, 'no loss: every beacon answered')
  t.ok((info?.pingFailures ?? 0) >= 5, `pings failed all along (${info?.pingFailures})`)
  t.equal(info?.rttMs, null, 'RTT is the ping\'s, and no ping came back')
  beaconOk = false
  await until('the peer to become unreachable once beacons stop too', async () => links.state('peer') === 'unreachable', 5000)
  t.ok((links.get('peer')?.loss ?? 0) > 0, 'and the lost beacons show as loss')
})

t.test('a refused dial is not held up by a beacon that does not answer', async (t) => {
  const links = new Links({ pingIntervalMs: 100, pingTimeoutMs: 10_000 }, {
    clock: systemClock,
    logger: silentLogger().forComponent('test'),
    ping: async () => { throw new PeerRefusedError('connect ECONNREFUSED') },
    beacon: async (_p, { signal }) => await new Promise<number>((_resolve, reject) => { signal.addEventListener('abort', () => { reject(new Error('cut short')) }, { once: true }) })
  })
  links.start()
  t.teardown(() => { links.stop() })
  const started = Date.now()
  links.track('peer')
  await until('the peer to become unreachable', async () => links.state('peer') === 'unreachable', 5000)
  // three refusals; each round ends a short grace after its refusal, not at the 10 s ping timeout
  t.ok(Date.now() - started < 5000, `unreachable after ${Date.now() - started} ms`)
})

t.test('no beacon path: pings alone decide, as before', async (t) => {
  const links = new Links({ pingIntervalMs: 100, pingTimeoutMs: 150 }, {
    clock: systemClock,
    logger: silentLogger().forComponent('test'),
    ping: async () => 2,
    beacon: async () => { throw new NoBeaconError('no address') }
  })
  links.start()
  t.teardown(() => { links.stop() })
  links.track('peer')
  await until('a few pings', async () => (links.get('peer')?.pings ?? 0) >= 5)
  t.equal(links.get('peer')?.loss, 0)
  t.equal(links.get('peer')?.rttMs, 2)
  t.equal(links.state('peer'), 'alive')
})

t.test('a clean link sends no beacons; a late ping starts them, and they go with every ping for a while', async (t) => {
  let slow = false
  let beacons = 0
  const links = new Links({ pingIntervalMs: 50, pingTimeoutMs: 1000 }, {
    clock: systemClock,
    logger: silentLogger().forComponent('test'),
    ping: async () => {
      if (!slow) return 1
      // an answer held up by retransmissions: later than the late threshold (250 ms), inside the timeout
      await new Promise((resolve) => setTimeout(resolve, 400))
      return 400
    },
    beacon: async () => { beacons++; return 1 }
  })
  links.start()
  t.teardown(() => { links.stop() })
  links.track('peer')
  await until('ten clean pings', async () => (links.get('peer')?.pings ?? 0) >= 10)
  t.equal(beacons, 0, 'no beacon while pings answer in time')
  slow = true
  await until('a beacon beside the late ping', async () => beacons >= 1)
  slow = false
  const after = beacons
  const pingsThen = links.get('peer')?.pings ?? 0
  await until('ten more pings', async () => (links.get('peer')?.pings ?? 0) >= pingsThen + 10)
  t.ok(beacons >= after + 5, `beacons go with every round after a late ping (${beacons - after} with the next ${(links.get('peer')?.pings ?? 0) - pingsThen} pings)`)
  t.equal(links.state('peer'), 'alive')
})

t.test('one ping at a time per peer, also while beacons answer for a stalled connection', async (t) => {
  let out = 0
  let most = 0
  const links = new Links({ pingIntervalMs: 50, pingTimeoutMs: 600 }, {
    clock: systemClock,
    logger: silentLogger().forComponent('test'),
    ping: async (_p, { signal }) => {
      out++
      most = Math.max(most, out)
      try {
        return await new Promise<number>((_resolve, reject) => { signal.addEventListener('abort', () => { reject(new Error('timed out')) }, { once: true }) })
      } finally { out-- }
    },
    beacon: async () => 1
  })
  links.start()
  t.teardown(() => { links.stop() })
  links.track('peer')
  await until('several stalled pings', async () => (links.get('peer')?.pingFailures ?? 0) >= 3)
  t.equal(most, 1, 'never two pings in flight to one peer')
  t.equal(links.state('peer'), 'alive', 'the beacons carry it meanwhile')
})

t.test('beacons that stop being answered while pings get through do not read as total loss', async (t) => {
  let answering = true
  const links = new Links({ pingIntervalMs: 20, pingTimeoutMs: 200, lossWindow: 5 }, {
    clock: systemClock,
    logger: silentLogger().forComponent('test'),
    // late answers: every round sends a beacon
    ping: async () => { await new Promise((resolve) => setTimeout(resolve, 120)); return 120 },
    beacon: async (_p, { signal }) => {
      if (answering) return 1
      return await new Promise<number>((_resolve, reject) => { signal.addEventListener('abort', () => { reject(new Error('no echo')) }, { once: true }) })
    }
  })
  links.start()
  t.teardown(() => { links.stop() })
  links.track('peer')
  await until('beacons to be answered', async () => links.get('peer')?.loss === 0 && (links.get('peer')?.pings ?? 0) >= 3)
  answering = false
  await until('the loss to show the silent beacons', async () => (links.get('peer')?.loss ?? 0) > 0)
  await until('loss to fall back on pings, which all get through', async () => links.get('peer')?.loss === 0, 10_000)
  t.equal(links.state('peer'), 'alive')
})
