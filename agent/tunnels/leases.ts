/**
 * Leases drive tunnels: while any lease between this agent and a peer is
 * active or in grace (either direction), that peer is in the desired set;
 * when the last one expires or is released, its tunnel is torn down. The
 * peer's WireGuard key, pod CIDR and addresses come from its announcement,
 * which discovery has verified as signed by the peer's identity (domain
 * 'announce', covering peer ID and WireGuard key), so the key is bound to the
 * libp2p identity. Our own key and pod CIDR are announced the same way.
 *
 * Each agent also announces its 'tunnel-key' binding (binding.ts: its
 * WireGuard key and claimed overlay address, signed by its identity, with an
 * expiry). A peer that announces one gets the key and overlay address it
 * signed, once verified; a binding that does not verify (malformed, naming
 * another peer, for another key than announced, expired, or not signed by the
 * peer) refuses the tunnel — a warning naming the reason and
 * skein_tunnel_binding_refused_total{reason}. Peers that announce no binding
 * (older agents) get the announced key and a derived overlay address (see
 * desired.ts).
 *
 *   const unwire = wireLeaseTunnels(tunnels, { selfPeerId, leases: peering, announcements: discovery.discovery, observedAddrs, clock })
 */
import type { Tunnels } from './index.ts'
import type { TunnelPeerInput } from './desired.ts'
import type { Clock } from '../clock.ts'
import { endpointsFrom, isWgKey } from './net.ts'
import { decodeTunnelKeyBinding, encodeTunnelKeyBinding, verifyTunnelKey, type TunnelKeyBinding } from './binding.ts'

export interface LeaseLike { consumer: string, provider: string, state: string }

export interface LeaseSource {
  list(): LeaseLike[]
  onLeaseChange(cb: (lease: LeaseLike) => void): () => void
}

export interface AnnouncementSource {
  peer(peerId: string): { announcement: { addrs: string[], wgPublicKey?: string, podCidr?: string, wgKeyBinding?: Uint8Array } } | undefined
  onAnnouncement(fn: (rec: { peerId: string }) => void): () => void
  update(fields: { wgPublicKey?: string, podCidr?: string, wgKeyBinding?: Uint8Array }): void
}

/** Why a peer's tunnel key binding was refused; the `reason` label of skein_tunnel_binding_refused_total. */
export const bindingRefusals = ['malformed', 'wrong-peer', 'key-mismatch', 'expired', 'bad-signature'] as const
export type BindingRefusal = typeof bindingRefusals[number]

export type BindingCheck = { ok: true, binding: TunnelKeyBinding } | { ok: false, reason: BindingRefusal, message: string }

/**
 * Verifies announced tunnel key bindings once per distinct binding and keeps
 * the verdict, so `leasedPeers` can stay synchronous: `check` answers from the
 * cache, or undefined while a verification runs (then `onSettled` fires).
 */
export class BindingChecks {
  private readonly cache = new Map<string, { bytes: string, verdict?: BindingCheck }>()
  private readonly now: () => number
  private readonly onSettled: (peerId: string, verdict: BindingCheck) => void

  constructor (init: { now: () => number, onSettled: (peerId: string, verdict: BindingCheck) => void }) {
    this.now = init.now
    this.onSettled = init.onSettled
  }

  check (peerId: string, bytes: Uint8Array, announcedKey: string | undefined): BindingCheck | undefined {
    const hex = Buffer.from(bytes).toString('hex') + '/' + (announcedKey ?? '')
    const hit = this.cache.get(peerId)
    if (hit?.bytes === hex) {
      const v = hit.verdict
      // a verified binding that expired since is refused like any expired one
      if (v?.ok === true && v.binding.expiresAt <= this.now()) {
        const expired: BindingCheck = { ok: false, reason: 'expired', message: `tunnel key binding of ${peerId} expired at ${new Date(v.binding.expiresAt).toISOString()}` }
        hit.verdict = expired
        this.onSettled(peerId, expired)
        return expired
      }
      return v
    }
    const entry: { bytes: string, verdict?: BindingCheck } = { bytes: hex }
    this.cache.set(peerId, entry)
    verifyBinding(peerId, bytes, announcedKey, this.now()).then((verdict) => {
      if (this.cache.get(peerId) !== entry) return
      entry.verdict = verdict
      this.onSettled(peerId, verdict)
    }, () => {})
    return undefined
  }

  forget (peerId: string): void { this.cache.delete(peerId) }
}

/** One binding, announced by `peerId` (whose announcement carried `announcedKey`), checked at `now`. */
export async function verifyBinding (peerId: string, bytes: Uint8Array, announcedKey: string | undefined, now: number): Promise<BindingCheck> {
  let b: TunnelKeyBinding
  try {
    b = decodeTunnelKeyBinding(bytes)
  } catch (err) {
    return { ok: false, reason: 'malformed', message: (err as Error).message }
  }
  if (b.peerId !== peerId) return { ok: false, reason: 'wrong-peer', message: `tunnel key binding announced by ${peerId} names ${b.peerId}` }
  if (announcedKey != null && announcedKey !== '' && announcedKey !== b.wgPublicKey) {
    return { ok: false, reason: 'key-mismatch', message: `tunnel key binding of ${peerId} is for ${b.wgPublicKey.slice(0, 8)}…, the announced key is ${announcedKey.slice(0, 8)}…` }
  }
  if (b.expiresAt <= now) return { ok: false, reason: 'expired', message: `tunnel key binding of ${peerId} expired at ${new Date(b.expiresAt).toISOString()}` }
  try {
    await verifyTunnelKey(b, { now, expectedPeerId: peerId })
  } catch (err) {
    return { ok: false, reason: 'bad-signature', message: (err as Error).message }
  }
  return { ok: true, binding: b }
}

