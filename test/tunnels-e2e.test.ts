/**
 * End to end: two `skein agent` processes, each in its own network namespace,
 * joined by a veth pair; tunnels through wireguard-go (the userspace backend)
 * with each other as static peers (until leases drive tunnels). TCP crosses
 * the overlay (overlay address and pod CIDR); the tunnel heals after the veth
 * goes down and up and after a stray `wg set ... remove`; stopping an agent
 * removes its interface.
 */
import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { stringify } from 'yaml'
import { loadOrCreateIdentity } from '../agent/identity/index.ts'
import { loadOrCreateWgKey, interfaceNameFor } from '../agent/tunnels/index.ts'
import { ApiClient } from '../agent/client/index.ts'
import type { TunnelsBodyType } from '../agent/api/routes/tunnels.ts'
import { tempDir, skeinBin, runSkein, waitForExit, type TapLike } from './helpers/agent.ts'
import { netnsSkipReason, vethPair, type VethPair } from './helpers/netns.ts'

const skip = netnsSkipReason(['wg', 'wireguard-go'])
if (skip != null) {
  t.plan(0, `tunnels e2e skipped: ${skip}`)
} else {
  t.test('two agents in network namespaces talk over a WireGuard overlay that heals', async (t) => {
    const t0 = Date.now()
    const phase = (what: string): void => { t.comment(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`) }
    const bed = await vethPair(t)
    const dir = tempDir(t)
    const sides = [
      { name: 'a', net: bed.a, pod: '10.42.1.0/24' },
      { name: 'b', net: bed.b, pod: '10.42.2.0/24' }
    ]
    const ids = await Promise.all(sides.map(async (s) => {
      const stateDir = join(dir, s.name, 'state')
      const id = await loadOrCreateIdentity(stateDir)
      const wg = await loadOrCreateWgKey(stateDir)
      return { ...s, stateDir, peerId: id.peerId.toString(), wgPub: wg.publicKey, ifname: interfaceNameFor(id.peerId.toString()), api: `unix:${join(dir, s.name, 'skein.sock')}` }
    }))
    const [A, B] = ids as [typeof ids[0], typeof ids[0]]
    for (const [me, other] of [[A, B], [B, A]] as const) {
      bed.ownSocket(me.ifname)
      writeFileSync(join(dir, me.name, 'config.yaml'), stringify({
        stateDir: me.stateDir,
        api: me.api,
        listen: [`/ip4/${me.net.address}/tcp/0`],
        logLevel: 'debug',
        shutdownTimeout: '30s',
        tunnels: {
          enabled: true,
          backend: 'userspace',
          podCidr: me.pod,
          reconcileInterval: '2s',
          keepalive: '5s',
          peers: [{ peerId: other.peerId, publicKey: other.wgPub, endpoint: `${other.net.address}:51820`, podCidr: other.pod }]
        }
      }))
    }
    // B's cluster: a pod address inside its pod CIDR
    await bed.exec(B.net.ns, 'ip', ['addr', 'add', '10.42.2.10/32', 'dev', 'lo'])

    const agents = new Map<string, { child: ChildProcess, out: () => string }>()
    const started = await Promise.all([A, B].map(async (me) => await startInNs(t, bed, me.net.ns, join(dir, me.name, 'config.yaml'), me.api)))
    agents.set('a', started[0] as { child: ChildProcess, out: () => string })
    agents.set('b', started[1] as { child: ChildProcess, out: () => string })
    t.teardown(() => {
      if (t.passing()) return
      for (const [name, a] of agents) t.comment(`agent ${name} output:\n${a.out().split('\n').slice(-40).join('\n')}`)
    })
    phase('both agents healthy')
    const clientA = new ApiClient({ address: A.api })
    const clientB = new ApiClient({ address: B.api })
    const ta = await clientA.get<TunnelsBodyType>('/v1/tunnels')
    const tb = await clientB.get<TunnelsBodyType>('/v1/tunnels')
    t.equal(ta.backend, 'userspace')
    t.equal(ta.interface, A.ifname)
    t.equal(ta.publicKey, A.wgPub)
    t.equal(ta.peers[0]?.overlayAddress, tb.overlayAddress, 'A and B agree on B\'s overlay address')
    t.equal(tb.peers[0]?.overlayAddress, ta.overlayAddress, 'and on A\'s')
    t.same(ta.peers[0]?.allowedIps, [`${tb.overlayAddress}/32`, '10.42.2.0/24'])

    const echo = await echoServer(t, bed, B.net.ns)
    const probe = await prober(t, bed, A.net.ns)
    t.ok(await reaches(probe, tb.overlayAddress, echo, 20_000), 'TCP crosses the overlay to B\'s overlay address')
    t.ok(await reaches(probe, '10.42.2.10', echo, 5_000), 'and to an address in B\'s pod CIDR')
    phase('traffic over the overlay')
    const up = await clientA.get<TunnelsBodyType>('/v1/tunnels')
    t.equal(up.peers[0]?.state, 'up', 'A reports a completed handshake')
    t.ok((up.peers[0]?.rxBytes ?? 0) > 0 && (up.peers[0]?.txBytes ?? 0) > 0, 'with bytes both ways')
    t.equal(up.peers[0]?.endpoint, `${B.net.address}:51820`)

    phase('health read')
    const cli = await runSkein(['tunnels', '--api', A.api, '-o', 'json'])
    t.equal(cli.code, 0, cli.stderr)
    t.equal((JSON.parse(cli.stdout) as TunnelsBodyType).peers[0]?.peerId, B.peerId, '`skein tunnels -o json` lists B')
    const table = await runSkein(['tunnels', '--api', A.api])
    t.match(table.stdout, new RegExp(`${B.peerId}\\s+up\\s+${B.net.address.replace(/\./g, '\\.')}:51820`), '`skein tunnels` shows peer, state and endpoint')

    phase('CLI checked')
    // the radio drops out and comes back
    await bed.exec(A.net.ns, 'ip', ['link', 'set', 'dev', A.net.veth, 'down'])
    t.notOk(await reaches(probe, tb.overlayAddress, echo, 1500), 'no traffic while the veth is down')
    await bed.exec(A.net.ns, 'ip', ['link', 'set', 'dev', A.net.veth, 'up'])
    t.ok(await reaches(probe, tb.overlayAddress, echo, 30_000), 'traffic flows again after the veth comes back')

    phase('recovered after veth down/up')
    // a stray manual change is undone by the reconcile loop
    await bed.exec(A.net.ns, 'wg', ['set', A.ifname, 'peer', B.wgPub, 'remove'])
    t.ok(await reaches(probe, tb.overlayAddress, echo, 30_000), 'traffic flows again after a stray `wg set peer remove`')
    const dump = await bed.exec(A.net.ns, 'wg', ['show', A.ifname, 'peers'])
    t.equal(dump.trim(), B.wgPub, 'the peer is back')

    phase('recovered after a stray wg set')
    // stopping an agent leaves nothing behind
    const a = agents.get('a') as { child: ChildProcess }
    a.child.kill('SIGTERM')
    const exit = await waitForExit(a.child, 45_000)
    t.equal(exit.code, 0)
    await t.rejects(bed.exec(A.net.ns, 'ip', ['link', 'show', 'dev', A.ifname]), /does not exist/, 'the interface is gone')
    t.notOk(existsSync(`/var/run/wireguard/${A.ifname}.sock`), 'and so is its wireguard-go socket')
    phase('agent A stopped')
  })
}

async function startInNs (t: TapLike, bed: VethPair, ns: string, config: string, api: string): Promise<{ child: ChildProcess, out: () => string }> {
  const [cmd, ...pre] = bed.prefix(ns)
  const child = spawn(cmd as string, [...pre, process.execPath, skeinBin, 'agent', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { out += d.toString() })
  t.teardown(() => { if (child.exitCode == null && child.signalCode == null) child.kill('SIGKILL') })
  const client = new ApiClient({ address: api, timeoutMs: 1000 })
  const deadline = Date.now() + 180_000
  let last = ''
  for (;;) {
    if (child.exitCode != null) throw new Error(`agent in ${ns} exited with ${child.exitCode}: ${out}`)
    try {
      const h = await client.raw('GET', '/healthz')
      if (h.status === 200) break
      last = h.body
    } catch (err) { last = (err as Error).message }
    if (Date.now() > deadline) throw new Error(`agent in ${ns} was not healthy within 180 s (${last}): ${out}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { child, out: () => out }
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
