/**
 * Hostile traffic on the delegation status stream (/skein/delegate-status/1.0.0),
 * both ways, against the real Provider and Consumer on a real store over
 * in-memory stream pairs.
 *
 * Provider side: a member opens status streams and sends subscriptions that
 * are not its own to make (random bytes, truncated or lying length prefixes,
 * frames over the cap, another consumer's peer ID, sent a byte at a time, from
 * a non-member). Every one is refused: the stream is closed, no Status leaves,
 * the handler settles, the store is unchanged, and an honest consumer's
 * subscription on the same provider keeps flowing.
 *
 * Consumer side: the provider a consumer subscribed to answers with generated
 * Status frames (random bytes, frames over the cap, unknown workload IDs,
 * another provider's workload, generations far ahead, behind, zero or beyond
 * 2^53, absurd sequences and timestamps, ten thousand pod IPs, huge errors,
 * long via lists, the same frame again and again). The consumer keeps its
 * subscription going, never moves a workload's generation, never touches the
 * workload another provider hosts, and counts the frames it refuses.
 *
 *   const r = await fuzzStatusProvider(200, seed)
 *   const c = await fuzzStatusConsumer(200, seed)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Stream } from '@libp2p/interface'
import { streamPair, lpStream } from '@libp2p/utils'
import { openStore } from '../../agent/store/index.ts'
import { createMetrics } from '../../agent/metrics/index.ts'
import { systemClock } from '../../agent/clock.ts'
import { silentLogger } from '../../agent/logger.ts'
import { Delegation, type WorkloadsBackend, type WorkloadRecord, type HostedRecord } from '../../agent/delegation/index.ts'
import { STATUS_PROTOCOL, MAX_STATUS_FRAME_BYTES, MAX_TIMESTAMP_MS } from '../../protocol/delegation/constants.ts'
import { subscribe, statusFrames } from '../../protocol/delegation/streams.ts'
import { Phase, StatusSubscribe } from '../../protocol/pb/delegate.js'
import { parseResources, zero } from '../../protocol/peering/resources.ts'
import { hostileBytes } from './fuzz-decoders.ts'
import { digestOf, counterSum, framed, vf, bf, cat, varint, unhandled, watchUnhandled } from './fuzz-handlers.ts'

const U64 = 1n << 64n
const SAFE = (1n << 53n) - 1n
const within = (n: bigint, lo: bigint, hi: bigint): bigint => lo + (n % (hi - lo + 1n))
const junkPeer = '12D3KooWJunkJunkJunkJunkJunkJunkJunkJunkJunkJunkJunk'
const idle: WorkloadsBackend = { apply: async () => {}, delete: async () => {}, watch: () => () => {} }

async function within_ms<T> (p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([p, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what}: not within ${ms} ms`)) }, ms) })])
  } finally {
    clearTimeout(timer)
  }
}

/** Writes bytes as the muxer would: in pieces, respecting backpressure. */
async function send (stream: Stream, bytes: Uint8Array, piece = 64 * 1024): Promise<void> {
  for (let at = 0; at < bytes.length; at += piece) {
    if (stream.writeStatus !== 'writable') return
    if (!stream.send(bytes.subarray(at, at + piece))) await stream.onDrain({ signal: AbortSignal.timeout(10_000) }).catch(() => {})
    if (piece === 1) await new Promise((resolve) => setImmediate(resolve))
  }
}

async function peer (): Promise<{ key: Awaited<ReturnType<typeof generateKeyPair>>, id: string }> {
  const key = await generateKeyPair('Ed25519')
  return { key, id: peerIdFromPrivateKey(key).toString() }
}

// ------------------------------------------------------------------ provider side

export const subscribeMuts = [
  'raw-bytes', 'raw-truncated-prefix', 'raw-huge-prefix', 'raw-short-body', 'wire-type', 'oversized',
  'other-consumer', 'junk-consumer', 'non-member', 'trickle', 'left-open'
] as const

