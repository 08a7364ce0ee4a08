/** Fakes and real-node harnesses for the delegation tests (test/delegation-*.test.ts). */
import { sanitizeManifests } from '../../agent/kube/sanitize.ts'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { ConnectionGater, PeerId, PrivateKey } from '@libp2p/interface'
import { createNode, type SkeinNode } from '../../agent/node/index.ts'
import { openStore, type Store } from '../../agent/store/index.ts'
import { silentLogger } from '../../agent/logger.ts'
import { systemClock } from '../../agent/clock.ts'
import { Delegation, libp2pNetwork, type BackendStatus, type DelegationInit, type LeaseInfo, type WorkloadMeta, type WorkloadsBackend, type WorkloadRecord } from '../../agent/delegation/index.ts'
import type { LinkView } from '../../agent/scheduler/index.ts'
import type { Manifest } from '../../protocol/delegation/manifests.ts'
import { parseResources, type Resources } from '../../protocol/peering/resources.ts'
import type { WorkloadPhase } from '../../protocol/delegation/phases.ts'

export interface TapLike { teardown(fn: () => unknown): void }

export const deploymentYaml = (name = 'web', replicas = 2, cpu = '250m', memory = '128Mi'): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: main
          image: nginx:1.27
          resources:
            requests: { cpu: ${cpu}, memory: ${memory} }
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  ports:
    - port: 80
