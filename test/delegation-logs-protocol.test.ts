// /skein/logs/1.0.0 on in-memory stream pairs: the provider's tenant check happens before the
// cluster is read, hostile requests get a typed end frame and never a crash, and a followed log
// merges every container's lines.
import t, { type Test } from 'tap'
import fc from 'fast-check'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { streamPair, lpStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { openStore } from '../agent/store/index.ts'
import { silentLogger } from '../agent/logger.ts'
import { DelegationStore, type HostedRecord } from '../agent/delegation/records.ts'
import { serveLogs, fetchLogs, type LogsSource, type LogPod } from '../agent/delegation/logs.ts'
import type { Network } from '../agent/delegation/types.ts'
import { LogsFrame, LogsOutcome, LogsRequest } from '../protocol/pb/logs.js'
import { Phase } from '../protocol/pb/delegate.js'

const TENANT_A = '12D3KooWTenantAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const TENANT_B = '12D3KooWTenantBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'

const manifests = `apiVersion: v1
kind: Pod
metadata: { name: job }
spec:
  containers:
    - { name: app, image: x, resources: { requests: { cpu: 100m, memory: 64Mi } } }
    - { name: side, image: y, resources: { requests: { cpu: 100m, memory: 64Mi } } }
`

function hosted (consumer: string, workloadId: string, ns: string): HostedRecord {
  return {
    consumer, workloadId, name: 'job', generation: 1, fence: 0, leaseId: 'l1', manifests, requests: { cpu: 200, memory: 128 * 1024 * 1024, pods: 1, gpu: 0, ephemeralStorage: 0 },
    path: [consumer], tenantNs: ns, acceptedAt: 0, phase: Phase.RUNNING, readyReplicas: 1, replicas: 1, podIps: [], lastError: '', observedGeneration: 1, sequence: 1
  }
}

/** A cluster of pods by namespace; records every namespace it was asked about. */
class FakeSource implements LogsSource {
  readonly asked: string[] = []
  readonly byNs = new Map<string, LogPod[]>()
  lines: Record<string, string[]> = {}
  /** with follow, lines written later, per container */
  later: Record<string, string[]> = {}
  async pods (namespace: string): Promise<LogPod[]> {
    this.asked.push(namespace)
    return this.byNs.get(namespace) ?? []
  }

  /** the signals of follows still reading */
  readonly open = new Set<AbortSignal>()
  endless = false

  async * read (namespace: string, pod: string, container: string, o: { follow: boolean, signal: AbortSignal }): AsyncIterable<string> {
    this.asked.push(`${namespace}/${pod}/${container}`)
    if (this.endless) {
      this.open.add(o.signal)
      try {
        for (let i = 0; !o.signal.aborted; i++) {
          yield `tick ${i}`
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
      } finally { this.open.delete(o.signal) }
      return
    }
    for (const l of this.lines[container] ?? []) yield l
    if (!o.follow) return
    for (const l of this.later[container] ?? []) {
      await new Promise((resolve) => setTimeout(resolve, 5))
      yield l
    }
  }
}

async function setup (t: Test): Promise<{ db: DelegationStore, source: FakeSource, serve: (from: string) => Promise<Stream>, network: (from: string) => Network }> {
  const dir = mkdtempSync(join(tmpdir(), 'skein-logs-'))
  const store = openStore({ stateDir: dir })
  t.teardown(() => { store.close(); rmSync(dir, { recursive: true, force: true }) })
  const db = new DelegationStore(store)
  db.putHosted(hosted(TENANT_A, 'wa', 'ns-a'), 0)
  db.putHosted(hosted(TENANT_B, 'wb', 'ns-b'), 0)
  const source = new FakeSource()
  source.byNs.set('ns-a', [{ name: 'job', containers: ['app', 'side'], started: true }])
  source.byNs.set('ns-b', [{ name: 'job', containers: ['app', 'side'], started: true }])
  const serve = async (from: string): Promise<Stream> => {
    const [client, server] = await streamPair({ delay: 0 })
    serveLogs(server, from, { db, logs: source, logger: silentLogger().forComponent('test') }).catch((err: unknown) => { t.fail(`serveLogs threw: ${String(err)}`) })
    return client
  }
  const network = (from: string): Network => ({ dial: async () => await serve(from), handle: async () => {}, unhandle: async () => {} })
  return { db, source, serve, network }
}

async function collect (it: AsyncIterable<{ container: string, line: string }>): Promise<{ lines: string[], error?: Error }> {
  const lines: string[] = []
  try { for await (const l of it) lines.push(`${l.container}:${l.line}`) } catch (err) { return { lines, error: err as Error } }
  return { lines }
}

t.test('a tenant reads only its own workload: another tenant\'s ID is not found and its namespace is never read', async (t) => {
  const { source, network } = await setup(t)
  source.lines = { app: ['a1', 'a2'], side: ['s1'] }
  const own = await collect(fetchLogs(network(TENANT_A), 'provider', { workloadId: 'wa' }))
  t.same(own.lines, ['app:a1', 'app:a2', 'side:s1'])
  t.equal(own.error, undefined)
  source.asked.length = 0
  const other = await collect(fetchLogs(network(TENANT_A), 'provider', { workloadId: 'wb' }))
  t.equal(other.error?.name, 'WorkloadNotFoundError')
  t.same(other.lines, [])
  t.same(source.asked, [], 'B\'s namespace was not even listed')
  const unknown = await collect(fetchLogs(network(TENANT_B), 'provider', { workloadId: 'nope' }))
  t.equal(unknown.error?.name, 'WorkloadNotFoundError', 'the same answer as for an unknown ID: nothing tells B that wa exists')
  t.equal(other.error?.message.replaceAll('wb', 'X'), unknown.error?.message.replaceAll('nope', 'X'))
})

t.test('container and tail select lines; a follow merges every container as lines come', async (t) => {
  const { source, network } = await setup(t)
  source.lines = { app: ['a1'], side: ['s1'] }
  source.later = { app: ['a2', 'a3'], side: ['s2'] }
  const one = await collect(fetchLogs(network(TENANT_A), 'provider', { workloadId: 'wa', container: 'side' }))
  t.same(one.lines, ['side:s1'])
  const bad = await collect(fetchLogs(network(TENANT_A), 'provider', { workloadId: 'wa', container: 'nope' }))
  t.equal(bad.error?.name, 'LogsNotAvailableError')
  t.match(bad.error?.message, /no container nope in this workload \(app, side\)/)
  const followed = await collect(fetchLogs(network(TENANT_A), 'provider', { workloadId: 'wa', follow: true }))
  t.same([...followed.lines].sort(), ['app:a1', 'app:a2', 'app:a3', 'side:s1', 'side:s2'], 'every line of both containers')
  t.same(followed.lines.filter((l) => l.startsWith('app:')), ['app:a1', 'app:a2', 'app:a3'], 'each container in order')
})

t.test('no pod started yet is NOT_RUNNING; a cancelled workload is NOT_FOUND', async (t) => {
  const { db, source, network } = await setup(t)
  source.byNs.set('ns-a', [{ name: 'job', containers: ['app'], started: false }])
  const early = await collect(fetchLogs(network(TENANT_A), 'provider', { workloadId: 'wa', name: 'workload job' }))
  t.equal(early.error?.name, 'LogsNotReadyError')
  t.match(early.error?.message, /^workload job is not running yet: none of its 1 pod\(s\) has started yet/)
  db.putHosted({ ...hosted(TENANT_A, 'wa', 'ns-a'), phase: Phase.CANCELLED }, 1)
  const gone = await collect(fetchLogs(network(TENANT_A), 'provider', { workloadId: 'wa' }))
  t.equal(gone.error?.name, 'WorkloadNotFoundError')
})

t.test('hostile requests get a typed end frame, never a crash, and read nothing', async (t) => {
  const { source, serve } = await setup(t)
  await fc.assert(fc.asyncProperty(
    fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((b) => ({ raw: b })),
      fc.record({ workloadId: fc.oneof(fc.constant('wa'), fc.string({ maxLength: 80 })), container: fc.string({ maxLength: 80 }), tailLines: fc.nat(), follow: fc.boolean() }).map((r) => ({ req: r }))
    ),
    async (c) => {
      source.asked.length = 0
      const stream = await serve(TENANT_B)
      const lp = lpStream(stream, { maxDataLength: 64 * 1024 })
      if ('raw' in c) stream.send(c.raw)
      else await lp.write(LogsRequest.encode({ ...c.req, generation: 0 }))
      await stream.close().catch(() => {})
      let frame: LogsFrame | undefined
      try { frame = LogsFrame.decode(await lp.read({ signal: AbortSignal.timeout(12_000) })) } catch { frame = undefined }
      // a request naming A's workload or garbage: never a line, never A's namespace
      if (frame != null) {
        if (frame.end == null) return false
        if (frame.end.outcome === LogsOutcome.LOGS_OK || frame.end.outcome === LogsOutcome.LOGS_INTERNAL) return false
      }
      return !source.asked.some((a) => a.startsWith('ns-a'))
    }), { numRuns: 60 })
})

t.test('a follow stops reading the cluster when the reader goes away', async (t) => {
  const { source, network } = await setup(t)
  source.endless = true
  const got: string[] = []
  for await (const l of fetchLogs(network(TENANT_A), 'provider', { workloadId: 'wa', follow: true })) {
    got.push(l.line)
    if (got.length >= 5) break
  }
  t.ok(got.length >= 5)
  const deadline = Date.now() + 10_000
  while (source.open.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(source.open.size, 0, 'both container reads were aborted')
})
