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
import type { ConnectionGater, PrivateKey } from '@libp2p/interface'
import type { Libp2pInit, ServiceFactoryMap } from 'libp2p'
import type { Config } from '../config/index.ts'
import { parseDuration } from '../config/index.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { Store } from '../store/index.ts'
import type { Metrics } from '../metrics/index.ts'
import type { SkeinNode } from '../node/index.ts'
import { Fleet, loadFleetPublicKey, readTextBytes } from '../fleet/index.ts'
import { Links, PeerRefusedError, PROBE_PROTOCOL, probeHandler, prober } from '../links/index.ts'
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
}

const ms = (v: string, fallback: number): number => parseDuration(v) ?? fallback

export class DiscoverySystem {
  readonly fleet: Fleet
  links?: Links
  discovery?: Discovery
  private node?: SkeinNode
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
    // every member dials every other; agents that share a host (tests, the simulator, several clusters on one box)
    // dial from one address, which libp2p would throttle to 5 connections a second: loopback is exempt
    return { services, peerDiscovery, connectionGater: this.fleet.gater(), allow: ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128'] }
  }

  async start (node: SkeinNode): Promise<void> {
    this.node = node
    const l = this.config.links
    const d = this.config.discovery
    const logger = this.deps.logger
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
      bandwidthProbeBytes: l.bandwidthProbeBytes
    }, {
      clock: this.deps.clock,
      logger: logger.forComponent('skein:links'),
      registry: this.deps.metrics.registry,
      ping: async (peerId, options) => {
        const id = peerIdFromString(peerId)
        // only a dial can be refused: a ping on a connection that then breaks (loss, a closing muxer) is not evidence of death
        const dialled = node.getConnections(id).length === 0
        try {
          return await node.services.ping.ping(id, options)
        } catch (err) {
          // we had to dial, the dial failed before the deadline and left no connection: nothing listens there (refused, reset, no route)
          if (dialled && !options.signal.aborted && node.getConnections(id).length === 0 && refusedByNetwork(err)) throw new PeerRefusedError(`${peerId} could not be reached: ${(err as Error).message}`, { cause: err })
          throw err
        }
      },
      probe: prober(node, () => this.deps.clock.monotonic()),
      ...(this.deps.dropHeartbeat != null ? { dropHeartbeat: this.deps.dropHeartbeat } : {})
    })
    const announceIntervalMs = ms(d.announceInterval, 30_000)
    this.discovery = new Discovery({
      announceIntervalMs,
      announceTtlMs: d.announceTtl != null ? ms(d.announceTtl, announceIntervalMs * 3) : announceIntervalMs * 3,
      handshakeTimeoutMs: ms(this.config.fleet.handshakeTimeout, 5000),
      dhtIntervalMs: ms(d.dhtInterval, 60_000),
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
    this.links.start()
    await this.discovery.start()
  }

  async stop (): Promise<void> {
    await this.discovery?.stop()
    this.links?.stop()
    try { await this.node?.unhandle(PROBE_PROTOCOL) } catch {}
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
