/**
 * POST /v1/workloads (submit, the fields of `skein run`), GET /v1/workloads,
 * GET /v1/workloads/:name (with the scheduler's explanation), DELETE
 * /v1/workloads/:name (cancel), GET /v1/workloads/:name/logs (pod logs from
 * the provider, streamed as JSON lines).
 */
import Type from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '../schemas.ts'
import { Readable } from 'node:stream'
import { apiErrorFor, registerApiError } from '../errors.ts'
import { parseDuration, formatDuration } from '../../config/duration.ts'
import { InvalidRequestError, SkeinError } from '../../errors.ts'
import { describeResources } from '../../../protocol/peering/resources.ts'
import { aggregate, MAX_SPREAD, type Delegation, type WorkloadRecord } from '../../delegation/index.ts'
import { explain, type Constraints } from '../../scheduler/index.ts'

for (const [name, code, statusCode] of [
  ['InvalidManifestError', 'SKEIN_ERR_INVALID_MANIFEST', 400],
  ['WorkloadNotFoundError', 'SKEIN_ERR_WORKLOAD_NOT_FOUND', 404],
  ['WorkloadExistsError', 'SKEIN_ERR_WORKLOAD_EXISTS', 409],
  ['UnschedulableError', 'SKEIN_ERR_UNSCHEDULABLE', 409],
  ['WorkloadTransitionError', 'SKEIN_ERR_WORKLOAD_TRANSITION', 409],
  ['LogsNotAvailableError', 'SKEIN_ERR_LOGS_NOT_AVAILABLE', 503],
  ['LogsNotReadyError', 'SKEIN_ERR_LOGS_NOT_READY', 409],
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
  spread: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SPREAD, description: `copies on distinct clusters (the scheduler's N best candidates), 1 to ${MAX_SPREAD}; default 1` }))
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
    ackedAt: Type.Optional(Type.String({ format: 'date-time' })),
    via: Type.Optional(Type.Array(Type.String(), { description: 'the waterfall: the agents the provider passed it on to, in order, the last one running it' }))
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
  spread: Type.Integer({ description: 'copies asked for (--spread); above 1, phase, ready, replicas, podIps, lastError and disconnectedSince are the aggregate of the copies (phase: that of the least advanced copy) and placement is copy 1\'s' }),
  copies: Type.Optional(Type.Array(Type.Object({
    name: Type.String({ description: 'copy 1 has the workload\'s name, copy i>1 <name>.<i>' }),
    index: Type.Integer(),
    id: Type.String(),
    generation: Type.Integer(),
    phase: Type.String(),
    target: Type.Optional(Type.String({ description: 'the cluster the copy is placed on' })),
    local: Type.Optional(Type.Boolean()),
    ready: Type.String(),
    podIps: Type.Array(Type.String()),
    lastError: Type.Optional(Type.String()),
    disconnectedSince: Type.Optional(Type.String({ format: 'date-time' }))
  }), { description: 'with --spread above 1: every copy, each on its own cluster' })),
  candidates: Type.Optional(Type.Array(CandidateBody, { description: 'the scheduler\'s last decision, every candidate explained' })),
  history: Type.Optional(Type.Array(Type.Object({ at: Type.String({ format: 'date-time' }), phase: Type.String(), event: Type.String(), detail: Type.Optional(Type.String()) })))
}, { $id: 'Workload' })

export type WorkloadView = Type.Static<typeof WorkloadBody>

const iso = (ms: number): string => new Date(ms).toISOString()

export function workloadView (w: WorkloadRecord, detail = false, family: WorkloadRecord[] = [w]): WorkloadView {
  const view = singleView(w, detail)
  if (family.length <= 1) return view
  const agg = aggregate(family)
  view.phase = agg.phase
  view.readyReplicas = agg.readyReplicas
  view.replicas = agg.replicas
  view.ready = `${agg.readyReplicas}/${agg.replicas}`
  view.podIps = agg.podIps
  if (agg.lastError != null) view.lastError = agg.lastError
  else delete view.lastError
  if (agg.disconnectedSince != null) view.disconnectedSince = iso(agg.disconnectedSince)
  else delete view.disconnectedSince
  view.copies = family.map((c, i) => ({
    name: c.name,
    index: c.copyOf?.index ?? i + 1,
    id: c.id,
    generation: c.generation,
    phase: c.phase,
    ...(c.placement != null ? { target: c.placement.target, local: c.placement.local } : {}),
    ready: `${c.status?.readyReplicas ?? 0}/${c.status?.replicas ?? c.requests.pods}`,
    podIps: c.status?.podIps ?? [],
    ...((c.status?.lastError ?? '') !== '' ? { lastError: c.status?.lastError } : c.lastError != null ? { lastError: c.lastError } : {}),
    ...(c.disconnectedSince != null ? { disconnectedSince: iso(c.disconnectedSince) } : {})
  }))
  return view
}

