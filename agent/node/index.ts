/**
 * The agent's libp2p node: TCP, Noise, yamux, identify and ping, keyed by the
 * agent's identity. Later subsystems add their services through `services`.
 *
 *   const node = await createNode({ privateKey, listen: ['/ip4/127.0.0.1/tcp/0'], metrics })
 *   await node.start()
 */
import { createLibp2p, type Libp2p, type Libp2pInit, type ServiceFactoryMap } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { containedYamux } from './muxer.ts'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { defaultLogger } from '@libp2p/logger'
import type { ComponentLogger, ConnectionGater, Logger as Libp2pLogger, PrivateKey, ServiceMap, Stream } from '@libp2p/interface'
import { Counter } from 'prom-client'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Metrics } from '../metrics/index.ts'
import { productName, version } from '../version.ts'

export interface NodeInit<S extends ServiceMap = ServiceMap> {
  privateKey: PrivateKey
  listen: string[]
  announce?: string[]
  metrics?: Metrics
  connectionGater?: ConnectionGater
  /** extra services, merged with identify and ping */
  services?: ServiceFactoryMap<S>
  peerDiscovery?: Libp2pInit['peerDiscovery']
  /** extra transports (the simulator adds the memory transport) */
  transports?: Libp2pInit['transports']
  /** replace TCP instead of adding to it */
  replaceTransports?: boolean
  maxConnections?: number
  /** inbound connections per second accepted from one address (libp2p default 5); discovery raises it for many agents on one host */
  inboundConnectionThreshold?: number
  /** multiaddrs of networks exempt from the connection limits, e.g. /ip4/127.0.0.0/ipcidr/8 (libp2p's connectionManager.allow) */
  allow?: string[]
}

export interface BaseServices {
  identify: ReturnType<ReturnType<typeof identify>>
  ping: ReturnType<ReturnType<typeof ping>>
}

export type SkeinNode<S extends ServiceMap = ServiceMap> = Libp2p<BaseServices & S>

/**
 * Counts inbound streams libp2p refuses because a protocol's maxInboundStreams
 * is reached on the connection (libp2p itself only aborts them), as
 * skein_stream_rejects_total{protocol}. Reads the connection's muxer, which the
 * Connection interface does not expose.
 */
function countStreamRejects (node: Libp2p, metrics: Metrics): void {
  const existing = metrics.registry.getSingleMetric('skein_stream_rejects_total') as Counter<'protocol'> | undefined
  const rejects = existing ?? new Counter({ name: 'skein_stream_rejects_total', help: 'Inbound streams refused because the protocol\'s per-connection stream limit was reached, by protocol', labelNames: ['protocol'], registers: [metrics.registry] })
  node.addEventListener('connection:open', (evt) => {
    const muxer = (evt.detail as unknown as { muxer?: { addEventListener?: (type: 'stream', fn: (e: CustomEvent<Stream>) => void) => void } }).muxer
    muxer?.addEventListener?.('stream', (e) => {
      const stream = e.detail
      stream.addEventListener('close', (c) => {
        const err = (c as Event & { error?: Error }).error
        if (err?.name === 'TooManyInboundProtocolStreamsError') rejects.inc({ protocol: String(stream.protocol ?? 'unknown').slice(0, 64) })
      }, { once: true })
    })
  })
}

/** how long one identify exchange may take, and how often it is tried on a connection */
export const IDENTIFY_TIMEOUT_MS = 10_000
export const IDENTIFY_ATTEMPTS = 6
const IDENTIFY_RETRY_MS = 2000

/**
 * Runs identify on every new connection, and again when it fails, while the
 * connection stays open: after 2, 4, 8, 16 and 32 s (jittered), at most
 * IDENTIFY_ATTEMPTS times. libp2p runs it once, and only identify tells the
 * protocols' topologies (gossipsub, the DHT) of the peer: a connection whose
 * one exchange failed (segments lost on a radio link, a host too busy to
 * answer within the timeout) stayed open without ever carrying gossip, and a
 * member that joined a busy fleet could sit on dozens of such connections
 * hearing nobody. Failures that are retried count in
 * skein_identify_failures_total.
 */
