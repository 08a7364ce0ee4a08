/** GET /v1/fleet, GET /v1/fleet/revocations, POST /v1/fleet/revocations — fleet membership as this agent sees it. */
import Type from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '../schemas.ts'
import { registerApiError } from '../errors.ts'

registerApiError('InvalidRevocationError', { code: 'SKEIN_ERR_INVALID_REVOCATION', statusCode: 400 })
registerApiError('FleetConfigError', { code: 'SKEIN_ERR_FLEET_CONFIG', statusCode: 400 })

const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()])

export const FleetBody = Type.Object({
  mode: Type.Union([Type.Literal('enforcing'), Type.Literal('permissive'), Type.Literal('standalone')], { description: 'enforcing: non-members are disconnected; permissive: fleet.required is false; standalone: no fleet key' }),
  fleetId: Type.String(),
  certificate: Nullable(Type.Object({
    peerId: Type.String(),
    roles: Type.Array(Type.String()),
    labels: Type.Record(Type.String(), Type.String()),
    issued: Type.String({ format: 'date-time' }),
    expires: Type.String({ format: 'date-time' })
  })),
  members: Type.Integer({ description: 'peers verified as members' }),
  revocations: Type.Integer()
})
export type FleetInfo = Type.Static<typeof FleetBody>

export const RevocationBody = Type.Object({
  peerId: Type.String(),
  reason: Type.String(),
  issued: Type.String({ format: 'date-time' })
})
export type RevocationView = Type.Static<typeof RevocationBody>

export interface FleetRoutesInit {
  info: () => FleetInfo
  revocations: () => RevocationView[]
  /** verifies, persists and gossips a revocation (base64) */
  addRevocation: (base64: string) => Promise<{ added: boolean, revocation: RevocationView }>
}

export function fleetRoutes (init: FleetRoutesInit): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/fleet', {
      schema: { summary: 'This agent\'s fleet membership.', tags: ['fleet'], response: { 200: FleetBody, ...errorResponses } }
    }, async () => init.info())

    app.get('/v1/fleet/revocations', {
      schema: { summary: 'Revocations this agent knows (and enforces).', tags: ['fleet'], response: { 200: Type.Object({ revocations: Type.Array(RevocationBody) }), ...errorResponses } }
    }, async () => ({ revocations: init.revocations() }))

    app.post('/v1/fleet/revocations', {
      schema: {
        summary: 'Hand a signed revocation (from `skein fleet revoke`) to the agent: it is verified, persisted and spread by gossip.',
        tags: ['fleet'],
        body: Type.Object({ revocation: Type.String({ minLength: 1, maxLength: 8192, description: 'the revocation file\'s content (base64)' }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ added: Type.Boolean({ description: 'false when it was already known' }), revocation: RevocationBody }), ...errorResponses }
      }
    }, async (req) => await init.addRevocation(req.body.revocation))
  }
}
