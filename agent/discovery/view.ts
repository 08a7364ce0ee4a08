/** One peer as the operator sees it: discovery's record, the link's telemetry and the fleet's verdict together. */
import { peerIdFromString } from '@libp2p/peer-id'
import type { PeerView } from '../api/routes/peers.ts'
import type { Discovery } from './index.ts'
import type { Links } from '../links/index.ts'
import type { Fleet } from '../fleet/index.ts'
import type { SkeinNode } from '../node/index.ts'

export interface ViewSources { discovery: Discovery, links: Links, fleet: Fleet, node: SkeinNode }

const iso = (ms: number | null | undefined): string | null => ms == null || !Number.isFinite(ms) ? null : new Date(ms).toISOString()

export function peerView (s: ViewSources, peerId: string): PeerView | undefined {
  const rec = s.discovery.peer(peerId)
  const link = s.links.get(peerId)
  if (rec == null && link == null) return undefined
  const cert = s.fleet.memberCertificate(peerId)
  let connected = false
  try { connected = s.node.getConnections(peerIdFromString(peerId)).length > 0 } catch {}
  const a = rec?.announcement
  return {
    peerId,
    state: link?.state ?? 'alive',
    stateSince: iso(link?.stateSince),
    rttMs: link?.rttMs ?? null,
    rttVarMs: link?.rttVarMs ?? null,
    loss: link?.loss ?? null,
    etx: link?.etx ?? null,
    bandwidthBps: link?.bandwidthBps ?? null,
    phi: link?.phi ?? 0,
    lastSeen: iso(link?.lastSeen),
    pings: link?.pings ?? 0,
    pingFailures: link?.pingFailures ?? 0,
    monitored: link?.monitored ?? false,
    member: s.fleet.enabled ? cert != null : true,
    roles: cert?.roles ?? [],
    certificateExpires: iso(cert?.expiresMs),
    connected,
    labels: a?.labels ?? cert?.labels ?? {},
    addrs: a?.addrs ?? [],
    seq: a?.seq ?? null,
    announcedAt: iso(a?.issuedMs),
    announcementExpires: iso(a?.expiresMs),
    offer: a?.offer ?? null,
    wgPublicKey: a?.wgPublicKey != null && a.wgPublicKey !== '' ? a.wgPublicKey : null,
    podCidr: a?.podCidr != null && a.podCidr !== '' ? a.podCidr : null,
    version: a?.version != null && a.version !== '' ? a.version : null,
    tunnel: link?.tunnel != null
      ? { ...link.tunnel, latestHandshake: iso(link.tunnel.latestHandshake), observedAt: iso(link.tunnel.observedAt) ?? new Date(0).toISOString() }
      : null
  }
}

export function peerViews (s: ViewSources): PeerView[] {
  const ids = new Set<string>([...s.discovery.peers().map((p) => p.peerId), ...s.links.list().map((l) => l.peerId)])
  return [...ids].sort().flatMap((id) => { const v = peerView(s, id); return v == null ? [] : [v] })
}
