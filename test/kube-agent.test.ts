// The agent wires agent/kube: `kube.mode: embedded` runs the API emulator
// in-process, reports it in /v1/status and /healthz, and stops it on stop.
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { finishConfig } from '../agent/config/index.ts'
import { Agent } from '../agent/system.ts'
import { silentLogger } from '../agent/logger.ts'

t.test('an agent with kube.mode embedded runs the emulator in-process and stops it with itself', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skein-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const config = finishConfig({
    stateDir: dir,
    runtimeDir: join(dir, 'run'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    discovery: { mdns: false, dht: false },
    kube: { mode: 'embedded', embedded: { nodes: 2, cpu: '2', memory: '4Gi' } }
  }, {})
  const agent = new Agent(config, { logger: silentLogger() })
  t.teardown(async () => { await agent.stop() })
  await agent.start()
  const status = agent.status()
  t.equal(status.kube?.backend, 'embedded')
  t.match(status.kube?.server, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.equal(status.kube?.reachable, true)
  t.equal(status.kube?.readyNodes, 2)
  t.same(status.kube?.allocatable, { cpu: 4000, memory: 8 * 2 ** 30, pods: 220 })
  t.equal(agent.health().checks.kube, 'ok')
  const metrics = await agent.metrics?.registry.metrics() ?? ''
  t.match(metrics, /skein_kube_free_cpu_millicores 4000/)
  t.match(metrics, /skein_kube_requests_total\{method="GET",code="200"\} \d+/)
  const server = status.kube?.server ?? ''
  t.equal((await fetch(`${server}/version`)).status, 200)
  await agent.stop()
  await t.rejects(fetch(`${server}/version`), 'the emulator stopped with the agent')
})
