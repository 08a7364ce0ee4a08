/**
 * The `tunnels` config section: its semantic checks (run by finishConfig) and
 * the mapping to TunnelsInit (used by agent/system.ts). The schema itself is
 * in agent/config/schema.ts.
 */
import { ConfigError } from '../errors.ts'
import { parseDuration } from '../config/duration.ts'
import { cidrsOverlap, isWgKey, parseCidr } from './net.ts'
import type { BackendChoice } from './backend.ts'
import type { StaticTunnelPeer, TunnelsInit } from './index.ts'

export interface TunnelsConfig {
  enabled: boolean
  backend: BackendChoice
  interface?: string
  listenPort: number
  overlayCidr: string
  podCidr?: string
  keepalive: string
  reconcileInterval: string
  keepOnStop: boolean
  peers: StaticTunnelPeer[]
}

export function checkTunnelsConfig (t: TunnelsConfig): void {
  let overlay
  try { overlay = parseCidr(t.overlayCidr) } catch (err) { throw new ConfigError('tunnels.overlayCidr', (err as Error).message, { hint: 'write it like 100.96.0.0/16' }) }
  if (overlay.prefix > 30) throw new ConfigError('tunnels.overlayCidr', `${overlay.text} is too small for a fleet; use /30 or wider (e.g. 100.96.0.0/16)`)
  if (t.podCidr != null) {
    let pod
    try { pod = parseCidr(t.podCidr) } catch (err) { throw new ConfigError('tunnels.podCidr', (err as Error).message, { hint: 'write it like 10.42.0.0/16 (k3s\'s --cluster-cidr)' }) }
    if (cidrsOverlap(pod, overlay)) throw new ConfigError('tunnels.podCidr', `${pod.text} overlaps tunnels.overlayCidr ${overlay.text}`)
  }
  const ka = parseDuration(t.keepalive)
  if (ka == null || ka > 65535_000) throw new ConfigError('tunnels.keepalive', `"${t.keepalive}" is not a duration of 0-65535 s`)
  const ri = parseDuration(t.reconcileInterval)
  if (ri == null || ri < 100) throw new ConfigError('tunnels.reconcileInterval', `"${t.reconcileInterval}" must be a duration of at least 100ms`)
  t.peers.forEach((p, i) => {
    if (!isWgKey(p.publicKey)) throw new ConfigError(`tunnels.peers[${i}].publicKey`, 'is not a WireGuard public key (32 bytes of base64)')
    if (p.podCidr != null) {
      try { parseCidr(p.podCidr) } catch (err) { throw new ConfigError(`tunnels.peers[${i}].podCidr`, (err as Error).message) }
    }
  })
}

export function tunnelsInitFrom (t: TunnelsConfig): TunnelsInit {
  const init: TunnelsInit = {
    backend: t.backend,
    listenPort: t.listenPort,
    overlayCidr: t.overlayCidr,
    keepaliveS: Math.round((parseDuration(t.keepalive) ?? 25_000) / 1000),
    reconcileIntervalMs: parseDuration(t.reconcileInterval) ?? 10_000,
    keepOnStop: t.keepOnStop,
    staticPeers: t.peers
  }
  if (t.interface != null) init.interface = t.interface
  if (t.podCidr != null) init.podCidr = t.podCidr
  return init
}
