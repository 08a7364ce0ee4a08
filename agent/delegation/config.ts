/**
 * The `delegation` configuration section: schema (imported by
 * agent/config/schema.ts), semantic checks, and the translation to
 * DelegationInit.
 */
import Type, { type Static } from 'typebox'
import { durationPattern, parseDuration } from '../config/duration.ts'
import { ConfigError } from '../errors.ts'
import type { DelegationInit } from './index.ts'

const Duration = (description: string, def: string) => Type.String({ pattern: durationPattern, description, default: def })

export const DelegationConfigSchema = Type.Object({
  onDisconnect: Type.Union([Type.Literal('keep'), Type.Literal('failover')], { default: 'keep', description: 'What a workload does when its provider becomes unreachable, unless `skein run --on-disconnect` says otherwise: keep (stay there) or failover. Default: keep.' }),
  failoverAfter: Duration('How long a provider may be unreachable before a workload with on-disconnect=failover is placed elsewhere, unless `--failover-after` says otherwise. Default: 30s.', '30s'),
  retryBase: Duration('First outbox retry delay; doubles per attempt, with jitter. Default: 500ms.', '500ms'),
  retryMax: Duration('Largest outbox retry delay. Default: 30s.', '30s'),
  tick: Duration('Housekeeping period: due outbox messages, failovers, re-placement of unplaced workloads. Default: 1s.', '1s'),
  statusIdle: Duration('A status stream from a provider silent this long counts as broken (the provider sends keepalives). Default: 15s.', '15s'),
  keepalive: Duration('Keepalive period on idle status streams to consumers. Default: 5s.', '5s'),
  giveUpAfter: Duration('As provider: how long a delegated workload may keep failing before it is given back to its consumer. Default: 1m.', '1m'),
  reclaimCheck: Duration('As provider: how often leases are checked; a workload whose lease ended is removed. Default: 5s.', '5s'),
  localCandidate: Type.Boolean({ default: true, description: 'The local cluster is a placement candidate too; its workloads go into the fenced namespace skein-local. Default: true.' }),
  concurrency: Type.Integer({ minimum: 1, maximum: 256, default: 16, description: 'Outbox messages in flight at once. Default: 16.' })
}, { additionalProperties: false, description: 'Delegating workloads: placement, outbox, status, failover.' })

export type DelegationConfig = Static<typeof DelegationConfigSchema>

const durations = ['failoverAfter', 'retryBase', 'retryMax', 'tick', 'statusIdle', 'keepalive', 'giveUpAfter', 'reclaimCheck'] as const

export function checkDelegationConfig (c: DelegationConfig): void {
  for (const k of durations) {
    if (parseDuration(c[k]) === undefined) throw new ConfigError(`delegation.${k}`, `"${c[k]}" is not a duration`)
  }
  if ((parseDuration(c.retryMax) ?? 0) < (parseDuration(c.retryBase) ?? 0)) throw new ConfigError('delegation.retryMax', `${c.retryMax} is shorter than delegation.retryBase (${c.retryBase})`)
  if ((parseDuration(c.tick) ?? 0) < 10) throw new ConfigError('delegation.tick', `${c.tick} is too short (at least 10ms)`)
  if ((parseDuration(c.statusIdle) ?? 0) <= (parseDuration(c.keepalive) ?? 0)) throw new ConfigError('delegation.statusIdle', `${c.statusIdle} must be longer than delegation.keepalive (${c.keepalive})`)
}

export function delegationInitFrom (c: DelegationConfig): DelegationInit {
  const ms = (k: typeof durations[number]): number => parseDuration(c[k]) ?? 0
  return {
    onDisconnect: c.onDisconnect,
    failoverAfterMs: ms('failoverAfter'),
    retryBaseMs: ms('retryBase'),
    retryMaxMs: ms('retryMax'),
    tickMs: ms('tick'),
    statusIdleMs: ms('statusIdle'),
    keepaliveMs: ms('keepalive'),
    giveUpAfterMs: ms('giveUpAfter'),
    reclaimCheckMs: ms('reclaimCheck'),
    concurrency: c.concurrency
  }
}
