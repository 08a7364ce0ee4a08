/**
 * Prometheus metrics. Each agent has its own registry (several agents can live
 * in one process in tests and the simulator); process metrics are collected
 * into it, libp2p's own metrics are registered by the node.
 *
 *   const metrics = createMetrics()
 *   const grants = new Counter({ name: 'skein_peering_grants_total', help: '...', registers: [metrics.registry] })
 */
import { Registry, collectDefaultMetrics } from 'prom-client'

export interface Metrics {
  registry: Registry
}

export interface MetricsInit {
  /** collect process metrics (cpu, memory, event loop lag); default true */
  processMetrics?: boolean
}

export function createMetrics (init: MetricsInit = {}): Metrics {
  const registry = new Registry()
  if (init.processMetrics !== false) {
    collectDefaultMetrics({ register: registry, prefix: 'skein_' })
  }
  return { registry }
}
