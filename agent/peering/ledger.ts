/**
 * The durable lease ledger: every lease this agent holds as provider or as
 * consumer, in the store's `leases` table, with each state transition
 * journaled (kind 'lease') in the same transaction. The in-memory map is a
 * cache of the table, reloaded on start.
 */
import type { Store } from '../store/index.ts'
import { add, isHolding, sum, zero, type Lease, type LeaseEvent, type LeaseRole, type LeaseState, type Resources } from '../../protocol/peering/index.ts'

export const migrations = [
  `CREATE TABLE leases (
     id TEXT NOT NULL,
     role TEXT NOT NULL CHECK (role IN ('provider', 'consumer')),
     consumer TEXT NOT NULL,
     provider TEXT NOT NULL,
     quota TEXT NOT NULL,
     created INTEGER NOT NULL,
     expires INTEGER NOT NULL,
     renew_by INTEGER NOT NULL,
     grace_ms INTEGER NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('requested', 'active', 'grace', 'expired', 'released')),
     path TEXT NOT NULL,
     reason TEXT,
     ask TEXT,
     updated INTEGER NOT NULL,
     PRIMARY KEY (id, role)
   ) WITHOUT ROWID`,
  'CREATE INDEX leases_state ON leases (state)',
  // what a provider lease is backed by: our own capacity and/or leases we hold (the waterfall); NULL: all our own
  'ALTER TABLE leases ADD COLUMN backing TEXT'
]

/**
 * What backs a lease this agent granted: a part of its own pool, and parts
 * of leases it holds as consumer on others (re-offered capacity). own + the
 * takes always equal the lease's quota.
 */
export interface LeaseBacking {
  own: Resources
  via: Array<{ leaseId: string, take: Resources }>
}

export interface StoredLease extends Lease {
  /** what the consumer asked for (differs from quota after a counter-offer) */
  ask?: Resources
  /** provider leases granted out of re-offered capacity: what backs the quota (absent: our own capacity only) */
  backing?: LeaseBacking
}

interface Row {
  id: string, role: string, consumer: string, provider: string, quota: string, created: number, expires: number,
  renew_by: number, grace_ms: number, state: string, path: string, reason: string | null, ask: string | null, backing?: string | null
}

function fromRow (r: Row): StoredLease {
  const lease: StoredLease = {
    id: r.id,
    role: r.role as LeaseRole,
    consumer: r.consumer,
    provider: r.provider,
    quota: JSON.parse(r.quota) as Resources,
    created: r.created,
    expires: r.expires,
    renewBy: r.renew_by,
    graceMs: r.grace_ms,
    state: r.state as LeaseState,
    path: JSON.parse(r.path) as string[]
  }
  if (r.reason != null) lease.reason = r.reason
  if (r.ask != null) lease.ask = JSON.parse(r.ask) as Resources
  if (r.backing != null) lease.backing = JSON.parse(r.backing) as LeaseBacking
  return lease
}

export class LeaseLedger {
  private readonly store: Store
  private readonly leases = new Map<string, StoredLease>()
  /** called after every committed insert or update */
  onChange?: (lease: StoredLease) => void

  constructor (store: Store) {
    this.store = store
    store.migrate('peering', migrations)
  }

  /** Reloads the cache from the table. */
  load (): StoredLease[] {
    this.leases.clear()
    for (const r of this.store.all<Row>('SELECT * FROM leases')) {
      const l = fromRow(r)
      this.leases.set(key(l.role, l.id), l)
    }
    return [...this.leases.values()]
  }

  get (role: LeaseRole, id: string): StoredLease | undefined {
    return this.leases.get(key(role, id))
  }

  /** Both roles' leases with this id (an agent could be both ends only in odd tests). */
  byId (id: string): StoredLease[] {
    return (['provider', 'consumer'] as const).map((r) => this.get(r, id)).filter((l): l is StoredLease => l != null)
  }

  all (): StoredLease[] {
    return [...this.leases.values()]
  }

  /** Sum of the quotas of holding (active, grace) provider leases, optionally for one consumer. */
  granted (consumer?: string): Resources {
    const out: Resources[] = []
    for (const l of this.leases.values()) {
      if (l.role === 'provider' && isHolding(l.state) && (consumer == null || l.consumer === consumer)) out.push(l.quota)
    }
    return sum(out)
  }

  /** The part of the holding provider leases' quotas that our own capacity backs (a lease without backing: all of it). */
  ownGranted (): Resources {
    const out: Resources[] = []
    for (const l of this.leases.values()) {
      if (l.role === 'provider' && isHolding(l.state)) out.push(l.backing?.own ?? l.quota)
    }
    return sum(out)
  }

  /** How much of a lease we hold as consumer is re-granted to others, by that lease's id. */
  reoffered (): Map<string, Resources> {
    const out = new Map<string, Resources>()
    for (const l of this.leases.values()) {
      if (l.role !== 'provider' || !isHolding(l.state) || l.backing == null) continue
      for (const v of l.backing.via) out.set(v.leaseId, add(out.get(v.leaseId) ?? zero(), v.take))
    }
    return out
  }

  /** Inserts a new lease and journals its creation, in one transaction. Throws on a duplicate (id, role). */
  insert (lease: StoredLease, event: LeaseEvent | 'create' = 'create'): void {
    this.store.transaction(() => {
      this.store.run(`INSERT INTO leases (id, role, consumer, provider, quota, created, expires, renew_by, grace_ms, state, path, reason, ask, updated, backing)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      lease.id, lease.role, lease.consumer, lease.provider, JSON.stringify(lease.quota), lease.created, lease.expires,
      lease.renewBy, lease.graceMs, lease.state, JSON.stringify(lease.path), lease.reason ?? null,
      lease.ask != null ? JSON.stringify(lease.ask) : null, Date.now(), lease.backing != null ? JSON.stringify(lease.backing) : null)
      this.store.append('lease', lease.id, { role: lease.role, event, to: lease.state, quota: lease.quota, consumer: lease.consumer, provider: lease.provider, ...(lease.backing != null ? { backing: lease.backing } : {}) })
    })
    this.leases.set(key(lease.role, lease.id), lease)
    this.onChange?.(lease)
  }

  /**
   * Changes the cached lease only: for a heartbeat that moves renewBy and
   * nothing else. Heartbeats are soft state (a restart gives every lease a
   * fresh renewal window), so they cost no fsync.
   */
  touch (lease: StoredLease): void {
    this.leases.set(key(lease.role, lease.id), lease)
  }

  /**
   * Writes the lease's current fields; journals the transition when `from`
   * differs from its state (a renewal that stays active is not journaled).
   */
  update (lease: StoredLease, from: LeaseState, event: LeaseEvent): void {
    this.store.transaction(() => {
      this.store.run(`UPDATE leases SET quota = ?, created = ?, expires = ?, renew_by = ?, grace_ms = ?, state = ?, reason = ?, updated = ?
        WHERE id = ? AND role = ?`,
      JSON.stringify(lease.quota), lease.created, lease.expires, lease.renewBy, lease.graceMs, lease.state, lease.reason ?? null, Date.now(),
      lease.id, lease.role)
      if (from !== lease.state || event === 'grant') {
        this.store.append('lease', lease.id, { role: lease.role, event, from, to: lease.state, ...(lease.reason != null ? { reason: lease.reason } : {}) })
      }
    })
    this.leases.set(key(lease.role, lease.id), lease)
    this.onChange?.(lease)
  }
}

function key (role: LeaseRole, id: string): string {
  return `${role}:${id}`
}
