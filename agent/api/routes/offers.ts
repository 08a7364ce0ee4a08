/** GET /v1/offers: what we offer, and what peers offer us; POST /v1/offers/query asks one peer afresh. */
import Type from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '../schemas.ts'
import { ResourcesBody, resourcesView } from './leases.ts'
import type { Peering, KnownOffer } from '../../peering/index.ts'

export const KnownOfferBody = Type.Object({
  peer: Type.String(),
  resources: ResourcesBody,
  path: Type.Array(Type.String()),
  at: Type.String({ format: 'date-time', description: 'when we heard it' })
})

export const OffersBody = Type.Object({
  mine: Type.Object({
    share: Type.Boolean({ description: 'false: consumer only, nothing offered' }),
    free: ResourcesBody,
    reserve: ResourcesBody,
    pool: ResourcesBody,
    granted: ResourcesBody,
    remaining: ResourcesBody
  }),
  offeredToMe: Type.Array(KnownOfferBody)
})

export type OffersView = Type.Static<typeof OffersBody>
export type KnownOfferView = Type.Static<typeof KnownOfferBody>

function knownView (k: KnownOffer): KnownOfferView {
  return { peer: k.peer, resources: resourcesView(k.resources), path: k.path, at: new Date(k.at).toISOString() }
}

export interface OffersRoutesInit { peering: () => Peering }

export function offersRoutes (init: OffersRoutesInit): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/v1/offers', {
      schema: { summary: 'What this agent offers (free − reserve, capped by policy, minus what is granted) and what peers offer it.', tags: ['peering'], response: { 200: OffersBody, ...errorResponses } }
    }, async () => {
      const p = init.peering()
      const v = p.offerView()
      return {
        mine: { share: v.share, free: resourcesView(v.free), reserve: resourcesView(v.reserve), pool: resourcesView(v.pool), granted: resourcesView(v.granted), remaining: resourcesView(v.remaining) },
        offeredToMe: p.knownOffers().map(knownView)
      }
    })

    app.post('/v1/offers/query', {
      schema: {
        summary: 'Ask one peer for its current offer to us.',
        tags: ['peering'],
        body: Type.Object({ peer: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
        response: { 200: KnownOfferBody, ...errorResponses }
      }
    }, async (req) => {
      const { peer } = req.body as { peer: string }
      return knownView(await init.peering().queryOffer(peer))
    })
  }
}
