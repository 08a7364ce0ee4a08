/**
 * Tunnel backends behind one interface. `apply(desired)` is idempotent: it
 * reads the interface as it is (`wg show <if> dump`, `ip -j addr/route/link`)
 * and runs only the commands that close the gap, so a crash, a deleted
 * interface or a stray manual `wg set` are corrected on the next pass.
 *
 *   kernel     ip link add <if> type wireguard, then wg set / ip addr / ip route
 *   userspace  wireguard-go <if>, then the same wg and ip commands
 *   dry-run    the same logic against an in-memory interface; records the commands it would run
 *
 *   const backend = await pickBackend('auto', { runner: execRunner, logger })
 *   await backend.apply(desired)
 *   (await backend.observe('skw1a2b3c'))?.peers
 */
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import type { ComponentLogger } from '../logger.ts'
import type { DesiredState } from './desired.ts'
import { execRunner, commandLine, type CommandRunner } from './exec.ts'
import { simulatedRunner } from './simulated.ts'
import { TunnelBackendUnavailableError, TunnelCommandError } from './errors.ts'

export type BackendKind = 'kernel' | 'userspace' | 'dry-run'
export type BackendChoice = BackendKind | 'auto'

export interface ObservedPeer {
  publicKey: string
  /** host:port, or undefined before the first packet when no endpoint was set */
  endpoint?: string
  allowedIps: string[]
  /** seconds since the epoch of the latest completed handshake; 0 = never */
  latestHandshake: number
  rxBytes: number
  txBytes: number
  /** seconds; 0 = off */
  keepaliveS: number
}

export interface ObservedInterface {
  interface: string
  publicKey: string
  listenPort: number
  peers: ObservedPeer[]
}

export interface ApplyResult {
  /** the commands that changed something, empty when the interface already matched */
  changes: string[]
  /** the interface as read at the start of the pass; current when `changes` is empty */
  observed: ObservedInterface
  /** the pass stopped after its peers because `preempt` said newer desired state waits; the rest is left to the next pass */
  preempted?: boolean
}

export interface ApplyOptions {
  signal?: AbortSignal
  /**
   * Asked between the commands after the peers are set (address, link,
   * routes); true stops the pass there. A new lease then waits for at most
   * one command of an older pass instead of all of it, and the handshake can
   * start sooner. Safe because a pass is idempotent: the next one finishes
   * what this one left.
   */
  preempt?: () => boolean
}

export interface TunnelBackend {
  readonly kind: BackendKind
  apply(desired: DesiredState, opts?: ApplyOptions): Promise<ApplyResult>
  /**
   * Sets the desired peers with these public keys in one command, without
   * reading the interface first: for peers that were not on it at the last
   * look (a new lease), so their handshake starts one command sooner. The
   * `apply` that follows checks everything. Returns the command lines run.
   */
  addPeers?(desired: DesiredState, publicKeys: ReadonlySet<string>, opts?: { signal?: AbortSignal }): Promise<string[]>
  /** the interface as `wg show <if> dump` reports it; undefined when it does not exist */
  observe(ifname: string, opts?: { signal?: AbortSignal }): Promise<ObservedInterface | undefined>
  /** removes the interface (and with it its peers and routes); no error when absent */
  teardown(ifname: string, opts?: { signal?: AbortSignal }): Promise<void>
}

export interface BackendInit {
  runner?: CommandRunner
  /** per-command timeout in ms; default 10000 */
  commandTimeoutMs?: number
  /** seconds since the epoch, for handshake ages */
  nowS?: () => number
  /** where wireguard-go keeps its control sockets */
  socketDir?: string
  logger?: ComponentLogger
}

/** WireGuard forgets a session after 180 s without a handshake; past that, our endpoint wins over a roamed one. */
const staleHandshakeS = 180

