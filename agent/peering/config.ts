/**
 * The `peering` configuration section: schema (imported by agent/config/schema.ts),
 * semantic checks, and the translation to PeeringInit.
 */
import Type, { type Static } from 'typebox'
import { durationPattern, parseDuration } from '../config/duration.ts'
import { ConfigError } from '../errors.ts'
import { parseResources, resourceNames, MAX_HOP_LIMIT, isZero, type ResourceQuantities, type ResourceName } from '../../protocol/peering/index.ts'
import { parseCap } from '../offers/index.ts'
import type { PeeringInit } from './index.ts'
import type { AutoPeeringInit } from './auto.ts'

const Quantity = Type.Union([Type.String({ minLength: 1 }), Type.Number({ minimum: 0 })])
const Quantities = (description: string, withDefault = false) => Type.Object({
  cpu: Type.Optional(Quantity),
  memory: Type.Optional(Quantity),
  pods: Type.Optional(Quantity),
  gpu: Type.Optional(Quantity),
  ephemeralStorage: Type.Optional(Quantity)
}, { additionalProperties: false, description, ...(withDefault ? { default: {} } : {}) })
const Duration = (description: string, def: string) => Type.String({ pattern: durationPattern, description, default: def })
const Selector = Type.Record(Type.String(), Type.String())

export const PeeringConfigSchema = Type.Object({
  leaseDuration: Duration('Lease term when a request names none. Default: 24h.', '24h'),
  renewInterval: Duration('How often a consumer renews each lease (the heartbeat); a provider puts a lease in grace when a renewal is this late. Default: 30s.', '30s'),
  grace: Duration('How long a lease survives missed renewals before it expires and its tenant namespace is removed. Default: 2m.', '2m'),
  hopLimit: Type.Integer({ minimum: 1, maximum: MAX_HOP_LIMIT, default: 4, description: `Longest path a request or transitive offer may have (agents on it), 1-${MAX_HOP_LIMIT}. Default: 4.` }),
  minGrant: Quantities('Smallest grant per resource (Kubernetes quantities, e.g. {cpu: 250m, memory: 256Mi}); a counter-offer below it is a reject. Default: {} (no minimum).', true),
  reserve: Quantities('Kept back for local work, never offered (e.g. {cpu: 500m, memory: 512Mi, pods: 10}). Default: {}.', true),
  share: Type.Boolean({ default: true, description: 'Offer capacity to peers at all; false makes a consumer-only agent (its offer is empty). Default: true.' }),
  reoffer: Type.Boolean({ default: false, description: 'The waterfall: also offer peers the free part of the quota this agent holds on others (its own use subtracted), with the path extended, under split horizon and hopLimit; a workload that does not fit the local cluster is delegated on under those leases. Needs share: true. Default: false.' }),
  caps: Type.Object(Object.fromEntries(resourceNames.map((n) => [n, Type.Optional(Quantity)])), { additionalProperties: false, default: {}, description: 'Per-resource cap on the offer: a percentage of free capacity after the reserve ("50%") or an absolute quantity ("4Gi"). Default: {} (no cap).' }),
  perPeerDefault: Type.Optional(Quantities('The most any one peer may hold. Default: no per-peer cap.')),
  perPeer: Type.Record(Type.String(), Quantities('per-peer cap'), { default: {}, description: 'Per-peer caps by peer ID, overriding perPeerDefault. Default: {}.' }),
  allow: Type.Array(Selector, { default: [], description: 'When non-empty, only peers whose labels match one of these selectors (e.g. [{region: eu}]) get an offer. Default: [].' }),
  deny: Type.Array(Selector, { default: [], description: 'Peers whose labels match any of these selectors get nothing. Default: [].' }),
  hysteresis: Type.Number({ minimum: 0, maximum: 1, default: 0.1, description: 'A change of the offer smaller than this fraction of a resource is not announced. Default: 0.1.' }),
  announceInterval: Duration('The offer is announced at most this often. Default: 10s.', '10s'),
  streamTimeout: Duration('Deadline of one peering request/response exchange. Default: 10s.', '10s'),
  auto: Type.Object({
    count: Type.Integer({ minimum: 0, maximum: 64, default: 0, description: 'Hold leases on this many providers, replacing a lost one; 0 turns automatic peering off. Default: 0.' }),
    selector: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Only peers whose labels include all of these, e.g. {region: eu}. Default: {} (any member).' }),
    quota: Quantities('The quota asked of each, e.g. {cpu: 1, memory: 2Gi, pods: 10}. Default: {} (then nothing is asked).', true),
    duration: Duration('Term of each automatic lease; extended when a quarter of it is left. Default: 1h.', '1h'),
    interval: Duration('How often automatic peering looks at its leases. Default: 15s.', '15s')
  }, { additionalProperties: false, default: {}, description: 'Automatic peering by policy: hold leases on the best peers (alive, lowest RTT, largest offer) matching a selector.' })
}, { additionalProperties: false, description: 'Resource offers and one-way peering (leases).' })

