/**
 * Heartbeats over UDP, beside the libp2p ping. A ping travels on the peer's
 * TCP connection, so one lost segment holds up everything after it, and a few
 * losses in a row stall the connection for seconds (retransmission backoff
 * doubles each time): at 30 % loss a living peer can go silent for longer
 * than the failure detector allows. A beacon is one signed datagram each way
 * (protocol/beacon): a lost one delays nothing else, so a lossy link shows as
 * independent misses, which is what the detector's loss model assumes. Links
 * (index.ts) sends one when a ping is late, and then beside every ping for a
 * minute, so a clean link carries none.
 *
 * Each agent binds a UDP socket on the host and port of every TCP address it
 * listens on (a wildcard stays a wildcard), so a peer's beacon address is its
 * libp2p address with udp for tcp: nothing new to announce. An agent with no
 * such socket (an older one, a port taken) never answers, and its links keep
 * to pings alone.
 *
 * What a datagram may cost before it is known to come from a member is
 * bounded: per source (address and port) and in total, signature checks are
 * budgeted per second, and beyond the budget datagrams are dropped unread.
 *
 *   const beacon = new Beacon({}, { privateKey, selfPeerId, isMember, logger, registry, now })
 *   await beacon.start([{ host: '10.0.0.2', port: 4001 }])
 *   const rttMs = await beacon.probe(peerId, { host: '10.0.0.3', port: 4001 }, { signal })
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import { Counter, type Registry } from 'prom-client'
import type { PrivateKey } from '@libp2p/interface'
import type { ComponentLogger } from '../logger.ts'
import { beaconDropReasons, makeBeacon, newNonce, openBeacon, type BeaconDropReason } from '../../protocol/beacon/index.ts'
import { NoBeaconError } from './errors.ts'

export interface BeaconAddress {
  host: string
  port: number
}

export interface BeaconInit {
  /** echoes sent per second to one peer at one source address (a member probes at most once per ping interval); default 10 */
  echoesPerSecond?: number
  /** datagrams read (signature checked) per second from one source address and port; default 50 */
  perSourcePerSecond?: number
  /** datagrams read per second in all; default 500 */
  totalPerSecond?: number
}

export interface BeaconComponents {
  privateKey: PrivateKey
  selfPeerId: string
  isMember: (peerId: string) => boolean
  logger: ComponentLogger
  registry?: Registry
  /** monotonic milliseconds, for round-trip times */
  now: () => number
}

interface Waiting {
  peerId: string
  sent: number
  resolve: (rttMs: number) => void
}

/** probe nonces remembered per agent, so that a replayed probe gets no echo */
const REMEMBERED_PROBES = 4096

export class Beacon {
  private readonly c: BeaconComponents
  private readonly echoesPerSecond: number
  private readonly perSource: number
  private readonly total: { tokens: number, at: number, rate: number }
  private readonly sockets: Array<{ socket: Socket, address: BeaconAddress, v6: boolean }> = []
  private readonly waiting = new Map<string, Waiting>()
  private readonly buckets = new Map<string, { tokens: number, at: number }>()
  private readonly seenProbes = new Set<string>()
  private readonly dropped?: Counter
  private readonly echoes?: Counter

  constructor (init: BeaconInit, components: BeaconComponents) {
    this.c = components
    this.echoesPerSecond = init.echoesPerSecond ?? 10
    this.perSource = init.perSourcePerSecond ?? 50
    const rate = init.totalPerSecond ?? 500
    this.total = { tokens: rate, at: components.now(), rate }
    if (components.registry != null) {
      const registers = [components.registry]
      this.dropped = new Counter({ name: 'skein_beacon_dropped_total', help: 'UDP heartbeat datagrams dropped, by reason', labelNames: ['reason'], registers })
      for (const r of beaconDropReasons) this.dropped.inc({ reason: r }, 0)
      this.echoes = new Counter({ name: 'skein_beacon_echoes_total', help: 'UDP heartbeats answered by peers (echoes received in time)', registers })
    }
  }

  /** the addresses bound */
  get addresses (): BeaconAddress[] {
    return this.sockets.map((s) => s.address)
  }

