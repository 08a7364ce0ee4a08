/**
 * Builds fleet, links and discovery from the configuration, in the order the
 * agent needs them: `prepare` before the libp2p node exists (the node needs
 * the gater, gossipsub, the DHT, mDNS and bootstrap), `start(node)` once it
 * runs, `stop()` before it stops. agent/system.ts calls these three.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Connection, ConnectionGater, PrivateKey } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Libp2pInit, ServiceFactoryMap } from 'libp2p'
import type { Config } from '../config/index.ts'
import { parseDuration } from '../config/index.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { Store } from '../store/index.ts'
import type { Metrics } from '../metrics/index.ts'
import type { SkeinNode } from '../node/index.ts'
import { Fleet, loadFleetPublicKey, readTextBytes } from '../fleet/index.ts'
import { Beacon, LinkLostError, Links, NoBeaconError, PeerRefusedError, PROBE_PROTOCOL, probeHandler, prober, type BeaconAddress } from '../links/index.ts'
import { Pinger } from '../links/pinger.ts'
import { isLoopbackHost } from '../links/beacon.ts'
import { Discovery } from './index.ts'
import { discoveryServices } from './services.ts'
import { peerView, peerViews } from './view.ts'
import { peersRoutes } from '../api/routes/peers.ts'
import { fleetRoutes } from '../api/routes/fleet.ts'
import { fromText } from '../../protocol/membership/index.ts'

export const defaultCertificateFile = 'membership.cert'

export interface DiscoverySystemDeps {
  store: Store
  clock: Clock
  logger: Logger
  metrics: Metrics
  privateKey: PrivateKey
  selfPeerId: string
  /** test hook: a seeded loss model at the heartbeat level */
  dropHeartbeat?: (peerId: string) => boolean
  /** peers always pinged whatever links.maxMonitored says: the counterparties of live leases */
  pinned?: () => Iterable<string>
}

const ms = (v: string, fallback: number): number => parseDuration(v) ?? fallback

export class DiscoverySystem {
  readonly fleet: Fleet
  links?: Links
  discovery?: Discovery
  beacon?: Beacon
  /** link pings, on one stream per peer */
  pinger?: Pinger
  private node?: SkeinNode
  private offClose?: () => void
  private readonly beaconTargets = new Map<string, { address: BeaconAddress | undefined, until: number }>()
  private readonly config: Config
  private readonly deps: DiscoverySystemDeps

  constructor (config: Config, deps: DiscoverySystemDeps) {
    this.config = config
    this.deps = deps
    const f = config.fleet
    const publicKey = loadFleetPublicKey({ ...(f.publicKey != null ? { publicKey: f.publicKey } : {}), ...(f.publicKeyFile != null ? { publicKeyFile: f.publicKeyFile } : {}) })
    const certFile = f.certificateFile ?? (existsSync(join(config.stateDir, defaultCertificateFile)) ? join(config.stateDir, defaultCertificateFile) : undefined)
    const certificate = publicKey != null && certFile != null ? readTextBytes(certFile, 'membership certificate') : undefined
    this.fleet = new Fleet({
      ...(publicKey != null ? { publicKey } : {}),
      ...(certificate != null ? { certificate } : {}),
      ...(f.required != null ? { required: f.required } : {}),
      denyForMs: ms(f.denyFor, 60_000)
    }, { store: deps.store, clock: deps.clock, logger: deps.logger.forComponent('skein:fleet'), selfPeerId: deps.selfPeerId })
  }

