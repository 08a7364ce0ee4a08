/**
 * UDP heartbeat benchmark: what a beacon costs, and what a flood of forged
 * ones costs the agent that receives it.
 *
 *   npm run bench -- beacon --json [--probes 2000] [--flood 20000] [--flood-rate 5000]
 *
 * Two beacon endpoints on loopback in this process. `probes` round trips one
 * at a time give rttP50Ms/rttP99Ms and, from the process CPU time they took,
 * cpuMsPerRoundTrip (probe signed and checked, echo signed and checked: both
 * ends' work); bytesPerDatagram is the UDP payload. Then `flood` datagrams
 * claiming to be a member, with bad signatures, are sent from one source at
 * `flood-rate` a second; floodCpuMsPerS is the receiver's CPU per
 * second of flood (the sender's own work is measured alone first and taken
 * out), floodDropped what it counted by reason: beyond the read budget
 * (default limits on the target; the round trips run without limits) they
 * are dropped unread.
 */
import { createSocket } from 'node:dgram'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Registry } from 'prom-client'
import { Beacon, type BeaconAddress } from '../agent/links/beacon.ts'
import { silentLogger } from '../agent/logger.ts'
import { makeBeacon, newNonce } from '../protocol/beacon/index.ts'

function arg (args: string[], name: string, def: number): number {
  const i = args.indexOf(`--${name}`)
  const n = Number(i >= 0 && args[i + 1] != null ? args[i + 1] : def)
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`)
  return n
}

const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return Math.round((s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))] ?? 0) * 1000) / 1000
}

export async function run (args: string[]): Promise<Record<string, unknown>> {
  const probes = arg(args, 'probes', 2000)
  const flood = arg(args, 'flood', 20000)
  const floodRate = arg(args, 'flood-rate', 5000)
  const members = new Set<string>()
  const make = async (init: ConstructorParameters<typeof Beacon>[0]): Promise<{ beacon: Beacon, id: string, at: BeaconAddress, registry: Registry, key: Awaited<ReturnType<typeof generateKeyPair>> }> => {
    const key = await generateKeyPair('Ed25519')
    const id = peerIdFromPrivateKey(key).toString()
    members.add(id)
    const registry = new Registry()
    const beacon = new Beacon(init, { privateKey: key, selfPeerId: id, isMember: (p) => members.has(p), logger: silentLogger().forComponent('bench'), registry, now: () => performance.now() })
    await beacon.start([{ host: '127.0.0.1', port: 0 }])
    return { beacon, id, at: beacon.addresses[0] as BeaconAddress, registry, key }
  }
  // the round trips measure the work, not the limits
  const unlimited = { echoesPerSecond: 1e9, perSourcePerSecond: 1e9, totalPerSecond: 1e9 }
  const a = await make(unlimited)
  const b = await make(unlimited)
  // the flood's target keeps the agent's limits
  const c = await make({})
  try {
    const sample = await makeBeacon(a.key, { kind: 'probe', from: a.id, to: b.id, nonce: newNonce() })
    // warm up
    for (let i = 0; i < 50; i++) await a.beacon.probe(b.id, b.at, { signal: AbortSignal.timeout(2000) })
    const rtts: number[] = []
    const cpu0 = cpuMs()
    const t0 = performance.now()
    for (let i = 0; i < probes; i++) rtts.push(await a.beacon.probe(b.id, b.at, { signal: AbortSignal.timeout(2000) }))
    const wallMs = performance.now() - t0
    const cpuPerRoundTrip = (cpuMs() - cpu0) / probes
    process.stderr.write(`beacon: ${probes} round trips in ${Math.round(wallMs)} ms\n`)

    // forged probes: signed by an outsider, claiming to be member a
    const outsider = await generateKeyPair('Ed25519')
    const forged = await makeBeacon(outsider, { kind: 'probe', from: a.id, to: c.id, nonce: newNonce() })
    const sender = createSocket('udp4')
    await new Promise<void>((resolve) => { sender.bind(0, '127.0.0.1', resolve) })
    // paced: 10 ms ticks, so that the receiver gets to read (an unpaced burst only overflows its socket buffer)
    const send = async (to: BeaconAddress, n: number): Promise<number> => {
      const s0 = performance.now()
      const perTick = Math.max(1, Math.round(floodRate / 100))
      for (let sent = 0; sent < n;) {
        const batch = Math.min(perTick, n - sent)
        for (let i = 0; i < batch; i++) sender.send(forged, to.port, to.host)
        sent += batch
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      return performance.now() - s0
    }
    // the sender's own cost, to a port nobody reads
    const sink = createSocket('udp4')
    await new Promise<void>((resolve) => { sink.bind(0, '127.0.0.1', resolve) })
    const sinkAt = { host: '127.0.0.1', port: sink.address().port }
    sink.close()
    const c1 = cpuMs()
    await send(sinkAt, flood)
    const senderCpu = cpuMs() - c1
    const c2 = cpuMs()
    const floodMs = await send(c.at, flood)
    await new Promise((resolve) => setTimeout(resolve, 200))
    // the same sends as before, so the same sender work: what is left is the receiver's
    const receiverCpu = Math.max(0, cpuMs() - c2 - senderCpu)
    sender.close()
    const dropped = Object.fromEntries(((await c.registry.getSingleMetric('skein_beacon_dropped_total')?.get())?.values ?? [])
      .filter((v) => v.value > 0).map((v) => [String(v.labels.reason), v.value]))
    return {
      bytesPerDatagram: sample.byteLength,
      probes,
      rttP50Ms: pct(rtts, 50),
      rttP99Ms: pct(rtts, 99),
      cpuMsPerRoundTrip: Math.round(cpuPerRoundTrip * 1000) / 1000,
      flood,
      floodPerS: Math.round(flood / (floodMs / 1000)),
      received: Object.values(dropped).reduce((x, y) => x + y, 0),
      floodCpuMsPerS: Math.round(receiverCpu / (floodMs / 1000)),
      floodDropped: dropped
    }
  } finally {
    a.beacon.stop()
    b.beacon.stop()
    c.beacon.stop()
  }
}