  /**
   * Binds one socket per address; an address that cannot be bound (taken,
   * not local) is skipped with a log line. Returns how many were bound.
   */
  async start (addresses: BeaconAddress[]): Promise<number> {
    for (const address of addresses) {
      if (this.sockets.some((s) => s.address.host === address.host && s.address.port === address.port)) continue
      const v6 = address.host.includes(':')
      const socket = createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6 })
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject)
          socket.bind(address.port, address.host, () => { socket.off('error', reject); resolve() })
        })
      } catch (err) {
        socket.close()
        this.c.logger.warn({ err, host: address.host, port: address.port }, 'beacon socket not bound: peers will ping this address over TCP only')
        continue
      }
      // port 0: the one the system chose
      const bound = { host: address.host, port: socket.address().port }
      socket.on('error', (err) => { this.c.logger.debug({ err }, 'beacon socket error') })
      socket.on('message', (msg, rinfo) => { this.receive(socket, msg, rinfo).catch((err: unknown) => { this.c.logger.debug({ err }, 'beacon datagram failed') }) })
      this.sockets.push({ socket, address: bound, v6 })
    }
    if (this.sockets.length > 0) this.c.logger.debug({ addresses: this.addresses }, 'beacon listening')
    return this.sockets.length
  }

  stop (): void {
    for (const s of this.sockets.splice(0)) {
      try { s.socket.close() } catch {}
    }
    this.waiting.clear()
  }

  /**
   * Sends a probe to `peerId` at `to` and resolves with the round-trip time in
   * ms once its echo came back; rejects when the signal aborts first, and
   * with NoBeaconError when no socket of that address family is bound.
   */
  async probe (peerId: string, to: BeaconAddress, options: { signal: AbortSignal }): Promise<number> {
    const s = this.socketFor(to.host)
    if (s == null) throw new NoBeaconError(`no beacon socket for ${isIPv6(to.host) ? 'IPv6' : 'IPv4'}`)
    options.signal.throwIfAborted()
    const nonce = newNonce()
    const key = Buffer.from(nonce).toString('hex')
    const bytes = await makeBeacon(this.c.privateKey, { kind: 'probe', from: this.c.selfPeerId, to: peerId, nonce })
    const { promise, resolve, reject } = Promise.withResolvers<number>()
    const onAbort = (): void => { reject(options.signal.reason) }
    options.signal.addEventListener('abort', onAbort, { once: true })
    if (options.signal.aborted) onAbort()
    this.waiting.set(key, { peerId, sent: this.c.now(), resolve })
    try {
      s.socket.send(bytes, to.port, to.host, (err) => { if (err != null) reject(err) })
      return await promise
    } finally {
      this.waiting.delete(key)
      options.signal.removeEventListener('abort', onAbort)
    }
  }

  /**
   * The socket to send from: a wildcard one (the system picks the source), else
   * one as local as the target (a loopback source cannot reach another host).
   */
  private socketFor (host: string): { socket: Socket, address: BeaconAddress, v6: boolean } | undefined {
    const v6 = isIPv6(host)
    const family = this.sockets.filter((x) => x.v6 === v6)
    const wildcard = (h: string): boolean => h === '0.0.0.0' || h === '::'
    return family.find((x) => wildcard(x.address.host)) ??
      family.find((x) => isLoopbackHost(x.address.host) === isLoopbackHost(host)) ??
      family[0]
  }

  private drop (reason: BeaconDropReason, message: string, rinfo: RemoteInfo): void {
    this.dropped?.inc({ reason })
    this.c.logger.debug({ reason, from: `${rinfo.address}:${rinfo.port}` }, `beacon dropped: ${message}`)
  }

  private async receive (s: Socket, msg: Buffer, rinfo: RemoteInfo): Promise<void> {
    // before any decoding or signature work: a budget per source address and one in all
    // a source is an address and port: agents that share a host (loopback, a simulator) each have their own
    if (!this.take(`src|${rinfo.address}|${rinfo.port}`, this.perSource) || !this.takeTotal()) { this.drop('rate-limited', 'over the read budget', rinfo); return }
    const r = await openBeacon(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), {
      self: this.c.selfPeerId,
      isMember: this.c.isMember,
      expects: (from, nonce) => this.waiting.get(Buffer.from(nonce).toString('hex'))?.peerId === from
    })
    if (!r.ok) { this.drop(r.reason, r.message, rinfo); return }
    const b = r.beacon
    const key = Buffer.from(b.nonce).toString('hex')
    if (b.kind === 'echo') {
      const w = this.waiting.get(key)
      // answered twice (a duplicated datagram): the first one counted
      if (w == null) { this.drop('unsolicited', 'an echo already counted', rinfo); return }
      this.waiting.delete(key)
      this.echoes?.inc()
      w.resolve(this.c.now() - w.sent)
      return
    }
    const probeKey = `${b.from}/${key}`
    if (this.seenProbes.has(probeKey)) { this.drop('replayed', `a probe from ${b.from} seen before`, rinfo); return }
    this.seenProbes.add(probeKey)
    if (this.seenProbes.size > REMEMBERED_PROBES) this.seenProbes.delete(this.seenProbes.values().next().value as string)
    if (!this.take(`echo|${b.from}|${rinfo.address}`, this.echoesPerSecond)) { this.drop('rate-limited', `${b.from} probes faster than ${this.echoesPerSecond}/s`, rinfo); return }
    const echo = await makeBeacon(this.c.privateKey, { kind: 'echo', from: this.c.selfPeerId, to: b.from, nonce: b.nonce })
    s.send(echo, rinfo.port, rinfo.address, (err) => { if (err != null) this.c.logger.debug({ err }, 'beacon echo not sent') })
  }

  /** a token bucket per key (a source; a sender at an address), `rate` a second */
  private take (key: string, rate: number): boolean {
    let b = this.buckets.get(key)
    if (b == null) {
      if (this.buckets.size >= 8192) this.buckets.delete(this.buckets.keys().next().value as string)
      b = { tokens: rate, at: this.c.now() }
      this.buckets.set(key, b)
    }
    return this.spend(b, rate)
  }

  private takeTotal (): boolean {
    return this.spend(this.total, this.total.rate)
  }

  /** refills `b` for the time since it was last used, then takes one token if there is one */
  private spend (b: { tokens: number, at: number }, rate: number): boolean {
    const now = this.c.now()
    b.tokens = Math.min(rate, b.tokens + (now - b.at) / 1000 * rate)
    b.at = now
    if (b.tokens < 1) return false
    b.tokens--
    return true
  }
}

/** 127.0.0.0/8 or ::1 */
export function isLoopbackHost (host: string): boolean {
  return host.startsWith('127.') || host === '::1'
}