export interface LeaseTunnelsInit {
  selfPeerId: string
  leases: LeaseSource
  announcements?: AnnouncementSource
  /** remote addresses of live libp2p connections to the peer (observed), best first */
  observedAddrs?: (peerId: string) => string[]
  /** the WireGuard port of peers (a fleet-wide convention; announcements do not carry it). Default 51820. */
  listenPort?: number
  /** verdicts on announced tunnel key bindings (wireLeaseTunnels makes its own); without it a peer's binding is ignored (derived overlay address) */
  bindings?: BindingChecks
  /** re-announces our binding before it expires (its TTL is tunnels.bindingTtlMs); without it only on lease changes */
  clock?: Clock
  /** ms between checks of our own binding; default 600000 */
  rebindIntervalMs?: number
}

/** Lease states in which a tunnel stays up. */
export const tunnelLeaseStates: readonly string[] = ['active', 'grace']

/** The desired peers for the current leases, pure: easy to test. */
export function leasedPeers (init: LeaseTunnelsInit): { peers: TunnelPeerInput[], waiting: string[], refused: Array<{ peerId: string, reason: BindingRefusal, message: string }> } {
  const others = new Set<string>()
  for (const l of init.leases.list()) {
    if (!tunnelLeaseStates.includes(l.state)) continue
    const other = l.consumer === init.selfPeerId ? l.provider : l.provider === init.selfPeerId ? l.consumer : undefined
    if (other != null && other !== init.selfPeerId) others.add(other)
  }
  const peers: TunnelPeerInput[] = []
  const waiting: string[] = []
  const refused: Array<{ peerId: string, reason: BindingRefusal, message: string }> = []
  for (const peerId of [...others].sort()) {
    const a = init.announcements?.peer(peerId)?.announcement
    let verified: TunnelKeyBinding | undefined
    if (a?.wgKeyBinding != null && a.wgKeyBinding.byteLength > 0 && init.bindings != null) {
      const v = init.bindings.check(peerId, a.wgKeyBinding, a.wgPublicKey)
      if (v == null) { waiting.push(peerId); continue }
      if (!v.ok) { refused.push({ peerId, reason: v.reason, message: v.message }); continue }
      verified = v.binding
    }
    const publicKey = verified?.wgPublicKey ?? a?.wgPublicKey
    if (a == null || publicKey == null || !isWgKey(publicKey)) { waiting.push(peerId); continue }
    const p: TunnelPeerInput = {
      peerId,
      publicKey,
      endpoints: endpointsFrom([...(init.observedAddrs?.(peerId) ?? []), ...a.addrs], init.listenPort ?? 51820),
      source: 'lease'
    }
    if (verified != null) p.overlayAddress = verified.overlayAddress
    if (a.podCidr != null && a.podCidr !== '') p.podCidr = a.podCidr
    peers.push(p)
  }
  return { peers, waiting, refused }
}

/** Keeps `tunnels`' 'lease' peers equal to the leased peers; returns a function that unwires. */
export function wireLeaseTunnels (tunnels: Tunnels, init: LeaseTunnelsInit): () => void {
  const podCidr = tunnels.view().podCidr
  init.announcements?.update({ wgPublicKey: tunnels.publicKey, ...(podCidr != null ? { podCidr } : {}) })
  let unwired = false
  let last = ''
  let lastBinding = ''
  const announceBinding = async (): Promise<void> => {
    const b = await tunnels.localBinding()
    if (b == null || unwired || b.signature === lastBinding) return
    lastBinding = b.signature
    init.announcements?.update({ wgKeyBinding: encodeTunnelKeyBinding(b) })
  }
  const rebind = (): void => { announceBinding().catch((err: unknown) => { tunnels.noteError('could not sign our tunnel key binding', err) }) }
  const bindings = new BindingChecks({
    now: () => tunnels.now(),
    onSettled: (peerId, v) => {
      if (!v.ok) tunnels.noteBindingRefused(peerId, v.reason, v.message)
      if (!unwired) refresh()
    }
  })
  const withChecks: LeaseTunnelsInit = { ...init, bindings }
  const refresh = (): void => {
    const { peers } = leasedPeers(withChecks)
    const key = JSON.stringify(peers)
    if (key === last) return
    last = key
    tunnels.setPeers('lease', peers)
  }
  refresh()
  rebind()
  const offLeases = init.leases.onLeaseChange(() => { refresh() })
  const offAnn = init.announcements?.onAnnouncement(() => { refresh() })
  // our overlay address may move when the peer set changes: sign it again after each pass if so
  const offPass = tunnels.onReconciled(() => { rebind() })
  const timer = init.clock?.setInterval(() => { rebind(); refresh() }, init.rebindIntervalMs ?? 600_000)
  return () => { unwired = true; offLeases(); offAnn?.(); offPass(); timer?.clear() }
}
