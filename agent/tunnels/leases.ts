/**
 * Leases drive tunnels: while any lease between this agent and a peer is
 * active or in grace (either direction), that peer is in the desired set;
 * when the last one expires or is released, its tunnel is torn down. The
 * peer's WireGuard key, pod CIDR and addresses come from its announcement,
 * which discovery has verified as signed by the peer's identity (domain
 * 'announce', covering peer ID and WireGuard key), so the key is bound to the
 * libp2p identity. Our own key and pod CIDR are announced the same way.
 *
 * Overlay addresses of leased peers are derived from their peer IDs (see
 * desired.ts). TODO(issue 6): carry the 'tunnel-key' binding (agent/tunnels/
 * binding.ts, with the claimed overlay address) in the announcement, then use
 * `tunnels.peerFromBinding` here.
 *
 *   const unwire = wireLeaseTunnels(tunnels, { selfPeerId, leases: peering, announcements: discovery.discovery, observedAddrs })
 */
import type { Tunnels } from './index.ts'
import type { TunnelPeerInput } from './desired.ts'
import { endpointsFrom, isWgKey } from './net.ts'

export interface LeaseLike { consumer: string, provider: string, state: string }

export interface LeaseSource {
  list(): LeaseLike[]
  onLeaseChange(cb: (lease: LeaseLike) => void): () => void
}

export interface AnnouncementSource {
  peer(peerId: string): { announcement: { addrs: string[], wgPublicKey?: string, podCidr?: string } } | undefined
  onAnnouncement(fn: (rec: { peerId: string }) => void): () => void
  update(fields: { wgPublicKey?: string, podCidr?: string }): void
}

export interface LeaseTunnelsInit {
  selfPeerId: string
  leases: LeaseSource
  announcements?: AnnouncementSource
  /** remote addresses of live libp2p connections to the peer (observed), best first */
  observedAddrs?: (peerId: string) => string[]
  /** the WireGuard port of peers (a fleet-wide convention; announcements do not carry it). Default 51820. */
  listenPort?: number
}

/** Lease states in which a tunnel stays up. */
export const tunnelLeaseStates: readonly string[] = ['active', 'grace']

/** The desired peers for the current leases, pure: easy to test. */
export function leasedPeers (init: LeaseTunnelsInit): { peers: TunnelPeerInput[], waiting: string[] } {
  const others = new Set<string>()
  for (const l of init.leases.list()) {
    if (!tunnelLeaseStates.includes(l.state)) continue
    const other = l.consumer === init.selfPeerId ? l.provider : l.provider === init.selfPeerId ? l.consumer : undefined
    if (other != null && other !== init.selfPeerId) others.add(other)
  }
  const peers: TunnelPeerInput[] = []
  const waiting: string[] = []
  for (const peerId of [...others].sort()) {
    const a = init.announcements?.peer(peerId)?.announcement
    if (a?.wgPublicKey == null || !isWgKey(a.wgPublicKey)) { waiting.push(peerId); continue }
    const p: TunnelPeerInput = {
      peerId,
      publicKey: a.wgPublicKey,
      endpoints: endpointsFrom([...(init.observedAddrs?.(peerId) ?? []), ...a.addrs], init.listenPort ?? 51820),
      source: 'lease'
    }
    if (a.podCidr != null && a.podCidr !== '') p.podCidr = a.podCidr
    peers.push(p)
  }
  return { peers, waiting }
}

/** Keeps `tunnels`' 'lease' peers equal to the leased peers; returns a function that unwires. */
export function wireLeaseTunnels (tunnels: Tunnels, init: LeaseTunnelsInit): () => void {
  const podCidr = tunnels.view().podCidr
  init.announcements?.update({ wgPublicKey: tunnels.publicKey, ...(podCidr != null ? { podCidr } : {}) })
  let last = ''
  const refresh = (): void => {
    const { peers } = leasedPeers(init)
    const key = JSON.stringify(peers)
    if (key === last) return
    last = key
    tunnels.setPeers('lease', peers)
  }
  refresh()
  const offLeases = init.leases.onLeaseChange(() => { refresh() })
  const offAnn = init.announcements?.onAnnouncement(() => { refresh() })
  return () => { offLeases(); offAnn?.() }
}