function identifyEveryConnection (node: Libp2p<BaseServices & ServiceMap>, metrics?: Metrics): void {
  const failures = metrics != null
    ? (metrics.registry.getSingleMetric('skein_identify_failures_total') as Counter | undefined) ??
      new Counter({ name: 'skein_identify_failures_total', help: 'Identify exchanges that failed on a connection still open (each is retried, with backoff, up to 6 attempts)', registers: [metrics.registry] })
    : undefined
  node.addEventListener('connection:open', (evt) => {
    const conn = evt.detail
    void (async () => {
      for (let attempt = 1; conn.status === 'open'; attempt++) {
        try {
          await node.services.identify.identify(conn)
          return
        } catch {
          if (conn.status !== 'open' || attempt >= IDENTIFY_ATTEMPTS) return
          failures?.inc()
          await sleep(IDENTIFY_RETRY_MS * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5), undefined, { ref: false })
        }
      }
    })()
  })
}

/** how long this node's ping responder keeps a ping stream (the dialler rotates its stream at half this) */
export const PING_STREAM_LIFETIME_MS = 120_000

/**
 * libp2p's own debug logging, which its DEBUG environment variable turns on.
 * With DEBUG unset, every logger is a no-op: libp2p makes loggers per
 * connection and per stream, and making one asks whether stderr is a
 * terminal, a system call a stream (2–4 % of the CPU of a member pinging its
 * peers once a second).
 */
export function libp2pLogger (debug = process.env.DEBUG): ComponentLogger {
  if (debug != null && debug.trim() !== '') return defaultLogger()
  const noop = (() => {}) as unknown as Libp2pLogger
  Object.assign(noop, { enabled: false, error: () => {}, trace: () => {}, newScope: () => noop })
  return { forComponent: () => noop }
}

export async function createNode<S extends ServiceMap = ServiceMap> (init: NodeInit<S>): Promise<SkeinNode<S>> {
  const transports = init.replaceTransports === true ? (init.transports ?? []) : [tcp(), ...(init.transports ?? [])]
  const containedCount = init.metrics != null
    ? (init.metrics.registry.getSingleMetric('skein_muxer_goaway_failures_total') as Counter | undefined) ??
      new Counter({ name: 'skein_muxer_goaway_failures_total', help: 'Connections aborted while already closing, whose GoAway frame could not be sent (contained, not fatal)', registers: [init.metrics.registry] })
    : undefined
  const contained = (): void => { containedCount?.inc() }
  const services = {
    // run on every connection by identifyEveryConnection, which retries
    identify: identify({ runOnConnectionOpen: false, timeout: IDENTIFY_TIMEOUT_MS }),
    // The responder ends a ping stream PING_STREAM_LIFETIME_MS after it opened (libp2p's default is 10 s), so a
    // member's link pings to a peer share a stream for a minute (agent/links/pinger.ts). Room for two pings
    // each way per connection: the failure detector's (one at a time, its stream being closed overlapping the
    // one that replaces it) and another pinger's (an operator's tool). With ping's default of one outbound
    // stream, the second failed whenever it met the first in flight.
    ping: ping({ timeout: PING_STREAM_LIFETIME_MS, maxOutboundStreams: 2, maxInboundStreams: 4 }),
    ...(init.services ?? {})
  } as unknown as ServiceFactoryMap<BaseServices & S>
  const node = await createLibp2p<BaseServices & S>({
    privateKey: init.privateKey,
    start: false,
    logger: libp2pLogger(),
    nodeInfo: { name: productName, version },
    addresses: {
      listen: init.listen,
      announce: init.announce ?? []
    },
    transports,
    connectionEncrypters: [noise()],
    streamMuxers: [containedYamux(contained)],
    ...(init.connectionGater != null ? { connectionGater: init.connectionGater } : {}),
    // libp2p's connection monitor pings every connection every 10 s and aborts it when a ping fails. The failure
    // detector (agent/links) already pings the members it watches and judges the rest by their announcements, and
    // discovery closes the connections of a member found unreachable; on a busy host the monitor's 5 s timeout
    // tore down thousands of healthy connections in a simulated fleet of 60 (each then redialled: Noise,
    // identify, a membership hello), which made the host busier still.
    connectionMonitor: { enabled: false },
    connectionManager: {
      maxConnections: init.maxConnections ?? 300,
      ...(init.inboundConnectionThreshold != null ? { inboundConnectionThreshold: init.inboundConnectionThreshold } : {}),
      ...(init.allow != null ? { allow: init.allow } : {})
    },
    ...(init.peerDiscovery != null ? { peerDiscovery: init.peerDiscovery } : {}),
    ...(init.metrics != null
      ? { metrics: prometheusMetrics({ registry: init.metrics.registry, collectDefaultMetrics: false, preserveExistingMetrics: true }) }
      : {}),
    services
  })
  if (init.metrics != null) countStreamRejects(node, init.metrics)
  identifyEveryConnection(node, init.metrics)
  return node
}
