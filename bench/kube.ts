/**
 * agent/kube against the in-process API emulator over loopback HTTP:
 * how long a tenant namespace takes, how long a workload takes from apply to
 * Running as seen by the status watch, how fast capacity follows a new pod,
 * and what the emulator's heap costs per pod.
 *
 *   npm run bench -- kube --json [--workloads 20] [--pods 500]
 */
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { KubeConfig } from '@kubernetes/client-node'
import { KubeEmulator } from '../sim/kube/index.ts'
import { kube } from '../agent/kube/index.ts'
import { silentLogger } from '../agent/logger.ts'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return Math.round((s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0) * 10) / 10
}

export async function run (args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { workloads: { type: 'string', default: '20' }, pods: { type: 'string', default: '500' } } })
  const workloads = Number(values.workloads)
  const podCount = Number(values.pods)

  let t0 = performance.now()
  const emu = new KubeEmulator({ nodes: 4, node: { cpu: '64', memory: '256Gi', pods: 1000 } })
  await emu.start()
  const startMs = performance.now() - t0
  const kc = new KubeConfig()
  kc.loadFromString(emu.kubeconfigYaml())
  const client = kube({ kubeConfig: kc, backend: { mode: 'embedded', server: emu.url } })({ logger: silentLogger().forComponent('bench') })
  await client.start()
  t0 = performance.now()
  await client.waitForSync()
  const syncMs = performance.now() - t0

  const tenantMs: number[] = []
  for (let i = 0; i < 10; i++) {
    t0 = performance.now()
    await client.ensureTenant({ leaseId: `bench-${i}`, ownerPeer: 'peer', quota: { cpu: 16000, memory: 64 * 2 ** 30, pods: 500 } })
    tenantMs.push(performance.now() - t0)
  }
  const ns = 'skein-bench-0'

  // apply → Running through the status watch; apply → capacity change through the capacity watch
  const running = new Map<string, number>()
  const w = client.watchWorkloads(ns, (s) => { if (s.phase === 'Running' && !running.has(s.name)) running.set(s.name, performance.now()) })
  const toRunning: number[] = []
  const toCapacity: number[] = []
  for (let i = 0; i < workloads; i++) {
    const name = `w${i}`
    const before = client.capacity().requested.pods
    const capSeen = new Promise<number>((resolve) => {
      const u = client.onCapacity((c) => { if (c.requested.pods > before) { u(); resolve(performance.now()) } })
    })
    const start = performance.now()
    await client.applyWorkload(ns, [{
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '8Mi' } } }] } } }
    }])
    toCapacity.push(await capSeen - start)
    while (!running.has(name)) await new Promise((resolve) => setTimeout(resolve, 1))
    toRunning.push((running.get(name) ?? start) - start)
  }
  await w.stop()

  // heap per pod in the emulator
  gc()
  const heapBefore = process.memoryUsage().heapUsed
  await client.applyWorkload('skein-bench-1', [{
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'many' },
    spec: { replicas: podCount, selector: { matchLabels: { app: 'many' } }, template: { metadata: { labels: { app: 'many' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '8Mi' } } }] } } }
  }])
  t0 = performance.now()
  while ((await client.workloadStatus('skein-bench-1', { kind: 'Deployment', name: 'many' })).readyReplicas !== podCount) await new Promise((resolve) => setTimeout(resolve, 20))
  const manyMs = performance.now() - t0
  gc()
  const heapAfter = process.memoryUsage().heapUsed

  await client.stop()
  await emu.stop()
  return {
    emulatorStartMs: Math.round(startMs * 10) / 10,
    capacitySyncMs: Math.round(syncMs * 10) / 10,
    ensureTenantMs: { p50: pct(tenantMs, 0.5), p95: pct(tenantMs, 0.95) },
    applyToRunningMs: { n: workloads, p50: pct(toRunning, 0.5), p95: pct(toRunning, 0.95) },
    applyToCapacityEventMs: { n: workloads, p50: pct(toCapacity, 0.5), p95: pct(toCapacity, 0.95) },
    pods: { count: podCount, allReadyAfterApplyMs: Math.round(manyMs), heapPerPodKiB: Math.round((heapAfter - heapBefore) / podCount / 102.4) / 10 },
    note: 'client and emulator in one process over 127.0.0.1; heap figure includes the client\'s pod cache and the emulator\'s watch history'
  }
}
