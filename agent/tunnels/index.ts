/**
 * Tunnels: WireGuard between peered agents. From a desired set of peers
 * (static ones from the config; leased ones from peering, each with a tunnel
 * key binding signed by its libp2p identity) to a WireGuard interface, its
 * peers, its overlay address and its routes — reconciled every
 * `tunnels.reconcileInterval` and on every change, so crashes and stray
 * manual edits heal. Health (handshake age, rx/tx) per peer, for link
 * telemetry and the operator.
 *
 *   const tunnels = createTunnels({ backend: 'auto', overlayCidr: '100.96.0.0/16', ... })({ stateDir, peerId, privateKey, clock, logger })
 *   await tunnels.start()
 *   tunnels.setPeers('lease', [await tunnels.peerFromBinding({ binding, podCidr, addrs })])
 *   tunnels.onHealth((h) => links.noteTunnel(h.peerId, h))
 *   await tunnels.stop() // removes the interface unless keepOnStop
 */
import type { PrivateKey } from '@libp2p/interface'
import { Counter, Gauge, type Registry } from 'prom-client'
import type { Clock } from '../clock.ts'
import type { ComponentLogger } from '../logger.ts'
import { loadOrCreateWgKey, type WgKeyPair } from './keys.ts'
import { signTunnelKey, verifyTunnelKey, type TunnelKeyBinding } from './binding.ts'
import { buildDesired, type DesiredState, type Refusal, type TunnelPeerInput } from './desired.ts'
import { endpointsFrom, interfaceNameFor } from './net.ts'
import { pickBackend, type BackendChoice, type ObservedInterface, type TunnelBackend } from './backend.ts'
import type { CommandRunner } from './exec.ts'
import { TunnelsDisabledError } from './errors.ts'

export * from './errors.ts'
export { loadOrCreateWgKey, generateWgKeyPair, wgPublicKeyOf, wgKeyFile, type WgKeyPair } from './keys.ts'
export { signTunnelKey, verifyTunnelKey, tunnelKeyPayload, encodeTunnelKeyBinding, decodeTunnelKeyBinding, type TunnelKeyBinding, type TunnelKeyClaim } from './binding.ts'
export { buildDesired, type DesiredState, type DesiredPeer, type TunnelPeerInput, type Refusal } from './desired.ts'
export { interfaceNameFor, endpointsFrom, parseCidr, deriveOverlayAddress, overlayProbe, formatIpv4 } from './net.ts'
export { pickBackend, WgBackend, DryRunBackend, parseDump, type ApplyOptions, type TunnelBackend, type BackendKind, type BackendChoice, type ObservedInterface, type ObservedPeer } from './backend.ts'
export { execRunner, commandLine, type CommandRunner } from './exec.ts'

export interface StaticTunnelPeer {
  peerId: string
  publicKey: string
  /** host:port or a multiaddr (its host, with listenPort) */
  endpoint?: string
  listenPort?: number
  podCidr?: string
  overlayAddress?: string
}

export interface TunnelsInit {
  backend?: BackendChoice
  /** default skw + 6 hex of a hash of the peer ID */
  interface?: string
  /** UDP port; default 51820 */
  listenPort?: number
  /** fleet overlay range; default 100.96.0.0/16 */
  overlayCidr?: string
  /** this cluster's pod CIDR, announced to peers */
  podCidr?: string
  /** seconds; default 25; 0 = off */
  keepaliveS?: number
  /** ms between reconcile passes; default 10000 */
  reconcileIntervalMs?: number
  /** leave the interface up when the agent stops; default false */
  keepOnStop?: boolean
  /** peers from the config, trusted as the operator wrote them */
  staticPeers?: StaticTunnelPeer[]
  /** how long a tunnel key binding we sign stays valid, ms; default 24 h */
  bindingTtlMs?: number
  /** test hooks */
  runner?: CommandRunner
  backendInstance?: TunnelBackend
}

export interface TunnelsComponents {
  stateDir: string
  peerId: string
  /** the agent's libp2p identity key, to sign the tunnel key binding */
  privateKey: PrivateKey
  clock: Clock
  logger: ComponentLogger
  /** Prometheus registry for the skein_tunnel_* metrics; none when absent */
  registry?: Registry
}

