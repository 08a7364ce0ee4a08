/** GET /v1/peers, GET /v1/peers/:id — what this agent knows about the other agents and its links to them. */
import Type from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '../schemas.ts'
import { NotFoundError } from '../../errors.ts'

const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()])

export const OfferBody = Type.Object({
  cpuMillis: Type.Number(),
  memoryBytes: Type.Number(),
  pods: Type.Integer(),
  gpu: Type.Integer(),
  ephemeralStorageBytes: Type.Number(),
  generation: Type.Number(),
  hops: Type.Integer()
}, { description: 'What the peer lends now, as it announced it.' })

export const PeerTunnelBody = Type.Object({
  state: Type.Union([Type.Literal('up'), Type.Literal('connecting'), Type.Literal('stale')], { description: 'up: handshake within 180 s; connecting: none completed yet; stale: older' }),
  endpoint: Nullable(Type.String({ description: 'host:port WireGuard sends to' })),
  latestHandshake: Nullable(Type.String({ format: 'date-time', description: 'latest completed WireGuard handshake' })),
  handshakeAgeS: Nullable(Type.Integer({ description: 'seconds since it' })),
  rxBytes: Type.Number({ description: 'bytes received over the tunnel' }),
  txBytes: Type.Number({ description: 'bytes sent over the tunnel' }),
  observedAt: Type.String({ format: 'date-time', description: 'when the tunnel subsystem last read `wg show`' })
}, { description: 'The WireGuard tunnel to the peer; a new handshake or received bytes count as a heartbeat.' })

export const PeerBody = Type.Object({
  peerId: Type.String(),
  state: Type.Union([Type.Literal('alive'), Type.Literal('suspect'), Type.Literal('unreachable'), Type.Literal('gone')], { description: 'link state from the phi-accrual failure detector' }),
  stateSince: Nullable(Type.String({ format: 'date-time' })),
  rttMs: Nullable(Type.Number({ description: 'smoothed round-trip time (SRTT), ms' })),
  rttVarMs: Nullable(Type.Number({ description: 'round-trip time variation (RTTVAR), ms' })),
  loss: Nullable(Type.Number({ description: 'fraction of the recent UDP heartbeats lost while they are sent (a late ping starts them), else of the recent pings; 0..1' })),
  etx: Nullable(Type.Number({ description: 'expected transmissions per delivery, from round-trip loss' })),
  bandwidthBps: Nullable(Type.Number({ description: 'bits per second from the last bandwidth probes; null when never probed' })),
  phi: Type.Number({ description: 'suspicion level now' }),
  lastSeen: Nullable(Type.String({ format: 'date-time', description: 'last heartbeat (ping answer or announcement)' })),
  pings: Type.Integer(),
  pingFailures: Type.Integer(),
  monitored: Type.Boolean({ description: 'pinged by this agent; false in a fleet beyond links.maxMonitored for a member judged by its announcements alone' }),
  member: Type.Boolean({ description: 'holds a verified, unexpired, unrevoked membership certificate (always true without a fleet)' }),
  roles: Type.Array(Type.String()),
  certificateExpires: Nullable(Type.String({ format: 'date-time' })),
  connected: Type.Boolean(),
  labels: Type.Record(Type.String(), Type.String()),
  addrs: Type.Array(Type.String()),
  seq: Nullable(Type.Integer({ description: 'sequence number of the latest announcement' })),
  announcedAt: Nullable(Type.String({ format: 'date-time' })),
  announcementExpires: Nullable(Type.String({ format: 'date-time' })),
  offer: Nullable(OfferBody),
  wgPublicKey: Nullable(Type.String()),
  podCidr: Nullable(Type.String()),
  version: Nullable(Type.String()),
  tunnel: Nullable(PeerTunnelBody)
}, { description: 'One peer as this agent sees it.' })

export type PeerView = Type.Static<typeof PeerBody>

export const PeersBody = Type.Object({
  self: Type.String({ description: 'this agent\'s peer ID' }),
  fleetId: Type.String(),
  peers: Type.Array(PeerBody)
})
export type PeersList = Type.Static<typeof PeersBody>

export interface PeersRoutesInit {
  self: () => string
  fleetId: () => string
  list: () => PeerView[]
  get: (peerId: string) => PeerView | undefined
}

export function peersRoutes (init: PeersRoutesInit): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/peers', {
      schema: { summary: 'Every peer this agent knows of, with link telemetry.', tags: ['discovery'], response: { 200: PeersBody, ...errorResponses } }
    }, async () => ({ self: init.self(), fleetId: init.fleetId(), peers: init.list() }))

    app.get('/v1/peers/:id', {
      schema: {
        summary: 'One peer.',
        tags: ['discovery'],
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128, pattern: '^[1-9A-HJ-NP-Za-km-z]+$' }) }),
        response: { 200: PeerBody, ...errorResponses }
      }
    }, async (req) => {
      const p = init.get(req.params.id)
      if (p == null) throw new NotFoundError(`no peer ${req.params.id} is known`)
      return p
    })
  }
}
