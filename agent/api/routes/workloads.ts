/**
 * POST /v1/workloads (submit, the fields of `skein run`), GET /v1/workloads,
 * GET /v1/workloads/:name (with the scheduler's explanation), DELETE
 * /v1/workloads/:name (cancel), GET /v1/workloads/:name/logs (not available
 * yet: a typed 501).
 */
import Type from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '../schemas.ts'
import { registerApiError } from '../errors.ts'
import { parseDuration, formatDuration } from '../../config/duration.ts'
import { InvalidRequestError } from '../../errors.ts'
import { describeResources } from '../../../protocol/peering/resources.ts'
import { LogsNotAvailableError } from '../../../protocol/delegation/errors.ts'
import type { Delegation, WorkloadRecord } from '../../delegation/index.ts'
import { explain, type Constraints } from '../../scheduler/index.ts'

for (const [name, code, statusCode] of [
  ['InvalidManifestError', 'SKEIN_ERR_INVALID_MANIFEST', 400],
  ['WorkloadNotFoundError', 'SKEIN_ERR_WORKLOAD_NOT_FOUND', 404],
  ['WorkloadExistsError', 'SKEIN_ERR_WORKLOAD_EXISTS', 409],
  ['UnschedulableError', 'SKEIN_ERR_UNSCHEDULABLE', 409],
  ['WorkloadTransitionError', 'SKEIN_ERR_WORKLOAD_TRANSITION', 409],
  ['LogsNotAvailableError', 'SKEIN_ERR_LOGS_NOT_AVAILABLE', 501],
  ['DelegationRejectedError', 'SKEIN_ERR_DELEGATION_REJECTED', 502],
  ['ProviderUnreachableError', 'SKEIN_ERR_PROVIDER_UNREACHABLE', 504]
] as const) registerApiError(name, { code, statusCode })

export const WorkloadInput = Type.Object({
  manifests: Type.String({ minLength: 1, description: 'Kubernetes YAML or JSON: Deployment, StatefulSet, Job, Pod, Service, ConfigMap, Secret; several documents allowed' }),
  name: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63, description: 'default: the first manifest\'s metadata.name' })),
  region: Type.Optional(Type.String({ maxLength: 63, description: 'only candidates announcing this region label' })),
  labels: Type.Optional(Type.Record(Type.String({ maxLength: 63 }), Type.String({ maxLength: 63 }), { description: 'labels a candidate must carry' })),
  maxRtt: Type.Optional(Type.String({ description: 'e.g. 200ms' })),
  maxLoss: Type.Optional(Type.String({ description: 'e.g. 5% or 0.05' })),
  minBandwidth: Type.Optional(Type.String({ description: 'e.g. 2Mbit, 500kbit, 1Gbit, 10000 (bit/s)' })),
  prefer: Type.Optional(Type.Union([Type.Literal('cost'), Type.Literal('carbon'), Type.Literal('latency')])),
  onDisconnect: Type.Optional(Type.Union([Type.Literal('keep'), Type.Literal('failover')], { description: 'default keep' })),
  failoverAfter: Type.Optional(Type.String({ description: 'e.g. 30s; default from delegation.failoverAfter' })),
  spread: Type.Optional(Type.Integer({ minimum: 1, maximum: 1, description: 'copies on distinct placements; only 1 for now' }))
}, { additionalProperties: false })

export type WorkloadInputBody = Type.Static<typeof WorkloadInput>

const CandidateBody = Type.Object({
  target: Type.String(),
  local: Type.Boolean(),
  leaseId: Type.Optional(Type.String()),
  outcome: Type.Union([Type.Literal('filtered'), Type.Literal('scored')]),
  reason: Type.Optional(Type.String()),
  score: Type.Optional(Type.Number()),
  breakdown: Type.Optional(Type.Record(Type.String(), Type.Number())),
  chosen: Type.Boolean(),
  explanation: Type.String()
})

