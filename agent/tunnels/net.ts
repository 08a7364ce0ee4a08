/**
 * IPv4 arithmetic for the overlay: CIDR parsing, overlap checks, the
 * deterministic overlay address of a peer, the interface name of an agent,
 * and WireGuard endpoints from multiaddrs.
 *
 *   const range = parseCidr('100.96.0.0/16')
 *   overlayProbe(range, peerId, 0) // '100.96.x.y', the same on every agent
 */
import { createHash } from 'node:crypto'
import { OverlayAddressError, TunnelKeyError } from './errors.ts'

export interface Cidr {
  /** network address as an unsigned 32-bit integer */
  base: number
  prefix: number
  /** canonical text, e.g. 10.42.0.0/16 */
  text: string
}

export function parseIpv4 (text: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text)
  if (m == null) throw new OverlayAddressError(`"${text}" is not an IPv4 address`)
  const parts = m.slice(1).map(Number)
  if (parts.some((p) => p > 255)) throw new OverlayAddressError(`"${text}" is not an IPv4 address`)
  return parts.reduce((acc, p) => acc * 256 + p, 0)
}

export function formatIpv4 (n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

function maskOf (prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
}

/** Parses a.b.c.d/n (or a bare address as /32); refuses host bits set. */
export function parseCidr (text: string): Cidr {
  const [addr, len, extra] = text.trim().split('/')
  if (addr == null || extra != null) throw new OverlayAddressError(`"${text}" is not an IPv4 CIDR`)
  const prefix = len == null ? 32 : Number(len)
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32 || (len != null && !/^\d{1,2}$/.test(len))) {
    throw new OverlayAddressError(`"${text}" is not an IPv4 CIDR (prefix length 0-32)`)
  }
  const ip = parseIpv4(addr)
  const base = (ip & maskOf(prefix)) >>> 0
  if (base !== ip) throw new OverlayAddressError(`"${text}" has host bits set; did you mean ${formatIpv4(base)}/${prefix}?`)
  return { base, prefix, text: `${formatIpv4(base)}/${prefix}` }
}

export function cidrSize (c: Cidr): number {
  return 2 ** (32 - c.prefix)
}

export function cidrContains (c: Cidr, ip: number): boolean {
  return ((ip & maskOf(c.prefix)) >>> 0) === c.base
}

export function cidrsOverlap (a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix)
  const m = maskOf(p)
  return ((a.base & m) >>> 0) === ((b.base & m) >>> 0)
}

/**
 * The i-th candidate overlay address of a peer in a range: a hash of the peer
 * ID and i, skipping the network and broadcast addresses of ranges wider than /31.
 * Every agent computes the same sequence, so they agree without talking.
 */
export function overlayProbe (range: Cidr, peerId: string, i: number): number {
  const size = cidrSize(range)
  const usable = size > 2 ? size - 2 : size
  const h = createHash('sha256').update(`skein-overlay\0${peerId}\0${i}`).digest()
  const n = h.readUInt32BE(0) % usable
  return (range.base + (size > 2 ? 1 : 0) + n) >>> 0
}

/** First candidate for `peerId` that is not in `taken`; a full range is an OverlayAddressError. */
export function deriveOverlayAddress (range: Cidr, peerId: string, taken: ReadonlySet<number>): number {
  const size = cidrSize(range)
  const usable = size > 2 ? size - 2 : size
  if (taken.size >= usable) throw new OverlayAddressError(`overlay range ${range.text} has no free address left`)
  // hashing a few times finds a free slot quickly while the range is sparse
  for (let i = 0; i < 64; i++) {
    const ip = overlayProbe(range, peerId, i)
    if (!taken.has(ip)) return ip
  }
  // dense range: walk from the first candidate, which is still deterministic
  const first = overlayProbe(range, peerId, 0) - range.base
  for (let k = 1; k <= size; k++) {
    const ip = (range.base + ((first + k) % size)) >>> 0
    if (size > 2 && (ip === range.base || ip === range.base + size - 1)) continue
    if (!taken.has(ip)) return ip
  }
  throw new OverlayAddressError(`overlay range ${range.text} has no free address left`)
}

/**
 * The WireGuard interface name of an agent: `skw` + 6 hex characters of a hash
 * of its peer ID. wireguard-go keeps its control sockets in /var/run/wireguard,
 * shared by every network namespace, so two agents on one host must not share a name.
 */
export function interfaceNameFor (peerId: string): string {
  return `skw${createHash('sha256').update(peerId).digest('hex').slice(0, 6)}`
}

export const interfaceNamePattern = '^[a-zA-Z0-9_=+.-]{1,15}$'

/**
 * WireGuard endpoints (host:port) from multiaddrs: the host part of each
 * /ip4 or /ip6 address, with the peer's WireGuard port. Loopback and
 * link-local addresses go last; duplicates are dropped.
 */
export function endpointsFrom (addrs: readonly string[], port: number): string[] {
  const out: Array<{ ep: string, rank: number }> = []
  for (const a of addrs) {
    let m = /^\/ip4\/(\d{1,3}(?:\.\d{1,3}){3})(?:\/|$)/.exec(a)
    if (m != null) {
      const host = m[1] as string
      const rank = host.startsWith('127.') || host.startsWith('169.254.') ? 2 : host === '0.0.0.0' ? 3 : 0
      if (rank < 3) out.push({ ep: `${host}:${port}`, rank })
      continue
    }
    m = /^\/ip6\/([0-9a-fA-F:.]+)(?:\/|$)/.exec(a)
    if (m != null) {
      const host = (m[1] as string).toLowerCase()
      if (host === '::') continue
      out.push({ ep: `[${host}]:${port}`, rank: host === '::1' || host.startsWith('fe80') ? 2 : 1 })
      continue
    }
    if (/^(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):\d{1,5}$/.test(a)) out.push({ ep: a, rank: 0 })
  }
  const seen = new Set<string>()
  return out.sort((x, y) => x.rank - y.rank).map((x) => x.ep).filter((ep) => !seen.has(ep) && (seen.add(ep), true))
}

/** Decodes a WireGuard base64 key; anything but 32 bytes is a TunnelKeyError. */
export function decodeWgKey (text: string, what = 'WireGuard key'): Buffer {
  const t = text.trim()
  const raw = /^[A-Za-z0-9+/]{43}=$/.test(t) ? Buffer.from(t, 'base64') : undefined
  if (raw?.length !== 32) throw new TunnelKeyError(`${what} "${t.slice(0, 8)}…" is not 32 bytes of base64`)
  return raw
}

export function isWgKey (text: string): boolean {
  try { decodeWgKey(text); return true } catch { return false }
}
