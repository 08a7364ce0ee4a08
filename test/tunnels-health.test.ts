import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Registry } from 'prom-client'
import Value from 'typebox/value'
import { createTunnels, generateWgKeyPair, WgBackend, type Tunnels } from '../agent/tunnels/index.ts'
import { simulatedRunner } from '../agent/tunnels/simulated.ts'
import type { CommandRunner } from '../agent/tunnels/exec.ts'
import { Links } from '../agent/links/index.ts'
import { peerView, type ViewSources } from '../agent/discovery/view.ts'
import { PeerBody } from '../agent/api/routes/peers.ts'
import { peersTable } from '../agent/cli/commands/peers.ts'
import { silentLogger } from '../agent/logger.ts'
import type { Clock } from '../agent/clock.ts'
import { tempDir, type TapLike } from './helpers/agent.ts'

/** Time that moves only when told to; intervals fire as it passes them. */
class ManualClock implements Clock {
  t = 1_700_000_000_000
  private timers: Array<{ at: number, every?: number, fn: () => void, dead: boolean }> = []
  now (): number { return this.t }
  monotonic (): number { return this.t }
  setTimeout (fn: () => void, ms: number): { clear(): void } { return this.add(fn, ms) }
  setInterval (fn: () => void, ms: number): { clear(): void } { return this.add(fn, ms, ms) }
  private add (fn: () => void, ms: number, every?: number): { clear(): void } {
    const timer = { at: this.t + ms, fn, dead: false, ...(every != null ? { every } : {}) }
    this.timers.push(timer)
    return { clear: () => { timer.dead = true } }
  }

  async advance (ms: number): Promise<void> {
    const end = this.t + ms
    for (;;) {
      const next = this.timers.filter((x) => !x.dead && x.at <= end).sort((a, b) => a.at - b.at)[0]
      if (next == null) break
      this.t = next.at
      if (next.every != null) next.at += next.every
      else next.dead = true
      next.fn()
      // let the promises the timer started (pings) settle
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
    }
    this.t = end
  }
}

async function peerId (): Promise<string> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
}

/** Tunnels on the simulated interface with one static peer; the test plays WireGuard's counters. */
async function setup (t: TapLike, opts: { registry?: Registry, wrap?: (run: CommandRunner) => CommandRunner } = {}) {
  const clock = new ManualClock()
  const dir = tempDir(t)
  const run = simulatedRunner()
  const key = await generateKeyPair('Ed25519')
  const self = peerIdFromPrivateKey(key).toString()
  const remote = await peerId()
  const remoteKey = generateWgKeyPair().publicKey
  const backend = new WgBackend('userspace', { runner: opts.wrap?.(run) ?? run, nowS: () => Math.floor(clock.now() / 1000), socketDir: dir })
  const tunnels: Tunnels = createTunnels({
    backendInstance: backend,
    interface: 'skwhealth',
    reconcileIntervalMs: 1e9,
    staticPeers: [{ peerId: remote, publicKey: remoteKey, endpoint: '10.0.0.2:51820' }]
  })({ stateDir: dir, peerId: self, privateKey: key, clock, logger: silentLogger().forComponent('skein:tunnels'), ...(opts.registry != null ? { registry: opts.registry } : {}) })
  await tunnels.start()
  t.teardown(async () => { await tunnels.stop() })
  const wgPeer = () => {
    const p = run.interfaces.get('skwhealth')?.peers.get(remoteKey)
    if (p == null) throw new Error('the peer is not on the simulated interface')
    return p
  }
  return { clock, run, tunnels, remote, remoteKey, wgPeer }
}

t.test('tunnel traffic is a heartbeat: a peer whose pings fail stays alive while its tunnel receives', async (t) => {
  const { clock, tunnels, remote, wgPeer } = await setup(t)
  const silent = await peerId()
  const links = new Links({ pingIntervalMs: 1000, minStdDevMs: 100 }, {
    clock,
    logger: silentLogger().forComponent('skein:links'),
    // libp2p pings never get through (say, the relay is down); only the tunnel shows life
    ping: async () => { throw new Error('ping timed out') }
  })
  const off = tunnels.onHealth((h) => { links.noteTunnel(h.peerId, h) })
  t.teardown(() => { off(); links.stop() })
  links.track(remote)
  links.track(silent)
  links.start()

  for (let i = 0; i < 30; i++) {
    await clock.advance(1000)
    const p = wgPeer()
    p.rxBytes += 1500
    p.txBytes += 900
    if (i % 5 === 0) p.latestHandshake = Math.floor(clock.now() / 1000)
    await tunnels.reconcile()
  }
  t.equal(links.get(remote)?.state, 'alive', 'received bytes kept the peer alive')
  t.equal(links.get(remote)?.lastSeen, clock.now(), 'the last sample was a sign of life')
  t.equal(links.get(silent)?.state, 'unreachable', 'without a tunnel the same failing pings make a peer unreachable')
  t.match(links.get(remote)?.tunnel, { state: 'up', endpoint: '10.0.0.2:51820', rxBytes: 45_000, txBytes: 27_000, handshakeAgeS: 4 })
  t.equal(links.get(silent)?.tunnel, null, 'no tunnel, no tunnel block')

  // the tunnel goes quiet: the same counters again are no evidence; the detector takes over
  const seen = links.get(remote)?.lastSeen
  for (let i = 0; i < 30; i++) {
    await clock.advance(1000)
    await tunnels.reconcile()
  }
  t.equal(links.get(remote)?.lastSeen, seen, 'unchanged counters are not a heartbeat')
  t.not(links.get(remote)?.state, 'alive', 'a quiet tunnel does not keep a peer alive')
  t.equal(links.get(remote)?.tunnel?.handshakeAgeS, 34, 'the handshake age counts from the latest handshake')

  links.noteTunnel('not-tracked', { state: 'up', endpoint: null, latestHandshake: clock.now(), rxBytes: 1, txBytes: 1 })
  t.equal(links.get('not-tracked'), undefined, 'an untracked peer is not tracked by a tunnel sample')
})

