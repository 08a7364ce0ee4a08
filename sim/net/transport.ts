/**
 * An in-process libp2p transport whose every byte crosses the link model: the
 * simulator's network. Addresses look like /ip4/10.200.x.y/tcp/7946 (private to
 * one SimNetwork, never a real socket); each
 * agent gets its own transport instance (`network.transport(name)`), so the
 * network knows which directed pair every chunk travels on. Connections are
 * upgraded by libp2p like any other (Noise, yamux), so the agents run their
 * real protocols over it.
 *
 * What it does to traffic (see sim/README.md):
 * - every chunk is delivered at `planDelivery(...)`: bandwidth serialisation,
 *   latency + jitter, a retransmission timeout per lost transmission, FIFO;
 * - a down link (flap, partition, crashed agent) holds chunks; if it stays down
 *   longer than `resetAfterMs` both ends are reset, as TCP would give up;
 * - dialling over a down link fails after one timeout-ish delay;
 * - a crashed agent's connections die without a FIN; data sent to a dead
 *   connection resets the sender (a restarted host answers with RST).
 *
 *   const net = new SimNetwork({ model, id: 'run1', resetAfterMs: 15000, rand })
 *   createNode({ ..., transports: [net.transport('drone-0')], replaceTransports: true, listen: [net.address('drone-0')] })
 */
import { ConnectionFailedError, StreamResetError, TypedEventEmitter, serviceCapabilities, transportSymbol } from '@libp2p/interface'
import type { AbortOptions, ComponentLogger, Connection, CreateListenerOptions, DialTransportOptions, Listener, ListenerEvents, Logger, PeerId, Transport } from '@libp2p/interface'
import { AbstractMultiaddrConnection } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Uint8ArrayList } from 'uint8arraylist'
import { planDelivery, type DirState, type LinkModel } from './model.ts'

/** bytes in flight on one direction of one connection before the sender is told to wait */
const maxInFlightBytes = 1024 * 1024

type Item = { kind: 'data', data: Uint8ArrayList | Uint8Array, bytes: number, at?: number } | { kind: 'close' } | { kind: 'reset' }

export interface SimNetworkInit {
  model: LinkModel
  /** a label for logs */
  id: string
  resetAfterMs: number
  /** the seeded generator for jitter and retransmissions */
  rand: () => number
  /** monotonic ms */
  now?: () => number
}

export interface TrafficCounters { messages: number, bytes: number }

export class SimNetwork {
  readonly model: LinkModel
  readonly id: string
  private readonly resetAfterMs: number
  private readonly rand: () => number
  readonly now: () => number
  private readonly listeners = new Map<string, SimListener>()
  private readonly ipOf = new Map<string, string>()
  private readonly nameOfIp = new Map<string, string>()
  readonly conns = new Set<SimConn>()
  private readonly sent = new Map<string, TrafficCounters>()
  private sweeper?: NodeJS.Timeout
  private closed = false

  constructor (init: SimNetworkInit) {
    this.model = init.model
    this.id = init.id
    this.resetAfterMs = init.resetAfterMs
    this.rand = init.rand
    this.now = init.now ?? (() => performance.now())
    this.sweeper = setInterval(() => { this.sweep() }, 500)
    this.sweeper.unref()
  }

  /**
   * The agent's address on the simulated network: a private IPv4 address
   * (10.200.0.0/16 space, one per agent) and port 7946, so that bootstrap
   * lists, announcements and identify treat it like a real one. It is only
   * reachable through this network's transports.
   */
  address (name: string): string {
    let ip = this.ipOf.get(name)
    if (ip == null) {
      const i = this.ipOf.size + 1
      ip = `10.200.${Math.floor(i / 250)}.${(i % 250) + 1}`
      this.ipOf.set(name, ip)
      this.nameOfIp.set(ip, name)
    }
    return `/ip4/${ip}/tcp/7946`
  }

  nameOf (ma: Multiaddr | string): string | undefined {
    const m = /^\/ip4\/([0-9.]+)\/tcp\/7946(\/|$)/.exec(ma.toString())
    return m == null ? undefined : this.nameOfIp.get(m[1] as string)
  }

  /** A libp2p transport factory for one agent. */
  transport (name: string): (components: { peerId: PeerId, logger: ComponentLogger }) => Transport {
    return (components) => new SimTransport(this, name, components)
  }

  counters (name: string): TrafficCounters {
    let c = this.sent.get(name)
    if (c == null) { c = { messages: 0, bytes: 0 }; this.sent.set(name, c) }
    return c
  }

  totals (): TrafficCounters {
    let messages = 0; let bytes = 0
    for (const c of this.sent.values()) { messages += c.messages; bytes += c.bytes }
    return { messages, bytes }
  }

