/**
 * The durable store: one SQLite database in the state directory, in WAL mode
 * with synchronous=FULL, so that a write this process has returned from has
 * reached the disk and survives `kill -9` and power loss. The connection holds
 * SQLite's exclusive lock for its whole life: a second agent on the same state
 * directory cannot open it, and is told which process holds it.
 *
 *   const store = openStore({ stateDir })
 *   store.migrate('leases', [ 'CREATE TABLE leases (...)' ])
 *   store.put('meta', 'k', { any: 'json' })
 *   store.transaction(() => { ... })
 *   store.close()
 */
import { DatabaseSync, type StatementSync, type SQLInputValue } from 'node:sqlite'
import { readFileSync, rmSync, writeFileSync, fsyncSync, openSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { StateDirLockedError, StoreError } from '../errors.ts'

export const storeFile = 'skein.db'
export const pidFile = 'agent.pid'

export interface StoreInit {
  stateDir: string
  /** path of the database; default <stateDir>/skein.db */
  path?: string
}

export interface JournalEntry {
  seq: number
  kind: string
  key: string
  data: unknown
  at: number
}

export type Migration = string | ((db: DatabaseSync) => void)

export class Store {
  readonly path: string
  readonly stateDir: string
  readonly db: DatabaseSync
  private closed = false
  private readonly stmts = new Map<string, StatementSync>()
  private txDepth = 0

  constructor (init: StoreInit) {
    this.stateDir = init.stateDir
    this.path = init.path ?? join(init.stateDir, storeFile)
    try {
      this.db = new DatabaseSync(this.path, { timeout: 0 })
    } catch (err) {
      throw new StoreError(`cannot open the store ${this.path}: ${(err as Error).message}`)
    }
    try {
      this.db.exec('PRAGMA locking_mode = EXCLUSIVE')
      this.db.exec('PRAGMA journal_mode = WAL')
      this.db.exec('PRAGMA synchronous = FULL')
      this.db.exec('PRAGMA foreign_keys = ON')
      // the first write takes the exclusive lock and keeps it until close
      this.db.exec('BEGIN IMMEDIATE')
      this.db.exec('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)')
      this.db.exec('COMMIT')
    } catch (err) {
      const busy = /locked|busy/i.test((err as Error).message)
      try { this.db.close() } catch {}
      if (busy) {
        const pid = readPid(this.stateDir)
        throw new StateDirLockedError(
          `state directory ${this.stateDir} is in use by another agent${pid != null ? ` (pid ${pid})` : ''}`,
          pid,
          { hint: pid != null ? `stop that agent first (kill ${pid}), or use another --state-dir` : 'stop the other agent, or use another --state-dir' })
      }
      throw new StoreError(`cannot open the store ${this.path}: ${(err as Error).message}`)
    }
    this.migrate('store', [
      `CREATE TABLE kv (ns TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY (ns, key)) WITHOUT ROWID`,
      `CREATE TABLE journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL, at INTEGER NOT NULL)`,
      `CREATE INDEX journal_kind_key ON journal (kind, key)`
    ])
    writePid(this.stateDir)
  }

  /** Applies the migrations of one component that have not run yet, in order, each in a transaction. */
  migrate (component: string, migrations: Migration[]): void {
    this.assertOpen()
    const row = this.db.prepare('SELECT version FROM schema_versions WHERE component = ?').get(component) as { version: number } | undefined
    const current = row?.version ?? 0
    if (current > migrations.length) {
      throw new StoreError(`the store's ${component} schema is version ${current}, newer than this build knows (${migrations.length})`,
        { hint: 'run a newer skein, or restore the state directory from before the upgrade' })
    }
    for (let v = current; v < migrations.length; v++) {
      const m = migrations[v] as Migration
      this.transaction(() => {
        if (typeof m === 'string') this.db.exec(m)
        else m(this.db)
        this.db.prepare('INSERT INTO schema_versions (component, version) VALUES (?, ?) ON CONFLICT (component) DO UPDATE SET version = excluded.version').run(component, v + 1)
      })
    }
  }

  /** Runs fn in one transaction; nested calls join the outer one. Committed (and fsynced) when this returns. */
  transaction<T> (fn: () => T): T {
    this.assertOpen()
    if (this.txDepth > 0) {
      this.txDepth++
      try { return fn() } finally { this.txDepth-- }
    }
    this.db.exec('BEGIN IMMEDIATE')
    this.txDepth = 1
    try {
      const out = fn()
      if (out instanceof Promise) throw new StoreError('a store transaction must be synchronous')
      this.db.exec('COMMIT')
      return out
    } catch (err) {
      try { this.db.exec('ROLLBACK') } catch {}
      throw err
    } finally {
      this.txDepth = 0
    }
  }

  /**
   * Runs fn in one transaction committed without waiting for the disk: the
   * write survives this process being killed (it is in the WAL), but not a
   * power loss. For detail that is observed again after a restart (ready
   * replicas, pod IPs, the last error), never for what was acknowledged.
   * Inside another transaction it joins that one, durably.
   */
  relaxed<T> (fn: () => T): T {
    this.assertOpen()
    if (this.txDepth > 0) return this.transaction(fn)
    this.db.exec('PRAGMA synchronous = NORMAL')
    try {
      return this.transaction(fn)
    } finally {
      this.db.exec('PRAGMA synchronous = FULL')
    }
  }

  /** A cached prepared statement. */
  statement (sql: string): StatementSync {
    this.assertOpen()
    let s = this.stmts.get(sql)
    if (s == null) {
      s = this.db.prepare(sql)
      this.stmts.set(sql, s)
    }
    return s
  }

  run (sql: string, ...params: SQLInputValue[]): { changes: number | bigint, lastInsertRowid: number | bigint } {
    return this.statement(sql).run(...params)
  }

  all<T = Record<string, unknown>> (sql: string, ...params: SQLInputValue[]): T[] {
    return this.statement(sql).all(...params) as T[]
  }

  get<T = Record<string, unknown>> (sql: string, ...params: SQLInputValue[]): T | undefined {
    return this.statement(sql).get(...params) as T | undefined
  }

  put (ns: string, key: string, value: unknown): void {
    this.run('INSERT INTO kv (ns, key, value, updated) VALUES (?, ?, ?, ?) ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, updated = excluded.updated',
      ns, key, JSON.stringify(value), Date.now())
  }

  getValue<T = unknown> (ns: string, key: string): T | undefined {
    const row = this.get<{ value: string }>('SELECT value FROM kv WHERE ns = ? AND key = ?', ns, key)
    return row == null ? undefined : JSON.parse(row.value) as T
  }

  list<T = unknown> (ns: string): Array<{ key: string, value: T }> {
    return this.all<{ key: string, value: string }>('SELECT key, value FROM kv WHERE ns = ? ORDER BY key', ns)
      .map((r) => ({ key: r.key, value: JSON.parse(r.value) as T }))
  }

  delete (ns: string, key: string): boolean {
    return Number(this.run('DELETE FROM kv WHERE ns = ? AND key = ?', ns, key).changes) > 0
  }

  /** Appends to the journal; returns the entry's sequence number. */
  append (kind: string, key: string, data: unknown): number {
    return Number(this.run('INSERT INTO journal (kind, key, data, at) VALUES (?, ?, ?, ?)', kind, key, JSON.stringify(data), Date.now()).lastInsertRowid)
  }

  journal (opts: { kind?: string, key?: string, after?: number, limit?: number } = {}): JournalEntry[] {
    const rows = this.all<{ seq: number, kind: string, key: string, data: string, at: number }>(
      'SELECT seq, kind, key, data, at FROM journal WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR key = ?2) AND seq > ?3 ORDER BY seq LIMIT ?4',
      opts.kind ?? null, opts.key ?? null, opts.after ?? 0, opts.limit ?? -1)
    return rows.map((r) => ({ seq: r.seq, kind: r.kind, key: r.key, data: JSON.parse(r.data) as unknown, at: r.at }))
  }

  get isOpen (): boolean {
    return !this.closed
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.stmts.clear()
    try {
      this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
    } catch {}
    this.db.close()
    try { rmSync(join(this.stateDir, pidFile), { force: true }) } catch {}
  }

  private assertOpen (): void {
    if (this.closed) throw new StoreError('the store is closed')
  }
}

export function openStore (init: StoreInit): Store {
  return new Store(init)
}

function readPid (stateDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(stateDir, pidFile), 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

function writePid (stateDir: string): void {
  const path = join(stateDir, pidFile)
  writeFileSync(path, `${process.pid}\n`, { mode: 0o644 })
  const fd = openSync(path, 'r')
  try { fsyncSync(fd) } finally { closeSync(fd) }
}