export interface TunnelHealth {
  peerId: string
  publicKey: string
  endpoint: string | null
  /** ms since the epoch of the latest handshake, null when none yet */
  latestHandshake: number | null
  /** seconds since it, null when none yet */
  handshakeAgeS: number | null
  rxBytes: number
  txBytes: number
  /** up: handshake within 180 s; connecting: never completed; stale: older */
  state: 'up' | 'connecting' | 'stale'
}

export interface TunnelPeerView extends TunnelHealth {
  overlayAddress: string
  podCidr: string | null
  allowedIps: string[]
  keepaliveS: number
  source: string | null
}

export interface TunnelsView {
  backend: string
  interface: string
  publicKey: string
  overlayAddress: string
  listenPort: number
  podCidr: string | null
  lastReconcileAt: string | null
  lastError: string | null
  peers: TunnelPeerView[]
  refused: Refusal[]
}

export type TunnelHealthListener = (h: TunnelHealth) => void

const upWithinS = 180

export class Tunnels {
  private readonly init: TunnelsInit
  private readonly c: TunnelsComponents
  private readonly log: ComponentLogger
  readonly interface: string
  private key?: WgKeyPair
  private backendImpl?: TunnelBackend
  private readonly sources = new Map<string, TunnelPeerInput[]>()
  private desired?: DesiredState
  private refused: Refusal[] = []
  private observed?: ObservedInterface
  private binding?: TunnelKeyBinding
  private timer?: { clear(): void }
  private running?: Promise<void>
  private again = false
  /** desired peers changed since the running pass read them: it may stop early (see ApplyOptions.preempt) */
  private peersChanged = false
  private started = false
  private lastReconcileAt?: number
  private lastError?: string
  private readonly listeners = new Set<TunnelHealthListener>()
  private readonly passListeners = new Set<() => void>()
  private readonly controller = new AbortController()
  /** last rx/tx seen per WireGuard peer key, to turn `wg` counters (reset when a peer is re-added) into monotonic totals */
  private readonly lastTransfer = new Map<string, { rx: number, tx: number }>()
  private readonly m?: { rx: Counter, tx: Counter, errors: Counter, refused: Counter }

  constructor (init: TunnelsInit, components: TunnelsComponents) {
    this.init = init
    this.c = components
    this.log = components.logger
    this.interface = init.interface ?? interfaceNameFor(components.peerId)
    if (components.registry != null) {
      const registers = [components.registry]
      const peers = (): TunnelPeerView[] => this.desired != null ? this.view().peers : []
      const count: Gauge = new Gauge({
        name: 'skein_tunnel_peers',
        help: 'WireGuard peers on the tunnel interface, by tunnel state (up: handshake within 180 s)',
        labelNames: ['state'],
        registers,
        collect () {
          const ps = peers()
          for (const st of ['up', 'connecting', 'stale'] as const) count.set({ state: st }, ps.filter((p) => p.state === st).length)
        }
      })
      const age: Gauge = new Gauge({
        name: 'skein_tunnel_handshake_age_seconds',
        help: 'Seconds since the latest completed WireGuard handshake, per peer with a tunnel (absent before the first)',
        labelNames: ['peer'],
        registers,
        collect () {
          age.reset()
          for (const p of peers()) if (p.handshakeAgeS != null) age.set({ peer: p.peerId }, p.handshakeAgeS)
        }
      })
      this.m = {
        rx: new Counter({ name: 'skein_tunnel_rx_bytes_total', help: 'Bytes received over the WireGuard tunnels (as `wg show` counts them)', registers }),
        tx: new Counter({ name: 'skein_tunnel_tx_bytes_total', help: 'Bytes sent over the WireGuard tunnels (as `wg show` counts them)', registers }),
        errors: new Counter({ name: 'skein_tunnel_reconcile_errors_total', help: 'Tunnel reconcile passes that failed (retried next pass)', registers }),
        refused: new Counter({ name: 'skein_tunnel_binding_refused_total', help: 'Tunnel key bindings of peers refused, by reason', labelNames: ['reason'], registers })
      }
    }
  }

  /** The clock's now, ms (for the lease wiring's binding checks). */
  now (): number { return this.c.clock.now() }

