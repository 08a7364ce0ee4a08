/**
 * Two fleet members as real `skein agent` processes, one in each namespace of
 * a veth pair (test/helpers/netns.ts): a fresh fleet key signs both
 * membership certificates, A bootstraps to B over the veth, tunnels run on
 * the userspace backend (wireguard-go). No tunnel peers are configured: a
 * tunnel exists only while a lease does. Used by the tunnels end-to-end test
 * and the tunnels benchmark.
 *
 *   const bed = await vethPair(t)
 *   const [a, b] = await fleetAgentsInNetns(t, bed, { dir: tempDir(t) })
 *   await a.client.post('/v1/leases', { peer: b.peerId, quota: { cpu: '100m' } })
 *   await a.stop() // SIGTERM, resolves with the exit code
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { loadOrCreateIdentity } from '../../agent/identity/index.ts'
import { loadOrCreateWgKey, interfaceNameFor } from '../../agent/tunnels/index.ts'
import { ApiClient } from '../../agent/client/index.ts'
import { encodeFleetPublicKey, issueCertificate, toText } from '../../protocol/membership/index.ts'
import { skeinBin, waitForExit, type TapLike } from './agent.ts'
import type { VethPair } from './netns.ts'

export interface NsAgent {
  name: string
  ns: string
  veth: string
  /** the veth address */
  address: string
  podCidr: string
  peerId: string
  wgPublicKey: string
  /** the tunnel interface (the default name, derived from the peer ID: unique per run) */
  ifname: string
  /** unix:PATH of the operator API */
  api: string
  client: ApiClient
  child: ChildProcess
  /** everything the agent printed so far */
  output(): string
  /** SIGTERM, then waits for the exit (SIGKILL at teardown if it never comes) */
  stop(timeoutMs?: number): Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

export interface FleetAgentsOptions {
  /** a temporary directory for state, configs and sockets */
  dir: string
  /** libp2p port inside each namespace; default 7946 */
  port?: number
  logLevel?: string
  /** merged into the `tunnels` section of both configs */
  tunnels?: Record<string, unknown>
  /** how long an agent may take to answer /healthz; default 60 s (a loaded 2-core box) */
  startTimeoutMs?: number
}

/** Starts A (in bed.a, pod CIDR 10.42.1.0/24) and B (in bed.b, 10.42.2.0/24); both healthy when it returns. */
export async function fleetAgentsInNetns (t: TapLike, bed: VethPair, opts: FleetAgentsOptions): Promise<[NsAgent, NsAgent]> {
  const port = opts.port ?? 7946
  const fleetKey = await generateKeyPair('Ed25519')
  const fleetPub = encodeFleetPublicKey(fleetKey.publicKey)
  const sides = [
    { name: 'a', net: bed.a, podCidr: '10.42.1.0/24' },
    { name: 'b', net: bed.b, podCidr: '10.42.2.0/24' }
  ]
  const prepared = await Promise.all(sides.map(async (s) => {
    const home = join(opts.dir, s.name)
    const stateDir = join(home, 'state')
    mkdirSync(join(home, 'run'), { recursive: true })
    const id = await loadOrCreateIdentity(stateDir)
    const wg = await loadOrCreateWgKey(stateDir)
    const peerId = id.peerId.toString()
    const cert = await issueCertificate(fleetKey, { peerId, roles: ['provider', 'consumer'], labels: { site: s.name }, expiresMs: Date.now() + 86_400_000 })
    writeFileSync(join(stateDir, 'membership.cert'), toText(cert))
    const ifname = interfaceNameFor(peerId)
    bed.ownSocket(ifname)
    return { ...s, home, stateDir, peerId, wgPublicKey: wg.publicKey, ifname, api: `unix:${join(home, 'run', 'skein.sock')}` }
  }))
  const [A, B] = prepared as [typeof prepared[0], typeof prepared[0]]
  for (const me of prepared) {
    const other = me === A ? B : A
    writeFileSync(join(me.home, 'config.yaml'), stringify({
      stateDir: me.stateDir,
      runtimeDir: join(me.home, 'run'),
      api: me.api,
      listen: [`/ip4/${me.net.address}/tcp/${port}`],
      logLevel: opts.logLevel ?? 'debug',
      shutdownTimeout: '30s',
      kube: { mode: 'embedded' },
      fleet: { publicKey: fleetPub },
      // A finds B from its bootstrap address over the veth; B learns A from that connection
      discovery: { mdns: false, dht: false, announceInterval: '5s', bootstrap: me === A ? [`/ip4/${other.net.address}/tcp/${port}/p2p/${other.peerId}`] : [] },
      tunnels: { enabled: true, backend: 'userspace', podCidr: me.podCidr, keepalive: '5s', reconcileInterval: '2s', ...(opts.tunnels ?? {}) }
    }))
  }
  const started = await Promise.all(prepared.map(async (me) => await startInNs(t, bed, me.net.ns, join(me.home, 'config.yaml'), me.api, opts.startTimeoutMs ?? 60_000)))
  return prepared.map((me, i) => {
    const s = started[i] as { child: ChildProcess, out: () => string }
    return {
      name: me.name,
      ns: me.net.ns,
      veth: me.net.veth,
      address: me.net.address,
      podCidr: me.podCidr,
      peerId: me.peerId,
      wgPublicKey: me.wgPublicKey,
      ifname: me.ifname,
      api: me.api,
      client: new ApiClient({ address: me.api, timeoutMs: 10_000 }),
      child: s.child,
      output: s.out,
      stop: async (timeoutMs = 45_000) => {
        if (s.child.exitCode == null && s.child.signalCode == null) s.child.kill('SIGTERM')
        return await waitForExit(s.child, timeoutMs)
      }
    }
  }) as [NsAgent, NsAgent]
}

/** Starts `skein agent --config CONFIG` inside network namespace `ns` and waits until its API is healthy. */
export async function startInNs (t: TapLike, bed: VethPair, ns: string, config: string, api: string, timeoutMs = 60_000): Promise<{ child: ChildProcess, out: () => string }> {
  const [cmd, ...pre] = bed.prefix(ns)
  // `ip netns exec` execs the command: the child is the agent itself
  const child = spawn(cmd as string, [...pre, process.execPath, skeinBin, 'agent', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { out += d.toString() })
  t.teardown(() => { if (child.exitCode == null && child.signalCode == null) child.kill('SIGKILL') })
  const client = new ApiClient({ address: api, timeoutMs: 1000 })
  const deadline = Date.now() + timeoutMs
  let last = ''
  for (;;) {
    if (child.exitCode != null) throw new Error(`agent in ${ns} exited with ${child.exitCode}: ${out}`)
    try {
      const h = await client.raw('GET', '/healthz')
      if (h.status === 200) break
      last = h.body
    } catch (err) { last = (err as Error).message }
    if (Date.now() > deadline) throw new Error(`agent in ${ns} was not healthy within ${timeoutMs / 1000} s (${last}): ${out}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { child, out: () => out }
}
