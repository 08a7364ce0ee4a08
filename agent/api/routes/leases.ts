/**
 * GET /v1/leases (both directions), GET /v1/leases/:id, POST /v1/leases (ask a
 * peer for a lease), DELETE /v1/leases/:id (release it, from either side).
 */
import Type from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '../schemas.ts'
import { registerApiError } from '../errors.ts'
import { parseDuration } from '../../config/duration.ts'
import { InvalidRequestError, NotFoundError } from '../../errors.ts'
import { formatResources, parseResources, type Resources } from '../../../protocol/peering/index.ts'
import type { Peering, StoredLease } from '../../peering/index.ts'

for (const [name, code, statusCode] of [
  ['InvalidQuantityError', 'SKEIN_ERR_INVALID_QUANTITY', 400],
  ['MalformedFrameError', 'SKEIN_ERR_MALFORMED', 400],
  ['NotMemberError', 'SKEIN_ERR_NOT_MEMBER', 403],
  ['PolicyDeniedError', 'SKEIN_ERR_POLICY_DENIED', 403],
  ['NotLeasePartyError', 'SKEIN_ERR_NOT_LEASE_PARTY', 403],
  ['UnknownLeaseError', 'SKEIN_ERR_UNKNOWN_LEASE', 404],
  ['InsufficientCapacityError', 'SKEIN_ERR_INSUFFICIENT_CAPACITY', 409],
  ['NotSharingError', 'SKEIN_ERR_NOT_SHARING', 409],
  ['DuplicateLeaseError', 'SKEIN_ERR_DUPLICATE_LEASE', 409],
  ['LeaseExpiredError', 'SKEIN_ERR_LEASE_EXPIRED', 409],
  ['LoopDetectedError', 'SKEIN_ERR_LOOP', 409],
  ['HopLimitError', 'SKEIN_ERR_HOP_LIMIT', 409],
  ['InvalidTransitionError', 'SKEIN_ERR_INVALID_TRANSITION', 409],
  ['BadSignatureError', 'SKEIN_ERR_PEER_BAD_SIGNATURE', 502],
  ['StaleMessageError', 'SKEIN_ERR_PEER_STALE', 502],
  ['ReplayedMessageError', 'SKEIN_ERR_PEER_REPLAY', 502],
  ['WrongRecipientError', 'SKEIN_ERR_PEER_WRONG_RECIPIENT', 502],
  ['UnsupportedVersionError', 'SKEIN_ERR_PEER_UNSUPPORTED_VERSION', 502],
  ['TenantFailedError', 'SKEIN_ERR_TENANT_FAILED', 502],
  ['PeeringRejectedError', 'SKEIN_ERR_PEER_REJECTED', 502],
  ['PeerUnreachableError', 'SKEIN_ERR_PEER_UNREACHABLE', 504],
  ['PeeringError', 'SKEIN_ERR_PEERING', 503]
] as const) registerApiError(name, { code, statusCode })

export const ResourcesBody = Type.Object({
  cpu: Type.String({ description: 'cores, Kubernetes notation (500m, 2)' }),
  memory: Type.String({ description: 'bytes, Kubernetes notation (4Gi)' }),
  pods: Type.String(),
  gpu: Type.String(),
  ephemeralStorage: Type.String({ description: 'bytes, Kubernetes notation' })
})

export const QuantitiesInput = Type.Object({
  cpu: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Number()])),
  memory: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Number()])),
  pods: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Number()])),
  gpu: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Number()])),
  ephemeralStorage: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Number()]))
}, { additionalProperties: false })

const LeaseStateSchema = Type.Union([Type.Literal('requested'), Type.Literal('active'), Type.Literal('grace'), Type.Literal('expired'), Type.Literal('released')])

export const LeaseBody = Type.Object({
  id: Type.String(),
  role: Type.Union([Type.Literal('provider'), Type.Literal('consumer')], { description: 'provider: we lend; consumer: we borrow' }),
  consumer: Type.String(),
  provider: Type.String(),
  peer: Type.String({ description: 'the other side' }),
  state: LeaseStateSchema,
  quota: ResourcesBody,
  asked: Type.Optional(ResourcesBody),
  counter: Type.Boolean({ description: 'granted less than asked' }),
  created: Type.String({ format: 'date-time' }),
  expires: Type.String({ format: 'date-time' }),
  renewBy: Type.String({ format: 'date-time' }),
  graceMs: Type.Integer(),
  path: Type.Array(Type.String()),
  reason: Type.Optional(Type.String()),
  notified: Type.Optional(Type.Boolean({ description: 'after a release: the other side acknowledged it' }))
})

