/**
 * Offers: what this agent is willing to lend now. Free capacity from a
 * capacity source (the Kubernetes backend: allocatable − local use, not
 * counting tenant namespaces) minus a configured reserve, capped by the
 * sharing policy (per-resource percentage or absolute caps, per-peer caps,
 * label allow and deny lists; `share: false` makes an empty offer for a
 * consumer-only agent). The remaining offer (pool − granted) is announced
 * again on a meaningful change, with hysteresis and a rate limit.
 *
 *   const offers = createOffers({ reserve: { cpu: '500m' }, policy: { share: true, caps: { cpu: '50%' } } })({ capacity, clock, logger })
 *   offers.onAnnounce((offer) => discovery.setOffer(offer))
 *   offers.start()
 *   offers.pool()            // the lendable total the ledger checks grants against
 *   offers.offerFor(peerId)  // what that peer may still ask for
 */
import type { Clock } from '../clock.ts'
import type { Logger, ComponentLogger } from '../logger.ts'
import {
  parseResources, parseCpu, parseCount, sub, min as rmin, zero, resourceNames, describeResources,
  validateResources, type Resources, type ResourceName, type ResourceQuantities
} from '../../protocol/peering/index.ts'
import { InvalidQuantityError } from '../../protocol/peering/errors.ts'

/** Where free capacity comes from (agent/kube in production, a fake in tests). */
export interface CapacitySource {
  /** allocatable − local (non-tenant) use, in base units */
  free(): Resources
  /** called when free capacity may have changed; returns an unsubscribe function */
  onChange?(cb: () => void): (() => void) | void
}

export type LabelSelector = Record<string, string>

export interface SharePolicyInput {
  /** false: consumer only, the offer is always empty. Default true. */
  share?: boolean
  /** per resource: "50%" of free after the reserve, or an absolute quantity ("4Gi", "2"). Default: no cap. */
  caps?: Partial<Record<ResourceName, string | number>>
  /** the most any one peer may hold in total; default: no cap */
  perPeerDefault?: ResourceQuantities
  /** per-peer caps by peer id, overriding perPeerDefault */
  perPeer?: Record<string, ResourceQuantities>
  /** when non-empty, only peers whose labels match one of these selectors get an offer */
  allow?: LabelSelector[]
  /** peers whose labels match any of these get nothing */
  deny?: LabelSelector[]
}

export interface OffersInit {
  /** kept back for local work, always; default nothing */
  reserve?: ResourceQuantities
  policy?: SharePolicyInput
  /** a change below this fraction of a resource is not announced; default 0.1 */
  hysteresis?: number
  /** announce at most this often, ms; default 10 000 */
  minIntervalMs?: number
  /** look at the capacity source this often even without a change event, ms; default 15 000 (0: never) */
  pollMs?: number
}

export interface OffersComponents {
  capacity: CapacitySource
  clock: Clock
  logger: Logger
  /** a peer's labels (from its membership certificate or announcement), when known */
  labels?: (peerId: string) => Record<string, string> | undefined
  /** sum of the quotas granted to everyone (active + grace), and to one peer */
  granted?: () => Resources
  grantedTo?: (peerId: string) => Resources
}

export interface OfferView {
  share: boolean
  free: Resources
  reserve: Resources
  pool: Resources
  granted: Resources
  remaining: Resources
}

export type Cap = { kind: 'percent', value: number } | { kind: 'absolute', value: number }

export class Offers {
  private readonly init: OffersInit
  private readonly c: OffersComponents
  private readonly log: ComponentLogger
  readonly reserve: Resources
  readonly share: boolean
  private readonly caps: Partial<Record<ResourceName, Cap>>
  private readonly perPeerDefault?: Resources
  private readonly perPeer = new Map<string, Resources>()
  private readonly allow: LabelSelector[]
  private readonly deny: LabelSelector[]
  private readonly hysteresis: number
  private readonly minIntervalMs: number
  private readonly listeners = new Set<(offer: Resources) => void>()
  private announced?: Resources
  private announcedAt = -Infinity
  private trailing?: { clear(): void }
  private poll?: { clear(): void }
  private unsubscribe?: () => void
  private started = false
  /** how many times the offer was announced (for tests and metrics) */
  announcements = 0

  constructor (init: OffersInit, components: OffersComponents) {
    this.init = init
    this.c = components
    this.log = components.logger.forComponent('skein:offers')
    this.reserve = parseResources(init.reserve ?? {}, 'reserve')
    const p = init.policy ?? {}
    this.share = p.share !== false
    this.caps = {}
    for (const [name, v] of Object.entries(p.caps ?? {}) as Array<[ResourceName, string | number]>) {
      if (!resourceNames.includes(name)) throw new InvalidQuantityError(`caps.${name} is not a resource`)
      this.caps[name] = parseCap(name, v)
    }
    if (p.perPeerDefault != null) this.perPeerDefault = parseResources(p.perPeerDefault, 'perPeerDefault')
    for (const [peer, q] of Object.entries(p.perPeer ?? {})) this.perPeer.set(peer, parseResources(q, `perPeer.${peer}`))
    this.allow = p.allow ?? []
    this.deny = p.deny ?? []
    this.hysteresis = init.hysteresis ?? 0.1
    this.minIntervalMs = init.minIntervalMs ?? 10_000
  }

