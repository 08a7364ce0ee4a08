/**
 * Builds delegation from the configuration and the agent's other subsystems:
 * leases from agent/peering, membership, labels and link telemetry from
 * agent/discovery (fleet, announcements, links), the workloads backend and
 * the local cluster's capacity from agent/kube, streams from the libp2p node.
 * Provider workloads go into the lease's tenant namespace that peering made.
 *
 *   agent.delegation = wireDelegation(config.delegation, { store, clock, logger, metrics, privateKey, peerId, node, kube, peering, discovery })
 *   await agent.delegation.start()
 */
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { Metrics } from '../metrics/index.ts'
import type { Store } from '../store/index.ts'
import type { KubeConfig } from '@kubernetes/client-node'
import type { KubeClient } from '../kube/index.ts'
import { tenantNamespace } from '../kube/index.ts'
import type { Peering, HeldUsage } from '../peering/index.ts'
import type { DiscoverySystem } from '../discovery/wiring.ts'
import { add, validateResources, zero, type Resources } from '../../protocol/peering/resources.ts'
import { isTerminal } from '../../protocol/delegation/phases.ts'
import { Delegation, tenantNamespaceOf } from './index.ts'
import { libp2pNetwork } from './network.ts'
import { kubeWorkloads } from './kube.ts'
import { kubeLogs } from './logs.ts'
import { delegationInitFrom, type DelegationConfig } from './config.ts'
import type { LeaseInfo, WorkloadsBackend } from './types.ts'
import type { WorkloadRecord } from './records.ts'
import { waterfall } from './waterfall.ts'

export interface DelegationWiring {
  store: Store
  clock: Clock
  logger: Logger
  metrics?: Metrics
  privateKey: PrivateKey
  peerId: string
  node: Libp2p
  kube?: KubeClient
  /** the cluster's connection, for pod logs (@kubernetes/client-node's Log) */
  kubeConfig?: KubeConfig
  peering?: Peering
  discovery?: DiscoverySystem
}

function fromKube (r: { cpu: number, memory: number, pods: number, gpu?: number, ephemeralStorage?: number }): Resources {
  const whole = (v: number | undefined): number => Math.max(0, Math.floor(v ?? 0))
  return validateResources({ cpu: whole(r.cpu), memory: whole(r.memory), pods: whole(r.pods), gpu: whole(r.gpu), ephemeralStorage: whole(r.ephemeralStorage) }, 'kube capacity')
}

const num = (v: string | undefined): number | undefined => v != null && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined

/** cpu, memory and pods only: a quota on ephemeral storage would make every pod without that request forbidden */
function localQuota (kube: KubeClient): { cpu: number, memory: number, pods: number } {
  const a = kube.capacity().allocatable
  return { cpu: a.cpu, memory: a.memory, pods: a.pods }
}

/** The lease-like ID of the local cluster's own namespace (agent/kube makes it skein-local). */
export const LOCAL_TENANT = 'local'

/**
 * Workloads placed on the local cluster go into a fenced namespace of their
 * own, made like a tenant's (quota = allocatable) before the first apply.
 */
function localTenant (base: WorkloadsBackend, kube: KubeClient, peerId: string): WorkloadsBackend {
  const localNs = tenantNamespace(LOCAL_TENANT)
  let ensured: Promise<unknown> | undefined
  return {
    ...base,
    async apply (ns, manifests, meta, options) {
      if (ns === localNs) {
        ensured ??= kube.ensureTenant({ leaseId: LOCAL_TENANT, ownerPeer: peerId, quota: localQuota(kube) }, options)
          .catch((err: unknown) => { ensured = undefined; throw err })
        await ensured
      }
      await base.apply(ns, manifests, meta, options)
    }
  }
}

