/**
 * The link model: for every directed pair of agents, what the link does now —
 * latency with jitter, loss, bandwidth, up or down — from the scenario's
 * network section and the overlays the schedule switches on and off (loss
 * bursts, flaps, partitions) and crashed agents (isolated: nothing in or out).
 *
 * `planDelivery` turns one chunk of a byte stream into a delivery time:
 * it waits for the link's serialisation (bandwidth), adds latency + jitter,
 * adds one retransmission timeout per lost transmission (doubling, as TCP
 * does: loss on a reliable stream is delay, not a hole), and never lets a
 * chunk overtake the one before it (FIFO).
 *
 *   const m = new LinkModel(scenario.network, groupOf)
 *   m.addOverlay({ id: 1, a: ['drone-0'], b: ['*'], loss: 0.3, cause: 'burst' })
 *   m.link('drone-0', 'ground-0') // { latencyMs: 20, jitterMs: 5, loss: 0.3, bandwidthBps: 1e6, up: true }
 */
import type { LinkSpec, Scenario } from '../scenario.ts'
import type { Overlay } from '../schedule.ts'

/** per directed pair: when the link is free to send again, when the last chunk arrives */
export interface DirState { busyUntil: number, lastDeliverAt: number }

/** TCP's minimum retransmission timeout on Linux */
export const minRtoMs = 200
/** a chunk is retransmitted at most this many times before it goes through anyway */
export const maxRetransmits = 6

export function planDelivery (st: DirState, now: number, bytes: number, p: LinkSpec, rand: () => number): number {
  const txMs = Number.isFinite(p.bandwidthBps) && p.bandwidthBps > 0 ? (bytes * 8 / p.bandwidthBps) * 1000 : 0
  const start = Math.max(now, st.busyUntil)
  st.busyUntil = start + txMs
  let delay = p.latencyMs + (p.jitterMs > 0 ? rand() * p.jitterMs : 0)
  if (p.loss > 0) {
    let rto = Math.max(minRtoMs, 2 * (p.latencyMs + p.jitterMs))
    for (let i = 0; i < maxRetransmits && rand() < p.loss; i++) {
      // a retransmission also occupies the link again
      delay += rto + txMs
      rto *= 2
    }
  }
  const at = Math.max(st.busyUntil + delay, st.lastDeliverAt)
  st.lastDeliverAt = at
  return at
}

const matches = (sels: string[], name: string, group: string | undefined): boolean =>
  sels.some((s) => s === '*' || s === name || s === group)

export class LinkModel {
  private readonly net: Scenario['network']
  private readonly groupOf: (name: string) => string | undefined
  private readonly overlays = new Map<number, Overlay>()
  private readonly isolated = new Set<string>()
  private readonly cache = new Map<string, LinkSpec>()

  constructor (net: Scenario['network'], groupOf: (name: string) => string | undefined) {
    this.net = net
    this.groupOf = groupOf
  }

  /** The link as the scenario's network section defines it, before faults. */
  base (a: string, b: string): LinkSpec {
    const ga = this.groupOf(a)
    const gb = this.groupOf(b)
    let spec: LinkSpec = { ...this.net.default }
    for (const l of this.net.links) {
      const [x, y] = l.between
      if ((matches(x, a, ga) && matches(y, b, gb)) || (matches(x, b, gb) && matches(y, a, ga))) spec = { ...spec, ...l.spec }
    }
    return spec
  }

  /** The link now: base, then overlays (the highest loss wins; any down overlay takes it down), then isolation. */
  link (a: string, b: string): LinkSpec {
    const key = `${a}\u0000${b}`
    const hit = this.cache.get(key)
    if (hit != null) return hit
    const spec = this.base(a, b)
    const ga = this.groupOf(a)
    const gb = this.groupOf(b)
    for (const o of this.overlays.values()) {
      if (!((matches(o.a, a, ga) && matches(o.b, b, gb)) || (matches(o.a, b, gb) && matches(o.b, a, ga)))) continue
      if (o.down === true) spec.up = false
      if (o.loss != null) spec.loss = Math.max(spec.loss, o.loss)
    }
    if (this.isolated.has(a) || this.isolated.has(b)) spec.up = false
    this.cache.set(key, spec)
    return spec
  }

  up (a: string, b: string): boolean { return this.link(a, b).up }

  addOverlay (o: Overlay): void { this.overlays.set(o.id, o); this.cache.clear() }
  removeOverlay (id: number): Overlay | undefined {
    const o = this.overlays.get(id)
    this.overlays.delete(id)
    this.cache.clear()
    return o
  }

  activeOverlays (): Overlay[] { return [...this.overlays.values()] }

  /** a crashed agent: nothing in, nothing out */
  isolate (name: string): void { this.isolated.add(name); this.cache.clear() }
  release (name: string): void { this.isolated.delete(name); this.cache.clear() }
  isIsolated (name: string): boolean { return this.isolated.has(name) }
}