function singleView (w: WorkloadRecord, detail: boolean): WorkloadView {
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
          ...(w.placement.ackedAt != null ? { ackedAt: iso(w.placement.ackedAt) } : {}),
          ...(!w.placement.local && s?.via != null && s.via.length > 0 ? { via: s.via } : {})
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
    createdAt: iso(w.createdAt),
    spread: w.spread
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
  delegation: () => Pick<Delegation, 'submit' | 'list' | 'get' | 'cancel' | 'logs' | 'family'>
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
      return await reply.code(201).send(workloadView(w, true, init.delegation().family(w.name)))
    })

    app.get('/v1/workloads', {
      schema: { summary: 'Every workload this agent submitted, with placement, phase and readiness.', tags: ['workloads'], response: { 200: Type.Object({ workloads: Type.Array(WorkloadBody) }), ...errorResponses } }
    }, async () => ({ workloads: init.delegation().list().map((w) => workloadView(w, false, init.delegation().family(w.name))) }))

    app.get('/v1/workloads/:name', {
      schema: { summary: 'One workload with the scheduler\'s explanation (every candidate, filtered out or scored) and its history.', tags: ['workloads'], params: Name, response: { 200: WorkloadBody, ...errorResponses } }
    }, async (req) => workloadView(init.delegation().get(req.params.name), true, init.delegation().family(req.params.name)))

    app.delete('/v1/workloads/:name', {
      schema: { summary: 'Cancel a workload: its placement is told to remove it (from the outbox, until it confirms).', tags: ['workloads'], params: Name, response: { 202: WorkloadBody, ...errorResponses } }
    }, async (req, reply) => await reply.code(202).send(workloadView(init.delegation().cancel(req.params.name), true, init.delegation().family(req.params.name))))

    app.get('/v1/workloads/:name/logs', {
      schema: {
        summary: 'Pod logs of a workload, fetched from its provider over /skein/logs/1.0.0 (tenant-checked there) or from the local cluster. ' +
          'The answer is application/x-ndjson: one {pod, container, line} object per log line; with follow=true it stays open and streams new lines. ' +
          'An error before the first line is an ordinary error answer; one after it is a last line {error: {code, message, hint}}.',
        tags: ['workloads'],
        params: Name,
        querystring: Type.Object({
          follow: Type.Optional(Type.Boolean({ description: 'keep streaming new lines' })),
          container: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63, description: 'one container; default every container of every pod' })),
          tailLines: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'only the last N lines of each container' }))
        }),
        response: {
          200: Type.String({ description: 'application/x-ndjson: {"pod":"web-abc","container":"main","line":"…"} per line' }),
          ...errorResponses,
          409: errorResponses[400],
          503: errorResponses[400],
          504: errorResponses[400]
        }
      }
    }, async (req, reply) => {
      const q = req.query
      const abort = new AbortController()
      const lines = init.delegation().logs(req.params.name, {
        follow: q.follow === true,
        ...(q.container != null ? { container: q.container } : {}),
        ...(q.tailLines != null ? { tailLines: q.tailLines } : {}),
        signal: abort.signal
      })
      reply.raw.on('close', () => { abort.abort() })
      // the first line (or the error) before the answer starts: errors up to here are ordinary error answers
      const first = await lines.next()
      const errorLine = (err: unknown): string => {
        const e = err instanceof SkeinError ? err : undefined
        const mapped = e != null ? apiErrorFor(e.name) : undefined
        return JSON.stringify({ error: { code: mapped?.code ?? 'SKEIN_ERR_INTERNAL', message: e?.message ?? 'internal error; see the agent log', ...(e?.hint != null ? { hint: e.hint } : {}) } }) + '\n'
      }
      async function * ndjson (): AsyncGenerator<string> {
        if (first.done === true) return
        yield JSON.stringify(first.value) + '\n'
        try {
          for await (const l of { [Symbol.asyncIterator]: () => lines }) yield JSON.stringify(l) + '\n'
        } catch (err) {
          if (!abort.signal.aborted) yield errorLine(err)
        }
      }
      return await reply.code(200).header('content-type', 'application/x-ndjson').header('cache-control', 'no-cache').send(Readable.from(ndjson()) as unknown as string)
    })
  }
}
