/**
 * A reconcile pass that is still setting routes when the desired peers change
 * (a lease was granted) stops after its current command, so the new peer's
 * `wg set` — and with it the handshake — does not wait for the rest of the
 * older pass; the pass after a cut-short one always runs to the end, so
 * routes are never starved by a stream of changes. A peer new since the last
 * look is set before the pass reads the interface.
 */
import t from 'tap'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { createTunnels, generateWgKeyPair, WgBackend, type CommandRunner, type TunnelPeerInput } from '../agent/tunnels/index.ts'
import { simulatedRunner } from '../agent/tunnels/simulated.ts'
import { systemClock } from '../agent/clock.ts'
import { silentLogger } from '../agent/logger.ts'
import { tempDir } from './helpers/agent.ts'

async function peer (pod: string): Promise<TunnelPeerInput> {
  const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  return { peerId: id, publicKey: generateWgKeyPair().publicKey, podCidr: pod, endpoints: ['10.0.0.9:51820'] }
}

/** A simulated interface whose next `ip -j -4 route show` waits until released; `changes` lists every state-changing command in order. */
function gatedRunner (): { runner: CommandRunner, changes: string[], hold: () => { reached: Promise<void>, release: () => void } } {
  const changes: string[] = []
  const sim = simulatedRunner({ record: (line) => { changes.push(line) } })
  let gate: { reached: () => void, released: Promise<void> } | undefined
  const runner: CommandRunner = async (file, args, opts) => {
    if (gate != null && file === 'ip' && args.includes('route') && args.includes('show')) {
      const g = gate
      gate = undefined
      g.reached()
      await g.released
    }
    return await sim(file, args, opts)
  }
  return {
    runner,
    changes,
    hold: () => {
      let reached!: () => void
      let release!: () => void
      const r = new Promise<void>((resolve) => { reached = resolve })
      gate = { reached, released: new Promise<void>((resolve) => { release = resolve }) }
      return { reached: r, release }
    }
  }
}

const firstIndex = (lines: string[], re: RegExp, from = 0): number => lines.findIndex((l, i) => i >= from && re.test(l))

t.test('new peers cut a pass short after the peers are set; the next pass is never cut short', async (t) => {
  const { runner, changes, hold } = gatedRunner()
  const key = await generateKeyPair('Ed25519')
  const tunnels = createTunnels({ backendInstance: new WgBackend('userspace', { runner, socketDir: tempDir(t) }), interface: 'skwpre', reconcileIntervalMs: 3_600_000 })({
    stateDir: tempDir(t), peerId: peerIdFromPrivateKey(key).toString(), privateKey: key, clock: systemClock, logger: silentLogger().forComponent('skein:tunnels')
  })
  await tunnels.start()
  t.teardown(async () => { await tunnels.stop() })
  const [b, c, d] = await Promise.all([peer('10.42.2.0/24'), peer('10.42.3.0/24'), peer('10.42.4.0/24')])
  const routeOf = (p: TunnelPeerInput): RegExp => new RegExp(`^ip route replace ${(p.podCidr ?? '').replace(/\./g, '\\.')} `)
  const wgSetOf = (p: TunnelPeerInput): RegExp => new RegExp(`^wg set skwpre peer ${p.publicKey.replace(/[+/]/g, '\\$&')} allowed-ips`)

  // pass 1 sets B, then waits in its route phase while C arrives
  let gate = hold()
  const start = changes.length
  tunnels.setPeers('lease', [b])
  await gate.reached
  tunnels.setPeers('lease', [b, c])
  gate.release()
  // pass 2 (for B and C) waits in its route phase while D arrives: it may not be cut short
  gate = hold()
  await gate.reached
  tunnels.setPeers('lease', [b, c, d])
  gate.release()
  await tunnels.reconcile()

  const setB = firstIndex(changes, wgSetOf(b), start)
  const setC = firstIndex(changes, wgSetOf(c), start)
  const setD = firstIndex(changes, wgSetOf(d), start)
  t.ok(setB >= 0 && setC > setB && setD > setC, 'each peer is set, in the order the leases came')
  t.ok(firstIndex(changes, routeOf(b), start) > setC, 'the pass that set B stopped before its routes: C was set first')
  t.ok(firstIndex(changes, routeOf(c), start) < setD, 'the pass that set C ran to the end although D was waiting')
  const view = tunnels.view()
  t.same(view.peers.map((p) => p.peerId).sort(), [b.peerId, c.peerId, d.peerId].sort())
  for (const p of [b, c, d]) t.ok(firstIndex(changes, routeOf(p), start) > 0, `${p.podCidr ?? ''} is routed in the end`)
  t.equal(view.lastError, null)
})

t.test('a new peer is set before the pass reads the interface; if that fails the pass repairs everything', async (t) => {
  const sim = simulatedRunner()
  const all: string[] = []
  const runner: CommandRunner = async (file, args, opts) => { all.push([file, ...args].join(' ')); return await sim(file, args, opts) }
  const key = await generateKeyPair('Ed25519')
  const tunnels = createTunnels({ backendInstance: new WgBackend('userspace', { runner, socketDir: tempDir(t) }), interface: 'skwnew', reconcileIntervalMs: 3_600_000 })({
    stateDir: tempDir(t), peerId: peerIdFromPrivateKey(key).toString(), privateKey: key, clock: systemClock, logger: silentLogger().forComponent('skein:tunnels')
  })
  await tunnels.start()
  t.teardown(async () => { await tunnels.stop() })
  const [b, c] = await Promise.all([peer('10.42.2.0/24'), peer('10.42.3.0/24')])

  let from = all.length
  tunnels.setPeers('lease', [b])
  await tunnels.reconcile()
  t.match(all[from], new RegExp(`^wg set skwnew peer ${b.publicKey.replace(/[+/]/g, '\\$&')} allowed-ips \\S+ persistent-keepalive 25 endpoint 10\\.0\\.0\\.9:51820$`), 'the first command of the pass sets the new peer')
  t.same(sim.interfaces.get('skwnew')?.routes.sort(), ['10.42.2.0/24', tunnels.view().peers[0]?.allowedIps[0]].sort(), 'and the rest of the pass routes it')

  // the interface vanished since the last look: adding C ahead fails, the pass makes everything again
  sim.interfaces.delete('skwnew')
  from = all.length
  tunnels.setPeers('lease', [b, c])
  await tunnels.reconcile()
  t.match(all[from], /^wg set skwnew peer /, 'the pass still tries the new peer first')
  t.ok(all.slice(from).some((l) => l === 'wireguard-go skwnew'), 'then recreates the interface')
  t.same([...(sim.interfaces.get('skwnew')?.peers.keys() ?? [])].sort(), [b.publicKey, c.publicKey].sort(), 'with both peers')
  t.equal(tunnels.view().lastError, null, 'and reports no error')
})
