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
import { createNode, type SkeinNode } from './node/index.ts'
import { createApiServer, type ApiServer } from './api/index.ts'
import { statusRoutes, type Status } from './api/routes/status.ts'
import { version } from './version.ts'

export interface AgentDeps {
  logger?: Logger
  clock?: Clock
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
  api?: ApiServer
  private startedAt = 0
  private readonly log
  private stopping?: Promise<void>

  constructor (config: Config, deps: AgentDeps = {}) {
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
      this.node = await createNode({
        privateKey: this.identity.privateKey,
        listen: config.listen,
        announce: config.announce,
        metrics: this.metrics
      })
      await this.node.start()
      this.startedAt = this.clock.now()
      this.api = createApiServer({
        address: config.api,
        stateDir: config.stateDir,
        logger: this.logger.forComponent('skein:api'),
        bodyLimit: config.apiBodyLimit,
        routes: [
          statusRoutes({ status: () => this.status(), registry: this.metrics.registry, health: () => this.health() })
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
      connections: this.node?.getConnections().length ?? 0
    }
  }

  health (): { ok: boolean, checks: Record<string, string> } {
    const checks: Record<string, string> = {
      store: this.store?.isOpen === true ? 'ok' : 'closed',
      node: this.node?.status === 'started' ? 'ok' : (this.node?.status ?? 'absent'),
      agent: this.state
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
    await step('node', async () => { await this.node?.stop() })
    await step('store', () => { this.store?.close() })
  }
}

export async function createAgent (config: Config, deps: AgentDeps = {}): Promise<Agent> {
  return new Agent(config, deps)
}
