/**
 * A Kubernetes API emulator over real HTTP, for tests, the simulator and the
 * agent's embedded mode. It keeps one cluster's state in memory and serves
 * enough of the API (discovery, OpenAPI, CRUD, patch, server-side apply,
 * watch, Status errors, quota admission, a node simulator and the workload
 * controllers) that @kubernetes/client-node and real kubectl drive it.
 * What is and is not emulated: sim/kube/README.md.
 *
 *   const emu = new KubeEmulator({ nodes: 2, node: { cpu: '4', memory: '8Gi' } })
 *   const url = await emu.start()          // http://127.0.0.1:PORT
 *   // kubectl --server $url get nodes ; or kubeconfigYaml() for client-node
 *   emu.faults.inject({ status: 429, count: 2 })
 *   emu.cluster.loseNode('sim-node-0')
 *   await emu.stop()
 */
import { Cluster, type ClusterInit } from './cluster.ts'
import { KubeApiServer, type FaultRule } from './server.ts'

export { Cluster, type ClusterInit, type NodeSpec, podRequests } from './cluster.ts'
export { KubeApiServer, type FaultRule, type RequestLogEntry } from './server.ts'
export { StatusError, Store } from './store.ts'

export interface KubeEmulatorInit extends ClusterInit {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number
  /** address to bind. Default 127.0.0.1 (the emulator has no authentication unless token is set). */
  host?: string
  /** when set, every request must carry `Authorization: Bearer <token>` */
  token?: string
}

export interface Faults {
  /** the next matching requests fail with the given status (or hang) */
  inject(rule: FaultRule): void
  clear(): void
  /** cuts every open watch connection; returns how many there were */
  dropWatches(): number
  /** forgets the watch history: watches resuming from an older resourceVersion get 410 Gone */
  compact(): void
  /** sends 410 Gone to every open watch, which then closes */
  expireWatches(): void
}

export class KubeEmulator {
  readonly cluster: Cluster
  readonly server: KubeApiServer
  readonly faults: Faults
  private readonly init: KubeEmulatorInit
  private started?: Promise<string>
  private _url?: string

  constructor (init: KubeEmulatorInit = {}) {
    this.init = init
    this.cluster = new Cluster(init)
    this.server = new KubeApiServer(this.cluster)
    if (init.token != null) this.server.token = init.token
    const server = this.server
    const store = this.cluster.store
    this.faults = {
      inject: (rule) => { server.inject(rule) },
      clear: () => { server.clearFaults() },
      dropWatches: () => server.dropWatches(),
      compact: () => { store.compact() },
      expireWatches: () => { store.expireWatches() }
    }
  }

  /** Listens and returns the base URL; calling it twice is harmless. */
  async start (): Promise<string> {
    this.started ??= (async () => {
      const host = this.init.host ?? '127.0.0.1'
      const port = await this.server.listen(this.init.port ?? 0, host)
      this._url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
      this.cluster.reconcile()
      return this._url
    })()
    return await this.started
  }

  get url (): string {
    if (this._url == null) throw new Error('emulator not started')
    return this._url
  }

  /** A kubeconfig (YAML) pointing at this emulator; plain HTTP needs insecure-skip-tls-verify for client-node. */
  kubeconfigYaml (context = 'skein-emulator'): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${context}`,
      '  cluster:',
      `    server: ${this.url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      `- name: ${context}`,
      `  user: ${this.init.token != null ? `{ token: ${this.init.token} }` : '{}'}`,
      'contexts:',
      `- name: ${context}`,
      '  context:',
      `    cluster: ${context}`,
      `    user: ${context}`,
      `current-context: ${context}`,
      ''
    ].join('\n')
  }

  async stop (): Promise<void> {
    this.cluster.stop()
    await this.server.close()
  }
}
