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
  connections: Type.Integer({ description: 'open libp2p connections' }),
  kube: Type.Optional(Type.Object({
    backend: Type.Optional(Type.String({ description: 'embedded (in-process API emulator), kubeconfig or in-cluster' })),
    server: Type.Optional(Type.String({ description: 'API server URL' })),
    context: Type.Optional(Type.String({ description: 'kubeconfig context' })),
    reachable: Type.Optional(Type.Boolean({ description: 'the API server answers: the watches have listed and the latest attempt did not fail' })),
    error: Type.Optional(Type.String({ description: 'the latest error a watch saw' })),
    synced: Type.Optional(Type.Boolean({ description: 'the capacity watches have listed nodes and pods' })),
    nodes: Type.Optional(Type.Integer()),
    readyNodes: Type.Optional(Type.Integer({ description: 'nodes that are Ready and schedulable' })),
    allocatable: Type.Optional(Type.Object({ cpu: Type.Number({ description: 'millicores' }), memory: Type.Number({ description: 'bytes' }), pods: Type.Integer() })),
    free: Type.Optional(Type.Object({ cpu: Type.Number({ description: 'millicores' }), memory: Type.Number({ description: 'bytes' }), pods: Type.Integer() }, { description: 'allocatable minus the requests of running pods' }))
  }, { description: 'the local Kubernetes cluster (agent/kube); every field is optional so that other reporters can fill parts' }))
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