`

/** An in-memory workloads backend: counts copies and applies, reports running at once unless told otherwise. */
export class FakeBackend implements WorkloadsBackend {
  readonly objects = new Map<string, { ns: string, id: string, generation: number, manifests: Manifest[] }>()
  applies = 0
  deletes = 0
  status: BackendStatus['phase'] = 'running'
  failApply?: Error
  private readonly watchers = new Map<string, Set<(s: BackendStatus) => void>>()

  async apply (ns: string, manifests: Manifest[], meta: WorkloadMeta): Promise<void> {
    this.applies++
    if (this.failApply != null) throw this.failApply
    this.objects.set(`${ns}/${meta.workloadId}`, { ns, id: meta.workloadId, generation: meta.generation, manifests })
    setImmediate(() => { this.emit(`${ns}/${meta.workloadId}`) })
  }

  async delete (ns: string, workloadId: string, _manifests: Manifest[]): Promise<void> {
    this.deletes++
    this.objects.delete(`${ns}/${workloadId}`)
  }

  watch (ns: string, workloadId: string, _manifests: Manifest[], onStatus: (s: BackendStatus) => void): () => void {
    const key = `${ns}/${workloadId}`
    let set = this.watchers.get(key)
    if (set == null) { set = new Set(); this.watchers.set(key, set) }
    set.add(onStatus)
    setImmediate(() => { this.emit(key) })
    return () => { set.delete(onStatus) }
  }

  /** Reports `phase` for every workload held. */
  report (phase: BackendStatus['phase'], error?: string): void {
    this.status = phase
    for (const key of this.objects.keys()) this.emit(key, error)
  }

  private emit (key: string, error?: string): void {
    const o = this.objects.get(key)
    if (o == null) return
    const replicas = o.manifests.reduce((n, m) => n + (m.kind === 'Deployment' ? Number((m.spec as { replicas?: number }).replicas ?? 1) : 0), 0)
    const s: BackendStatus = { phase: this.status, readyReplicas: this.status === 'running' ? replicas : 0, replicas, podIps: this.status === 'running' ? ['10.42.0.5'] : [], ...(error != null ? { error } : {}) }
    for (const cb of this.watchers.get(key) ?? []) cb(s)
  }

  copies (workloadId: string): number {
    return [...this.objects.values()].filter((o) => o.id === workloadId).length
  }
}

/** Leases both sides see: a shared table, as a fake of agent/peering. */
export class FakeLeases {
  readonly leases = new Map<string, LeaseInfo>()

  grant (id: string, consumer: string, provider: string, quota: Partial<Record<keyof Resources, string | number>> = { cpu: '4', memory: '8Gi', pods: 20 }, ttlMs = 3_600_000): LeaseInfo {
    const l: LeaseInfo = { id, consumer, provider, quota: parseResources(quota), expires: Date.now() + ttlMs, state: 'active' }
    this.leases.set(id, l)
    return l
  }

  viewFor (self: string): { held(): LeaseInfo[], get(id: string): LeaseInfo | undefined } {
    return {
      held: () => [...this.leases.values()].filter((l) => l.consumer === self),
      get: (id) => { const l = this.leases.get(id); return l != null && (l.consumer === self || l.provider === self) ? l : undefined }
    }
  }
}

/** A connection gater that refuses a set of peers: the test's link cut. */
function cutGater (blocked: Set<string>): ConnectionGater {
  const deny = (peer: PeerId): boolean => blocked.has(peer.toString())
  return {
    denyDialPeer: async (peer) => deny(peer),
    denyInboundEncryptedConnection: async (peer) => deny(peer),
    denyOutboundEncryptedConnection: async (peer) => deny(peer)
  }
}

export const fastInit: DelegationInit = {
  retryBaseMs: 40,
  retryMaxMs: 400,
  tickMs: 40,
  statusIdleMs: 1500,
  keepaliveMs: 200,
  reconnectBaseMs: 40,
  reclaimCheckMs: 100,
  giveUpAfterMs: 300
}

export interface TestAgent {
  name: string
  peerId: string
  privateKey: PrivateKey
  node: SkeinNode
  backend: FakeBackend
  delegation: Delegation
  store: Store
  dir: string
  blocked: Set<string>
  links: Map<string, LinkView>
  /** stops delegation and closes the store (a crash as far as delegation can tell), then starts both again */
  restart(init?: DelegationInit): Promise<void>
  stopDelegation(): Promise<void>
}

export interface AgentOptions {
  name: string
  leases: FakeLeases
  init?: DelegationInit
  local?: boolean
  labels?: Record<string, string>
  /** check delegated manifests against the tenant policy before acknowledging, as an agent with a cluster does */
  tenantPolicy?: boolean
}

export async function startAgent (t: TapLike, o: AgentOptions): Promise<TestAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'skein-'))
  const blocked = new Set<string>()
  const privateKey: PrivateKey = await generateKeyPair('Ed25519')
  const node = await createNode({ privateKey, listen: ['/ip4/127.0.0.1/tcp/0'], connectionGater: cutGater(blocked) })
  await node.start()
  const backend = new FakeBackend()
  const links = new Map<string, LinkView>()
  const peerId = node.peerId.toString()
  let store = openStore({ stateDir: dir })
  const make = (init?: DelegationInit): Delegation => new Delegation({
    peerId,
    privateKey,
    store,
    clock: systemClock,
    logger: silentLogger().forComponent(`skein:delegation:${o.name}`),
    leases: o.leases.viewFor(peerId),
    links: { get: (p) => links.get(p) ?? { state: 'alive', rttMs: 1, loss: 0, bandwidthBps: 1e9, etx: 1 } },
    peers: { get: () => ({ labels: o.labels ?? {} }) },
    ...(o.local === true ? { local: { free: () => parseResources({ cpu: '8', memory: '16Gi', pods: 100 }), capacity: () => parseResources({ cpu: '8', memory: '16Gi', pods: 100 }), labels: () => o.labels ?? {} } } : {}),
    workloads: backend,
    network: libp2pNetwork(node),
    ...(o.tenantPolicy === true ? { checkManifests: (ns: string, docs: readonly unknown[]) => { sanitizeManifests(docs, { namespace: ns }) } } : {})
  }, { ...fastInit, ...(init ?? o.init ?? {}) })
  const agent: TestAgent = {
    name: o.name,
    peerId,
    privateKey,
    node,
    backend,
    delegation: make(),
    get store () { return store },
    dir,
    blocked,
    links,
    async restart (init?: DelegationInit) {
      await agent.delegation.stop()
      store.close()
      store = openStore({ stateDir: dir })
      agent.delegation = make(init)
      await agent.delegation.start()
    },
    async stopDelegation () {
      await agent.delegation.stop()
    }
  }
  await agent.delegation.start()
  t.teardown(async () => {
    await agent.delegation.stop()
    await node.stop()
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return agent
}

/** Lets a and b find each other's addresses. */
export async function introduce (...agents: TestAgent[]): Promise<void> {
  for (const a of agents) {
    for (const b of agents) {
      if (a === b) continue
      await a.node.peerStore.merge(b.node.peerId, { multiaddrs: b.node.getMultiaddrs() })
    }
  }
}

/** Cuts the link between a and b both ways and closes their connections. */
export async function cut (a: TestAgent, b: TestAgent): Promise<void> {
  a.blocked.add(b.peerId)
  b.blocked.add(a.peerId)
  a.links.set(b.peerId, { state: 'unreachable', rttMs: null, loss: 1, bandwidthBps: null, etx: null })
  b.links.set(a.peerId, { state: 'unreachable', rttMs: null, loss: 1, bandwidthBps: null, etx: null })
  await Promise.allSettled([a.node.hangUp(b.node.peerId), b.node.hangUp(a.node.peerId)])
}

export function heal (a: TestAgent, b: TestAgent): void {
  a.blocked.delete(b.peerId)
  b.blocked.delete(a.peerId)
  a.links.delete(b.peerId)
  b.links.delete(a.peerId)
}

/** Polls until fn is truthy or the deadline passes (then throws with the last value described). */
export async function until<T> (fn: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const start = Date.now()
  while (true) {
    const v = fn()
    if (v !== undefined && v !== false) return v
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export async function untilPhase (a: TestAgent, name: string, phase: WorkloadPhase, timeoutMs = 10_000): Promise<WorkloadRecord> {
  return await until(() => { const w = a.delegation.get(name); return w.phase === phase ? w : undefined }, `${name} to be ${phase} (is ${a.delegation.get(name).phase})`, timeoutMs)
}