export type LeaseView = Type.Static<typeof LeaseBody>
export type ResourcesView = Type.Static<typeof ResourcesBody>

export function resourcesView (r: Resources): ResourcesView {
  return formatResources(r)
}

export function leaseView (l: StoredLease & { notified?: boolean }): LeaseView {
  const counter = l.ask != null && (Object.keys(l.quota) as Array<keyof Resources>).some((k) => l.quota[k] !== l.ask?.[k])
  return {
    id: l.id,
    role: l.role,
    consumer: l.consumer,
    provider: l.provider,
    peer: l.role === 'provider' ? l.consumer : l.provider,
    state: l.state,
    quota: resourcesView(l.quota),
    ...(l.ask != null ? { asked: resourcesView(l.ask) } : {}),
    counter,
    created: new Date(l.created).toISOString(),
    expires: new Date(l.expires).toISOString(),
    renewBy: new Date(l.renewBy).toISOString(),
    graceMs: l.graceMs,
    path: l.path,
    ...(l.reason != null ? { reason: l.reason } : {}),
    ...(l.notified != null ? { notified: l.notified } : {})
  }
}

export const LeaseRequestBody = Type.Object({
  peer: Type.String({ minLength: 1, maxLength: 128, description: 'peer ID of the provider' }),
  quota: QuantitiesInput,
  min: Type.Optional(QuantitiesInput),
  duration: Type.Optional(Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$', description: 'lease term, e.g. 24h; default peering.leaseDuration' })),
  leaseId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'reuse an id to resume a request that got no answer' }))
}, { additionalProperties: false })

export type LeaseRequest = Type.Static<typeof LeaseRequestBody>

export interface LeasesRoutesInit { peering: () => Peering }

export function leasesRoutes (init: LeasesRoutesInit): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/leases', {
      schema: {
        summary: 'Leases in both directions: those we granted (role provider) and those we hold (role consumer).',
        tags: ['peering'],
        querystring: Type.Object({
          role: Type.Optional(Type.Union([Type.Literal('provider'), Type.Literal('consumer')])),
          state: Type.Optional(LeaseStateSchema)
        }, { additionalProperties: false }),
        response: { 200: Type.Object({ leases: Type.Array(LeaseBody) }), ...errorResponses }
      }
    }, async (req) => {
      const q = req.query as { role?: 'provider' | 'consumer', state?: StoredLease['state'] }
      return { leases: init.peering().list({ ...(q.role != null ? { role: q.role } : {}), ...(q.state != null ? { state: q.state } : {}) }).map(leaseView) }
    })

    app.get('/v1/leases/:id', {
      schema: { summary: 'One lease.', tags: ['peering'], params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 200: LeaseBody, ...errorResponses } }
    }, async (req) => {
      const { id } = req.params as { id: string }
      const l = init.peering().get(id)
      if (l == null) throw new NotFoundError(`no lease ${id}`)
      return leaseView(l)
    })

    app.post('/v1/leases', {
      schema: {
        summary: 'Ask a peer for a lease (one-way: it gives us quota on its cluster). Answers with the granted lease, which may be a counter-offer of less.',
        tags: ['peering'],
        body: LeaseRequestBody,
        response: { 201: LeaseBody, ...errorResponses }
      }
    }, async (req, reply) => {
      const body = req.body as LeaseRequest
      const durationMs = body.duration != null ? parseDuration(body.duration) : undefined
      if (body.duration != null && durationMs == null) throw new InvalidRequestError(`"${body.duration}" is not a duration`)
      const quota = parseResources(body.quota, 'quota')
      const lease = await init.peering().request(body.peer, quota, {
        ...(durationMs != null ? { durationMs } : {}),
        ...(body.min != null ? { min: parseResources(body.min, 'min') } : {}),
        ...(body.leaseId != null ? { leaseId: body.leaseId } : {})
      })
      return await reply.code(201).send(leaseView(lease))
    })

    app.delete('/v1/leases/:id', {
      schema: { summary: 'Release a lease, from either side; the other side is told when it can be reached.', tags: ['peering'], params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 200: LeaseBody, ...errorResponses } }
    }, async (req) => {
      const { id } = req.params as { id: string }
      return leaseView(await init.peering().release(id))
    })
  }
}
