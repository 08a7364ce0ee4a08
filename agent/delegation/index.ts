/**
 * Delegating workloads: the consumer side (submissions, placement by the
 * scheduler, a durable outbox, status, failover with fencing) and the
 * provider side (idempotent Delegate/Cancel/Resync handlers, apply through
 * the workloads backend, status streams, lease reclaim) over
 * /skein/delegate/1.0.0 and /skein/delegate-status/1.0.0; pod logs over
 * /skein/logs/1.0.0 (logs.ts); `--spread N` copies (spread.ts).
 *
 *   const d = delegation({ failoverAfterMs: 30_000 })({ peerId, privateKey, store, clock, logger, leases, workloads, network })
 *   await d.start()
 *   const w = d.submit({ manifests: yaml, constraints: { maxRttMs: 200 }, onDisconnect: 'failover' })
 *   d.get(w.name).phase // 'placing' → 'delegated' → 'running'
 *   for await (const l of d.logs(w.name, { follow: true })) console.log(l.line)
 */
import { createHash } from 'node:crypto'
import { DELEGATE_PROTOCOL, STATUS_PROTOCOL } from '../../protocol/delegation/constants.ts'
import { Consumer, type Submission } from './consumer.ts'
import { Provider } from './provider.ts'
import { DelegationStore, type WorkloadRecord, type HostedRecord } from './records.ts'
import type { DelegationComponents } from './types.ts'
import { LOGS_PROTOCOL, serveLogs, workloadLogs, type LogLine, type LogsOptions } from './logs.ts'
import { familyOf, liveCopies } from './spread.ts'
import { InvalidTransitionError } from '../../protocol/delegation/errors.ts'

export type { DelegationComponents, LeaseInfo, LeaseSource, WorkloadsBackend, BackendStatus, WorkloadMeta, Network, LocalCluster } from './types.ts'
export type { WorkloadRecord, HostedRecord, OutboxRow, ReportedStatus, Placement, FencedPlacement } from './records.ts'
export type { Submission } from './consumer.ts'
export { libp2pNetwork } from './network.ts'
export { backoffMs } from './records.ts'
export { aggregate, MAX_SPREAD, type Aggregate } from './spread.ts'
export { LOGS_PROTOCOL, kubeLogs, LogsNotReadyError, type LogLine, type LogsOptions, type LogsSource } from './logs.ts'

export interface DelegationInit {
  /** default on-disconnect of a submission; default 'keep' */
  onDisconnect?: 'keep' | 'failover'
  /** default failover-after of a submission, ms; default 30 000 */
  failoverAfterMs?: number
  /** first outbox retry delay, ms; doubles per attempt with jitter; default 500 */
  retryBaseMs?: number
  /** largest outbox retry delay, ms; default 30 000 */
  retryMaxMs?: number
  /** housekeeping period (outbox, failover, re-placement), ms; default 1000 */
  tickMs?: number
  /** a status stream silent this long counts as broken, ms; default 15 000 */
  statusIdleMs?: number
  /** provider keepalive on idle status streams, ms; default 5000 */
  keepaliveMs?: number
  /** first delay before reopening a broken status stream, ms; default 500 */
  reconnectBaseMs?: number
  /** provider: how long a workload may fail before it is given back, ms; default 60 000 */
  giveUpAfterMs?: number
  /** provider: lease expiry check period, ms; default 5000 */
  reclaimCheckMs?: number
  /** provider: fences kept per consumer for workloads never held here (Cancels that came first); the oldest go beyond this; default 1024 */
  maxTombstones?: number
  /** namespace of workloads the local cluster runs for us; default 'skein-local' */
  localNamespace?: string
  /** outbox messages in flight at once; default 16 */
  concurrency?: number
  hopLimit?: number
  /** tenant namespace of a consumer's lease; default skein-tenant-<first 12 hex of sha256(peer ID)> (agent/system.ts passes agent/kube's per-lease namespace) */
  tenantNamespace?: (consumer: string, leaseId: string) => string
  /** test hook: runs on the provider between the durable write and the Ack */
  afterProviderWrite?: (h: HostedRecord) => Promise<void> | void
  random?: () => number
}

export function tenantNamespaceOf (consumer: string): string {
  return `skein-tenant-${createHash('sha256').update(consumer).digest('hex').slice(0, 12)}`
}

export class Delegation {
  readonly consumer: Consumer
  readonly provider: Provider
  readonly db: DelegationStore
  private readonly c: DelegationComponents
  private readonly init: DelegationInit
  private started = false