export function parseDump (ifname: string, text: string): ObservedInterface {
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  const head = (lines[0] ?? '').split('\t')
  const peers: ObservedPeer[] = lines.slice(1).map((line) => {
    const f = line.split('\t')
    const peer: ObservedPeer = {
      publicKey: f[0] ?? '',
      allowedIps: f[3] == null || f[3] === '(none)' ? [] : f[3].split(',').filter((x) => x !== ''),
      latestHandshake: Number(f[4] ?? 0) || 0,
      rxBytes: Number(f[5] ?? 0) || 0,
      txBytes: Number(f[6] ?? 0) || 0,
      keepaliveS: f[7] == null || f[7] === 'off' ? 0 : Number(f[7]) || 0
    }
    if (f[2] != null && f[2] !== '(none)') peer.endpoint = f[2]
    return peer
  })
  return { interface: ifname, publicKey: head[1] ?? '', listenPort: Number(head[2] ?? 0) || 0, peers }
}

/** The kernel and userspace backends; also the dry-run one, over a simulated runner. */
export class WgBackend implements TunnelBackend {
  readonly kind: BackendKind
  protected readonly run: CommandRunner
  private readonly timeoutMs: number
  private readonly nowS: () => number
  private readonly socketDir: string
  private readonly log?: ComponentLogger
  /** the endpoint we last set per peer key: one WireGuard learnt by roaming is kept until it goes stale */
  private readonly lastEndpoint = new Map<string, string>()

  constructor (kind: BackendKind, init: BackendInit = {}) {
    this.kind = kind
    this.run = init.runner ?? execRunner
    this.timeoutMs = init.commandTimeoutMs ?? 10_000
    this.nowS = init.nowS ?? (() => Math.floor(Date.now() / 1000))
    this.socketDir = init.socketDir ?? '/var/run/wireguard'
    if (init.logger != null) this.log = init.logger
  }

  private async cmd (file: string, args: string[], changes?: string[], signal?: AbortSignal): Promise<string> {
    const { stdout } = await this.run(file, args, { timeoutMs: this.timeoutMs, ...(signal != null ? { signal } : {}) })
    changes?.push(commandLine(file, args))
    return stdout
  }

  private async json<T> (args: string[], signal?: AbortSignal): Promise<T[]> {
    const out = await this.cmd('ip', ['-j', ...args], undefined, signal)
    try { return JSON.parse(out === '' ? '[]' : out) as T[] } catch { return [] }
  }

  async observe (ifname: string, opts: { signal?: AbortSignal } = {}): Promise<ObservedInterface | undefined> {
    try {
      return parseDump(ifname, await this.cmd('wg', ['show', ifname, 'dump'], undefined, opts.signal))
    } catch (err) {
      if (err instanceof TunnelCommandError && err.exitCode != null) return undefined
      throw err
    }
  }