export const WorkloadBody = Type.Object({
  name: Type.String(),
  id: Type.String(),
  generation: Type.Integer(),
  phase: Type.String({ description: 'pending | placing | delegated | running | disconnected | failing-over | failed | cancelling | cancelled | succeeded' }),
  phaseSince: Type.String({ format: 'date-time' }),
  placement: Type.Union([Type.Null(), Type.Object({
    target: Type.String({ description: 'the provider\'s peer ID, or ours for the local cluster' }),
    local: Type.Boolean(),
    leaseId: Type.Optional(Type.String()),
    generation: Type.Integer(),
    placedAt: Type.String({ format: 'date-time' }),
    ackedAt: Type.Optional(Type.String({ format: 'date-time' }))
  })]),
  ready: Type.String({ description: 'ready/desired replicas as last reported' }),
  readyReplicas: Type.Integer(),
  replicas: Type.Integer(),
  podIps: Type.Array(Type.String()),
  lastError: Type.Optional(Type.String()),
  disconnectedSince: Type.Optional(Type.String({ format: 'date-time', description: 'set while the placement is unreachable; the status shown is the last known' })),
  statusAt: Type.Optional(Type.String({ format: 'date-time', description: 'when the last status arrived' })),
  requests: Type.String({ description: 'summed resource requests' }),
  constraints: Type.Record(Type.String(), Type.Unknown()),
  onDisconnect: Type.String(),
  failoverAfter: Type.String(),
  fenced: Type.Array(Type.Object({ peer: Type.String(), generation: Type.Integer(), at: Type.String({ format: 'date-time' }), cancelled: Type.Boolean() })),
  createdAt: Type.String({ format: 'date-time' }),
  candidates: Type.Optional(Type.Array(CandidateBody, { description: 'the scheduler\'s last decision, every candidate explained' })),
  history: Type.Optional(Type.Array(Type.Object({ at: Type.String({ format: 'date-time' }), phase: Type.String(), event: Type.String(), detail: Type.Optional(Type.String()) })))
}, { $id: 'Workload' })

export type WorkloadView = Type.Static<typeof WorkloadBody>

const iso = (ms: number): string => new Date(ms).toISOString()

export function workloadView (w: WorkloadRecord, detail = false): WorkloadView {
  const s = w.status
  const view: WorkloadView = {
    name: w.name,
    id: w.id,
    generation: w.generation,
    phase: w.phase,
    phaseSince: iso(w.phaseSince),
    placement: w.placement == null
      ? null
      : {
          target: w.placement.target,
          local: w.placement.local,
          ...(w.placement.leaseId != null ? { leaseId: w.placement.leaseId } : {}),
          generation: w.placement.generation,
          placedAt: iso(w.placement.placedAt),
          ...(w.placement.ackedAt != null ? { ackedAt: iso(w.placement.ackedAt) } : {})
        },
    ready: `${s?.readyReplicas ?? 0}/${s?.replicas ?? w.requests.pods}`,
    readyReplicas: s?.readyReplicas ?? 0,
    replicas: s?.replicas ?? w.requests.pods,
    podIps: s?.podIps ?? [],
    ...(w.lastError != null || (s?.lastError ?? '') !== '' ? { lastError: (s?.lastError ?? '') !== '' ? s?.lastError : w.lastError } : {}),
    ...(w.disconnectedSince != null ? { disconnectedSince: iso(w.disconnectedSince) } : {}),
    ...(s != null ? { statusAt: iso(s.at) } : {}),
    requests: describeResources(w.requests),
    constraints: w.constraints as Record<string, unknown>,
    onDisconnect: w.onDisconnect,
    failoverAfter: formatDuration(w.failoverAfterMs),
    fenced: w.fenced.map((f) => ({ peer: f.peer, generation: f.generation, at: iso(f.at), cancelled: f.cancelled })),
    createdAt: iso(w.createdAt)
  }
  if (detail) {
    const chosen = w.decision?.chosen
    view.candidates = (w.decision?.candidates ?? []).map((c) => ({
      target: c.target,
      local: c.local,
      ...(c.leaseId != null ? { leaseId: c.leaseId } : {}),
      outcome: c.outcome,
      ...(c.outcome === 'filtered' ? { reason: c.reason } : { score: c.score, breakdown: c.breakdown }),
      chosen: chosen != null && chosen.target === c.target && chosen.leaseId === c.leaseId,
      explanation: explain(c)
    }))
    view.history = w.history.map((h) => ({ at: iso(h.at), phase: h.phase, event: h.event, ...(h.detail != null ? { detail: h.detail } : {}) }))
  }
  return view
}

/** "5%" → 0.05, "0.05" → 0.05 */
export function parseLoss (v: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(%?)$/.exec(v.trim())
  if (m == null) throw new InvalidRequestError(`maxLoss: "${v}" is not a loss (write 5% or 0.05)`)
  const x = Number(m[1]) / (m[2] === '%' ? 100 : 1)
  if (x < 0 || x > 1) throw new InvalidRequestError(`maxLoss: "${v}" is outside 0-100%`)
  return x
}

