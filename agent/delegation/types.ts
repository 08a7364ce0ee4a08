/**
 * What delegation needs from the rest of the agent, as narrow interfaces so
 * unit tests pass fakes and agent/system.ts adapts the real subsystems
 * (agent/peering for leases, agent/links for telemetry, agent/kube for the
 * workloads backend, agent/discovery for peer labels, the libp2p node for
 * streams).
 */
import type { PrivateKey, Stream, AbortOptions } from '@libp2p/interface'
import type { Registry } from 'prom-client'
import type { Clock } from '../clock.ts'
import type { ComponentLogger } from '../logger.ts'
import type { Store } from '../store/index.ts'
import type { Resources } from '../../protocol/peering/resources.ts'
import type { Manifest } from '../../protocol/delegation/manifests.ts'
import type { LinkView, PeerInfo } from '../scheduler/index.ts'
import type { LogsSource } from './logs.ts'

/** A lease as delegation sees it, on either side. */
export interface LeaseInfo {
  id: string
  consumer: string
  provider: string
  quota: Resources
  /** ms since the epoch */
  expires: number
  /** 'requested' | 'active' | 'grace' | 'expired' | 'released' */
  state: string
}

export interface LeaseSource {
  /** leases this agent holds as consumer, on providers */
  held(): LeaseInfo[]
  /** a lease by ID, either side */
  get(id: string): LeaseInfo | undefined
  /** what the ledger says is left of a held lease, if it tracks that; delegation also subtracts its own placements */
  remainingQuota?(leaseId: string): Resources | undefined
}

/** What the workloads backend reports about one workload. */
export interface BackendStatus {
  /** 'unrunnable': the cluster cannot run it (quota shrunk, capacity lost, pods failing for good) */
  phase: 'progressing' | 'running' | 'succeeded' | 'failing' | 'unrunnable'
  readyReplicas: number
  replicas: number
  podIps: string[]
  error?: string
  /** set when the workload was passed on (the waterfall): the agents it went to, the last one running it */
  via?: string[]
}

export interface WorkloadMeta {
  workloadId: string
  generation: number
  /** the consumer's peer ID (the tenant), or our own for local placements */
  consumer: string
  name: string
  /** provider side: the path the Delegate came along (origin first, the sender last), its hop limit, and the lease it runs under */
  path?: string[]
  hopLimit?: number
  leaseId?: string
}

/**
 * The Kubernetes side, in a tenant namespace: server-side apply (idempotent:
 * applying the same generation twice is harmless), delete, and a status watch.
 */
export interface WorkloadsBackend {
  apply(tenantNs: string, manifests: Manifest[], meta: WorkloadMeta, options?: AbortOptions): Promise<void>
  /** removes the workload's objects (named by its manifests); missing ones are not an error */
  delete(tenantNs: string, workloadId: string, manifests: Manifest[], options?: AbortOptions): Promise<void>
  /** calls onStatus on every change; returns a function that stops watching */
  watch(tenantNs: string, workloadId: string, manifests: Manifest[], onStatus: (s: BackendStatus) => void): () => void
}

export interface Network {
  dial(peerId: string, protocol: string, options?: AbortOptions): Promise<Stream>
  handle(protocol: string, handler: (stream: Stream, remotePeer: string) => void): Promise<void>
  unhandle(protocol: string): Promise<void>
}

export interface LocalCluster {
  /** what this cluster can still run for its own workloads */
  free(): Resources
  capacity(): Resources
  labels(): Record<string, string>
  cost?: number
  carbon?: number
}

export interface DelegationComponents {
  peerId: string
  privateKey: PrivateKey
  store: Store
  clock: Clock
  logger: ComponentLogger
  metrics?: { registry: Registry }
  /** fleet membership; absent means every authenticated peer is taken as a member (tests, single-fleet labs) */
  membership?: { isMember(peerId: string): boolean }
  leases: LeaseSource
  links?: { get(peerId: string): LinkView | undefined }
  peers?: { get(peerId: string): PeerInfo | undefined }
  /** the local cluster as a candidate; absent means it never is one */
  local?: LocalCluster
  workloads: WorkloadsBackend
  network: Network
  /** pod logs of the local cluster (agent/delegation/logs.ts); absent: `skein logs` answers "not available" */
  logs?: LogsSource
  /**
   * The tenant policy's verdict on manifests bound for a tenant namespace,
   * asked before a Delegate is acknowledged: throws (naming the field) when
   * the cluster would refuse them, so a refused workload is never accepted.
   */
  checkManifests?(tenantNs: string, manifests: readonly unknown[]): void
}
