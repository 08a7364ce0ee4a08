/**
 * Wires peering to the real subsystems: capacity and tenant namespaces from
 * agent/kube, membership and labels from the fleet and discovery, our offer
 * into our announcements and peers' offers out of theirs. agent/system.ts
 * calls this; unit tests use createPeering with fakes instead.
 *
 *   const peering = wirePeering(config.peering, { store, clock, logger, privateKey, peerId, node, metrics, kube, discovery })
 *   await peering.start()
 */
import type { PrivateKey } from '@libp2p/interface'
import type { Store } from '../store/index.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { Metrics } from '../metrics/index.ts'
import type { KubeClient } from '../kube/index.ts'
import type { DiscoverySystem } from '../discovery/wiring.ts'
import { validateResources, zero, type Resources } from '../../protocol/peering/index.ts'
import { createPeering, type Peering, type PeeringNetwork } from './index.ts'
import { peeringInitFrom, autoInitFrom, type PeeringConfig } from './config.ts'
import { AutoPeering } from './auto.ts'

export interface PeeringWiring {
  store: Store
  clock: Clock
  logger: Logger
  privateKey: PrivateKey
  peerId: string
  node: PeeringNetwork
  metrics?: Metrics
  kube?: KubeClient
  discovery?: DiscoverySystem
}

function fromKube (r: { cpu: number, memory: number, pods: number, gpu?: number, ephemeralStorage?: number }): Resources {
  const whole = (v: number | undefined): number => Math.max(0, Math.floor(v ?? 0))
  return validateResources({ cpu: whole(r.cpu), memory: whole(r.memory), pods: whole(r.pods), gpu: whole(r.gpu), ephemeralStorage: whole(r.ephemeralStorage) }, 'kube capacity')
}

export function wirePeering (config: PeeringConfig, w: PeeringWiring): Peering {
  const kube = w.kube
  const log = w.logger.forComponent('skein:peering')
  const peering = createPeering(peeringInitFrom(config))({
    store: w.store,
    clock: w.clock,
    logger: w.logger,
    privateKey: w.privateKey,
    peerId: w.peerId,
    network: w.node,
    ...(w.metrics != null ? { metrics: w.metrics } : {}),
    membership: {
      isMember: (p) => w.discovery?.fleet.isMember(p) ?? false,
      labels: (p) => w.discovery?.discovery?.peer(p)?.announcement.labels
    },
    capacity: {
      // NOTE: kube's free capacity counts tenant pods as used, so lending is conservative: a busy tenant shrinks the pool it was granted from
      free: () => kube != null ? fromKube(kube.capacity().free) : zero(),
      onChange: (cb) => kube?.onCapacity(() => { cb() })
    },
    tenants: {
      ensure: async (lease) => {
        if (kube == null) return
        await kube.ensureTenant({ leaseId: lease.id, ownerPeer: lease.consumer, quota: { ...lease.quota } })
      },
      remove: async (lease) => {
        if (kube == null) return
        await kube.deleteTenant(lease.id)
      }
    }
  })
  // our offer rides on our announcements; peers' offers come back from theirs
  peering.offers.onAnnounce((offer) => {
    w.discovery?.discovery?.update({
      offer: { cpuMillis: offer.cpu, memoryBytes: offer.memory, pods: offer.pods, gpu: offer.gpu, ephemeralStorageBytes: offer.ephemeralStorage, generation: peering.offers.announcements, hops: 1 }
    })
  })
  w.discovery?.discovery?.onAnnouncement((rec) => {
    const o = rec.announcement.offer
    if (o == null) return
    try {
      peering.noteOffer(rec.peerId, validateResources({ cpu: o.cpuMillis, memory: o.memoryBytes, pods: o.pods, gpu: o.gpu, ephemeralStorage: o.ephemeralStorageBytes }, 'announced offer'))
    } catch (err) {
      log.debug({ peer: rec.peerId, err: (err as Error).message }, 'announced offer ignored')
    }
  })
  const auto = autoInitFrom(config)
  if (auto != null) {
    const links = w.discovery?.links
    peering.addCompanion(new AutoPeering(auto, {
      peering,
      store: w.store,
      clock: w.clock,
      logger: w.logger,
      candidates: () => (w.discovery?.discovery?.peers() ?? [])
        .filter((rec) => w.discovery?.fleet.isMember(rec.peerId) === true)
        .map((rec) => {
          const link = links?.get(rec.peerId)
          return {
            peerId: rec.peerId,
            labels: rec.announcement.labels ?? {},
            rttMs: link?.rttMs ?? null,
            alive: link == null || link.state === 'alive',
            ...(rec.announcement.offer != null ? { offerCpu: rec.announcement.offer.cpuMillis } : {})
          }
        })
    }))
  }
  return peering
}