export function wireDelegation (config: DelegationConfig, w: DelegationWiring): Delegation {
  const kube = w.kube
  const fleet = w.discovery?.fleet
  const labelsOf = (p: string): Record<string, string> => w.discovery?.discovery?.peer(p)?.announcement.labels ?? {}
  const asLease = (l: { id: string, consumer: string, provider: string, quota: Resources, expires: number, state: string }): LeaseInfo =>
    ({ id: l.id, consumer: l.consumer, provider: l.provider, quota: l.quota, expires: l.expires, state: l.state })
  if (kube == null) w.logger.forComponent('skein:delegation').warn('no Kubernetes client: delegated workloads cannot run here')
  const base: WorkloadsBackend = kube != null
    ? localTenant(kubeWorkloads(kube), kube, w.peerId)
    : {
        apply: async () => { throw new Error('no Kubernetes client configured') },
        delete: async () => {},
        watch: () => () => {}
      }
  const peering = w.peering
  // the waterfall (peering.reoffer): what our cluster cannot take goes on under a lease we hold
  const wf = peering?.reoffers === true
    ? waterfall({ self: w.peerId, hopLimit: peering.hopLimit })({
      local: base,
      store: w.store,
      logger: w.logger.forComponent('skein:waterfall'),
      free: () => { const c = kube?.capacity(); return c?.synced === true ? fromKube(c.free) : zero() },
      ownBacking: (id) => { const l = peering.list({ role: 'provider' }).find((x) => x.id === id); return l?.backing?.own },
      canPassOn: (path) => peering.held().some((l) => !path.includes(l.provider))
    })
    : undefined
  const delegation = new Delegation({
    peerId: w.peerId,
    privateKey: w.privateKey,
    store: w.store,
    clock: w.clock,
    logger: w.logger.forComponent('skein:delegation'),
    ...(w.metrics != null ? { metrics: w.metrics } : {}),
    // standalone (no fleet key): any authenticated peer holding a lease with us may delegate
    membership: { isMember: (p) => fleet == null || fleet.mode === 'standalone' || fleet.isMember(p) },
    leases: {
      held: () => w.peering?.held().map(asLease) ?? [],
      get: (id) => { const l = w.peering?.get(id); return l != null ? asLease(l) : undefined },
      // with re-offers, what our own workloads may use of a held lease excludes what is lent on
      ...(wf != null ? { remainingQuota: (id: string) => peering?.heldLeft(id) } : {})
    },
    links: { get: (p) => w.discovery?.links?.get(p) },
    peers: {
      get: (p) => {
        const labels = labelsOf(p)
        const cost = num(labels.cost)
        const carbon = num(labels.carbon)
        return { labels, ...(cost != null ? { cost } : {}), ...(carbon != null ? { carbon } : {}) }
      }
    },
    ...(config.localCandidate && kube != null
      ? {
          local: {
            free: () => { const c = kube.capacity(); return c.synced ? fromKube(c.free) : zero() },
            capacity: () => fromKube(kube.capacity().allocatable),
            labels: () => labelsOf(w.peerId)
          }
        }
      : {}),
    workloads: wf ?? base,
    network: libp2pNetwork(w.node),
    ...(kube != null ? { checkManifests: (ns: string, docs: readonly unknown[]) => { kube.checkWorkload(ns, docs) } } : {}),
    ...(kube != null && w.kubeConfig != null ? { logs: kubeLogs(kube, w.kubeConfig) } : {})
  }, {
    ...delegationInitFrom(config),
    // one hop limit for the agent: peering.hopLimit bounds delegations' paths as it bounds requests and offers
    ...(peering != null ? { hopLimit: peering.hopLimit } : {}),
    localNamespace: tenantNamespace(LOCAL_TENANT),
    tenantNamespace: (consumer, leaseId) => leaseId !== '' ? tenantNamespace(leaseId) : tenantNamespaceOf(consumer)
  })
  wf?.attach({
    submit: (s) => delegation.submit(s),
    cancel: (name) => delegation.cancel(name),
    find: (name) => delegation.db.getWorkload(name),
    onChange: (fn) => delegation.onChange(fn)
  })
  // peering counts what our workloads use of each held lease, own and passed on, so a re-offer never lends it twice
  peering?.setHeldUsage((leaseId) => heldUsage(delegation.db.peekWorkloads(), leaseId))
  return delegation
}

/** What the workloads placed under one held lease use: our own, and those passed on for others. */
export function heldUsage (workloads: readonly WorkloadRecord[], leaseId: string): HeldUsage {
  let own = zero()
  let relayed = zero()
  for (const x of workloads) {
    if (x.placement?.leaseId !== leaseId || x.placement.local || isTerminal(x.phase) || x.phase === 'cancelling') continue
    if (x.relay != null) relayed = add(relayed, x.requests)
    else own = add(own, x.requests)
  }
  return { own, relayed }
}
