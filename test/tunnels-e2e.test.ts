/**
 * End to end: two fleet members, each a `skein agent` process in its own
 * network namespace, joined by a veth pair; A finds B from a bootstrap address
 * over the veth. No tunnel exists until A peers with B (`skein peer --wait`);
 * that lease alone brings a WireGuard tunnel (wireguard-go) up on both sides.
 * TCP crosses the overlay (overlay address and pod CIDR); the tunnel heals
 * after the veth goes down and up and after a stray `wg set ... remove`;
 * `skein unpeer` tears it down on both sides; stopping the agents removes
 * their interfaces. SKEIN_TEST_TRACE=1 prints both agents' logs even when it
 * passes (phase comments carry wall-clock times to match them).
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import type { TunnelsBodyType } from '../agent/api/routes/tunnels.ts'
import type { PeerView } from '../agent/api/routes/peers.ts'
import type { LeaseView } from '../agent/api/routes/leases.ts'
import { tempDir, runSkein, type TapLike } from './helpers/agent.ts'
import { netnsSkipReason, vethPair, type VethPair } from './helpers/netns.ts'
import { fleetAgentsInNetns, type NsAgent } from './helpers/netns-agents.ts'

const skip = netnsSkipReason(['wg', 'wireguard-go'])
if (skip != null) {
  t.plan(0, `tunnels e2e skipped: ${skip}`)
} else {
  t.test('a lease between agents in two network namespaces brings up a WireGuard overlay that heals and goes with the lease', async (t) => {
    const t0 = Date.now()
    const phase = (what: string): void => { t.comment(`${((Date.now() - t0) / 1000).toFixed(1)}s ${new Date().toISOString().slice(11, 23)} ${what}`) }
    const bed = await vethPair(t)
    const agents: NsAgent[] = []
    t.teardown(() => {
      if (t.passing() && process.env.SKEIN_TEST_TRACE == null) return
      for (const a of agents) t.comment(`agent ${a.name} output:\n${a.output().split('\n').slice(-60).join('\n')}`)
    })
    // generous: two agents starting at once on a loaded 2-core box have taken over a minute
    const [A, B] = await fleetAgentsInNetns(t, bed, { dir: tempDir(t), startTimeoutMs: 180_000 })
    agents.push(A, B)
    phase('both agents healthy')

    // discovery over the veth: each sees the other as a member, with its WireGuard key
    await waitFor('A and B to know each other as members', async () => {
      const [ab, ba] = await Promise.all([peerView(A, B), peerView(B, A)])
      return ab?.member === true && ab.wgPublicKey === B.wgPublicKey && ba?.member === true && ba.wgPublicKey === A.wgPublicKey
    }, 40_000)
    phase('discovered')

    // no lease, no tunnel
    const tb0 = await B.client.get<TunnelsBodyType>('/v1/tunnels')
    const ta0 = await A.client.get<TunnelsBodyType>('/v1/tunnels')
    t.equal(ta0.backend, 'userspace')
    t.equal(ta0.interface, A.ifname)
    t.equal(ta0.publicKey, A.wgPublicKey)
    t.same([ta0.peers, tb0.peers], [[], []], 'before the lease neither agent has a tunnel peer')
    t.same([await wgPeers(bed, A), await wgPeers(bed, B)], [[], []], 'and neither interface has a WireGuard peer')
    const echo = await echoServer(t, bed, B.ns)
    const probe = await prober(t, bed, A.ns)
    t.notOk(await reaches(probe, tb0.overlayAddress, echo, 1000), 'B\'s overlay address is unreachable from A')

    // A peers with B through the operator CLI: the lease alone brings the tunnel up
    const peered = await runSkein(['peer', B.peerId, '--cpu', '100m', '--pods', '1', '--wait', '--wait-timeout', '60s', '-o', 'json', '--api', A.api], { timeoutMs: 75_000 })
    t.equal(peered.code, 0, peered.stderr)
    const lease = JSON.parse(peered.stdout) as LeaseView
    t.match(lease, { state: 'active', consumer: A.peerId, provider: B.peerId }, 'B grants A a lease')
    phase('lease granted')
    await waitFor('a lease tunnel on both sides', async () => {
      const [ta, tb] = await Promise.all([A.client.get<TunnelsBodyType>('/v1/tunnels'), B.client.get<TunnelsBodyType>('/v1/tunnels')])
      return ta.peers.length === 1 && tb.peers.length === 1
    }, 20_000)
    const ta = await A.client.get<TunnelsBodyType>('/v1/tunnels')
    const tb = await B.client.get<TunnelsBodyType>('/v1/tunnels')
    t.match(ta.peers[0], { peerId: B.peerId, publicKey: B.wgPublicKey, overlayAddress: tb.overlayAddress, source: 'lease' }, 'the consumer tunnels to the provider')
    t.match(tb.peers[0], { peerId: A.peerId, publicKey: A.wgPublicKey, overlayAddress: ta.overlayAddress, source: 'lease' }, 'and the provider to the consumer')
    t.same(ta.peers[0]?.allowedIps, [`${tb.overlayAddress}/32`, B.podCidr], 'A routes B\'s overlay address and pod CIDR to B')
    t.same(tb.peers[0]?.allowedIps, [`${ta.overlayAddress}/32`, A.podCidr], 'and B A\'s')
    t.same([await wgPeers(bed, A), await wgPeers(bed, B)], [[B.wgPublicKey], [A.wgPublicKey]], 'each interface has the other as its WireGuard peer')

    // B's cluster: a pod address inside its pod CIDR
    await bed.exec(B.ns, 'ip', ['addr', 'add', '10.42.2.10/32', 'dev', 'lo'])
    t.ok(await reaches(probe, tb.overlayAddress, echo, 20_000), 'TCP crosses the overlay to B\'s overlay address')
    t.ok(await reaches(probe, '10.42.2.10', echo, 5_000), 'and to an address in B\'s pod CIDR')
    phase('traffic over the overlay')
    await waitFor('A to read a completed handshake', async () => (await A.client.get<TunnelsBodyType>('/v1/tunnels')).peers[0]?.state === 'up', 10_000)
    const up = await A.client.get<TunnelsBodyType>('/v1/tunnels')
    t.ok((up.peers[0]?.rxBytes ?? 0) > 0 && (up.peers[0]?.txBytes ?? 0) > 0, 'A counts bytes both ways')
    t.equal(up.peers[0]?.endpoint, `${B.address}:51820`, 'A\'s endpoint for B is B\'s veth address')
    // the table is read while the test goes on (a handshake counts as up for 180 s)
    const table = runSkein(['tunnels', '--api', A.api])

    // the radio drops out and comes back
    await bed.exec(A.ns, 'ip', ['link', 'set', 'dev', A.veth, 'down'])
    t.notOk(await reaches(probe, tb.overlayAddress, echo, 1500), 'no traffic while the veth is down')
    await bed.exec(A.ns, 'ip', ['link', 'set', 'dev', A.veth, 'up'])
    phase('veth up again')
    t.ok(await reaches(probe, tb.overlayAddress, echo, 30_000), 'traffic flows again after the veth comes back')
    phase('recovered after veth down/up')
    t.match((await table).stdout, new RegExp(`${B.peerId}\\s+up\\s+${B.address.replace(/\./g, '\\.')}:51820`), '`skein tunnels` shows peer, state and endpoint')

    // a stray manual change is undone by the reconcile loop
    await bed.exec(A.ns, 'wg', ['set', A.ifname, 'peer', B.wgPublicKey, 'remove'])
    t.ok(await reaches(probe, tb.overlayAddress, echo, 30_000), 'traffic flows again after a stray `wg set peer remove`')
    t.same(await wgPeers(bed, A), [B.wgPublicKey], 'the peer is back')
    phase('recovered after a stray wg set')

    // releasing the lease takes the tunnel down on both sides
    phase('stray wg set checked')
    const unpeered = await runSkein(['unpeer', lease.id, '-o', 'json', '--api', A.api])
    t.equal(unpeered.code, 0, unpeered.stderr)
    t.match(JSON.parse(unpeered.stdout), { id: lease.id, notified: true }, 'B is told of the release')
    phase('lease released')
    await waitFor('both tunnels to go', async () => {
      const [ta, tb] = await Promise.all([A.client.get<TunnelsBodyType>('/v1/tunnels'), B.client.get<TunnelsBodyType>('/v1/tunnels')])
      return ta.peers.length === 0 && tb.peers.length === 0
    }, 20_000)
    t.pass('neither agent lists a tunnel peer after the release')
    phase('tunnels gone')
    t.same([await wgPeers(bed, A), await wgPeers(bed, B)], [[], []], 'neither interface has a WireGuard peer')
    t.notOk(await reaches(probe, tb.overlayAddress, echo, 1000), 'B\'s overlay address is unreachable again')
    phase('unpeered')

    // stopping the agents leaves nothing behind
    for (const a of [A, B]) {
      const exit = await a.stop()
      t.equal(exit.code, 0, `agent ${a.name} stops cleanly`)
      await t.rejects(bed.exec(a.ns, 'ip', ['link', 'show', 'dev', a.ifname]), /does not exist/, `agent ${a.name}'s interface is gone`)
      t.notOk(existsSync(`/var/run/wireguard/${a.ifname}.sock`), 'and so is its wireguard-go socket')
    }
    phase('agents stopped')
  })
}

async function waitFor (what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try { if (await fn()) return } catch {}
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function peerView (from: NsAgent, of: NsAgent): Promise<PeerView | undefined> {
  try { return await from.client.get<PeerView>(`/v1/peers/${of.peerId}`) } catch { return undefined }
}

/** The WireGuard peers (public keys) on an agent's interface, as `wg` reports them in its namespace. */
async function wgPeers (bed: VethPair, a: NsAgent): Promise<string[]> {
  return (await bed.exec(a.ns, 'wg', ['show', a.ifname, 'peers'])).split('\n').filter((l) => l.trim() !== '')
}

