/**
 * Automatic peering by policy: hold leases on the `count` best peers whose
 * labels match `selector` (best: alive, lowest RTT, then the largest known
 * offer), each with `quota`; extend their terms before they end; replace a
 * lost one. The lease ids it manages are kept in the store (kv namespace
 * `peering-auto`) so a restart picks them up again.
 *
 *   const auto = new AutoPeering({ count: 3, selector: { region: 'eu' }, quota, durationMs: 3_600_000 }, { peering, candidates, store, clock, logger })
 *   auto.start()
 */
import { randomUUID } from 'node:crypto'
import type { Store } from '../store/index.ts'
import type { Clock } from '../clock.ts'
import type { Logger, ComponentLogger } from '../logger.ts'
import { isHolding, type Resources } from '../../protocol/peering/index.ts'
import type { Peering } from './index.ts'

export interface Candidate {
  peerId: string
  labels: Record<string, string>
  /** smoothed RTT, ms, when measured */
  rttMs: number | null
  /** false when the failure detector says the peer is suspect or unreachable */
  alive: boolean
  /** cpu millicores it last offered, when known */
  offerCpu?: number
}

export interface AutoPeeringInit {
  /** how many providers to hold leases on; 0 turns auto-peering off */
  count: number
  /** only peers whose labels include all of these */
  selector?: Record<string, string>
  quota: Resources
  /** lease term, ms */
  durationMs: number
  /** how often to look, ms; default 15 000 */
  intervalMs?: number
  /** a peer that refused or failed is left alone this long, ms; default 4 × intervalMs */
  cooldownMs?: number
}

export interface AutoPeeringComponents {
  peering: Peering
  candidates: () => Candidate[]
  store: Store
  clock: Clock
  logger: Logger
}

const ns = 'peering-auto'

export class AutoPeering {
  private readonly init: Required<AutoPeeringInit>
  private readonly c: AutoPeeringComponents
  private readonly log: ComponentLogger
  private readonly cooldown = new Map<string, number>()
  private timer?: { clear(): void }
  private running?: Promise<void>
  private started = false
  private halted = false

  constructor (init: AutoPeeringInit, components: AutoPeeringComponents) {
    const intervalMs = init.intervalMs ?? 15_000
    this.init = { selector: {}, intervalMs, cooldownMs: init.cooldownMs ?? 4 * intervalMs, ...init } as Required<AutoPeeringInit>
    this.c = components
    this.log = components.logger.forComponent('skein:peering:auto')
  }

  /** Lease ids auto-peering manages that still hold quota. */
  managed (): string[] {
    return this.c.store.list<{ provider: string }>(ns).map((e) => e.key)
      .filter((id) => { const l = this.c.peering.get(id); return l != null && l.role === 'consumer' && (isHolding(l.state) || l.state === 'requested') })
  }

  start (): void {
    if (this.started || this.init.count <= 0) return
    this.started = true
    this.halted = false
    this.timer = this.c.clock.setInterval(() => { this.kick() }, this.init.intervalMs)
    this.kick()
  }

  async stop (): Promise<void> {
    this.halted = true
    this.started = false
    this.timer?.clear()
    await this.running
  }

  /** Runs one pass unless one is running. */
  kick (): void {
    if (this.halted || this.running != null) return
    this.running = this.tick().catch((err: Error) => { this.log.error({ err }, 'auto-peering pass failed') }).finally(() => { this.running = undefined })
  }

  /** One pass: forget ended leases, extend ending terms, fill up to `count`. */
  async tick (): Promise<void> {
    const now = this.c.clock.now()
    for (const e of this.c.store.list(ns)) {
      const l = this.c.peering.get(e.key)
      if (l == null || !(isHolding(l.state) || l.state === 'requested')) {
        this.c.store.delete(ns, e.key)
        if (l != null) this.log.info({ leaseId: l.id, provider: l.provider, state: l.state }, 'auto lease lost; replacing it')
      }
    }
    const held = this.managed().map((id) => this.c.peering.get(id)).filter((l) => l != null)
    for (const l of held) {
      if (!isHolding(l.state) || l.expires - now > this.init.durationMs / 4) continue
      try {
        await this.c.peering.extend(l.id, this.init.durationMs)
      } catch (err) {
        this.log.info({ leaseId: l.id, err: (err as Error).message }, 'could not extend an auto lease')
      }
    }
    let missing = this.init.count - held.length
    if (missing <= 0) return
    const taken = new Set(held.map((l) => l.provider))
    const sel = Object.entries(this.init.selector)
    const ranked = this.c.candidates()
      .filter((c) => c.peerId !== this.c.peering.peerId && c.alive && !taken.has(c.peerId))
      .filter((c) => sel.every(([k, v]) => c.labels[k] === v))
      .filter((c) => (this.cooldown.get(c.peerId) ?? 0) <= now)
      .sort((a, b) => (a.rttMs ?? Infinity) - (b.rttMs ?? Infinity) || (b.offerCpu ?? 0) - (a.offerCpu ?? 0) || a.peerId.localeCompare(b.peerId))
    for (const c of ranked) {
      if (missing <= 0 || this.halted) break
      // remembered before asking, so a grant that lands during a crash is still ours after the restart
      const leaseId = randomUUID()
      this.c.store.put(ns, leaseId, { provider: c.peerId })
      try {
        const lease = await this.c.peering.request(c.peerId, this.init.quota, { durationMs: this.init.durationMs, leaseId })
        missing--
        this.log.info({ leaseId: lease.id, provider: c.peerId }, 'auto lease granted')
      } catch (err) {
        this.cooldown.set(c.peerId, now + this.init.cooldownMs)
        this.log.debug({ provider: c.peerId, err: (err as Error).message }, 'auto lease refused')
      }
    }
  }
}
