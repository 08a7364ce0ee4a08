/**
 * What one agent measures about its link to another: RTT smoothed like TCP's
 * SRTT/RTTVAR (RFC 6298: α = 1/8, β = 1/4), loss over a window of recent
 * pings, ETX, and a bandwidth estimate from probes.
 *
 * Loss is measured on round trips (a ping needs both directions), so the
 * forward and reverse loss cannot be told apart: ETX = 1/((1-lf)(1-lr)) is
 * computed with (1-lf)(1-lr) = 1 - round-trip loss. While UDP beacons are
 * sent to the peer (agent/links/beacon.ts), loss is taken over those: one datagram
 * each way, independent samples of the path, where a ping over TCP is held
 * up by retransmissions of whatever was lost before it.
 */
export class LinkTelemetry {
  srttMs?: number
  rttVarMs?: number
  lastRttMs?: number
  /** bits per second, smoothed; undefined until a probe ran */
  bandwidthBps?: number
  bandwidthAt?: number
  pings = 0
  pingFailures = 0
  private readonly window: boolean[] = []
  private readonly datagrams: boolean[] = []
  private readonly windowSize: number

  constructor (windowSize = 20) {
    this.windowSize = windowSize
  }

  rtt (ms: number): void {
    this.lastRttMs = ms
    if (this.srttMs == null || this.rttVarMs == null) {
      this.srttMs = ms
      this.rttVarMs = ms / 2
    } else {
      this.rttVarMs = 0.75 * this.rttVarMs + 0.25 * Math.abs(this.srttMs - ms)
      this.srttMs = 0.875 * this.srttMs + 0.125 * ms
    }
    this.outcome(true)
  }

  failure (): void {
    this.pingFailures++
    this.outcome(false)
  }

  /** beacons stopped (the link is clean again): loss is measured on pings again */
  clearDatagrams (): void {
    this.datagrams.length = 0
  }

  /** a whole window of beacons sent and none answered */
  get datagramsAllLost (): boolean {
    return this.datagrams.length >= this.windowSize && this.datagrams.every((ok) => !ok)
  }

  /** a beacon answered (true) or not (false) */
  datagram (ok: boolean): void {
    this.datagrams.push(ok)
    if (this.datagrams.length > this.windowSize) this.datagrams.shift()
  }

  /** bytes that took `ms` to cross (probe transfer time minus one RTT) */
  bandwidth (bytes: number, ms: number, now: number): void {
    const bps = bytes * 8 / Math.max(ms, 0.1) * 1000
    this.bandwidthBps = this.bandwidthBps == null ? bps : 0.75 * this.bandwidthBps + 0.25 * bps
    this.bandwidthAt = now
  }

  /** fraction of the last beacons (or, before any, pings) that failed, 0..1; undefined before any */
  get loss (): number | undefined {
    const w = this.datagrams.length > 0 ? this.datagrams : this.window
    if (w.length === 0) return undefined
    return w.filter((ok) => !ok).length / w.length
  }

  /** expected transmissions per delivered packet; undefined before any ping or when nothing gets through */
  get etx (): number | undefined {
    const loss = this.loss
    if (loss == null || loss >= 1) return undefined
    return 1 / (1 - loss)
  }

  private outcome (ok: boolean): void {
    this.pings++
    this.window.push(ok)
    if (this.window.length > this.windowSize) this.window.shift()
  }
}
