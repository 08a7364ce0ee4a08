/**
 * The one place that builds every subsystem from the configuration and wires
 * them together. Nothing else reaches for globals.
 *
 *   const agent = await createAgent(config, { logger })
 *   await agent.start()
 *   ...
 *   await agent.stop()
 */
import type { Config } from './config/index.ts'
import { parseDuration } from './config/index.ts'
import { createLogger, type Logger } from './logger.ts'
import { systemClock, type Clock } from './clock.ts'
import { ensureStateDir, loadOrCreateIdentity, type Identity } from './identity/index.ts'
import { openStore, type Store } from './store/index.ts'
import { createMetrics, type Metrics } from './metrics/index.ts'
import { createNode, type NodeInit, type SkeinNode } from './node/index.ts'
import { createApiServer, type ApiServer } from './api/index.ts'
import { statusRoutes, type Status } from './api/routes/status.ts'
import { DiscoverySystem } from './discovery/wiring.ts'
import { createTunnels, type Tunnels } from './tunnels/index.ts'
import { wireLeaseTunnels } from './tunnels/leases.ts'
import { tunnelsInitFrom } from './tunnels/config.ts'
import { tunnelsRoutes } from './api/routes/tunnels.ts'
import { kube, openKubeBackend, type KubeClient } from './kube/index.ts'
import { kubeBackendConfig, kubeClientOptions } from './kube/config.ts'
import { wirePeering } from './peering/wiring.ts'
import type { Peering } from './peering/index.ts'
import { offersRoutes } from './api/routes/offers.ts'
import { leasesRoutes } from './api/routes/leases.ts'
import { wireDelegation } from './delegation/wiring.ts'
import type { Delegation } from './delegation/index.ts'
import { workloadsRoutes } from './api/routes/workloads.ts'
import { version } from './version.ts'

export interface AgentDeps {
  logger?: Logger
  clock?: Clock
  /** test hook for link telemetry: return true to drop a heartbeat (a seeded loss model) */
  dropHeartbeat?: (peerId: string) => boolean
  /** simulator hook (sim/runner.ts): adjusts the libp2p node's init before it is built, e.g. swaps TCP for the simulated transport; identity when absent */
  nodeInit?: (init: NodeInit) => NodeInit
}

export interface Startable {
  start(): Promise<void> | void
  stop(): Promise<void> | void
}

export type AgentState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped'

export class Agent {
  readonly config: Config
  readonly logger: Logger
  readonly clock: Clock
  state: AgentState = 'new'
  identity?: Identity
  store?: Store
  metrics?: Metrics
  node?: SkeinNode
  /** fleet membership, discovery and link telemetry (agent/discovery, agent/fleet, agent/links) */
  discovery?: DiscoverySystem
  /** WireGuard tunnels (agent/tunnels); only when tunnels.enabled */
  tunnels?: Tunnels
  private unwireTunnels?: () => void
  /** the local Kubernetes cluster (agent/kube): kubeconfig, in-cluster or the embedded emulator */
  kube?: KubeClient
  /** resource offers and one-way peering (agent/peering, agent/offers) */
  peering?: Peering
  /** delegating workloads: scheduler, outbox, status, failover, provider side (agent/delegation) */
  delegation?: Delegation
  api?: ApiServer
  private startedAt = 0
  private readonly log
  private stopping?: Promise<void>
  private readonly deps: AgentDeps

  constructor (config: Config, deps: AgentDeps = {}) {
    this.deps = deps
    this.config = config
    this.logger = deps.logger ?? createLogger({ level: config.logLevel })
    this.clock = deps.clock ?? systemClock
    this.log = this.logger.forComponent('skein:agent')
  }

  get peerId (): string {
    if (this.identity == null) throw new Error('agent not started')
    return this.identity.peerId.toString()
  }