  /** @internal */
  register (name: string, l: SimListener): void {
    if (this.listeners.has(name)) throw new Error(`sim address for ${name} is already in use`)
    this.listeners.set(name, l)
  }

  /** @internal */
  unregister (name: string, l: SimListener): void {
    if (this.listeners.get(name) === l) this.listeners.delete(name)
  }

  /** @internal */
  listenerOf (name: string): SimListener | undefined { return this.listeners.get(name) }

  /** @internal: queue one item from `from` to its peer */
  send (from: SimConn, item: Item): void {
    const to = from.peer
    if (to == null) return
    if (item.kind === 'data') {
      const c = this.counters(from.local)
      c.messages++
      c.bytes += item.bytes
      from.inFlight += item.bytes
    }
    to.inbox.push(item)
    this.pump(to)
  }

  /** Re-plans every held chunk; call after the model changed (a link came back up). */
  kick (): void {
    for (const c of this.conns) this.pump(c)
  }

  /** A crashed agent: its own ends die silently; what it had queued is lost. */
  crash (name: string): void {
    for (const c of [...this.conns]) {
      if (c.local === name) {
        c.silent = true
        c.inbox.length = 0
        if (c.peer != null) c.peer.inbox.length = 0
        c.abort(new ConnectionFailedError('simulated crash'))
      }
    }
  }

  stop (): void {
    this.closed = true
    if (this.sweeper != null) clearInterval(this.sweeper)
    for (const c of [...this.conns]) {
      c.silent = true
      c.abort(new ConnectionFailedError('simulation over'))
    }
    this.conns.clear()
    this.listeners.clear()
  }

  /** deliver what is due, arm one timer for the next due item; hold everything while the link is down */
  private pump (to: SimConn): void {
    if (to.timer != null || this.closed) return
    const from = to.peer
    const now = this.now()
    while (to.inbox.length > 0) {
      const link = this.model.link(to.remote, to.local)
      if (!link.up) {
        to.stalledSince ??= now
        return
      }
      to.stalledSince = undefined
      const head = to.inbox[0] as Item
      if (head.kind === 'data' && head.at == null) head.at = planDelivery(to.dir, now, head.bytes, link, this.rand)
      const at = head.kind === 'data' ? head.at as number : Math.max(to.dir.lastDeliverAt, now + link.latencyMs)
      if (head.kind !== 'data' && to.dir.lastDeliverAt < at) to.dir.lastDeliverAt = at
      if (at > now + 0.5) {
        to.timer = setTimeout(() => { to.timer = undefined; this.pump(to) }, Math.max(1, Math.ceil(at - now)))
        return
      }
      to.inbox.shift()
      this.deliver(from, to, head)
    }
  }

  private deliver (from: SimConn | undefined, to: SimConn, item: Item): void {
    if (item.kind === 'data' && from != null) {
      from.inFlight -= item.bytes
      if (from.inFlight <= maxInFlightBytes / 2 && from.blocked) { from.blocked = false; from.dispatchDrain() }
    }
    if (to.status !== 'open' || to.dead) {
      // the other end is gone: a real host answers with RST
      if (item.kind === 'data' && from != null && from.status === 'open' && !from.silent) {
        this.conns.delete(from)
        from.abort(new StreamResetError('connection reset by peer'))
      }
      return
    }
    try {
      if (item.kind === 'data') to.onData(item.data)
      else if (item.kind === 'close') to.onTransportClosed()
      else to.onRemoteReset()
    } catch (err) {
      to.abort(err as Error)
    }
  }

  /** connections over links down longer than resetAfterMs are reset at both ends */
  private sweep (): void {
    const now = this.now()
    for (const c of [...this.conns]) {
      const stalled = c.stalledSince ?? (this.model.up(c.local, c.remote) ? undefined : (c.stalledSince = now))
      if (stalled == null || now - stalled < this.resetAfterMs) continue
      this.conns.delete(c)
      c.silent = true
      c.inbox.length = 0
      if (c.status === 'open') c.abort(new ConnectionFailedError('simulated link down too long: connection timed out'))
    }
  }
}

class SimConn extends AbstractMultiaddrConnection {
  readonly net: SimNetwork
  readonly local: string
  readonly remote: string
  peer?: SimConn
  readonly inbox: Item[] = []
  readonly dir: DirState = { busyUntil: 0, lastDeliverAt: 0 }
  timer?: NodeJS.Timeout
  stalledSince?: number
  inFlight = 0
  blocked = false
  /** no FIN or RST leaves this end (a crash) */
  silent = false
  dead = false

  constructor (net: SimNetwork, local: string, remote: string, init: { remoteAddr: Multiaddr, direction: 'inbound' | 'outbound', log: Logger }) {
    super({ ...init, maxMessageSize: 64 * 1024 })
    this.net = net
    this.local = local
    this.remote = remote
    this.addEventListener('close', () => {
      this.dead = true
      if (this.timer != null) clearTimeout(this.timer)
      this.timer = undefined
      net.conns.delete(this)
    })
  }

