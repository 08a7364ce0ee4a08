/**
 * Discovery and failure detection on real links: two `skein agent` processes,
 * each in its own network namespace, joined by a veth pair, no bootstrap list
 * and no DHT. They find each other by mDNS on that link; then the link loses
 * 30 % of the packets A receives on it (nftables `numgen random` drop), which
 * must show as loss or suspicion but never take the peer to unreachable (the
 * UDP heartbeats beside the pings are what carry a living peer through the
 * connection's retransmission stalls); then
 * the link goes down, and each must mark the other unreachable within the
 * detection bound, and alive again once it is back up. Over TCP a lost packet
 * is retransmitted with exponential backoff, so loss shows as stalls of
 * growing length rather than as independent lost pings.
 */
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { loadOrCreateIdentity } from '../agent/identity/index.ts'
import { ApiClient } from '../agent/client/index.ts'
import type { PeersList, PeerView } from '../agent/api/routes/peers.ts'
import { encodeFleetPublicKey, issueCertificate, toText } from '../protocol/membership/index.ts'
import { tempDir } from './helpers/agent.ts'
import { netnsSkipReason, run, vethPair } from './helpers/netns.ts'
import { startInNs } from './helpers/netns-agents.ts'

// the defaults: TCP's retransmission backoff is in absolute time, so shorter intervals meet longer stalls
const pingIntervalMs = 1000
/**
 * phi reaches 8 after about 16 silent intervals on a link that lost 30 %
 * (agent/links/phi.ts), plus a ping timeout: ~18 s here, with margin for a
 * loaded test box.
 */
const detectionBoundMs = 30_000
const lossPhaseMs = 25_000
/**
 * A ping is late (and beacons start) only when it waits longer than TCP's
 * first retransmission: two drops in a row of the same segment, about one
 * ping in eleven at 30 % loss, so 25 pings go without one about one time in
 * ten. The loss goes on past lossPhaseMs, up to this long, until both sides
 * have heard beacons.
 */
const lossPhaseMaxMs = 75_000