  async start (): Promise<void> {
    if (this.state !== 'new') return
    this.state = 'starting'
    const config = this.config
    try {
      await ensureStateDir(config.stateDir)
      // the store takes the state directory's lock: do it before anything else writes there
      this.store = openStore({ stateDir: config.stateDir })
      this.identity = await loadOrCreateIdentity(config.stateDir)
      if (this.identity.created) this.log.info({ peerId: this.peerId, path: this.identity.path }, 'created a new identity')
      this.metrics = createMetrics()
      const kubeBackend = await openKubeBackend(kubeBackendConfig(config.kube))
      this.kube = kube({ kubeConfig: kubeBackend.kubeConfig, backend: kubeBackend.info, onStop: kubeBackend.close, ...kubeClientOptions(config.kube) })({ logger: this.logger.forComponent('skein:kube'), metrics: this.metrics })
      await this.kube.start()
      this.log.info({ backend: kubeBackend.info.mode, server: kubeBackend.info.server, context: kubeBackend.info.context, kubeconfig: kubeBackend.info.source }, `kube backend: ${kubeBackend.info.mode}`)
      // the in-process emulator answers in milliseconds: start with a current capacity view; a real cluster syncs in the background
      // generous: a drone busy at boot must not fail its start on this
      if (kubeBackend.info.mode === 'embedded') await this.kube.waitForSync({ signal: AbortSignal.timeout(30_000) })
      this.discovery = new DiscoverySystem(config, {
        store: this.store, clock: this.clock, logger: this.logger, metrics: this.metrics,
        privateKey: this.identity.privateKey, selfPeerId: this.peerId, ...(this.deps.dropHeartbeat != null ? { dropHeartbeat: this.deps.dropHeartbeat } : {}),
        pinned: () => this.peering?.counterparties() ?? []
      })
      const nodeInit: NodeInit = {
        privateKey: this.identity.privateKey,
        listen: config.listen,
        announce: config.announce,
        metrics: this.metrics,
        ...this.discovery.nodeOptions(),
        maxConnections: config.connections.max
      }
      if (!config.connections.exemptLoopback) delete nodeInit.allow
      this.node = await createNode(this.deps.nodeInit != null ? this.deps.nodeInit(nodeInit) : nodeInit)
      await this.node.start()
      await this.discovery.start(this.node)
      this.peering = wirePeering(config.peering, {
        store: this.store, clock: this.clock, logger: this.logger, privateKey: this.identity.privateKey, peerId: this.peerId,
        node: this.node, metrics: this.metrics, kube: this.kube, discovery: this.discovery
      })
      await this.peering.start()
      this.delegation = wireDelegation(config.delegation, {
        store: this.store, clock: this.clock, logger: this.logger, metrics: this.metrics, privateKey: this.identity.privateKey, peerId: this.peerId,
        node: this.node, kube: this.kube, kubeConfig: kubeBackend.kubeConfig, peering: this.peering, discovery: this.discovery
      })
      await this.delegation.start()
      if (config.tunnels.enabled) {
        this.tunnels = createTunnels(tunnelsInitFrom(config.tunnels))({
          stateDir: config.stateDir, peerId: this.peerId, privateKey: this.identity.privateKey, clock: this.clock, logger: this.logger.forComponent('skein:tunnels'), registry: this.metrics.registry
        })
        await this.tunnels.start()
        // tunnel health (handshake age, rx/tx) into link telemetry: a new handshake or received bytes is a heartbeat
        const offTunnelHealth = this.tunnels.onHealth((h) => { this.discovery?.links?.noteTunnel(h.peerId, h) })
        // leases (either direction, active or in grace) bring tunnels up; the last one ending takes them down
        this.unwireTunnels = wireLeaseTunnels(this.tunnels, {
          selfPeerId: this.peerId,
          leases: this.peering,
          listenPort: config.tunnels.listenPort,
          ...(this.discovery.discovery != null ? { announcements: this.discovery.discovery } : {}),
          observedAddrs: (id) => this.node?.getConnections().filter((c) => c.remotePeer.toString() === id).map((c) => c.remoteAddr.toString()) ?? [],
          clock: this.clock
        })
        const unwireLeases = this.unwireTunnels
        this.unwireTunnels = () => { offTunnelHealth(); unwireLeases() }
      }
      this.startedAt = this.clock.now()
      this.api = createApiServer({
        address: config.api,
        stateDir: config.stateDir,
        logger: this.logger.forComponent('skein:api'),
        bodyLimit: config.apiBodyLimit,
        routes: [
          statusRoutes({ status: () => this.status(), registry: this.metrics.registry, health: () => this.health() }),
          ...this.discovery.routes(() => this.peerId),
          tunnelsRoutes({ view: () => this.tunnels?.view() }),
          offersRoutes({ peering: () => this.need(this.peering) }),
          leasesRoutes({ peering: () => this.need(this.peering) }),
          workloadsRoutes({ delegation: () => this.need(this.delegation) })
        ]
      })
      await this.api.start()
      this.state = 'running'
      this.log.info({ peerId: this.peerId, version, listenAddrs: this.listenAddrs(), api: config.api }, 'skein agent started')
    } catch (err) {
      await this.teardown()
      this.state = 'stopped'
      throw err
    }
  }