  /** What createNode needs from us. */
  nodeOptions (): { services: ServiceFactoryMap, peerDiscovery: NonNullable<Libp2pInit['peerDiscovery']>, connectionGater: ConnectionGater, allow: string[] } {
    const d = this.config.discovery
    const { services, peerDiscovery } = discoveryServices({ fleetId: this.fleet.fleetId, mdns: d.mdns, bootstrap: d.bootstrap, dht: d.dht })
    // members dial each other (every other within links.maxMonitored); agents that share a host (tests, the
    // simulator, several clusters on one box) dial from one address, which libp2p would throttle to 5
    // connections a second: loopback is exempt
    return { services, peerDiscovery, connectionGater: this.fleet.gater(), allow: ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128'] }
  }

  async start (node: SkeinNode): Promise<void> {
    this.node = node
    const l = this.config.links
    const d = this.config.discovery
    const logger = this.deps.logger
    if (l.beacon) {
      // a member probes once per ping interval per address it knows; a few addresses, some slack
      const perS = 1000 / ms(l.pingInterval, 1000)
      // reads in all: a probe and an echo a ping interval from each of four times as many peers as are pinged
      const beacon = new Beacon({ echoesPerSecond: Math.max(10, Math.ceil(4 * perS)), totalPerSecond: Math.max(500, Math.ceil(8 * (l.maxMonitored > 0 ? l.maxMonitored : 64) * perS)) }, {
        privateKey: this.deps.privateKey,
        selfPeerId: this.deps.selfPeerId,
        isMember: (p) => this.fleet.isMember(p),
        logger: logger.forComponent('skein:beacon'),
        registry: this.deps.metrics.registry,
        now: () => this.deps.clock.monotonic()
      })
      if (await beacon.start(beaconBinds(this.config.listen, listeningAddrs(node))) > 0) this.beacon = beacon
    }
    const beacon = this.beacon
    const pinger = this.pinger = new Pinger(node)
    this.links = new Links({
      pingIntervalMs: ms(l.pingInterval, 1000),
      pingTimeoutMs: ms(l.pingTimeout, 2000),
      phiSuspect: l.phiSuspect,
      phiUnreachable: l.phiUnreachable,
      recoverHeartbeats: l.recoverHeartbeats,
      goneAfterMs: ms(l.goneAfter, 600_000),
      lossWindow: l.lossWindow,
      minStdDevMs: ms(l.minStdDev, 100),
      bandwidthProbeIntervalMs: ms(l.bandwidthProbeInterval, 0),
      bandwidthProbeBytes: l.bandwidthProbeBytes,
      maxMonitored: l.maxMonitored,
      passiveIntervalMs: ms(d.announceInterval, 30_000)
    }, {
      clock: this.deps.clock,
      selfPeerId: this.deps.selfPeerId,
      ...(this.deps.pinned != null ? { pinned: this.deps.pinned } : {}),
      logger: logger.forComponent('skein:links'),
      registry: this.deps.metrics.registry,
      ping: async (peerId, options) => {
        const id = peerIdFromString(peerId)
        const open = (): boolean => node.getConnections(id).some((c) => c.status === 'open')
        // only a dial can be refused: a ping on a connection that then breaks (loss, a closing muxer) is not evidence of death
        const dialled = !open()
        // a ping out when its connection closes (the peer was killed, its host went away) ends then, as a miss
        try {
          return await pinger.ping(id, { signal: options.signal })
        } catch (err) {
          if (!options.signal.aborted) {
            const left = open()
            // we had to dial, the dial failed before the deadline and left no connection: nothing listens there (refused, reset, no route)
            if (dialled && !left && refusedByNetwork(err)) throw new PeerRefusedError(`${peerId} could not be reached: ${(err as Error).message}`, { cause: err })
            // the connection we pinged on went away (libp2p may still list it as open for a moment): the next round dials
            if (!dialled && (!left || CLOSED_UNDER.has((err as Error | undefined)?.name ?? ''))) throw new LinkLostError(`the connection to ${peerId} closed: ${(err as Error).message}`, { cause: err })
          }
          throw err
        }
      },
      ...(beacon != null
        ? {
            beacon: async (peerId, options) => {
              const to = await this.beaconTarget(node, peerId)
              if (to == null) throw new NoBeaconError(`no TCP address of ${peerId} known`)
              return await beacon.probe(peerId, to, options)
            }
          }
        : {}),
      probe: prober(node, () => this.deps.clock.monotonic()),
      ...(this.deps.dropHeartbeat != null ? { dropHeartbeat: this.deps.dropHeartbeat } : {})
    })
    const announceIntervalMs = ms(d.announceInterval, 30_000)
    this.discovery = new Discovery({
      announceIntervalMs,
      announceTtlMs: d.announceTtl != null ? ms(d.announceTtl, announceIntervalMs * 3) : announceIntervalMs * 3,
      handshakeTimeoutMs: ms(this.config.fleet.handshakeTimeout, 5000),
      dhtIntervalMs: ms(d.dhtInterval, 60_000),
      syncIntervalMs: ms(d.syncInterval, 5000),
      verdicts: d.verdicts,
      labels: d.labels,
      bootstrap: d.bootstrap
    }, {
      node,
      fleet: this.fleet,
      links: this.links,
      store: this.deps.store,
      clock: this.deps.clock,
      logger: logger.forComponent('skein:discovery'),
      privateKey: this.deps.privateKey,
      registry: this.deps.metrics.registry
    })
    await node.handle(PROBE_PROTOCOL, this.discovery.guard(probeHandler()), { maxInboundStreams: 2 })
    // the last connection to a member closed (it was killed, restarted, or closed on us): ping it at once
    const links = this.links
    const onClose = (evt: CustomEvent<Connection>): void => {
      const conn = evt.detail
      if (!node.getConnections(conn.remotePeer).some((c) => c !== conn && c.status === 'open')) links.connectionLost(conn.remotePeer.toString())
    }
    node.addEventListener('connection:close', onClose)
    this.offClose = () => { node.removeEventListener('connection:close', onClose) }
    this.links.start()
    await this.discovery.start()
  }

  async stop (): Promise<void> {
    await this.discovery?.stop()
    this.offClose?.()
    this.links?.stop()
    this.pinger?.stop()
    this.beacon?.stop()
    try { await this.node?.unhandle(PROBE_PROTOCOL) } catch {}
  }

  /**
   * Where a peer's beacon listens: the TCP address it listens on, as udp;
   * of its known addresses, the one on the host its connection comes from.
   * Looked up again every half minute, so a peer that moved is followed.
   */
  private async beaconTarget (node: SkeinNode, peerId: string): Promise<BeaconAddress | undefined> {
    const now = this.deps.clock.monotonic()
    const cached = this.beaconTargets.get(peerId)
    if (cached != null && cached.until > now) return cached.address
    const id = peerIdFromString(peerId)
    const known = await node.peerStore.get(id).then((p) => p.addresses.map((a) => a.multiaddr), () => [])
    const remote = node.getConnections(id).map((c) => c.remoteAddr)
    const address = pickBeaconTarget(remote, known)
    if (this.beaconTargets.size > 10_000) this.beaconTargets.clear()
    this.beaconTargets.set(peerId, { address, until: now + (address != null ? 30_000 : 5_000) })
    return address
  }

  routes (self: () => string): FastifyPluginAsyncTypebox[] {
    const sources = (): Parameters<typeof peerViews>[0] => {
      if (this.discovery == null || this.links == null || this.node == null) throw new Error('discovery is not running')
      return { discovery: this.discovery, links: this.links, fleet: this.fleet, node: this.node }
    }
    const fleet = this.fleet
    const revView = (r: { peerId: string, reason: string, issuedMs: number }): { peerId: string, reason: string, issued: string } =>
      ({ peerId: r.peerId, reason: r.reason, issued: new Date(r.issuedMs).toISOString() })
    return [
      peersRoutes({
        self,
        fleetId: () => fleet.fleetId,
        list: () => peerViews(sources()),
        get: (id) => peerView(sources(), id)
      }),
      fleetRoutes({
        info: () => ({
          mode: fleet.mode,
          fleetId: fleet.fleetId,
          certificate: fleet.own != null
            ? { peerId: fleet.own.peerId, roles: fleet.own.roles, labels: fleet.own.labels, issued: new Date(fleet.own.issuedMs).toISOString(), expires: new Date(fleet.own.expiresMs).toISOString() }
            : null,
          members: this.links?.list().filter((l) => fleet.isMember(l.peerId)).length ?? 0,
          revocations: fleet.listRevocations().length
        }),
        revocations: () => fleet.listRevocations().map((r) => revView(r.info)),
        addRevocation: async (text) => {
          let bytes: Uint8Array
          try { bytes = fromText(text) } catch { bytes = new Uint8Array() }
          const { added, info } = await fleet.addRevocation(bytes)
          if (added) await this.discovery?.publishRevocation(bytes)
          return { added, revocation: revView(info) }
        }
      })
    ]
  }
}

const refusalCodes = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH'])

/**
 * Whether a failed dial was refused by the network (nothing listens, no route
 * to the host), looking through libp2p's wrapped and aggregated errors. A dial
 * that failed for any other reason (a handshake cut short by loss) is not
 * evidence of death.
 */
export function refusedByNetwork (err: unknown, depth = 0): boolean {
  if (err == null || typeof err !== 'object' || depth > 5) return false
  const e = err as { code?: unknown, cause?: unknown, errors?: unknown }
  if (typeof e.code === 'string' && refusalCodes.has(e.code)) return true
  if (Array.isArray(e.errors) && e.errors.some((x) => refusedByNetwork(x, depth + 1))) return true
  return refusedByNetwork(e.cause, depth + 1)
}

/** how a ping fails when the connection or stream it used closed under it */
const CLOSED_UNDER = new Set(['ConnectionClosingError', 'ConnectionClosedError', 'MuxerClosedError', 'StreamResetError', 'StreamAbortedError', 'PingStreamClosedError'])

/**
 * Where to bind beacons: the host and port of every TCP address in `listen`
 * (the configured ones: a wildcard stays a wildcard), a port 0 replaced by
 * the one the system chose, found among `actual` (the addresses listened on).
 */
export function beaconBinds (listen: readonly string[], actual: readonly Multiaddr[]): BeaconAddress[] {
  const out: BeaconAddress[] = []
  const bound = actual.map((a) => tcpHostPort(a, true)).filter((x): x is BeaconAddress => x != null)
  for (const l of listen) {
    let m: Multiaddr
    try { m = multiaddr(l) } catch { continue }
    const want = tcpHostPort(m, true)
    if (want == null) continue
    let port = want.port
    if (port === 0) {
      const v6 = want.host.includes(':')
      const wildcard = want.host === '0.0.0.0' || want.host === '::'
      port = bound.find((b) => b.host === want.host && b.port !== 0)?.port ??
        (wildcard ? bound.find((b) => b.host.includes(':') === v6 && b.port !== 0)?.port : undefined) ?? 0
      if (port === 0) continue
    }
    if (!out.some((o) => o.host === want.host && o.port === port)) out.push({ host: want.host, port })
  }
  return out
}

/** the addresses the node's transports listen on (not the announced ones) */
function listeningAddrs (node: SkeinNode): Multiaddr[] {
  const tm = (node as unknown as { components?: { transportManager?: { getAddrs?: () => Multiaddr[] } } }).components?.transportManager
  try {
    return tm?.getAddrs?.() ?? node.getMultiaddrs()
  } catch {
    return node.getMultiaddrs()
  }
}

/**
 * A peer's beacon address: of its known TCP addresses, one on the host a
 * connection to it comes from, else the first that is not loopback (unless
 * the connection is on loopback).
 */
export function pickBeaconTarget (remote: Multiaddr[], known: Multiaddr[]): BeaconAddress | undefined {
  const candidates = known.map((a) => tcpHostPort(a)).filter((x): x is BeaconAddress => x != null)
  const hosts = remote.map((r) => hostOf(r))
  const onHost = candidates.find((c) => hosts.includes(c.host))
  if (onHost != null) return onHost
  const remoteLoopback = hosts.some((h) => h != null && isLoopbackHost(h))
  return candidates.find((c) => remoteLoopback || !isLoopbackHost(c.host))
}

function hostOf (a: Multiaddr): string | undefined {
  try {
    const c = a.getComponents()
    return c[0] != null && (c[0].name === 'ip4' || c[0].name === 'ip6') ? c[0].value : undefined
  } catch {
    return undefined
  }
}

/** /ip4|ip6/HOST/tcp/PORT and nothing after it but /p2p/ID; a wildcard host or port 0 only when `local` */
function tcpHostPort (a: Multiaddr, local = false): BeaconAddress | undefined {
  try {
    const [ip, tcp, ...rest] = a.getComponents()
    if (ip == null || (ip.name !== 'ip4' && ip.name !== 'ip6') || tcp?.name !== 'tcp' || rest.some((r) => r.name !== 'p2p')) return undefined
    const port = Number(tcp.value)
    if (ip.value == null || !Number.isInteger(port) || port < (local ? 0 : 1) || port > 65535) return undefined
    if (!local && (ip.value === '0.0.0.0' || ip.value === '::')) return undefined
    // a link-local IPv6 address needs its interface, which a multiaddr does not carry
    if (ip.name === 'ip6' && ip.value.toLowerCase().startsWith('fe80')) return undefined
    return { host: ip.value, port }
  } catch {
    return undefined
  }
}
