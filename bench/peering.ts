/**
 * Peering benchmark: one provider, many consumers, real libp2p on loopback TCP.
 *
 *   npm run bench -- peering --json [--consumers 10] [--requests 20] [--hold 3s]
 *
 * grantsPerS: grants the provider makes per second while every consumer
 * fires its requests at once (each asks for a small quota; the provider's
 * offer covers about 80 % of all asks, so the tail is refused).
 * overcommitViolations: times the provider's granted sum was seen above its
 * offer (sampled after every ledger change) or the consumers' and the
 * provider's sums disagree; must be 0.
 * loopsRefused: requests with a path holding the provider, all refused.
 * renewalsLost: leases lost to missed renewals, through the request storm and
 * --hold after it, with a 2 s heartbeat, 10 s grace and a healthy link; must be 0.
 */
import { parseDuration } from '../agent/config/duration.ts'
import { fits, zero, type Resources } from '../protocol/peering/index.ts'
import { makePeer, connect, removeDir, type TestPeer } from '../test/peering-helpers.ts'

function arg (args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] != null ? args[i + 1] as string : def
}

export async function run (args: string[]): Promise<Record<string, unknown>> {
  const consumersN = Number(arg(args, 'consumers', '10'))
  const perConsumer = Number(arg(args, 'requests', '20'))
  const holdMs = parseDuration(arg(args, 'hold', '3s')) ?? 3000
  const ask: Resources = { ...zero(), cpu: 100, memory: 64 * 2 ** 20, pods: 1 }
  const total = consumersN * perConsumer
  const init = { renewIntervalMs: 2000, graceMs: 10_000, streamTimeoutMs: 20_000 }
  const peers: TestPeer[] = []
  try {
    const provider = await makePeer({ cpu: Math.floor(total * 0.8) * 100, pods: 100_000, init })
    provider.capacity.value.memory = 2 ** 45
    peers.push(provider)
    const consumers: TestPeer[] = []
    for (let i = 0; i < consumersN; i++) {
      const c = await makePeer({ init: { ...init, offers: { policy: { share: false } } } })
      peers.push(c)
      consumers.push(c)
      await connect(c, provider)
      // libp2p refuses more than 5 inbound connections per second from one host, and every consumer here is 127.0.0.1
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    process.stderr.write(`peering bench: 1 provider, ${consumersN} consumers × ${perConsumer} requests\n`)

    let violations = 0
    const pool = provider.peering.offers.pool()
    provider.peering.onLeaseChange(() => { if (!fits(provider.peering.granted(), pool)) violations++ })

    const t0 = performance.now()
    const results = await Promise.allSettled(consumers.flatMap((c) =>
      Array.from({ length: perConsumer }, async () => await c.peering.request(provider.id, ask, { durationMs: 3_600_000 }))))
    const elapsedS = (performance.now() - t0) / 1000
    const grants = results.filter((r) => r.status === 'fulfilled').length
    const refusals: Record<string, number> = {}
    for (const r of results) {
      if (r.status !== 'rejected') continue
      const e = r.reason as Error
      refusals[e.name] = (refusals[e.name] ?? 0) + 1
      if (e.name === 'PeerUnreachableError' && refusals[e.name] === 1) process.stderr.write(`first unreachable: ${e.message}\n`)
    }
    if (!fits(provider.peering.granted(), pool)) violations++

    // loops: a request whose path already holds the provider
    let loopsRefused = 0
    const loopers = consumers.slice(0, Math.min(5, consumers.length))
    for (const c of loopers) {
      for (let i = 0; i < 4; i++) {
        try {
          await c.peering.request(provider.id, ask, { path: [provider.id, c.id] })
        } catch (err) {
          if ((err as Error).name === 'LoopDetectedError') loopsRefused++
        }
      }
    }

    // hold: renewals keep every lease alive
    await new Promise((resolve) => setTimeout(resolve, holdMs))
    const renewalsLost = consumers.reduce((s, c) => s + c.peering.stats.renewalsLost, 0)
    const renewals = consumers.reduce((s, c) => s + c.peering.stats.renewals, 0)
    const stillActive = provider.peering.list({ role: 'provider' }).filter((l) => l.state === 'active' || l.state === 'grace').length
    // grants whose answer never reached the consumer (it timed out first) lapse on the provider after grace: not an overcommit
    const consumerSum = consumers.reduce((s, c) => s + c.peering.held().reduce((x, l) => x + l.quota.cpu, 0), 0)

    return {
      consumers: consumersN,
      requests: total,
      grants,
      refusals,
      grantsPerS: Math.round(grants / elapsedS),
      requestsPerS: Math.round(total / elapsedS),
      overcommitViolations: violations,
      loopsRefused,
      loopsTried: loopers.length * 4,
      renewals,
      renewalsLost,
      leasesStillHeld: stillActive,
      consumersHoldCpuMillis: consumerSum,
      offeredCpuMillis: pool.cpu,
      grantedCpuMillis: provider.peering.granted().cpu
    }
  } finally {
    for (const p of peers) {
      await p.stop().catch(() => {})
      removeDir(p.dir)
    }
  }
}