  private need<T> (v: T | undefined): T {
    if (v == null) throw new Error('agent not started')
    return v
  }

  listenAddrs (): string[] {
    return this.node?.getMultiaddrs().map((a) => a.toString()) ?? []
  }

  status (): Status {
    return {
      peerId: this.peerId,
      version,
      uptimeS: Math.round((this.clock.now() - this.startedAt) / 100) / 10,
      listenAddrs: this.listenAddrs(),
      startedAt: new Date(this.startedAt).toISOString(),
      pid: process.pid,
      stateDir: this.config.stateDir,
      connections: this.node?.getConnections().length ?? 0,
      ...(this.kube != null ? { kube: this.kubeStatus(this.kube) } : {})
    }
  }

  private kubeStatus (k: KubeClient): NonNullable<Status['kube']> {
    const info = k.info()
    const c = k.capacity()
    const pick = (r: { cpu: number, memory: number, pods: number }): { cpu: number, memory: number, pods: number } => ({ cpu: r.cpu, memory: r.memory, pods: r.pods })
    const { lastError, ...rest } = info
    return { ...rest, reachable: info.synced && lastError == null, ...(lastError != null ? { error: lastError } : {}), allocatable: pick(c.allocatable), free: pick(c.free) }
  }

  health (): { ok: boolean, checks: Record<string, string> } {
    const checks: Record<string, string> = {
      store: this.store?.isOpen === true ? 'ok' : 'closed',
      node: this.node?.status === 'started' ? 'ok' : (this.node?.status ?? 'absent'),
      agent: this.state,
      // informational: a cluster that is down or still syncing does not fail the agent's health
      kube: this.kube == null ? 'absent' : this.kube.info().synced ? 'ok' : `syncing${this.kube.info().lastError != null ? `: ${this.kube.info().lastError ?? ''}` : ''}`
    }
    return { ok: checks.store === 'ok' && checks.node === 'ok' && this.state === 'running', checks }
  }

  /** Stops everything; safe to call twice. Rejects after shutdownTimeout, with the store closed all the same. */
  async stop (): Promise<void> {
    if (this.stopping != null) return await this.stopping
    if (this.state === 'new' || this.state === 'stopped') { this.state = 'stopped'; return }
    this.state = 'stopping'
    this.log.info({ peerId: this.identity?.peerId.toString() }, 'skein agent stopping')
    const timeoutMs = parseDuration(this.config.shutdownTimeout) ?? 5000
    this.stopping = (async () => {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => { reject(new Error(`graceful stop took longer than ${this.config.shutdownTimeout}`)) }, timeoutMs)
      })
      try {
        await Promise.race([this.teardown(), timeout])
      } finally {
        clearTimeout(timer)
        this.store?.close()
        this.state = 'stopped'
      }
      this.log.info('skein agent stopped')
    })()
    return await this.stopping
  }

  private async teardown (): Promise<void> {
    const errors: unknown[] = []
    const step = async (name: string, fn: () => Promise<void> | void): Promise<void> => {
      try { await fn() } catch (err) { errors.push(err); this.log.error({ err, step: name }, 'error while stopping') }
    }
    await step('api', async () => { await this.api?.stop() })
    await step('tunnels', async () => { this.unwireTunnels?.(); await this.tunnels?.stop() })
    await step('delegation', async () => { await this.delegation?.stop() })
    await step('peering', async () => { await this.peering?.stop() })
    await step('discovery', async () => { await this.discovery?.stop() })
    await step('node', async () => { await this.node?.stop() })
    await step('kube', async () => { await this.kube?.stop() })
    await step('store', () => { this.store?.close() })
  }
}

export async function createAgent (config: Config, deps: AgentDeps = {}): Promise<Agent> {
  return new Agent(config, deps)
}
