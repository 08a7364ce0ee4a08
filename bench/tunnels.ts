/**
 * Tunnel benchmark: two network namespaces joined by a veth pair, the tunnel
 * subsystem (userspace backend, wireguard-go) in each, driven by
 * test/helpers/tunnel-driver.ts.
 *
 *   handshakeS  desired state handed to both sides (standing in for "lease granted")
 *               → first completed handshake seen by `wg show <if> latest-handshakes`
 *   tunnelMbps  node TCP, a fixed byte count, over the overlay
 *   vethMbps    the same over the bare veth, in the same run
 *
 *   npm run bench -- tunnels --json [--bytes 67108864] [--runs 3]
 * Needs root, ip, wg and wireguard-go.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir, cpus } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { netnsSkipReason, vethPair, run as sh } from '../test/helpers/netns.ts'

const driver = new URL('../test/helpers/tunnel-driver.ts', import.meta.url).pathname

interface Ready { peerId: string, publicKey: string, overlayAddress: string, interface: string }

function arg (args: string[], name: string, def: number): number {
  const i = args.indexOf(name)
  return i >= 0 && args[i + 1] != null ? Number(args[i + 1]) : def
}

export async function run (args: string[]): Promise<Record<string, unknown>> {
  const skip = netnsSkipReason(['wg', 'wireguard-go'])
  if (skip != null) throw new Error(`tunnels benchmark cannot run: ${skip}`)
  const bytes = arg(args, '--bytes', 64 * 1024 * 1024)
  const runs = arg(args, '--runs', 3)
  const cleanups: Array<() => unknown> = []
  const t = { teardown: (fn: () => unknown) => { cleanups.push(fn) } }
  const dir = mkdtempSync(join(tmpdir(), 'skein-bench-'))
  cleanups.push(() => { rmSync(dir, { recursive: true, force: true }) })
  try {
    const bed = await vethPair(t)
    const sides = [{ net: bed.a, ifname: `skb${bed.id}a`, pod: '10.42.1.0/24' }, { net: bed.b, ifname: `skb${bed.id}b`, pod: '10.42.2.0/24' }]
    const drivers: Array<{ child: ChildProcess, ready: Ready, next: () => Promise<Record<string, unknown>> }> = []
    for (const [i, s] of sides.entries()) {
      bed.ownSocket(s.ifname)
      const child = spawn('ip', ['netns', 'exec', s.net.ns, process.execPath, driver, join(dir, `s${i}`), s.ifname, s.pod], { stdio: ['pipe', 'pipe', 'inherit'] })
      cleanups.unshift(() => { child.kill('SIGKILL') })
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]()
      const next = async (): Promise<Record<string, unknown>> => {
        const r = await lines.next()
        if (r.done === true) throw new Error('tunnel driver exited')
        return JSON.parse(r.value as string) as Record<string, unknown>
      }
      drivers.push({ child, ready: await next() as unknown as Ready, next })
    }
    const [A, B] = drivers as [typeof drivers[0], typeof drivers[0]]
    process.stderr.write(`tunnels: ${A.ready.overlayAddress} <-> ${B.ready.overlayAddress}\n`)
    const peerOf = (d: typeof A, s: typeof sides[0]) => ({ peerId: d.ready.peerId, publicKey: d.ready.publicKey, overlayAddress: d.ready.overlayAddress, podCidr: s.pod, endpoints: [`${s.net.address}:51820`] })

    // "lease granted" on both sides at t0
    const t0 = performance.now()
    A.child.stdin?.write(JSON.stringify({ peers: [peerOf(B, sides[1] as typeof sides[0])] }) + '\n')
    B.child.stdin?.write(JSON.stringify({ peers: [peerOf(A, sides[0] as typeof sides[0])] }) + '\n')
    await Promise.all([A.next(), B.next()])
    const appliedS = (performance.now() - t0) / 1000
    let handshakeS: number | undefined
    while (performance.now() - t0 < 30_000) {
      const out = await sh('ip', ['netns', 'exec', bed.a.ns, 'wg', 'show', A.ready.interface, 'latest-handshakes'])
      if (out.split('\n').some((l) => Number(l.split('\t')[1] ?? 0) > 0)) { handshakeS = (performance.now() - t0) / 1000; break }
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    if (handshakeS == null) throw new Error('no handshake within 30 s')

    const server = spawn('ip', ['netns', 'exec', bed.b.ns, process.execPath, '-e', sinkScript], { stdio: ['ignore', 'pipe', 'inherit'] })
    cleanups.unshift(() => { server.kill('SIGKILL') })
    const port = await new Promise<number>((resolve) => server.stdout?.once('data', (d: Buffer) => { resolve(Number(d.toString().trim())) }))
    const measure = async (host: string): Promise<number> => {
      const results: number[] = []
      for (let i = 0; i < runs; i++) {
        const out = await sh('ip', ['netns', 'exec', bed.a.ns, process.execPath, '-e', sendScript, host, String(port), String(bytes)], 120_000)
        results.push(Number(out.trim()))
      }
      results.sort((x, y) => x - y)
      return results[Math.floor(results.length / 2)] as number
    }
    const vethMbps = await measure(bed.b.address)
    const tunnelMbps = await measure(B.ready.overlayAddress)
    return {
      handshakeS: round(handshakeS, 3),
      appliedS: round(appliedS, 3),
      tunnelMbps: round(tunnelMbps, 1),
      vethMbps: round(vethMbps, 1),
      bytes,
      runs,
      backend: 'userspace (wireguard-go)',
      cpus: cpus().length,
      node: process.version
    }
  } finally {
    for (const fn of cleanups) { try { await fn() } catch {} }
  }
}

function round (n: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

// receiver: counts bytes per connection; when the sender ends, answers with the ms from first to last byte
const sinkScript = `
const net = require('node:net')
const s = net.createServer((c) => {
  let n = 0, first = 0
  c.on('data', (d) => { if (n === 0) first = performance.now(); n += d.length })
  c.on('end', () => { c.end(String(performance.now() - first)) })
  c.on('error', () => {})
})
s.listen(0, '0.0.0.0', () => { process.stdout.write(String(s.address().port) + '\\n') })
`

// sender: writes a fixed byte count, prints megabits per second as the receiver timed it
const sendScript = `
const net = require('node:net')
const [host, port, total] = process.argv.slice(1)
const chunk = Buffer.alloc(64 * 1024, 7)
let left = Number(total)
const c = net.connect({ host, port: Number(port) }, () => {
  const pump = () => { while (left > 0) { const n = Math.min(left, chunk.length); left -= n; if (!c.write(n === chunk.length ? chunk : chunk.subarray(0, n))) { c.once('drain', pump); return } } c.end() }
  pump()
})
let reply = ''
c.on('data', (d) => { reply += d })
c.on('end', () => { process.stdout.write(String(Number(total) * 8 / 1e6 / (Number(reply) / 1000)) + '\\n'); process.exit(0) })
c.setTimeout(60000, () => process.exit(1))
`