const echoScript = `
const net = require('node:net')
const s = net.createServer((c) => { c.on('error', () => {}); c.pipe(c) })
s.listen(0, '0.0.0.0', () => { process.stdout.write(String(s.address().port) + '\\n') })
`

async function echoServer (t: TapLike, bed: VethPair, ns: string): Promise<number> {
  const [cmd, ...pre] = bed.prefix(ns)
  const child = spawn(cmd as string, [...pre, process.execPath, '-e', echoScript], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { child.kill('SIGKILL') })
  return await new Promise((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => { resolve(Number(d.toString().trim())) })
    child.once('exit', (code) => { reject(new Error(`echo server exited with ${code}`)) })
  })
}

// a long-lived prober in the namespace: one TCP echo round trip per stdin line, "ok" or "fail" per line out
const proberScript = `
const net = require('node:net')
const rl = require('node:readline').createInterface({ input: process.stdin })
rl.on('line', (line) => {
  const [host, port, timeout] = line.split(' ')
  const msg = 'skein-' + Math.random()
  let got = '', done = false
  const end = (r) => { if (done) return; done = true; c.destroy(); process.stdout.write(r + '\\n') }
  const c = net.connect({ host, port: Number(port) })
  c.setTimeout(Number(timeout), () => end('fail'))
  c.on('error', () => end('fail'))
  c.on('connect', () => c.write(msg))
  c.on('data', (d) => { got += d; if (got === msg) end('ok') })
})
`

type Prober = (host: string, port: number, timeoutMs: number) => Promise<boolean>

async function prober (t: TapLike, bed: VethPair, ns: string): Promise<Prober> {
  const [cmd, ...pre] = bed.prefix(ns)
  const child = spawn(cmd as string, [...pre, process.execPath, '-e', proberScript], { stdio: ['pipe', 'pipe', 'inherit'] })
  t.teardown(() => { child.kill('SIGKILL') })
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]()
  return async (host, port, timeoutMs) => {
    child.stdin?.write(`${host} ${port} ${timeoutMs}\n`)
    const r = await lines.next()
    return r.done !== true && r.value === 'ok'
  }
}

/** Retries a TCP echo round trip until it works or `withinMs` passes. */
async function reaches (probe: Prober, host: string, port: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs
  for (;;) {
    const left = deadline - Date.now()
    if (left <= 0) return false
    if (await probe(host, port, Math.max(100, Math.min(1000, left)))) return true
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