  dispatchDrain (): void { this.safeDispatchEvent('drain') }

  sendData (data: Uint8ArrayList): { sentBytes: number, canSendMore: boolean } {
    const bytes = data.byteLength
    this.net.send(this, { kind: 'data', data: data.subarray(), bytes })
    const canSendMore = this.inFlight < maxInFlightBytes
    if (!canSendMore) this.blocked = true
    return { sentBytes: bytes, canSendMore }
  }

  sendReset (): void {
    if (!this.silent) this.net.send(this, { kind: 'reset' })
  }

  async sendClose (options?: AbortOptions): Promise<void> {
    if (!this.silent) this.net.send(this, { kind: 'close' })
    options?.signal?.throwIfAborted()
  }

  sendPause (): void {}
  sendResume (): void {}
}

class SimListener extends TypedEventEmitter<ListenerEvents> implements Listener {
  private readonly net: SimNetwork
  private readonly name: string
  private readonly options: CreateListenerOptions
  private addr?: Multiaddr
  private readonly shutdown = new AbortController()

  constructor (net: SimNetwork, name: string, options: CreateListenerOptions) {
    super()
    this.net = net
    this.name = name
    this.options = options
  }

  async listen (ma: Multiaddr): Promise<void> {
    const name = this.net.nameOf(ma)
    if (name !== this.name) throw new Error(`agent ${this.name} cannot listen on ${ma.toString()}`)
    this.net.register(name, this)
    this.addr = ma
    queueMicrotask(() => { this.safeDispatchEvent('listening') })
  }

  accept (maConn: SimConn): void {
    this.options.upgrader.upgradeInbound(maConn, { signal: this.shutdown.signal })
      .catch((err: Error) => { maConn.abort(err) })
  }

  getAddrs (): Multiaddr[] { return this.addr != null ? [this.addr] : [] }
  updateAnnounceAddrs (): void {}

  async close (): Promise<void> {
    this.net.unregister(this.name, this)
    this.shutdown.abort()
    queueMicrotask(() => { this.safeDispatchEvent('close') })
  }
}

class SimTransport implements Transport {
  readonly [transportSymbol] = true as const
  readonly [Symbol.toStringTag] = '@skein/sim-transport'
  readonly [serviceCapabilities] = ['@libp2p/transport']
  private readonly net: SimNetwork
  private readonly name: string
  private readonly components: { peerId: PeerId, logger: ComponentLogger }
  private seq = 0

  constructor (net: SimNetwork, name: string, components: { peerId: PeerId, logger: ComponentLogger }) {
    this.net = net
    this.name = name
    this.components = components
  }

  async dial (ma: Multiaddr, options: DialTransportOptions): Promise<Connection> {
    options.signal.throwIfAborted()
    const target = this.net.nameOf(ma)
    const listener = target != null ? this.net.listenerOf(target) : undefined
    if (target == null || listener == null) throw new ConnectionFailedError(`no simulated agent listens at ${ma.toString()}`)
    const link = this.net.model.link(this.name, target)
    const rtt = 2 * link.latencyMs
    if (!link.up) {
      // a SYN into a dead link: fail after what a short connect timeout would take
      await sleep(Math.min(3000, Math.max(200, rtt * 4)), options.signal)
      throw new ConnectionFailedError(`simulated link ${this.name} → ${target} is down`)
    }
    if (rtt > 0) await sleep(rtt, options.signal)
    const log = this.components.logger.forComponent('skein:sim:conn')
    const id = this.seq++
    const out = new SimConn(this.net, this.name, target, { remoteAddr: multiaddr(this.net.address(target)), direction: 'outbound', log: log.newScope(`out:${id}`) })
    const inn = new SimConn(this.net, target, this.name, { remoteAddr: multiaddr(`${this.net.address(this.name)}/p2p/${this.components.peerId.toString()}`), direction: 'inbound', log: log.newScope(`in:${id}`) })
    out.peer = inn
    inn.peer = out
    this.net.conns.add(out)
    this.net.conns.add(inn)
    listener.accept(inn)
    try {
      options.signal.throwIfAborted()
      return await options.upgrader.upgradeOutbound(out, options)
    } catch (err) {
      out.abort(err as Error)
      throw err
    }
  }

  createListener (options: CreateListenerOptions): Listener {
    return new SimListener(this.net, this.name, options)
  }

  listenFilter (addrs: Multiaddr[]): Multiaddr[] { return addrs.filter((a) => this.net.nameOf(a) != null) }
  dialFilter (addrs: Multiaddr[]): Multiaddr[] { return this.listenFilter(addrs) }
}

async function sleep (ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve() }, ms)
    const onAbort = (): void => { clearTimeout(t); reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
