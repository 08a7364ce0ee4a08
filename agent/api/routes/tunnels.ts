/** GET /v1/tunnels: this agent's WireGuard interface and the tunnel to each peer. */
import Type from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '../schemas.ts'

const Nullable = <T extends Type.TSchema>(s: T) => Type.Union([s, Type.Null()])

export const TunnelPeerBody = Type.Object({
  peerId: Type.String(),
  publicKey: Type.String({ description: 'the peer\'s WireGuard public key, base64' }),
  endpoint: Nullable(Type.String({ description: 'host:port WireGuard sends to (as `wg show` reports it)' })),
  overlayAddress: Type.String(),
  podCidr: Nullable(Type.String()),
  allowedIps: Type.Array(Type.String()),
  keepaliveS: Type.Integer({ description: 'persistent keepalive in seconds; 0 = off' }),
  latestHandshake: Nullable(Type.Integer({ description: 'ms since the epoch of the latest completed handshake' })),
  handshakeAgeS: Nullable(Type.Integer()),
  rxBytes: Type.Number(),
  txBytes: Type.Number(),
  state: Type.Union([Type.Literal('up'), Type.Literal('connecting'), Type.Literal('stale')], { description: 'up: handshake within 180 s; connecting: none yet; stale: older' }),
  source: Nullable(Type.String({ description: 'why the tunnel exists: static (config) or a lease' }))
})

export const TunnelsBody = Type.Object({
  enabled: Type.Boolean(),
  backend: Type.String({ description: 'kernel, userspace, dry-run, or none when disabled' }),
  interface: Type.String(),
  publicKey: Type.String({ description: 'this agent\'s WireGuard public key' }),
  overlayAddress: Type.String(),
  listenPort: Type.Integer(),
  podCidr: Nullable(Type.String()),
  lastReconcileAt: Nullable(Type.String({ format: 'date-time' })),
  lastError: Nullable(Type.String()),
  peers: Type.Array(TunnelPeerBody),
  refused: Type.Array(Type.Object({ peerId: Type.String(), reason: Type.String() }), { description: 'peers left out of the desired state, and why' })
}, { $id: 'Tunnels' })

export type TunnelsBodyType = Type.Static<typeof TunnelsBody>
export type TunnelPeerBodyType = Type.Static<typeof TunnelPeerBody>

export interface TunnelsRoutesInit {
  /** undefined when the tunnel subsystem is disabled */
  view: () => Omit<TunnelsBodyType, 'enabled'> | undefined
}

export function tunnelsRoutes (init: TunnelsRoutesInit): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/tunnels', {
      schema: { summary: 'This agent\'s WireGuard interface and the tunnel to each peer: endpoint, overlay addresses, allowed IPs, latest handshake, rx/tx.', tags: ['tunnels'], response: { 200: TunnelsBody, ...errorResponses } }
    }, async () => {
      const v = init.view()
      if (v == null) {
        return { enabled: false, backend: 'none', interface: '', publicKey: '', overlayAddress: '', listenPort: 0, podCidr: null, lastReconcileAt: null, lastError: null, peers: [], refused: [] }
      }
      return { enabled: true, ...v }
    })
  }
}
