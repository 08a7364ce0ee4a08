/**
 * Flood benchmark: one agent (the victim, in this process) under a fleet
 * member's abuse on loopback TCP, phase after phase; the heap and the
 * operator API are measured throughout.
 *
 *   npm run bench -- flood --json [--frames 2000] [--oversized 200] [--gossip 2000] [--streams 2000]
 *
 * Phases: `frames` hostile frames on /skein/peering/1.0.0 and
 * /skein/delegate/1.0.0 (the cases of `npm run fuzz`, 16 streams at a time);
 * `oversized` streams whose length prefix claims 1 GiB, followed by 256 KiB of
 * junk; `gossip` junk messages and as many signed announcements with absurd
 * offers on the fleet topic; `streams` streams opened at once on one
 * connection by a member in another process (test/helpers/flood-streams.ts),
 * held until the end. The first three come from an attacker agent in this
 * process, so the API latency of those phases includes the attacker's work.
 *
 * heap*MB: V8 heap in use after a full GC (before, after each phase, at the
 * end); heapGrowthMB = end − before. healthz*Ms: /healthz over the unix
 * socket every 100 ms during all phases. rejects: what the victim counted.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PrivateKey, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { Agent } from '../agent/system.ts'
import { ApiClient } from '../agent/client/index.ts'
import { loadOrCreateIdentity } from '../agent/identity/index.ts'
import { announceTopic } from '../agent/discovery/index.ts'
import { encodeFleetPublicKey, issueCertificate, toText } from '../protocol/membership/index.ts'
import { signAnnouncement } from '../protocol/announce/index.ts'
import { PROTOCOL as PEERING_PROTOCOL } from '../protocol/peering/constants.ts'
import { DELEGATE_PROTOCOL } from '../protocol/delegation/constants.ts'
import { startFleetMember, repoRoot } from '../test/helpers/agent.ts'
import { buildPeering, buildDelegate, peeringCases, delegateCases, counterSum, varint, type Keys } from '../test/helpers/fuzz-handlers.ts'

function arg (args: string[], name: string, def: string): number {
  const i = args.indexOf(`--${name}`)
  const n = Number(i >= 0 && args[i + 1] != null ? args[i + 1] : def)
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`)
  return n
}

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const heapMB = (): number => { gc(); gc(); return Math.round(process.memoryUsage().heapUsed / 1e5) / 10 }
const progress = (line: string): void => { process.stderr.write(`flood bench: ${line}\n`) }
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

async function member (dirs: string[], fleetKey: PrivateKey, bootstrap: string[]): Promise<Agent> {
  const d = mkdtempSync(join(tmpdir(), 'skein-flood-'))
  dirs.push(d)
  return await startFleetMember(d, fleetKey, bootstrap)
}

async function pool<T> (items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++] as T)
  }))
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.floor(p * s.length))] as number
}

export async function run (args: string[]): Promise<Record<string, unknown>> {
  const n = { frames: arg(args, 'frames', '2000'), oversized: arg(args, 'oversized', '200'), gossip: arg(args, 'gossip', '2000'), streams: arg(args, 'streams', '2000') }
  const dirs: string[] = []
  const agents: Agent[] = []
  const fleetKey = await generateKeyPair('Ed25519')
  try {
    const victim = await member(dirs, fleetKey, [])
    agents.push(victim)
    const attacker = await member(dirs, fleetKey, victim.listenAddrs())
    agents.push(attacker)
    const victimPeer = peerIdFromString(victim.peerId)
    const deadline = Date.now() + 20_000
    while (victim.discovery?.fleet.isMember(attacker.peerId) !== true || attacker.discovery?.fleet.isMember(victim.peerId) !== true) {
      if (Date.now() > deadline) throw new Error('the attacker was not admitted')
      await sleep(50)
    }
    const registry = victim.metrics!.registry
    const counted = async (): Promise<Record<string, number>> => ({
      peering: await counterSum(registry, 'skein_peering_rejects_total'),
      delegate: await counterSum(registry, 'skein_delegation_provider_answers_total', ['ack', 'repeat']),
      gossip: await counterSum(registry, 'skein_gossip_dropped_total'),
      streams: await counterSum(registry, 'skein_stream_rejects_total')
    })
    const client = new ApiClient({ address: victim.config.api, timeoutMs: 5000 })
    await sleep(1000)
    const heap: Record<string, number> = { before: heapMB() }
    const countsBefore = await counted()

    const latencies: number[] = []
    let failures = 0
    let probing = true
    const probe = (async () => {
      while (probing) {
        const start = performance.now()
        try { await client.get('/healthz'); latencies.push(performance.now() - start) } catch { failures++ }
        await sleep(100)
      }
    })()

    const anode = attacker.node!
    const conn = async () => anode.getConnections(victimPeer)[0] ?? await anode.dial(victimPeer)
    const keys: Keys = { attacker: attacker.identity!.privateKey, attackerId: attacker.peerId, victimId: victim.peerId }
    const phaseMs: Record<string, number> = {}
    const send = async (protocol: string, bytes: Uint8Array, readAnswer: boolean): Promise<void> => {
      let s: Stream | undefined
      try {
        s = await (await conn()).newStream(protocol, { signal: AbortSignal.timeout(10_000) })
        for (let at = 0; at < bytes.length && s.writeStatus === 'writable'; at += 64 * 1024) {
          if (!s.send(bytes.subarray(at, at + 64 * 1024))) await s.onDrain({ signal: AbortSignal.timeout(10_000) })
        }
        if (s.writeStatus === 'writable') await s.close({ signal: AbortSignal.timeout(10_000) })
        if (readAnswer) await lpStream(s, { maxDataLength: 4 * 1024 * 1024 }).read({ signal: AbortSignal.timeout(15_000) })
      } catch {} finally {
        if (s?.status === 'open') s.abort(new Error('done'))
      }
    }

    progress(`victim ${victim.peerId}, heap ${heap.before} MB; ${n.frames} hostile frames`)
    let t0 = performance.now()
    const recipes = [
      ...fc.sample(peeringCases(), Math.ceil(n.frames / 2)).map((r) => ({ r, protocol: PEERING_PROTOCOL, build: buildPeering })),
      ...fc.sample(delegateCases(), Math.floor(n.frames / 2)).map((r) => ({ r, protocol: DELEGATE_PROTOCOL, build: buildDelegate }))
    ]
    await pool(recipes, 16, async ({ r, protocol, build }) => {
      for (const bytes of await build(r, keys, Date.now())) await send(protocol, bytes, true)
    })
    phaseMs.frames = Math.round(performance.now() - t0)
    heap.afterFrames = heapMB()

    progress(`frames done in ${phaseMs.frames} ms; ${n.oversized} oversized frames`)
    t0 = performance.now()
    const junk = new Uint8Array(256 * 1024).fill(0x41)
    const oversized = Uint8Array.from([...varint(1n << 30n), ...junk])
    await pool(Array.from({ length: n.oversized }, (_, i) => i % 2 === 0 ? PEERING_PROTOCOL : DELEGATE_PROTOCOL), 16, async (protocol) => { await send(protocol, oversized, false) })
    phaseMs.oversized = Math.round(performance.now() - t0)
    heap.afterOversized = heapMB()

    progress(`oversized done in ${phaseMs.oversized} ms; ${n.gossip} junk and ${n.gossip} absurd announcements`)
    t0 = performance.now()
    const pubsub = (anode.services as unknown as { pubsub: { publish: (topic: string, data: Uint8Array) => Promise<unknown> } }).pubsub
    const topic = announceTopic(victim.discovery!.fleet.fleetId)
    const cert = attacker.discovery!.fleet.certificate
    for (let i = 0; i < n.gossip; i++) {
      const junkMsg = new Uint8Array(64 + (i % 1024)).fill(i & 0xff)
      try { await pubsub.publish(topic, junkMsg) } catch {}
      const now = Date.now()
      const absurd = await signAnnouncement(keys.attacker, {
        peerId: keys.attackerId, seq: 10_000_000 + i, issuedMs: now, expiresMs: now + 60_000, addrs: [], labels: {},
        offer: { cpuMillis: 2 ** 52, memoryBytes: 2 ** 52, pods: 0, gpu: 0, ephemeralStorageBytes: 0, generation: i, hops: 2 ** 31 }
      }, cert)
      try { await pubsub.publish(topic, absurd) } catch {}
      if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    await sleep(2000)
    phaseMs.gossip = Math.round(performance.now() - t0)
    heap.afterGossip = heapMB()

    progress(`gossip done in ${phaseMs.gossip} ms; ${n.streams} streams from another process`)
    t0 = performance.now()
    let streamOutcome: unknown
    if (n.streams > 0) {
      const d = mkdtempSync(join(tmpdir(), 'skein-flood-'))
      dirs.push(d)
      const id = await loadOrCreateIdentity(join(d, 'state'))
      writeFileSync(join(d, 'state', 'membership.cert'), toText(await issueCertificate(fleetKey, { peerId: id.peerId.toString(), expiresMs: Date.now() + 86_400_000 })))
      const child = spawn(process.execPath, [join(repoRoot, 'test', 'helpers', 'flood-streams.ts'), d, encodeFleetPublicKey(fleetKey.publicKey), victim.listenAddrs()[0]!, String(n.streams), PEERING_PROTOCOL, DELEGATE_PROTOCOL, '/ipfs/id/1.0.0', '/ipfs/ping/1.0.0'], { stdio: ['pipe', 'pipe', 'pipe'] })
      let out = ''
      let err = ''
      child.stdout.on('data', (b: Buffer) => { out += b.toString() })
      child.stderr.on('data', (b: Buffer) => { err += b.toString() })
      const until = Date.now() + 60_000
      while (!out.includes('\n')) {
        if (child.exitCode != null || Date.now() > until) { child.kill('SIGKILL'); throw new Error(`the flooding member failed: ${err}`) }
        await sleep(50)
      }
      streamOutcome = JSON.parse(out.split('\n')[0]!)
      await sleep(2000)
      heap.whileStreamsHeld = heapMB()
      child.stdin.end()
      await new Promise((resolve) => { child.once('exit', resolve); setTimeout(resolve, 5000) })
      if (child.exitCode == null) child.kill('SIGKILL')
    }
    phaseMs.streams = Math.round(performance.now() - t0)
    await sleep(3000)
    heap.end = heapMB()
    probing = false
    await probe
    const countsAfter = await counted()
    return {
      machine: `${process.platform} ${process.arch}, node ${process.version}`,
      counts: n,
      phaseMs,
      heapBeforeMB: heap.before,
      heapMB: heap,
      heapGrowthMB: Math.round(((heap.end ?? 0) - (heap.before ?? 0)) * 10) / 10,
      healthzCalls: latencies.length,
      healthzFailures: failures,
      healthzP50Ms: Math.round(percentile(latencies, 0.5) * 10) / 10,
      healthzP99Ms: Math.round(percentile(latencies, 0.99) * 10) / 10,
      healthzMaxMs: Math.round(Math.max(0, ...latencies) * 10) / 10,
      rejects: Object.fromEntries(Object.entries(countsAfter).map(([k, v]) => [k, v - (countsBefore[k] ?? 0)])),
      streamFlood: streamOutcome,
      victimState: victim.state
    }
  } finally {
    for (const a of agents.reverse()) await a.stop().catch(() => {})
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  }
}
