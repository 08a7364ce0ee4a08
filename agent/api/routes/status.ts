/** GET /healthz, GET /v1/status, GET /metrics, GET /v1/openapi.json. */
import Type from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Registry } from 'prom-client'
import { errorResponses } from '../schemas.ts'

export const StatusBody = Type.Object({
  peerId: Type.String({ description: 'this agent\'s libp2p peer ID, which is also its cluster ID' }),
  version: Type.String(),
  uptimeS: Type.Number({ description: 'seconds since the agent started' }),
  listenAddrs: Type.Array(Type.String(), { description: 'multiaddrs the node listens on, with its peer ID' }),
  startedAt: Type.String({ format: 'date-time' }),
  pid: Type.Integer(),
  stateDir: Type.String(),
  connections: Type.Integer({ description: 'open libp2p connections' })
}, { $id: 'Status' })

export type Status = Type.Static<typeof StatusBody>

export interface StatusRoutesInit {
  status: () => Status
  registry: Registry
  health: () => { ok: boolean, checks: Record<string, string> }
}

export function statusRoutes (init: StatusRoutesInit): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/healthz', {
      schema: {
        summary: 'Liveness and readiness: 200 when every subsystem is up, 503 otherwise. Needs no token.',
        tags: ['agent'],
        response: {
          200: Type.Object({ ok: Type.Boolean(), checks: Type.Record(Type.String(), Type.String()) }),
          503: Type.Object({ ok: Type.Boolean(), checks: Type.Record(Type.String(), Type.String()) })
        }
      }
    }, async (_req, reply) => {
      const h = init.health()
      return await reply.code(h.ok ? 200 : 503).send(h)
    })

    app.get('/v1/status', {
      schema: { summary: 'What this agent is and how it is doing.', tags: ['agent'], response: { 200: StatusBody, ...errorResponses } }
    }, async () => init.status())

    app.get('/metrics', {
      schema: { summary: 'Prometheus metrics: process, libp2p and Skein.', tags: ['agent'], produces: ['text/plain'] }
    }, async (_req, reply) => {
      const text = await init.registry.metrics()
      return await reply.type(init.registry.contentType).send(text)
    })

    app.get('/v1/openapi.json', {
      schema: { summary: 'This document.', tags: ['agent'] }
    }, async () => app.swagger())
  }
}
