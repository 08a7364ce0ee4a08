/**
 * From what the agent knows about its tunnel peers to the desired state of its
 * WireGuard interface: overlay addresses without collisions, AllowedIPs, and
 * endpoints. Pure: no I/O, the same answer on every call.
 *
 * Overlay addresses: a claimed address (from a peer's signed binding, or a
 * static peer's config) stands; when two claims collide the smaller peer ID
 * keeps the address and the other is refused until it re-derives (it does so
 * itself, by the same rule, when it sees the winner's binding). Unclaimed
 * agents, this one included, take the first free candidate of
 * `overlayProbe(range, peerId, i)`, in peer ID order.
 *
 * Pod CIDRs are never remapped: a peer whose pod CIDR overlaps ours, the
 * overlay range or an accepted peer's (smaller peer ID first) is refused with
 * the reason, because rewriting pod addresses would break every service that
 * advertises them.
 */
import { cidrContains, cidrsOverlap, deriveOverlayAddress, formatIpv4, parseCidr, parseIpv4, isWgKey, type Cidr } from './net.ts'

export interface TunnelPeerInput {
  peerId: string
  /** base64 WireGuard public key */
  publicKey: string
  /** the overlay address the peer claims (signed binding or static config); derived when absent */
  overlayAddress?: string
  /** the pod CIDR of the peer's cluster, routed through the tunnel */
  podCidr?: string
  /** candidate endpoints, host:port, best first (see endpointsFrom) */
  endpoints: string[]
  /** where the peer came from: 'static' (config), or a lease, for the operator */
  source?: string
}

export interface DesiredPeer {
  peerId: string
  publicKey: string
  overlayAddress: string
  podCidr?: string
  endpoint?: string
  allowedIps: string[]
  /** seconds; 0 = off */
  keepaliveS: number
  source?: string
}

export interface DesiredState {
  interface: string
  /** path of a file holding the base64 private key (0600) */
  privateKeyFile: string
  publicKey: string
  listenPort: number
  /** this agent's overlay address */
  address: string
  peers: DesiredPeer[]
}

export interface Refusal { peerId: string, reason: string }

export interface BuildDesiredInit {
  self: { peerId: string, publicKey: string, podCidr?: string, overlayAddress?: string }
  overlayCidr: string
  peers: readonly TunnelPeerInput[]
  keepaliveS: number
  interface: string
  listenPort: number
  privateKeyFile: string
}

export function buildDesired (init: BuildDesiredInit): { desired: DesiredState, refused: Refusal[] } {
  const range = parseCidr(init.overlayCidr)
  const refused: Refusal[] = []
  const selfId = init.self.peerId
  const byId = new Map<string, TunnelPeerInput>()
  const keys = new Map<string, string>()
  for (const p of [...init.peers].sort((a, b) => cmp(a.peerId, b.peerId))) {
    const why = p.peerId === selfId
      ? 'is this agent'
      : byId.has(p.peerId)
        ? 'appears twice in the desired set'
        : !isWgKey(p.publicKey)
            ? 'has a WireGuard public key that is not 32 bytes of base64'
            : p.publicKey === init.self.publicKey
              ? 'uses this agent\'s own WireGuard public key'
              : keys.has(p.publicKey) ? `uses the same WireGuard public key as ${keys.get(p.publicKey) ?? '?'}` : undefined
    if (why != null) { refused.push({ peerId: p.peerId, reason: `peer ${why}` }); continue }
    byId.set(p.peerId, p)
    keys.set(p.publicKey, p.peerId)
  }

  // 1. claims, smaller peer ID first
  const taken = new Map<number, string>()
  const address = new Map<string, number>()
  const claims: Array<{ peerId: string, text: string }> = []
  if (init.self.overlayAddress != null) claims.push({ peerId: selfId, text: init.self.overlayAddress })
  for (const p of byId.values()) if (p.overlayAddress != null) claims.push({ peerId: p.peerId, text: p.overlayAddress })
  const unclaimed: string[] = []
  for (const c of claims.sort((a, b) => cmp(a.peerId, b.peerId))) {
    let ip: number | undefined
    let why: string | undefined
    try { ip = parseIpv4(c.text) } catch { why = `overlay address "${c.text}" is not an IPv4 address` }
    if (ip != null && !cidrContains(range, ip)) why = `overlay address ${c.text} is outside the fleet range ${range.text}`
    else if (ip != null && taken.has(ip)) why = `overlay address ${c.text} collides with ${taken.get(ip) ?? '?'}, which keeps it (smaller peer ID); the peer must re-derive`
    if (why == null && ip != null) { taken.set(ip, c.peerId); address.set(c.peerId, ip); continue }
    if (c.peerId === selfId) { unclaimed.push(selfId); continue }
    refused.push({ peerId: c.peerId, reason: why ?? 'bad overlay address' })
    byId.delete(c.peerId)
  }
  // 2. everyone without a claim, in peer ID order
  if (init.self.overlayAddress == null) unclaimed.push(selfId)
  for (const p of byId.values()) if (p.overlayAddress == null) unclaimed.push(p.peerId)
  for (const id of unclaimed.sort(cmp)) {
    const ip = deriveOverlayAddress(range, id, new Set(taken.keys()))
    taken.set(ip, id)
    address.set(id, ip)
  }

  // 3. pod CIDRs: refused, never remapped
  const routed: Array<{ cidr: Cidr, owner: string }> = [{ cidr: range, owner: `the overlay range ${range.text}` }]
  if (init.self.podCidr != null && init.self.podCidr !== '') routed.push({ cidr: parseCidr(init.self.podCidr), owner: `this cluster's pod CIDR ${init.self.podCidr}` })
  const peers: DesiredPeer[] = []
  for (const p of byId.values()) {
    let pod: Cidr | undefined
    if (p.podCidr != null && p.podCidr !== '') {
      try {
        pod = parseCidr(p.podCidr)
      } catch (err) {
        refused.push({ peerId: p.peerId, reason: `pod CIDR ${p.podCidr}: ${(err as Error).message}` })
        continue
      }
      const clash = routed.find((r) => cidrsOverlap(r.cidr, pod as Cidr))
      if (clash != null) {
        refused.push({ peerId: p.peerId, reason: `pod CIDR ${pod.text} overlaps ${clash.owner}; give the clusters disjoint pod CIDRs (Skein does not remap pod addresses)` })
        continue
      }
      routed.push({ cidr: pod, owner: `the pod CIDR ${pod.text} of ${p.peerId}` })
    }
    const overlay = formatIpv4(address.get(p.peerId) as number)
    const peer: DesiredPeer = {
      peerId: p.peerId,
      publicKey: p.publicKey,
      overlayAddress: overlay,
      allowedIps: [`${overlay}/32`, ...(pod != null ? [pod.text] : [])],
      keepaliveS: init.keepaliveS
    }
    if (pod != null) peer.podCidr = pod.text
    if (p.endpoints[0] != null) peer.endpoint = p.endpoints[0]
    if (p.source != null) peer.source = p.source
    peers.push(peer)
  }
  return {
    desired: {
      interface: init.interface,
      privateKeyFile: init.privateKeyFile,
      publicKey: init.self.publicKey,
      listenPort: init.listenPort,
      address: formatIpv4(address.get(selfId) as number),
      peers
    },
    refused
  }
}

function cmp (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