export type PeeringConfig = Static<typeof PeeringConfigSchema>

function ms (key: string, v: string): number {
  const d = parseDuration(v)
  if (d == null) throw new ConfigError(`peering.${key}`, `"${v}" is not a duration`)
  return d
}

function quantities (key: string, q: ResourceQuantities | undefined) {
  try {
    return parseResources(q ?? {}, `peering.${key}`)
  } catch (err) {
    throw new ConfigError(`peering.${key}`, (err as Error).message)
  }
}

/** Semantic checks beyond the schema: quantities parse, durations are sane. */
export function checkPeeringConfig (c: PeeringConfig): void {
  peeringInitFrom(c)
}

export function peeringInitFrom (c: PeeringConfig): PeeringInit {
  const renewIntervalMs = ms('renewInterval', c.renewInterval)
  if (renewIntervalMs < 100) throw new ConfigError('peering.renewInterval', 'must be at least 100ms')
  const init: PeeringInit = {
    leaseDurationMs: ms('leaseDuration', c.leaseDuration),
    renewIntervalMs,
    graceMs: ms('grace', c.grace),
    hopLimit: c.hopLimit,
    reoffer: c.reoffer,
    minGrant: quantities('minGrant', c.minGrant),
    streamTimeoutMs: ms('streamTimeout', c.streamTimeout),
    offers: {
      reserve: c.reserve,
      policy: {
        share: c.share,
        caps: c.caps as Record<string, string | number>,
        ...(c.perPeerDefault != null ? { perPeerDefault: c.perPeerDefault } : {}),
        perPeer: c.perPeer,
        allow: c.allow,
        deny: c.deny
      },
      hysteresis: c.hysteresis,
      minIntervalMs: ms('announceInterval', c.announceInterval)
    }
  }
  quantities('reserve', c.reserve)
  for (const [peer, q] of Object.entries(c.perPeer)) quantities(`perPeer.${peer}`, q)
  if (c.perPeerDefault != null) quantities('perPeerDefault', c.perPeerDefault)
  for (const [name, v] of Object.entries(c.caps)) {
    if (v == null) continue
    try { parseCap(name as ResourceName, v) } catch (err) { throw new ConfigError(`peering.caps.${name}`, (err as Error).message) }
  }
  if (c.reoffer && !c.share) throw new ConfigError('peering.reoffer', 'a consumer-only agent (share: false) re-offers nothing', { hint: 'set share: true, or reoffer: false' })
  if (c.auto.count > 0) {
    ms('auto.duration', c.auto.duration)
    ms('auto.interval', c.auto.interval)
    if (isZero(quantities('auto.quota', c.auto.quota))) throw new ConfigError('peering.auto.quota', 'ask for something when peering.auto.count > 0', { hint: 'e.g. quota: {cpu: 1, memory: 2Gi, pods: 10}' })
  }
  return init
}

/** The auto-peering settings, or undefined when it is off. */
export function autoInitFrom (c: PeeringConfig): AutoPeeringInit | undefined {
  if (c.auto.count <= 0) return undefined
  return {
    count: c.auto.count,
    selector: c.auto.selector,
    quota: quantities('auto.quota', c.auto.quota),
    durationMs: ms('auto.duration', c.auto.duration),
    intervalMs: ms('auto.interval', c.auto.interval)
  }
}
