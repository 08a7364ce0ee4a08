/**
 * The libp2p services and peer discovery modules discovery needs, built from
 * config, to be passed to createNode: gossipsub with peer scoring, the
 * private Kad-DHT, mDNS and bootstrap, and ping with room for two pingers.
 */
import { gossipsub } from '@libp2p/gossipsub'
import { createPeerScoreParams, createTopicScoreParams } from '@libp2p/gossipsub/score'
import { kadDHT } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { bootstrap } from '@libp2p/bootstrap'
import { ping } from '@libp2p/ping'
import type { Libp2pInit, ServiceFactoryMap } from 'libp2p'
import { announceTopic, dhtProtocol, mdnsServiceTag, revocationTopic } from './topics.ts'

export interface DiscoveryServicesInit {
  fleetId: string
  mdns: boolean
  mdnsIntervalMs?: number
  bootstrap: string[]
  dht: boolean
  /** gossipsub heartbeat, ms; default 700 */
  gossipHeartbeatMs?: number
}

export function discoveryServices (init: DiscoveryServicesInit): { services: ServiceFactoryMap, peerDiscovery: NonNullable<Libp2pInit['peerDiscovery']> } {
  const topics = [announceTopic(init.fleetId), revocationTopic(init.fleetId)]
  const topicParams = createTopicScoreParams({
    topicWeight: 1,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 300,
    // first deliveries earn a little, invalid ones (bad signature, non-member) cost a lot
    firstMessageDeliveriesWeight: 0.5,
    firstMessageDeliveriesDecay: 0.9,
    firstMessageDeliveriesCap: 20,
    meshMessageDeliveriesWeight: 0,
    meshFailurePenaltyWeight: 0,
    invalidMessageDeliveriesWeight: -100,
    invalidMessageDeliveriesDecay: 0.5
  })
  const services: ServiceFactoryMap = {
    // Two parties ping every connection: link telemetry (agent/links, every pingInterval) and libp2p's connection
    // monitor (every 10 s), which aborts the whole connection when its ping fails. With ping's default of one
    // outbound stream per connection, the monitor's ping fails whenever it meets a telemetry ping in flight
    // (TooManyOutboundProtocolStreamsError), and every member's connections were torn down and redialled
    // over and over while a fleet formed. Two outbound streams, and four inbound for the remote's two.
    ping: ping({ maxOutboundStreams: 2, maxInboundStreams: 4 }),
    pubsub: gossipsub({
      allowPublishToZeroTopicPeers: true,
      ignoreDuplicatePublishError: true,
      emitSelf: false,
      fallbackToFloodsub: false,
      heartbeatInterval: init.gossipHeartbeatMs ?? 700,
      allowedTopics: topics,
      maxInboundDataLength: 256 * 1024,
      scoreParams: createPeerScoreParams({
        topics: Object.fromEntries(topics.map((t) => [t, topicParams])),
        IPColocationFactorWeight: 0,
        behaviourPenaltyWeight: -1
      }),
      scoreThresholds: { gossipThreshold: -50, publishThreshold: -100, graylistThreshold: -200, acceptPXThreshold: 10, opportunisticGraftThreshold: 1 }
    })
  }
  if (init.dht) {
    services.dht = kadDHT({
      protocol: dhtProtocol(init.fleetId),
      clientMode: false,
      // fleets live on private networks: keep every address
      peerInfoMapper: (p) => p,
      logPrefix: 'skein:dht',
      datastorePrefix: '/skein-dht',
      metricsPrefix: 'skein_dht',
      allowQueryWithZeroPeers: true,
      initialQuerySelfInterval: 1000
    }) as unknown as ServiceFactoryMap[string]
  }
  const peerDiscovery: NonNullable<Libp2pInit['peerDiscovery']> = []
  if (init.mdns) peerDiscovery.push(mdns({ serviceTag: mdnsServiceTag(init.fleetId), interval: init.mdnsIntervalMs ?? 10_000 }))
  if (init.bootstrap.length > 0) peerDiscovery.push(bootstrap({ list: init.bootstrap, timeout: 10 }))
  return { services, peerDiscovery }
}