  constructor (c: DelegationComponents, init: DelegationInit = {}) {
    this.c = c
    this.init = init
    this.db = new DelegationStore(c.store)
    this.consumer = new Consumer(c, this.db, {
      retryBaseMs: init.retryBaseMs ?? 500,
      retryMaxMs: init.retryMaxMs ?? 30_000,
      tickMs: init.tickMs ?? 1000,
      statusIdleMs: init.statusIdleMs ?? 15_000,
      reconnectBaseMs: init.reconnectBaseMs ?? 500,
      localNamespace: init.localNamespace ?? 'skein-local',
      concurrency: init.concurrency ?? 16,
      ...(init.hopLimit != null ? { hopLimit: init.hopLimit } : {}),
      ...(init.random != null ? { random: init.random } : {})
    })
    this.provider = new Provider(c, this.db, {
      giveUpAfterMs: init.giveUpAfterMs ?? 60_000,
      reclaimCheckMs: init.reclaimCheckMs ?? 5000,
      maxTombstones: init.maxTombstones ?? 1024,
      keepaliveMs: init.keepaliveMs ?? 5000,
      tenantNamespace: init.tenantNamespace ?? tenantNamespaceOf,
      ...(init.afterProviderWrite != null ? { afterWrite: init.afterProviderWrite } : {})
    })
  }

  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    const log = this.c.logger
    await this.c.network.handle(DELEGATE_PROTOCOL, (stream, remotePeer) => {
      this.provider.onRequestStream(stream, remotePeer).catch((err: unknown) => { log.debug({ err, peer: remotePeer }, 'delegate stream failed') })
    })
    await this.c.network.handle(STATUS_PROTOCOL, (stream, remotePeer) => {
      this.provider.onStatusStream(stream, remotePeer).catch((err: unknown) => { log.debug({ err, peer: remotePeer }, 'status stream ended') })
    })
    await this.c.network.handle(LOGS_PROTOCOL, (stream, remotePeer) => {
      serveLogs(stream, remotePeer, { db: this.db, logger: log, ...(this.c.logs != null ? { logs: this.c.logs } : {}), ...(this.c.membership != null ? { membership: this.c.membership } : {}) })
        .catch((err: unknown) => { log.debug({ err, peer: remotePeer }, 'logs stream failed') })
    })
    this.provider.start()
    this.consumer.start()
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    await Promise.allSettled([this.c.network.unhandle(DELEGATE_PROTOCOL), this.c.network.unhandle(STATUS_PROTOCOL), this.c.network.unhandle(LOGS_PROTOCOL)])
    await this.consumer.stop()
    await this.provider.stop()
  }

  submit (s: Submission): WorkloadRecord {
    return this.consumer.submit({
      ...s,
      onDisconnect: s.onDisconnect ?? this.init.onDisconnect ?? 'keep',
      failoverAfterMs: s.failoverAfterMs ?? this.init.failoverAfterMs ?? 30_000
    })
  }

  /** The operator's workloads (copies 2…N of a spread workload are listed with copy 1: see family()). */
  list (): WorkloadRecord[] { return this.consumer.list().filter((w) => w.copyOf == null) }
  get (name: string): WorkloadRecord { return this.consumer.get(name) }
  /** Cancels a workload and, when it is spread, every copy of it. */
  cancel (name: string): WorkloadRecord {
    const copyOf = this.consumer.get(name).copyOf
    if (copyOf != null) throw new InvalidTransitionError(`${name} is copy ${copyOf.index} of ${copyOf.name}: its copies are cancelled together`, { hint: `skein cancel ${copyOf.name}` })
    const w = this.consumer.cancel(name)
    if (w.copyOf == null) for (const c of liveCopies(this.db.peekWorkloads(), name)) this.consumer.cancel(c.name)
    return this.consumer.get(name)
  }

  /** A workload and its copies (just itself unless it was submitted with --spread above 1), copy 1 first. */
  family (name: string): WorkloadRecord[] {
    const w = this.consumer.get(name)
    if (w.copyOf != null || w.spread <= 1) return [w]
    return familyOf(this.db.peekWorkloads(), name).map((x) => structuredClone(x))
  }

  /** The pod logs of a workload, from its provider over /skein/logs/1.0.0 (or the local cluster). */
  logs (name: string, options: LogsOptions = {}): AsyncGenerator<LogLine> {
    return workloadLogs({ workload: this.get(name), network: this.c.network, localNamespace: this.init.localNamespace ?? 'skein-local', ...(this.c.logs != null ? { logs: this.c.logs } : {}) }, options)
  }
  hosted (): HostedRecord[] { return this.db.hosted() }

  /** Calls fn after every stored change of a workload; returns a function that stops it. */
  onChange (fn: (w: WorkloadRecord) => void): () => void {
    this.consumer.listeners.add(fn)
    return () => { this.consumer.listeners.delete(fn) }
  }
}

export function delegation (init: DelegationInit = {}): (components: DelegationComponents) => Delegation {
  return (components) => new Delegation(components, init)
}