interface SubscribeRecipe { mut: typeof subscribeMuts[number], n: bigint, len: number, str: string, bytes: Uint8Array }

export interface StatusProviderResult {
  target: string
  runs: number
  byMutation: Record<string, number>
  /** how the attacker's end saw each stream end */
  endings: Record<string, number>
  /** frames the honest subscriber received while the attack ran */
  honestFrames: number
  unhandledRejections: number
}

/**
 * A provider hosting one workload for an honest member and one for the
 * attacker; the honest member stays subscribed while the attacker sends
 * `runs` hostile subscriptions.
 */
export async function fuzzStatusProvider (runs: number, seed?: number): Promise<StatusProviderResult> {
  watchUnhandled()
  const victim = await peer()
  const attacker = await peer()
  const honest = await peer()
  const dir = mkdtempSync(join(tmpdir(), 'skein-fuzz-status-'))
  const store = openStore({ stateDir: dir })
  const metrics = createMetrics({ processMetrics: false })
  const lease = (id: string, consumer: string): { id: string, consumer: string, provider: string, quota: ReturnType<typeof parseResources>, expires: number, state: string } =>
    ({ id, consumer, provider: victim.id, quota: parseResources({ cpu: '2', memory: '4Gi', pods: 10 }), expires: Date.now() + 86_400_000, state: 'active' })
  const leases = new Map([['lease-honest', lease('lease-honest', honest.id)], ['lease-attacker', lease('lease-attacker', attacker.id)]])
  let handler: ((stream: Stream, remotePeer: string) => void) | undefined
  const delegation = new Delegation({
    peerId: victim.id,
    privateKey: victim.key,
    store,
    clock: systemClock,
    logger: silentLogger().forComponent('skein:delegation'),
    metrics,
    membership: { isMember: (p) => p === attacker.id || p === honest.id },
    leases: { held: () => [], get: (id) => leases.get(id) },
    workloads: idle,
    network: {
      dial: async () => { throw new Error('this harness does not dial') },
      handle: async (p, h) => { if (p === STATUS_PROTOCOL) handler = h },
      unhandle: async () => {}
    }
  }, { keepaliveMs: 100 })
  const hosted = (consumer: string, workloadId: string, leaseId: string): HostedRecord => ({
    consumer, workloadId, name: workloadId, generation: 1, fence: 0, leaseId, manifests: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n',
    requests: zero(), path: [consumer], tenantNs: 'skein-tenant-x', acceptedAt: Date.now(), phase: Phase.RUNNING, readyReplicas: 1, replicas: 1,
    podIps: ['10.0.0.1'], lastError: '', observedGeneration: 1, sequence: 3
  })
  delegation.db.putHosted(hosted(honest.id, 'w-honest', 'lease-honest'), Date.now())
  delegation.db.putHosted(hosted(attacker.id, 'w-attacker', 'lease-attacker'), Date.now())
  await delegation.start()
  await delegation.provider.settled()

  // the honest member's subscription, read for the whole run
  const [hc, hs] = await streamPair({ delay: 0 })
  if (handler == null) throw new Error('delegation is not handling the status protocol')
  handler(hs, honest.id)
  await subscribe(hc, honest.id)
  const seen = { frames: 0, foreign: 0, ended: undefined as string | undefined }
  const reading = (async () => {
    try {
      for await (const s of statusFrames(hc, { idleMs: 30_000 })) {
        seen.frames++
        if (s.workloadId !== '' && s.workloadId !== 'w-honest') seen.foreign++
      }
      seen.ended = 'closed'
    } catch (err) {
      seen.ended = (err as Error).name
    }
  })()

  const result: StatusProviderResult = { target: `${STATUS_PROTOCOL} provider (in-process)`, runs, byMutation: {}, endings: {}, honestFrames: 0, unhandledRejections: 0 }
  const unhandledBefore = unhandled.length
  const arb: fc.Arbitrary<SubscribeRecipe> = fc.record({
    mut: fc.constantFrom(...subscribeMuts),
    n: fc.oneof(fc.bigInt({ min: 0n, max: U64 - 1n }), fc.constantFrom(0n, 1n, SAFE, 1n << 63n, U64 - 1n)),
    len: fc.integer({ min: 1, max: 5000 }),
    str: fc.string({ maxLength: 80 }),
    bytes: hostileBytes()
  })
  try {
    await fc.assert(fc.asyncProperty(arb, async (r) => {
      const before = digestOf(store)
      let remotePeer = attacker.id
      let bytes: Uint8Array
      let piece = 64 * 1024
      let close = true
      switch (r.mut) {
        case 'raw-bytes': bytes = r.bytes; break
        case 'raw-truncated-prefix': bytes = Uint8Array.from(new Array<number>(1 + r.len % 9).fill(0x80 | Number(r.n & 0x7fn))); break
        case 'raw-huge-prefix': bytes = cat(varint(within(r.n, BigInt(MAX_STATUS_FRAME_BYTES) + 1n, (1n << 63n) - 1n)), r.bytes.subarray(0, 64)); break
        case 'raw-short-body': bytes = cat(varint(BigInt(r.bytes.length + r.len)), r.bytes); break
        // the consumer field as a number
        case 'wire-type': bytes = framed(vf(1, r.n)); break
        case 'oversized': bytes = framed(bf(1, attacker.id + 'x'.repeat(MAX_STATUS_FRAME_BYTES + r.len))); break
        case 'other-consumer': bytes = framed(StatusSubscribe.encode({ consumer: honest.id })); break
        case 'junk-consumer': bytes = framed(StatusSubscribe.encode({ consumer: r.str === attacker.id ? junkPeer : r.str })); break
        case 'non-member': remotePeer = junkPeer; bytes = framed(StatusSubscribe.encode({ consumer: junkPeer })); break
        case 'trickle': bytes = framed(StatusSubscribe.encode({ consumer: honest.id })); piece = 1; break
        // the subscription for another, and the stream left open: the provider must end it
        case 'left-open': bytes = framed(StatusSubscribe.encode({ consumer: honest.id })); close = false; break
      }
      const [client, server] = await streamPair({ delay: 0 })
      let settled = false
      const handled = delegation.provider.onStatusStream(server, remotePeer).then(() => 'resolved', (err: Error) => err.name).finally(() => { settled = true })
      await send(client, bytes, piece)
      if (close && client.writeStatus === 'writable') await client.close({ signal: AbortSignal.timeout(10_000) }).catch(() => {})
      // the attacker must see the stream end, never a Status
      let ending: string
      try {
        // (the timer of within_ms keeps the process alive while it waits; an AbortSignal.timeout alone does not)
        await within_ms(lpStream(client, { maxDataLength: MAX_STATUS_FRAME_BYTES }).read({ signal: AbortSignal.timeout(15_000) }), 20_000, `${r.mut}: the stream ending`)
        throw new Error(`${r.mut}: the provider answered with a Status frame`)
      } catch (err) {
        ending = (err as Error).name
        if (ending === 'TimeoutError' || ending === 'AbortError' || (err as Error).message.endsWith('not within 20000 ms')) throw new Error(`${r.mut}: the stream was left open`)
        if ((err as Error).message.endsWith('answered with a Status frame')) throw err
      }
      const how = await within_ms(handled, 15_000, `${r.mut}: the handler settling`)
      if (!settled) throw new Error(`${r.mut}: the handler did not settle`)
      if (client.status === 'open') client.abort(new Error('case done'))
      result.byMutation[r.mut] = (result.byMutation[r.mut] ?? 0) + 1
      result.endings[`${ending}/${how}`] = (result.endings[`${ending}/${how}`] ?? 0) + 1
      if (digestOf(store) !== before) throw new Error(`${r.mut}: the store changed`)
      if (seen.ended != null) throw new Error(`${r.mut}: the honest subscription ended (${seen.ended})`)
      if (seen.foreign > 0) throw new Error(`${r.mut}: the honest subscriber got another consumer's status`)
      if (unhandled.length > unhandledBefore) throw new Error(`${r.mut}: unhandled rejection ${String(unhandled[unhandled.length - 1])}`)
      return true
    }), { numRuns: runs, ...(seed != null ? { seed } : {}), endOnFailure: true })
    // the honest subscription still delivers after the attack: its keepalives keep coming
    const frames = seen.frames
    const deadline = Date.now() + 10_000
    while (seen.frames === frames && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    if (seen.frames === frames) throw new Error('the honest subscription stopped delivering')
    result.honestFrames = seen.frames
  } finally {
    result.unhandledRejections = unhandled.length - unhandledBefore
    hc.abort(new Error('done'))
    await reading
    await delegation.stop()
    store.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return result
}

// ------------------------------------------------------------------ consumer side

export const statusMuts = [
  'raw-bytes', 'raw-huge-prefix', 'oversized', 'unknown-id', 'keepalive-junk',
  'other-workload-fenced', 'other-workload-past', 'other-workload-ahead',
  'own-behind', 'own-ahead', 'generation-invalid',
  'sequence-absurd', 'sequence-unsafe', 'timestamp-absurd', 'timestamp-invalid', 'pod-ips-many', 'pod-ips-over',
  'last-error-huge', 'via-many', 'via-empty-agent', 'phase-unknown', 'observed-ahead'
] as const
/** mutations whose frame the consumer must refuse (and count) */
const refusedMuts = new Set<string>([
  'oversized', 'other-workload-past', 'own-behind', 'generation-invalid', 'sequence-unsafe', 'timestamp-invalid', 'pod-ips-many',
  'pod-ips-over', 'via-many', 'via-empty-agent'
])

/** Whether the consumer must count a refusal: raw bytes break the framing, and what follows them is not read as sent. */
function mustRefuse (frames: FrameRecipe[]): boolean {
  for (const f of frames) {
    if (f.mut === 'raw-bytes' || f.mut === 'raw-huge-prefix') return false
    if (refusedMuts.has(f.mut)) return true
  }
  return false
}

interface FrameRecipe { mut: typeof statusMuts[number], n: bigint, len: number, str: string, bytes: Uint8Array }

export interface StatusConsumerResult {
  target: string
  runs: number
  frames: number
  byMutation: Record<string, number>
  /** refused frames counted by the consumer, by reason */
  refused: Record<string, number>
  unhandledRejections: number
}

/** Phase numbers on the wire (proto/delegate.proto) */
const WIRE = { UNSPECIFIED: 0n, ACCEPTED: 1n, APPLYING: 2n, PROGRESSING: 3n, RUNNING: 4n, FAILING: 6n }
const P_WORKLOAD = 'w-on-p'
const Q_WORKLOAD = 'w-on-q'

/** One Status frame as raw protobuf, honest but for the fields `o` overrides. */
function statusFrame (o: { id?: string, gen?: bigint, phase?: bigint, ips?: string[], err?: string, observed?: bigint, seq?: bigint, ts?: bigint, via?: string[] }): Uint8Array {
  return framed(cat(
    bf(1, o.id ?? P_WORKLOAD), vf(2, o.gen ?? 2n), vf(3, o.phase ?? WIRE.RUNNING), vf(4, 1n), vf(5, 1n),
    ...(o.ips ?? ['10.1.0.7']).map((ip) => bf(6, ip)), bf(7, o.err ?? ''), vf(8, o.observed ?? 2n), vf(9, o.seq ?? 10n),
    vf(10, o.ts ?? BigInt(Date.now())), ...(o.via != null ? [bf(11, cat(...o.via.map((a) => bf(1, a))))] : [])
  ))
}

function buildStatus (r: FrameRecipe, providerId: string): Uint8Array {
  // the phases of a workload still running (giving up, cancelling or finishing would end it: that is the provider's right)
  const phases = [WIRE.RUNNING, WIRE.PROGRESSING, WIRE.FAILING, WIRE.APPLYING, WIRE.ACCEPTED, WIRE.UNSPECIFIED]
  const phase = phases[Number(r.n % BigInt(phases.length))]!
  // any phase, for a generation this provider does not hold: giving it up or cancelling it included
  const anyPhase = r.n % 12n
  switch (r.mut) {
    case 'raw-bytes': return r.bytes
    case 'raw-huge-prefix': return cat(varint(within(r.n, BigInt(MAX_STATUS_FRAME_BYTES) + 1n, (1n << 63n) - 1n)), r.bytes.subarray(0, 64))
    case 'oversized': return statusFrame({ phase, err: 'x'.repeat(MAX_STATUS_FRAME_BYTES + r.len) })
    case 'unknown-id': {
      const id = /^[A-Za-z0-9_-]{1,64}$/.test(r.str) && r.str !== P_WORKLOAD && r.str !== Q_WORKLOAD ? r.str : `unknown-${r.n.toString(36).slice(0, 40)}`
      return statusFrame({ id, gen: within(r.n, 1n, SAFE), phase: anyPhase })
    }
    case 'keepalive-junk': return statusFrame({ id: '', gen: r.n, seq: r.n, ts: r.n, ips: [r.str] })
    // the workload another provider runs: the generation this provider once had (fenced), ones it never had, ones ahead
    case 'other-workload-fenced': return statusFrame({ id: Q_WORKLOAD, gen: 1n, phase: anyPhase })
    case 'other-workload-past': return statusFrame({ id: Q_WORKLOAD, gen: 2n + r.n % 2n, phase })
    case 'other-workload-ahead': return statusFrame({ id: Q_WORKLOAD, gen: within(r.n, 4n, SAFE), phase: anyPhase })
    case 'own-behind': return statusFrame({ gen: 1n, phase })
    case 'own-ahead': return statusFrame({ gen: within(r.n, 3n, SAFE), phase: anyPhase })
    case 'generation-invalid': return statusFrame({ gen: r.n % 3n === 0n ? 0n : r.n % 3n === 1n ? U64 - within(r.n, 1n, 1n << 62n) : within(r.n, SAFE + 1n, U64 - 1n), phase })
    case 'sequence-absurd': return statusFrame({ phase, seq: r.n % 2n === 0n ? SAFE : 0n })
    case 'sequence-unsafe': return statusFrame({ phase, seq: within(r.n, SAFE + 1n, U64 - 1n) })
    case 'timestamp-absurd': return statusFrame({ phase, ts: r.n % 2n === 0n ? 0n : BigInt(MAX_TIMESTAMP_MS) })
    case 'timestamp-invalid': return statusFrame({ phase, ts: r.n % 2n === 0n ? U64 - within(r.n, 1n, 1n << 62n) : within(r.n, BigInt(MAX_TIMESTAMP_MS) + 1n, (1n << 63n) - 1n) })
    // ten thousand pod IPs are far over the frame cap; a few hundred short ones fit in it and are over the list cap
    case 'pod-ips-many': return statusFrame({ phase, ips: Array.from({ length: 10_000 }, (_, i) => `10.${i >> 8}.${i & 255}.1`) })
    case 'pod-ips-over': return statusFrame({ phase, ips: Array.from({ length: 257 + r.len % 1000 }, (_, i) => String(i % 10)) })
    case 'last-error-huge': return statusFrame({ phase, err: 'e'.repeat(500 + r.len % 15_000) })
    case 'via-many': return statusFrame({ phase, via: Array.from({ length: 17 + r.len % 400 }, (_, i) => `${junkPeer}${i}`) })
    case 'via-empty-agent': return statusFrame({ phase, via: [providerId, ''] })
    case 'phase-unknown': return statusFrame({ phase: within(r.n, 13n, (1n << 31n) - 1n) })
    case 'observed-ahead': return statusFrame({ phase, observed: within(r.n, 3n, SAFE) })
  }
}

/**
 * A consumer with one workload on the hostile provider P (generation 2, its
 * generation 1 went to Q first) and one on Q (generation 3, whose generation 1
 * ran on P and was fenced). Each case is one subscription from the consumer to
 * P, answered with 1–4 generated frames (sometimes the same one repeated), then
 * closed; the consumer's next subscription shows it survived the case.
 */
export async function fuzzStatusConsumer (runs: number, seed?: number): Promise<StatusConsumerResult> {
  watchUnhandled()
  const self = await peer()
  const p = await peer()
  const q = await peer()
  const dir = mkdtempSync(join(tmpdir(), 'skein-fuzz-status-'))
  const store = openStore({ stateDir: dir })
  const metrics = createMetrics({ processMetrics: false })
  const dials: Stream[] = []
  let wake: (() => void) | undefined
  const quiet: Stream[] = []
  const delegation = new Delegation({
    peerId: self.id,
    privateKey: self.key,
    store,
    clock: systemClock,
    logger: silentLogger().forComponent('skein:delegation'),
    metrics,
    leases: { held: () => [], get: () => undefined },
    workloads: idle,
    network: {
      dial: async (peerId, protocol) => {
        if (protocol !== STATUS_PROTOCOL) throw new Error('unreachable')
        const [client, server] = await streamPair({ delay: 0 })
        // Q says nothing and keeps its stream open: its workload must be left as it is
        if (peerId === q.id) quiet.push(server)
        else { dials.push(server); wake?.() }
        return client
      },
      handle: async () => {},
      unhandle: async () => {}
    }
  }, { reconnectBaseMs: 1, retryMaxMs: 20, statusIdleMs: 120_000, tickMs: 100 })
  const now = Date.now()
  const record = (name: string, id: string, generation: number, target: string, fenced: WorkloadRecord['fenced']): WorkloadRecord => ({
    name, id, generation, manifests: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n', requests: zero(), constraints: {}, onDisconnect: 'keep',
    failoverAfterMs: 30_000, spread: 1, phase: 'running', phaseSince: now, createdAt: now, updatedAt: now,
    placement: { target, local: false, generation, placedAt: now, ackedAt: now }, fenced, avoid: [], history: [],
    status: { phase: Phase.RUNNING, readyReplicas: 1, replicas: 1, podIps: ['10.2.0.1'], lastError: '', observedGeneration: generation, sequence: 5, at: now }
  } as WorkloadRecord)
  delegation.db.putWorkload(record('on-p', P_WORKLOAD, 2, p.id, [{ peer: q.id, generation: 1, at: now, cancelled: true }]))
  delegation.db.putWorkload(record('on-q', Q_WORKLOAD, 3, q.id, [{ peer: p.id, generation: 1, at: now, cancelled: true }]))
  const qBefore = delegation.get('on-q')
  await delegation.start()

  const nextDial = async (): Promise<Stream> => {
    const deadline = Date.now() + 15_000
    while (dials.length === 0) {
      if (Date.now() > deadline) throw new Error('the consumer did not subscribe again')
      await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 100) })
      wake = undefined
    }
    return dials.shift()!
  }
  const refusedNow = async (): Promise<number> => await counterSum(metrics.registry, 'skein_delegation_status_refused_total')
  const result: StatusConsumerResult = { target: `${STATUS_PROTOCOL} consumer (in-process)`, runs, frames: 0, byMutation: {}, refused: {}, unhandledRejections: 0 }
  const unhandledBefore = unhandled.length
  const frameArb: fc.Arbitrary<FrameRecipe> = fc.record({
    mut: fc.constantFrom(...statusMuts),
    n: fc.oneof(fc.bigInt({ min: 0n, max: U64 - 1n }), fc.constantFrom(0n, 1n, 2n, 3n, SAFE, SAFE + 1n, 1n << 63n, U64 - 1n)),
    len: fc.integer({ min: 0, max: 20_000 }),
    str: fc.string({ maxLength: 70 }),
    bytes: hostileBytes()
  })
  const arb = fc.record({ frames: fc.array(frameArb, { minLength: 1, maxLength: 4 }), repeat: fc.integer({ min: 1, max: 20 }) })
  let stream = await nextDial()
  try {
    await fc.assert(fc.asyncProperty(arb, async ({ frames, repeat }) => {
      const what = frames.map((f) => f.mut).join(',')
      const refusedBefore = await refusedNow()
      const sub = StatusSubscribe.decode(await lpStream(stream, { maxDataLength: MAX_STATUS_FRAME_BYTES }).read({ signal: AbortSignal.timeout(10_000) }))
      if (sub.consumer !== self.id) throw new Error(`the consumer subscribed as ${sub.consumer}`)
      // the first frame again and again, then the rest
      const bytes = [...Array.from({ length: repeat }, () => buildStatus(frames[0]!, p.id)), ...frames.slice(1).map((f) => buildStatus(f, p.id))]
      for (const b of bytes) await send(stream, b)
      if (stream.writeStatus === 'writable') await stream.close({ signal: AbortSignal.timeout(10_000) }).catch(() => {})
      // the consumer is done with the case when it subscribes again
      const next = await nextDial()
      if (stream.status === 'open') stream.abort(new Error('case done'))
      stream = next
      result.frames += bytes.length
      for (const f of frames) result.byMutation[f.mut] = (result.byMutation[f.mut] ?? 0) + 1
      const onP = delegation.get('on-p')
      const onQ = delegation.get('on-q')
      if (onP.generation !== 2 || onP.placement?.target !== p.id || onP.placement.generation !== 2) throw new Error(`${what}: the workload on P moved to generation ${onP.generation} on ${onP.placement?.target}`)
      if (onQ.generation !== 3 || onQ.phase !== 'running' || JSON.stringify(onQ.placement) !== JSON.stringify(qBefore.placement) || JSON.stringify(onQ.status) !== JSON.stringify(qBefore.status)) {
        throw new Error(`${what}: the workload on Q changed (${onQ.phase}, generation ${onQ.generation})`)
      }
      // P held generation 1 of it once; beyond that, one report from ahead may be fenced, never more
      const extra = onQ.fenced.filter((f) => !(f.peer === p.id && f.generation === 1))
      if (extra.length > 1 || extra.some((f) => f.peer !== p.id || f.generation <= 3)) throw new Error(`${what}: the workload on Q has fences ${JSON.stringify(onQ.fenced)}`)
      if (onP.fenced.filter((f) => f.peer === p.id).length > 1) throw new Error(`${what}: the workload on P has fences ${JSON.stringify(onP.fenced)}`)
      if (mustRefuse(frames) && await refusedNow() <= refusedBefore) throw new Error(`${what}: a refused frame was not counted`)
      if (unhandled.length > unhandledBefore) throw new Error(`${what}: unhandled rejection ${String(unhandled[unhandled.length - 1])}`)
      return true
    }), { numRuns: runs, ...(seed != null ? { seed } : {}), endOnFailure: true })
    const m = metrics.registry.getSingleMetric('skein_delegation_status_refused_total')
    for (const v of (await m?.get())?.values ?? []) result.refused[String(v.labels.reason)] = v.value
  } finally {
    result.unhandledRejections = unhandled.length - unhandledBefore
    await delegation.stop()
    for (const s of [stream, ...dials, ...quiet]) if (s.status === 'open') s.abort(new Error('done'))
    store.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return result
}