const skip = netnsSkipReason(['nft'])
if (skip != null) {
  t.plan(0, `discovery on real links skipped: ${skip}`)
} else {
  t.test('two agents on one link: found by mDNS, not declared dead at 30 % loss, dead when the link is down', async (t) => {
    const t0 = Date.now()
    const phase = (what: string): void => { t.comment(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`) }
    const bed = await vethPair(t)
    const dir = tempDir(t, 'skein-disc-netns-')
    const fleetKey = await generateKeyPair('Ed25519')
    const sides = await Promise.all([{ name: 'a', net: bed.a }, { name: 'b', net: bed.b }].map(async (s) => {
      const stateDir = join(dir, s.name, 'state')
      const id = await loadOrCreateIdentity(stateDir)
      writeFileSync(join(stateDir, 'membership.cert'), toText(await issueCertificate(fleetKey, { peerId: id.peerId.toString(), expiresMs: Date.now() + 86_400_000 })))
      const api = `unix:${join(dir, s.name, 'skein.sock')}`
      writeFileSync(join(dir, s.name, 'config.yaml'), stringify({
        stateDir,
        api,
        // the wildcard, as on a drone: heartbeats then go out of a wildcard socket and must find their way
        listen: ['/ip4/0.0.0.0/tcp/0'],
        logLevel: 'info',
        fleet: { publicKey: encodeFleetPublicKey(fleetKey.publicKey) },
        // nothing but the local link to find each other by
        discovery: { mdns: true, bootstrap: [], dht: false, announceInterval: '5s' },
        links: { pingInterval: `${pingIntervalMs}ms`, pingTimeout: '2s' }
      }))
      // mDNS sends to 224.0.0.251: route multicast out of the veth (the namespace has no default route)
      await bed.exec(s.net.ns, 'ip', ['route', 'add', '224.0.0.0/4', 'dev', s.net.veth])
      return { ...s, peerId: id.peerId.toString(), api, client: new ApiClient({ address: api, timeoutMs: 3000 }) }
    }))
    const [A, B] = sides as [typeof sides[0], typeof sides[0]]
    const agents = await Promise.all(sides.map(async (s) => await startInNs(t, bed, s.net.ns, join(dir, s.name, 'config.yaml'), s.api)))
    t.teardown(() => {
      if (t.passing()) return
      agents.forEach((a, i) => { t.comment(`agent ${sides[i]?.name} output:\n${a.out().split('\n').slice(-30).join('\n')}`) })
    })
    phase('both agents healthy')

    const view = async (from: typeof A, of: typeof A): Promise<PeerView | undefined> =>
      (await from.client.get<PeersList>('/v1/peers')).peers.find((p) => p.peerId === of.peerId)
    const both = async (): Promise<[PeerView | undefined, PeerView | undefined]> => [await view(A, B), await view(B, A)]

    // --- mDNS ---
    await poll('each to find the other by mDNS', async () => {
      const [ab, ba] = await both()
      return ab?.member === true && ab.state === 'alive' && ba?.member === true && ba.state === 'alive'
    }, 40_000)
    const [ab0] = await both()
    t.ok(ab0?.addrs.some((a) => a.includes(B.net.address)), 'A holds B\'s announcement with its address on the link')
    t.ok(ab0?.connected, 'and is connected to it')
    phase('found by mDNS')

    // --- 30 % of the packets arriving at A over the link are lost ---
    const table = `skein_loss_${bed.id}`
    t.teardown(async () => { await bed.exec(A.net.ns, 'nft', ['delete', 'table', 'inet', table]).catch(() => {}) })
    const before = await both()
    await nft(dir, A.net.ns, `table inet ${table} {
      chain in { type filter hook input priority 0; policy accept; iifname "${A.net.veth}" numgen random mod 100 < 30 drop; }
    }`)
    const states = new Set<string>()
    let maxLoss = 0
    let suspected = false
    const lossStart = Date.now()
    const echoed = async (s: typeof A): Promise<boolean> => /skein_beacon_echoes_total [1-9]/.test((await s.client.raw('GET', '/metrics')).body)
    for (;;) {
      const elapsed = Date.now() - lossStart
      if (elapsed >= lossPhaseMaxMs || (elapsed >= lossPhaseMs && await echoed(A) && await echoed(B))) break
      for (const v of await both().catch(() => [undefined, undefined])) {
        if (v == null) continue
        states.add(v.state)
        maxLoss = Math.max(maxLoss, v.loss ?? 0)
        if (v.state === 'suspect') suspected = true
      }
      await sleep(250)
    }
    const after = await both()
    const dropped = await bed.exec(A.net.ns, 'nft', ['list', 'table', 'inet', table])
    t.match(dropped, /drop/, 'the loss rules were in place')
    t.notOk(states.has('unreachable') || states.has('gone'), `at 30 % loss neither marked the other unreachable (states seen: ${[...states].join(', ')})`)
    for (const s of [A, B]) {
      const metrics = (await s.client.raw('GET', '/metrics')).body
      t.match(metrics, /skein_beacon_echoes_total [1-9]/, `${s.name} heard UDP heartbeats back from its peer`)
    }
    const failures = after.map((v, i) => (v?.pingFailures ?? 0) - (before[i]?.pingFailures ?? 0))
    t.ok(maxLoss > 0 || suspected, `the loss shows: loss up to ${maxLoss}, suspect seen: ${suspected}, pings lost ${failures.join('/')}`)
    phase(`30 % loss for ${((Date.now() - lossStart) / 1000).toFixed(1)} s: states ${[...states].join(', ')}, loss up to ${maxLoss}, pings lost ${failures.join('/')}, ` +
      `smoothed RTT ${before.map((v) => v?.rttMs?.toFixed(1)).join('/')} → ${after.map((v) => v?.rttMs?.toFixed(1)).join('/')} ms`)

    // --- link down ---
    await bed.exec(A.net.ns, 'ip', ['link', 'set', 'dev', A.net.veth, 'down'])
    const downAt = Date.now()
    await poll('each to mark the other unreachable', async () => {
      const [ab, ba] = await both()
      return ab?.state === 'unreachable' && ba?.state === 'unreachable'
    }, detectionBoundMs)
    phase(`link down: unreachable on both sides after ${Date.now() - downAt} ms`)
    t.pass(`link down: both sides marked the other unreachable within ${detectionBoundMs} ms (${Date.now() - downAt} ms)`)

    await bed.exec(A.net.ns, 'nft', ['delete', 'table', 'inet', table])
    await bed.exec(A.net.ns, 'ip', ['link', 'set', 'dev', A.net.veth, 'up'])
    await poll('each to see the other alive again', async () => {
      const [ab, ba] = await both()
      return ab?.state === 'alive' && ba?.state === 'alive'
    }, 30_000)
    phase('link up: alive again')
    t.pass('alive again on both sides once the link is back')
  })
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

async function poll (what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await fn().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(200)
  }
}

async function nft (dir: string, ns: string, ruleset: string): Promise<void> {
  const file = join(dir, 'rules.nft')
  writeFileSync(file, ruleset)
  await run('ip', ['netns', 'exec', ns, 'nft', '-f', file])
}