  /** The lendable total: min(caps, free − reserve); empty when not sharing. */
  pool (): Resources {
    if (!this.share) return zero()
    const afterReserve = sub(validateResources(this.c.capacity.free(), 'free capacity'), this.reserve)
    const out = { ...afterReserve }
    for (const n of resourceNames) {
      const cap = this.caps[n]
      if (cap == null) continue
      out[n] = Math.min(out[n], cap.kind === 'percent' ? Math.floor(afterReserve[n] * cap.value / 100) : cap.value)
    }
    return out
  }

  /** Whether policy lets this peer have anything at all. */
  allowed (peerId: string): boolean {
    if (!this.share) return false
    const labels = this.c.labels?.(peerId)
    if (this.deny.some((s) => matches(s, labels))) return false
    if (this.allow.length > 0 && !this.allow.some((s) => matches(s, labels))) return false
    return true
  }

  /** The most this peer may hold in total, or undefined for no per-peer cap. */
  peerCap (peerId: string): Resources | undefined {
    return this.perPeer.get(peerId) ?? this.perPeerDefault
  }

  /** What is left for everyone: pool − granted. */
  remaining (): Resources {
    return sub(this.pool(), this.c.granted?.() ?? zero())
  }

  /** What this peer may still ask for: remaining, capped by its per-peer cap, empty if policy denies it. */
  offerFor (peerId: string): Resources {
    if (!this.allowed(peerId)) return zero()
    let r = this.remaining()
    const cap = this.peerCap(peerId)
    if (cap != null) r = rmin(r, sub(cap, this.c.grantedTo?.(peerId) ?? zero()))
    return r
  }

  view (): OfferView {
    const free = this.c.capacity.free()
    const pool = this.pool()
    const granted = this.c.granted?.() ?? zero()
    return { share: this.share, free, reserve: this.reserve, pool, granted, remaining: sub(pool, granted) }
  }

  /** The offer as last announced (remaining at that time). */
  current (): Resources {
    return this.announced ?? this.remaining()
  }

  /** Subscribes to announcements; returns an unsubscribe function. */
  onAnnounce (cb: (offer: Resources) => void): () => void {
    this.listeners.add(cb)
    return () => { this.listeners.delete(cb) }
  }

  start (): void {
    if (this.started) return
    this.started = true
    const u = this.c.capacity.onChange?.(() => { this.refresh() })
    if (typeof u === 'function') this.unsubscribe = u
    const pollMs = this.init.pollMs ?? 15_000
    if (pollMs > 0) this.poll = this.c.clock.setInterval(() => { this.refresh() }, pollMs)
    this.refresh()
  }

  stop (): void {
    if (!this.started) return
    this.started = false
    this.unsubscribe?.()
    this.poll?.clear()
    this.trailing?.clear()
    this.trailing = undefined
  }

  /** Looks again; announces when the change is meaningful and the rate limit allows (else once it does). */
  refresh (): void {
    if (!this.started) return
    let next: Resources
    try {
      next = this.remaining()
    } catch (err) {
      this.log.warn({ err }, 'capacity source gave an unusable value; offer unchanged')
      return
    }
    if (this.announced != null && !meaningfulChange(this.announced, next, this.hysteresis)) return
    const now = this.c.clock.monotonic()
    const wait = this.announcedAt + this.minIntervalMs - now
    if (wait <= 0) {
      this.emit(next, now)
    } else if (this.trailing == null) {
      this.trailing = this.c.clock.setTimeout(() => {
        this.trailing = undefined
        this.refresh()
      }, wait)
    }
  }

  private emit (offer: Resources, now: number): void {
    this.announced = offer
    this.announcedAt = now
    this.announcements++
    this.log.debug({ offer: describeResources(offer) }, 'offer changed')
    for (const cb of this.listeners) {
      try { cb(offer) } catch (err) { this.log.error({ err }, 'offer listener failed') }
    }
  }
}

/** A change is meaningful when a resource moves by more than `h` of the larger value, or to or from zero. */
export function meaningfulChange (a: Resources, b: Resources, h: number): boolean {
  return resourceNames.some((n) => {
    const x = a[n]
    const y = b[n]
    if (x === y) return false
    if (x === 0 || y === 0) return true
    return Math.abs(x - y) > h * Math.max(x, y)
  })
}

function matches (selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  if (labels == null) return false
  return Object.entries(selector).every(([k, v]) => labels[k] === v)
}

export function parseCap (name: ResourceName, v: string | number): Cap {
  if (typeof v === 'string' && v.trim().endsWith('%')) {
    const p = Number(v.trim().slice(0, -1))
    if (!Number.isFinite(p) || p < 0 || p > 100) throw new InvalidQuantityError(`caps.${name}: ${v} is not a percentage 0-100%`)
    return { kind: 'percent', value: p }
  }
  const value = name === 'cpu' ? parseCpu(v) : parseCount(v)
  if (value < 0) throw new InvalidQuantityError(`caps.${name} is negative`)
  return { kind: 'absolute', value }
}

export function createOffers (init: OffersInit = {}): (components: OffersComponents) => Offers {
  return (components) => new Offers(init, components)
}