  private async linkExists (ifname: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.cmd('ip', ['link', 'show', 'dev', ifname], undefined, signal)
      return true
    } catch (err) {
      if (err instanceof TunnelCommandError && err.exitCode != null) return false
      throw err
    }
  }

  private async createInterface (ifname: string, changes: string[], signal?: AbortSignal): Promise<void> {
    if (this.kind === 'kernel') {
      if (!(await this.linkExists(ifname, signal))) await this.cmd('ip', ['link', 'add', 'dev', ifname, 'type', 'wireguard'], changes, signal)
      return
    }
    // a tun device whose wireguard-go died, or a socket left by a killed one, would stop a new daemon
    if (await this.linkExists(ifname, signal)) await this.cmd('ip', ['link', 'del', 'dev', ifname], changes, signal)
    if (this.kind === 'userspace') await rm(`${this.socketDir}/${ifname}.sock`, { force: true })
    await this.cmd('wireguard-go', [ifname], changes, signal)
  }

  async apply (desired: DesiredState, opts: ApplyOptions = {}): Promise<ApplyResult> {
    const signal = opts.signal
    const preempted = (): boolean => opts.preempt?.() === true
    const ifname = desired.interface
    const changes: string[] = []
    let obs = await this.observe(ifname, opts)
    if (obs == null) {
      await this.createInterface(ifname, changes, signal)
      this.lastEndpoint.clear()
      obs = await this.observe(ifname, opts)
      if (obs == null) throw new TunnelCommandError(commandLine('wg', ['show', ifname, 'dump']), '', null, `found no interface ${ifname} right after creating it`)
    }
    if (obs.publicKey !== desired.publicKey || obs.listenPort !== desired.listenPort) {
      await this.cmd('wg', ['set', ifname, 'listen-port', String(desired.listenPort), 'private-key', desired.privateKeyFile], changes, signal)
    }

    // peers
    const want = new Map(desired.peers.map((p) => [p.publicKey, p]))
    for (const p of obs.peers) {
      if (!want.has(p.publicKey)) {
        await this.cmd('wg', ['set', ifname, 'peer', p.publicKey, 'remove'], changes, signal)
        this.lastEndpoint.delete(p.publicKey)
      }
    }
    const have = new Map(obs.peers.map((p) => [p.publicKey, p]))
    for (const p of desired.peers) {
      const cur = have.get(p.publicKey)
      const args = ['set', ifname, 'peer', p.publicKey]
      if (cur == null || !sameSet(cur.allowedIps, p.allowedIps)) args.push('allowed-ips', p.allowedIps.join(','))
      if (cur == null || cur.keepaliveS !== p.keepaliveS) args.push('persistent-keepalive', p.keepaliveS > 0 ? String(p.keepaliveS) : 'off')
      if (p.endpoint != null && cur?.endpoint !== p.endpoint) {
        const stale = cur == null || cur.latestHandshake === 0 || this.nowS() - cur.latestHandshake > staleHandshakeS
        if (cur?.endpoint == null || this.lastEndpoint.get(p.publicKey) !== p.endpoint || stale) args.push('endpoint', p.endpoint)
      }
      if (args.length > 4) await this.cmd('wg', args, changes, signal)
      if (p.endpoint != null) this.lastEndpoint.set(p.publicKey, p.endpoint)
    }

    // address, link state, routes
    if (preempted()) return { changes, observed: obs, preempted: true }
    const addrs = await this.json<{ flags?: string[], addr_info?: Array<{ family?: string, local?: string, prefixlen?: number }> }>(['-4', 'addr', 'show', 'dev', ifname], signal)
    const present = (addrs[0]?.addr_info ?? []).filter((a) => a.family == null || a.family === 'inet').map((a) => `${a.local ?? ''}/${a.prefixlen ?? 32}`)
    const mine = `${desired.address}/32`
    for (const a of present) if (a !== mine) await this.cmd('ip', ['addr', 'del', a, 'dev', ifname], changes, signal)
    if (!present.includes(mine)) await this.cmd('ip', ['addr', 'add', mine, 'dev', ifname], changes, signal)
    if (!(addrs[0]?.flags ?? []).includes('UP')) await this.cmd('ip', ['link', 'set', 'dev', ifname, 'up'], changes, signal)
    if (preempted()) return { changes, observed: obs, preempted: true }
    const routes = await this.json<{ dst?: string, protocol?: string }>(['-4', 'route', 'show', 'dev', ifname], signal)
    const routed = new Set(routes.filter((r) => r.protocol !== 'kernel' && r.dst != null && r.dst !== 'default').map((r) => (r.dst as string).includes('/') ? r.dst as string : `${r.dst as string}/32`))
    const wanted = new Set(desired.peers.flatMap((p) => p.allowedIps))
    for (const r of routed) {
      if (preempted()) return { changes, observed: obs, preempted: true }
      if (!wanted.has(r)) await this.cmd('ip', ['route', 'del', r, 'dev', ifname], changes, signal)
    }
    for (const r of wanted) {
      if (preempted()) return { changes, observed: obs, preempted: true }
      if (!routed.has(r)) await this.cmd('ip', ['route', 'replace', r, 'dev', ifname], changes, signal)
    }
    if (changes.length > 0) this.log?.debug({ interface: ifname, changes }, 'tunnel interface reconciled')
    return { changes, observed: obs }
  }

  async addPeers (desired: DesiredState, publicKeys: ReadonlySet<string>, opts: { signal?: AbortSignal } = {}): Promise<string[]> {
    const peers = desired.peers.filter((p) => publicKeys.has(p.publicKey))
    if (peers.length === 0) return []
    const args = ['set', desired.interface]
    for (const p of peers) {
      args.push('peer', p.publicKey, 'allowed-ips', p.allowedIps.join(','), 'persistent-keepalive', p.keepaliveS > 0 ? String(p.keepaliveS) : 'off')
      if (p.endpoint != null) args.push('endpoint', p.endpoint)
    }
    const changes: string[] = []
    await this.cmd('wg', args, changes, opts.signal)
    for (const p of peers) if (p.endpoint != null) this.lastEndpoint.set(p.publicKey, p.endpoint)
    return changes
  }

  async teardown (ifname: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    if (await this.linkExists(ifname, opts.signal)) await this.cmd('ip', ['link', 'del', 'dev', ifname], undefined, opts.signal)
    this.lastEndpoint.clear()
    if (this.kind !== 'userspace') return
    // wireguard-go exits when its tun device goes; it removes its socket then
    const sock = `${this.socketDir}/${ifname}.sock`
    for (let i = 0; i < 40 && existsSync(sock); i++) await new Promise((resolve) => setTimeout(resolve, 50))
    await rm(sock, { force: true })
  }
}