t.test('a new handshake alone is a heartbeat; an old one seen first is not', async (t) => {
  const clock = new ManualClock()
  const links = new Links({}, { clock, logger: silentLogger().forComponent('skein:links'), ping: async () => { throw new Error('no') } })
  links.track('p')
  const before = links.get('p')?.lastSeen
  await clock.advance(5000)
  links.noteTunnel('p', { state: 'connecting', endpoint: null, latestHandshake: null, rxBytes: 0, txBytes: 148 })
  t.equal(links.get('p')?.lastSeen, before, 'no handshake, nothing received: no heartbeat')
  links.noteTunnel('p', { state: 'up', endpoint: '10.0.0.9:51820', latestHandshake: clock.now() - 2000, rxBytes: 0, txBytes: 148 })
  t.equal(links.get('p')?.lastSeen, clock.now(), 'a handshake newer than the last sample')
  await clock.advance(1000)
  links.noteTunnel('p', { state: 'up', endpoint: '10.0.0.9:51820', latestHandshake: clock.now() - 3000, rxBytes: 0, txBytes: 148 })
  t.equal(links.get('p')?.lastSeen, clock.now() - 1000, 'the same handshake again is not')
  t.equal(links.get('p')?.tunnel?.handshakeAgeS, 3)
})

t.test('tunnel metrics: peers by state, handshake age per peer, monotonic rx/tx totals, reconcile errors', async (t) => {
  const registry = new Registry()
  let failing = false
  const wrap = (run: CommandRunner): CommandRunner => async (file, args, o) => {
    if (failing && file === 'wg' && args[0] === 'show') throw new Error('wg: simulated failure')
    return await run(file, args, o)
  }
  const { clock, tunnels, remote, wgPeer } = await setup(t, { registry, wrap })
  const value = async (name: string, labels: Record<string, string> = {}): Promise<number | undefined> => {
    const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name)
    return m?.values.find((v) => Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val))?.value
  }
  t.equal(await value('skein_tunnel_peers', { state: 'connecting' }), 1)
  t.equal(await value('skein_tunnel_peers', { state: 'up' }), 0)
  t.equal(await value('skein_tunnel_handshake_age_seconds', { peer: remote }), undefined, 'no handshake yet: no age')

  const p = wgPeer()
  p.latestHandshake = Math.floor(clock.now() / 1000)
  p.rxBytes = 1000
  p.txBytes = 400
  await tunnels.reconcile()
  await clock.advance(7000)
  t.equal(await value('skein_tunnel_peers', { state: 'up' }), 1)
  t.equal(await value('skein_tunnel_handshake_age_seconds', { peer: remote }), 7)
  t.equal(await value('skein_tunnel_rx_bytes_total'), 1000)
  t.equal(await value('skein_tunnel_tx_bytes_total'), 400)

  p.rxBytes = 1500
  await tunnels.reconcile()
  t.equal(await value('skein_tunnel_rx_bytes_total'), 1500, 'the growth is added')
  // the peer was re-added (a stray `wg set ... remove` healed): its counters restart from zero
  p.rxBytes = 200
  p.txBytes = 100
  await tunnels.reconcile()
  t.equal(await value('skein_tunnel_rx_bytes_total'), 1700, 'a reset counter counts from zero, the total never goes down')
  t.equal(await value('skein_tunnel_tx_bytes_total'), 500)

  failing = true
  await tunnels.reconcile()
  await tunnels.reconcile()
  t.equal(await value('skein_tunnel_reconcile_errors_total'), 2)
  t.match(tunnels.view().lastError, /simulated failure/)
  failing = false
  await tunnels.reconcile()
  t.equal(await value('skein_tunnel_reconcile_errors_total'), 2, 'a good pass adds no error')
})

t.test('the tunnel block shows in the peer view (schema-valid) and in `skein peers`', async (t) => {
  const clock = new ManualClock()
  const links = new Links({}, { clock, logger: silentLogger().forComponent('skein:links'), ping: async () => 1 })
  const id = await peerId()
  const plain = await peerId()
  links.track(id)
  links.track(plain)
  links.noteTunnel(id, { state: 'up', endpoint: '10.0.0.2:51820', latestHandshake: clock.now() - 12_000, rxBytes: 4096, txBytes: 2048 })
  const sources = {
    discovery: { peer: () => undefined },
    links,
    fleet: { enabled: false, memberCertificate: () => undefined },
    node: { getConnections: () => [] }
  } as unknown as ViewSources
  const v = peerView(sources, id)
  t.ok(v != null && Value.Check(PeerBody, v), 'the view matches the API schema')
  t.match(v?.tunnel, { state: 'up', endpoint: '10.0.0.2:51820', handshakeAgeS: 12, rxBytes: 4096, txBytes: 2048, latestHandshake: new Date(clock.now() - 12_000).toISOString() })
  const w = peerView(sources, plain)
  t.equal(w?.tunnel, null)
  t.ok(w != null && Value.Check(PeerBody, w))
  if (v == null || w == null) return
  const table = peersTable({ self: 'me', fleetId: 'f', peers: [v, w] }, clock.now())
  const [header, row] = table.split('\n')
  t.match(header, /tunnel/i)
  t.match(row, /up 12s/)
})
