/**
 * The libp2p services and peer discovery modules discovery needs, built from
 * config, to be passed to createNode: gossipsub with peer scoring, the
 * private Kad-DHT, mDNS and bootstrap, and ping with room for two pingers.
 */
import { createHash } from 'node:crypto'
import { StrictNoSign, gossipsub } from '@libp2p/gossipsub'
import type { RPC } from '@libp2p/gossipsub/message'
import { createPeerScoreParams, createTopicScoreParams } from '@libp2p/gossipsub/score'
import { kadDHT } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { bootstrap } from '@libp2p/bootstrap'
import type { Libp2pInit, ServiceFactoryMap } from 'libp2p'
import { announceTopic, dhtProtocol, mdnsServiceTag, revocationTopic, verdictTopic } from './topics.ts'

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
  const topics = [announceTopic(init.fleetId), revocationTopic(init.fleetId), verdictTopic(init.fleetId)]
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
    pubsub: gossipsub({
      allowPublishToZeroTopicPeers: true,
      ignoreDuplicatePublishError: true,
      emitSelf: false,
      fallbackToFloodsub: false,
      heartbeatInterval: init.gossipHeartbeatMs ?? 700,
      // Every payload on our topics signs itself (an announcement and a verdict by their author, a revocation by the
      // fleet's CA) and is checked by its topic's validator, so gossipsub's own envelope signature only doubled the
      // work: a signature made per publish and one checked per message per member (8 % of the CPU of 100 simulated
      // members, more than the checks that matter). Messages carry no author, sequence number or key; their id is
      // the hash of the payload, so the same payload published twice is one message (our payloads carry a
      // sequence number or an issue time)
      globalSignaturePolicy: StrictNoSign,
      // A smaller mesh than gossipsub's (6, within 4 to 12): a member publishes to every member it is connected to
      // (flood publish), which in a fleet within links.maxMonitored is every member it can reach, so the mesh
      // carries second copies and repairs what a direct send lost; 3 to 6 peers keep a member reachable over the
      // mesh alone (in a larger fleet a member is connected to the members it pings and those that ping it).
      // Each member receives each message about 1 + mesh size times, and at 100 members in one process gossip
      // is most of the agents' work
      D: 4,
      Dlo: 3,
      Dhi: 6,
      Dscore: 2,
      Dout: 2,
      // IHAVE gossip (the third path, after the direct send and the mesh; anti-entropy rounds are the fourth) goes
      // to Dlazy = 2 peers outside the mesh each heartbeat, not to a quarter of them (the default gossipFactor
      // 0.25): with an announcement in the message cache at nearly every heartbeat, a quarter is an IHAVE to ~47
      // peers per heartbeat per member at 200 members. With 6 peers, IHAVEs were half the RPCs a member of a
      // simulated fleet of 40 sent
      Dlazy: 2,
      gossipFactor: 0,
      // a copy of a message already seen is recognised at once by a synchronous hash of its bytes, before the
      // message id (an asynchronous hash) and before any validation
      fastMsgIdFn: fastMessageId,
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

/**
 * The key under which gossipsub remembers a message it has seen, computed
 * before any check: a hash of every field a message can carry, each
 * length-prefixed, so that only a byte-identical copy is taken for a
 * duplicate. A copy with any other byte is checked as usual (and its
 * forwarder penalised when it is invalid), so a forged message cannot shadow
 * the genuine one: the key of each is the hash of its own bytes.
 */
export function fastMessageId (msg: RPC.Message): string {
  const h = createHash('sha256')
  const len = Buffer.alloc(4)
  for (const part of [msg.from, msg.seqno, msg.signature, msg.key, msg.data, Buffer.from(msg.topic)]) {
    len.writeUInt32BE(part?.byteLength ?? 0xffffffff)
    h.update(len)
    if (part != null) h.update(part)
  }
  return h.digest('base64')
}