/** Dry run: the real reconcile logic against an in-memory interface; `commands` lists what it would have run. */
export class DryRunBackend extends WgBackend {
  readonly commands: string[] = []

  constructor (init: Omit<BackendInit, 'runner'> = {}) {
    const commands: string[] = []
    super('dry-run', { ...init, runner: simulatedRunner({ record: (line) => { commands.push(line) } }) })
    this.commands = commands
  }
}

function sameSet (a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  const s = new Set(a)
  return b.every((x) => s.has(x))
}

export interface PickInit extends BackendInit {
  /** true when the process may configure interfaces; default: uid 0 */
  privileged?: boolean
}

/**
 * The backend for a configured choice. `auto` tries the kernel module (by
 * adding and deleting a probe interface), then wireguard-go, then falls back
 * to dry-run with a warning. An explicit kernel or userspace choice that
 * cannot work is a TunnelBackendUnavailableError.
 */
export async function pickBackend (choice: BackendChoice, init: PickInit = {}): Promise<TunnelBackend> {
  const run = init.runner ?? execRunner
  const log = init.logger
  if (choice === 'dry-run') return new DryRunBackend(init)
  const privileged = init.privileged ?? process.getuid?.() === 0
  const reasons: string[] = []
  if (choice === 'kernel' || choice === 'auto') {
    const why = await probeKernel(run, privileged)
    if (why == null) return new WgBackend('kernel', init)
    reasons.push(`kernel: ${why}`)
    if (choice === 'kernel') throw new TunnelBackendUnavailableError(`the kernel WireGuard backend cannot run here: ${why}`, { hint: 'use tunnels.backend: userspace (wireguard-go) or auto' })
  }
  const why = await probeUserspace(run, privileged)
  if (why == null) return new WgBackend('userspace', init)
  reasons.push(`userspace: ${why}`)
  if (choice === 'userspace') throw new TunnelBackendUnavailableError(`the userspace WireGuard backend cannot run here: ${why}`, { hint: 'install wireguard-go and wireguard-tools, and run the agent as root (or with CAP_NET_ADMIN)' })
  log?.warn({ reasons }, 'no WireGuard backend works here; tunnels run in dry-run mode and carry no traffic')
  return new DryRunBackend(init)
}

async function probeKernel (run: CommandRunner, privileged: boolean): Promise<string | undefined> {
  if (!privileged) return 'not running as root'
  const probe = `skprobe${randomBytes(3).toString('hex')}`
  try {
    await run('ip', ['link', 'add', 'dev', probe, 'type', 'wireguard'], { timeoutMs: 5000 })
  } catch (err) {
    return err instanceof TunnelCommandError ? (err.stderr.trim() || err.message) : (err as Error).message
  }
  await run('ip', ['link', 'del', 'dev', probe], { timeoutMs: 5000 }).catch(() => {})
  return undefined
}

async function probeUserspace (run: CommandRunner, privileged: boolean): Promise<string | undefined> {
  if (!privileged) return 'not running as root'
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing'
  for (const [file, args] of [['wireguard-go', ['--version']], ['wg', ['--version']]] as const) {
    try {
      await run(file, args, { timeoutMs: 5000 })
    } catch (err) {
      return err instanceof TunnelCommandError ? err.message : (err as Error).message
    }
  }
  return undefined
}