  /** A peer's tunnel key binding was refused: no tunnel to it; logged with the reason and counted. */
  noteBindingRefused (peerId: string, reason: string, message: string): void {
    this.log.warn({ peerId, reason, message }, `tunnel refused: the peer's tunnel key binding is ${reason}`)
    this.m?.refused.inc({ reason })
  }

  /** An error around the tunnels (outside a reconcile pass), logged. */
  noteError (what: string, err: unknown): void {
    this.log.error({ err }, what)
  }

  /** Called after every successful reconcile pass; returns a function that unsubscribes. */
  onReconciled (fn: () => void): () => void {
    this.passListeners.add(fn)
    return () => { this.passListeners.delete(fn) }
  }

  get backend (): TunnelBackend {
    if (this.backendImpl == null) throw new TunnelsDisabledError('the tunnel subsystem has not started')
    return this.backendImpl
  }

  get publicKey (): string { return this.key?.publicKey ?? '' }

  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    this.key = await loadOrCreateWgKey(this.c.stateDir)
    if (this.key.created) this.log.info({ path: this.key.path, publicKey: this.key.publicKey }, 'created a WireGuard key')
    this.backendImpl = this.init.backendInstance ?? await pickBackend(this.init.backend ?? 'auto', {
      ...(this.init.runner != null ? { runner: this.init.runner } : {}),
      nowS: () => Math.floor(this.c.clock.now() / 1000),
      logger: this.log
    })
    this.sources.set('static', (this.init.staticPeers ?? []).map((p) => staticInput(p, this.init.listenPort ?? 51820)))
    await this.reconcile()
    this.timer = this.c.clock.setInterval(() => { this.schedule() }, this.init.reconcileIntervalMs ?? 10_000)
    this.log.info({ backend: this.backend.kind, interface: this.interface, overlayAddress: this.desired?.address, publicKey: this.publicKey }, 'tunnels started')
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    this.timer?.clear()
    this.controller.abort()
    await this.running?.catch(() => {})
    if (this.init.keepOnStop === true) {
      this.log.info({ interface: this.interface }, 'keeping the tunnel interface up (tunnels.keepOnStop)')
      return
    }
    if (this.backendImpl != null) await this.backendImpl.teardown(this.interface)
  }

  /** Replaces the desired peers from one source ('static' is the config's); reconciles soon. */
  setPeers (source: string, peers: TunnelPeerInput[]): void {
    this.sources.set(source, peers.map((p) => ({ ...p, source })))
    this.peersChanged = true
    this.schedule()
  }

  /**
   * A desired peer from a peer's signed tunnel key binding and addresses, as
   * announcements and leases carry them; refuses (TunnelKeyBindingError) a key
   * not signed by that peer or past its expiry.
   */
  async peerFromBinding (input: { binding: TunnelKeyBinding, expectedPeerId?: string, podCidr?: string, addrs: string[], observedAddrs?: string[], listenPort?: number }): Promise<TunnelPeerInput> {
    await verifyTunnelKey(input.binding, { now: this.c.clock.now(), ...(input.expectedPeerId != null ? { expectedPeerId: input.expectedPeerId } : {}) })
    const port = input.listenPort ?? 51820
    const peer: TunnelPeerInput = {
      peerId: input.binding.peerId,
      publicKey: input.binding.wgPublicKey,
      overlayAddress: input.binding.overlayAddress,
      endpoints: endpointsFrom([...(input.observedAddrs ?? []), ...input.addrs], port)
    }
    if (input.podCidr != null && input.podCidr !== '') peer.podCidr = input.podCidr
    return peer
  }

  /** This agent's signed tunnel key binding (for announcements); re-signed when the overlay address changes or half the TTL passed. */
  async localBinding (): Promise<TunnelKeyBinding | undefined> {
    if (this.desired == null || this.key == null) return undefined
    const now = this.c.clock.now()
    const ttl = this.init.bindingTtlMs ?? 24 * 3600_000
    const b = this.binding
    if (b == null || b.overlayAddress !== this.desired.address || b.wgPublicKey !== this.key.publicKey || b.expiresAt - now < ttl / 2) {
      this.binding = await signTunnelKey(this.c.privateKey, { wgPublicKey: this.key.publicKey, peerId: this.c.peerId, overlayAddress: this.desired.address, expiresAt: now + ttl })
    }
    return this.binding
  }

  onHealth (fn: TunnelHealthListener): () => void {
    this.listeners.add(fn)
    return () => { this.listeners.delete(fn) }
  }

  /** Health of the tunnel to one peer, from the latest `wg show dump`; undefined when it has none. */
  health (peerId: string): TunnelHealth | undefined {
    const p = this.desired?.peers.find((x) => x.peerId === peerId)
    return p != null ? this.healthOf(p.peerId, p.publicKey) : undefined
  }

  private healthOf (peerId: string, publicKey: string): TunnelHealth {
    const o = this.observed?.peers.find((x) => x.publicKey === publicKey)
    const nowS = this.c.clock.now() / 1000
    const hs = o != null && o.latestHandshake > 0 ? o.latestHandshake : null
    const age = hs != null ? Math.max(0, Math.round(nowS - hs)) : null
    return {
      peerId,
      publicKey,
      endpoint: o?.endpoint ?? null,
      latestHandshake: hs != null ? hs * 1000 : null,
      handshakeAgeS: age,
      rxBytes: o?.rxBytes ?? 0,
      txBytes: o?.txBytes ?? 0,
      state: age == null ? 'connecting' : age <= upWithinS ? 'up' : 'stale'
    }
  }

  view (): TunnelsView {
    const d = this.desired
    return {
      backend: this.backendImpl?.kind ?? 'none',
      interface: this.interface,
      publicKey: this.publicKey,
      overlayAddress: d?.address ?? '',
      listenPort: this.init.listenPort ?? 51820,
      podCidr: this.init.podCidr ?? null,
      lastReconcileAt: this.lastReconcileAt != null ? new Date(this.lastReconcileAt).toISOString() : null,
      lastError: this.lastError ?? null,
      peers: (d?.peers ?? []).map((p) => ({
        ...this.healthOf(p.peerId, p.publicKey),
        overlayAddress: p.overlayAddress,
        podCidr: p.podCidr ?? null,
        allowedIps: p.allowedIps,
        keepaliveS: p.keepaliveS,
        source: p.source ?? null
      })),
      refused: this.refused
    }
  }

  /** Runs a reconcile pass soon; passes never overlap, and requests during one coalesce into one more. */
  schedule (): void {
    if (!this.started) return
    if (this.running != null) { this.again = true; return }
    this.reconcile().catch(() => {})
  }

  /** One pass: desired state → interface; then health. Errors are logged and kept for the operator, and retried next pass. */
  async reconcile (): Promise<void> {
    if (this.running != null) { this.again = true; return await this.running }
    this.running = (async () => {
      // a pass cut short for newer peers is followed by one that runs to the end, so routes are never starved
      let mayPreempt = true
      do {
        this.again = false
        const preempted = await this.pass(mayPreempt)
        mayPreempt = !preempted
      } while (this.again && this.started)
    })().finally(() => { this.running = undefined })
    return await this.running
  }

  /** Returns true when it stopped early because the desired peers changed meanwhile. */
  private async pass (mayPreempt: boolean): Promise<boolean> {
    const key = this.key
    if (key == null || this.backendImpl == null) return false
    this.peersChanged = false
    const peers = [...this.sources.values()].flat()
    try {
      const { desired, refused } = buildDesired({
        self: { peerId: this.c.peerId, publicKey: key.publicKey, ...(this.init.podCidr != null ? { podCidr: this.init.podCidr } : {}) },
        overlayCidr: this.init.overlayCidr ?? '100.96.0.0/16',
        peers,
        keepaliveS: this.init.keepaliveS ?? 25,
        interface: this.interface,
        listenPort: this.init.listenPort ?? 51820,
        privateKeyFile: key.path
      })
      for (const r of refused) {
        if (!this.refused.some((x) => x.peerId === r.peerId && x.reason === r.reason)) this.log.warn({ peerId: r.peerId, reason: r.reason }, 'tunnel refused')
      }
      const left = (this.desired?.peers ?? []).filter((p) => !desired.peers.some((q) => q.peerId === p.peerId))
      this.desired = desired
      this.refused = refused
      const early = await this.addNewPeers(desired)
      const { changes: rest, observed, preempted } = await this.backendImpl.apply(desired, {
        signal: this.controller.signal,
        ...(mayPreempt ? { preempt: () => this.peersChanged && this.started } : {})
      })
      const changes = [...early, ...rest]
      for (const p of left) this.log.info({ peerId: p.peerId }, 'tunnel torn down: the peer left the desired set')
      if (preempted === true) {
        this.log.debug({ interface: this.interface, changes }, 'tunnel pass cut short: the desired peers changed')
        this.observed = observed
        return true
      }
      if (changes.length > 0) this.log.info({ interface: this.interface, changes: changes.length }, 'tunnel interface reconciled')
      // an idle pass already read the interface; read it again only after changing it
      this.observed = changes.length === 0 ? observed : await this.backendImpl.observe(this.interface, { signal: this.controller.signal })
      this.lastReconcileAt = this.c.clock.now()
      if (this.lastError != null) this.log.info('tunnel reconcile works again')
      this.lastError = undefined
      this.countTransfer()
    } catch (err) {
      if (!this.started) return false
      this.m?.errors.inc()
      const msg = (err as Error).message
      if (msg !== this.lastError) this.log.error({ err }, 'tunnel reconcile failed; retrying next pass')
      this.lastError = msg
      return false
    }
    for (const p of this.desired.peers) {
      const h = this.healthOf(p.peerId, p.publicKey)
      for (const fn of this.listeners) {
        try { fn(h) } catch (err) { this.log.error({ err }, 'tunnel health listener threw') }
      }
    }
    for (const fn of this.passListeners) {
      try { fn() } catch (err) { this.log.error({ err }, 'tunnel reconcile listener threw') }
    }
    return false
  }

  /**
   * Peers that were not on the interface at the last look (a new lease) are
   * set before the pass reads the interface: their handshake starts one
   * command sooner. Best effort: on failure the full pass that follows
   * repairs whatever is wrong (say, a deleted interface).
   */
  private async addNewPeers (desired: DesiredState): Promise<string[]> {
    const seen = this.observed
    if (seen == null || this.backendImpl?.addPeers == null) return []
    const fresh = new Set(desired.peers.filter((p) => !seen.peers.some((o) => o.publicKey === p.publicKey)).map((p) => p.publicKey))
    if (fresh.size === 0) return []
    try {
      return await this.backendImpl.addPeers(desired, fresh, { signal: this.controller.signal })
    } catch (err) {
      this.log.debug({ err }, 'could not add new tunnel peers ahead of the pass; the pass will')
      return []
    }
  }

  /** Adds what each peer's `wg` counters grew by since the last pass to the rx/tx totals. */
  private countTransfer (): void {
    const seen = new Set<string>()
    for (const o of this.observed?.peers ?? []) {
      seen.add(o.publicKey)
      const prev = this.lastTransfer.get(o.publicKey) ?? { rx: 0, tx: 0 }
      // a counter that went down was reset (peer removed and re-added): all of it is new
      const drx = o.rxBytes >= prev.rx ? o.rxBytes - prev.rx : o.rxBytes
      const dtx = o.txBytes >= prev.tx ? o.txBytes - prev.tx : o.txBytes
      if (drx > 0) this.m?.rx.inc(drx)
      if (dtx > 0) this.m?.tx.inc(dtx)
      this.lastTransfer.set(o.publicKey, { rx: o.rxBytes, tx: o.txBytes })
    }
    for (const k of [...this.lastTransfer.keys()]) if (!seen.has(k)) this.lastTransfer.delete(k)
  }
}

function staticInput (p: StaticTunnelPeer, defaultPort: number): TunnelPeerInput {
  const port = p.listenPort ?? defaultPort
  const out: TunnelPeerInput = {
    peerId: p.peerId,
    publicKey: p.publicKey,
    endpoints: p.endpoint != null ? endpointsFrom([/^\d{1,3}(\.\d{1,3}){3}$/.test(p.endpoint) ? `${p.endpoint}:${port}` : p.endpoint], port) : [],
    source: 'static'
  }
  if (p.podCidr != null) out.podCidr = p.podCidr
  if (p.overlayAddress != null) out.overlayAddress = p.overlayAddress
  return out
}

export function createTunnels (init: TunnelsInit = {}): (components: TunnelsComponents) => Tunnels {
  return (components) => new Tunnels(init, components)
}