/** "2Mbit" → 2e6 bit/s; also kbit, Gbit, bps suffixes and bare numbers (bit/s). */
export function parseBandwidth (v: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(bit|bps|kbit|kbps|Kbit|mbit|Mbit|Mbps|gbit|Gbit|Gbps)?(?:\/s)?$/.exec(v.trim())
  if (m == null) throw new InvalidRequestError(`minBandwidth: "${v}" is not a bandwidth (write 2Mbit, 500kbit or 1Gbit)`)
  const mult = { bit: 1, bps: 1, kbit: 1e3, kbps: 1e3, Kbit: 1e3, mbit: 1e6, Mbit: 1e6, Mbps: 1e6, gbit: 1e9, Gbit: 1e9, Gbps: 1e9 }[m[2] ?? 'bit'] ?? 1
  return Math.round(Number(m[1]) * mult)
}

function durationField (field: string, v: string): number {
  const ms = parseDuration(v)
  if (ms === undefined) throw new InvalidRequestError(`${field}: "${v}" is not a duration (write 200ms, 30s or 5m)`)
  return ms
}

export function constraintsFrom (body: WorkloadInputBody): Constraints {
  const c: Constraints = {}
  if (body.region != null && body.region !== '') c.region = body.region
  if (body.labels != null) c.labels = body.labels
  if (body.maxRtt != null) c.maxRttMs = durationField('maxRtt', body.maxRtt)
  if (body.maxLoss != null) c.maxLoss = parseLoss(body.maxLoss)
  if (body.minBandwidth != null) c.minBandwidthBps = parseBandwidth(body.minBandwidth)
  if (body.prefer != null) c.prefer = body.prefer
  return c
}

export interface WorkloadsRoutesInit {
  delegation: () => Pick<Delegation, 'submit' | 'list' | 'get' | 'cancel'>
}

export function workloadsRoutes (init: WorkloadsRoutesInit): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addSchema(WorkloadBody)
    const Name = Type.Object({ name: Type.String({ maxLength: 63 }) })

    app.post('/v1/workloads', {
      schema: {
        summary: 'Submit a workload: it is validated, stored in the journal, then placed by the scheduler. The answer comes after the write.',
        tags: ['workloads'],
        body: WorkloadInput,
        response: { 201: WorkloadBody, ...errorResponses, 409: errorResponses[400] }
      }
    }, async (req, reply) => {
      const b = req.body
      const constraints = constraintsFrom(b)
      const failoverAfterMs = b.failoverAfter != null ? durationField('failoverAfter', b.failoverAfter) : undefined
      const w = init.delegation().submit({
        manifests: b.manifests,
        ...(b.name != null ? { name: b.name } : {}),
        constraints,
        ...(b.onDisconnect != null ? { onDisconnect: b.onDisconnect } : {}),
        ...(failoverAfterMs != null ? { failoverAfterMs } : {}),
        ...(b.spread != null ? { spread: b.spread } : {})
      })
      return await reply.code(201).send(workloadView(w, true))
    })

    app.get('/v1/workloads', {
      schema: { summary: 'Every workload this agent submitted, with placement, phase and readiness.', tags: ['workloads'], response: { 200: Type.Object({ workloads: Type.Array(WorkloadBody) }), ...errorResponses } }
    }, async () => ({ workloads: init.delegation().list().map((w) => workloadView(w)) }))

    app.get('/v1/workloads/:name', {
      schema: { summary: 'One workload with the scheduler\'s explanation (every candidate, filtered out or scored) and its history.', tags: ['workloads'], params: Name, response: { 200: WorkloadBody, ...errorResponses } }
    }, async (req) => workloadView(init.delegation().get(req.params.name), true))

    app.delete('/v1/workloads/:name', {
      schema: { summary: 'Cancel a workload: its placement is told to remove it (from the outbox, until it confirms).', tags: ['workloads'], params: Name, response: { 202: WorkloadBody, ...errorResponses } }
    }, async (req, reply) => await reply.code(202).send(workloadView(init.delegation().cancel(req.params.name), true)))

    app.get('/v1/workloads/:name/logs', {
      schema: { summary: 'Pod logs from the placement\'s cluster (not available yet: answers 501).', tags: ['workloads'], params: Name, querystring: Type.Object({ follow: Type.Optional(Type.Boolean()) }), response: { ...errorResponses, 501: errorResponses[400] } }
    }, async (req) => {
      init.delegation().get(req.params.name)
      throw new LogsNotAvailableError('pod logs over the delegation protocol are not available yet', { hint: 'run kubectl logs on the provider\'s cluster, in the tenant namespace' })
    })
  }
}
