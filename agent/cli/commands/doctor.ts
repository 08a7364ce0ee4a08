/**
 * `skein doctor`: checks what an agent on this machine needs, and says how to
 * fix each thing that is wrong. Every check is independent and returns
 * `{ name, status: ok|warn|fail|skip, detail, fix }`; the command exits 1 if
 * any check fails.
 *
 *   skein doctor                    # every check, as a table
 *   skein doctor -o json            # for scripts and fleet tooling
 *   skein doctor --check agent --wait 60s   # the systemd unit's readiness wait
 *
 * Local probes (fs.stat, spawnSync of ip/wg/modinfo, /proc/<pid>/status, a TCP
 * connect to the agent's listen addresses) run here; everything about the
 * agent's own view comes from the operator API (GET /healthz, GET /v1/status)
 * through agent/client, as for every CLI command.
 *
 * Checks that need a subsystem's report read it from the agent and say `skip`
 * when the agent does not report it:
 *   GET /v1/status  clock: { maxSkewMs: number, peers?: number }   offset against peers
 *                   (until an agent reports it, clock-skew asks timedatectl whether NTP keeps this clock)
 *   GET /v1/status  kube: { reachable, error?, server?, rbac?: { missing: string[], checked?: number } }
 *   GET /v1/fleet   { mode, fleetId, certificate: { expires } | null }
 */
import { accessSync, constants as fsConstants, readFileSync, statSync, type Stats } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { createConnection } from 'node:net'
import { delimiter, join } from 'node:path'
import { Command, Option } from 'commander'
import { ApiClient } from '../../client/index.ts'
import { loadConfig, parseDuration, type Config } from '../../config/index.ts'
import { defaultApiAddress, defaultPaths } from '../../config/index.ts'
import { InvalidRequestError, SkeinError } from '../../errors.ts'
import type { Status } from '../../api/routes/status.ts'
import { outputOption, render, renderTable, type OutputFormat } from '../output.ts'

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip'

/** At least one doctor check failed; the command exits 1 after printing every result. */
export class DoctorCheckFailedError extends SkeinError {
  static override name = 'DoctorCheckFailedError'
  readonly failed: string[]

  constructor (failed: string[]) {
    super(`${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.join(', ')}`, { hint: 'each failed check says how to fix it (see "how to fix" above, or the fix field with -o json)' })
    this.failed = failed
  }
}

export interface CheckResult {
  name: string
  status: CheckStatus
  detail: string
  /** what to do about it; absent when there is nothing to do */
  fix?: string
}

/** What the optional parts of /v1/status look like when subsystems report them. */
export interface DoctorStatus extends Status {
  clock?: { maxSkewMs?: number, peers?: number }
  kube?: {
    backend?: string
    server?: string
    reachable?: boolean
    error?: string
    readyNodes?: number
    /** RBAC rights denied by SelfSubjectAccessReview, as "verb resource" */
    rbac?: { missing?: string[], checked?: number }
    missing?: string[]
  }
  fleet?: { certificate?: { valid?: boolean, notAfter?: string, error?: string } }
}

export interface AgentView {
  reachable: boolean
  address: string
  error?: string
  health?: { ok: boolean, checks: Record<string, string> }
  status?: DoctorStatus
}

/** Side effects, injectable for tests. */
export interface Probes {
  stat: (path: string) => Stats | undefined
  which: (cmd: string) => string | undefined
  run: (cmd: string, args: string[]) => { status: number | null, stdout: string }
  readFile: (path: string) => string | undefined
  connect: (host: string, port: number, timeoutMs: number) => Promise<boolean>
  uid: () => number | undefined
  nodeVersion: string
  now: () => number
}

export interface DoctorContext {
  /** GET another operator API route; undefined when there is no agent or no such route */
  get?: (path: string) => Promise<unknown>
  config?: Config
  configError?: Error
  configFile?: string
  stateDir: string
  agent: () => Promise<AgentView>
  probes: Probes
}

export interface Check {
  name: string
  description: string
  run: (ctx: DoctorContext) => Promise<CheckResult> | CheckResult
}

const ok = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail })
const skip = (name: string, detail: string): CheckResult => ({ name, status: 'skip', detail })
const bad = (name: string, status: 'warn' | 'fail', detail: string, fix: string): CheckResult => ({ name, status, detail, fix })

const minNodeMajor = 24
const octal = (mode: number): string => '0' + (mode & 0o777).toString(8)

export const checks: Check[] = [
  {
    name: 'node',
    description: 'Node.js is version 24 or later',
    run: ({ probes }) => {
      const major = Number(probes.nodeVersion.split('.')[0])
      return major >= minNodeMajor
        ? ok('node', `Node.js ${probes.nodeVersion}`)
        : bad('node', 'fail', `Node.js ${probes.nodeVersion} is older than ${minNodeMajor}`, `install Node.js ${minNodeMajor} LTS (e.g. from nodejs.org or NodeSource) and point ExecStart= at it`)
    }
  },
  {
    name: 'config',
    description: 'the configuration file and SKEIN_* variables are valid',
    run: ({ config, configError, configFile }) => {
      if (configError != null) {
        const hint = (configError as { hint?: string }).hint
        return bad('config', 'fail', configError.message, hint ?? 'fix the key named above in the configuration file or the SKEIN_* variable')
      }
      return ok('config', configFile != null ? `${configFile} is valid` : `no configuration file; defaults and SKEIN_* variables are valid (api ${config?.api ?? '?'})`)
    }
  },
  {
    name: 'state-dir',
    description: 'the state directory exists, belongs to the agent\'s user and is not writable by others',
    run: async (ctx) => {
      const { stateDir, probes } = ctx
      const st = probes.stat(stateDir)
      if (st == null) {
        return bad('state-dir', 'warn', `${stateDir} does not exist yet`, 'the agent creates it on first start; under systemd, StateDirectory=skein makes /var/lib/skein')
      }
      if (!st.isDirectory()) return bad('state-dir', 'fail', `${stateDir} is not a directory`, `move it away; the agent needs a directory there (or set stateDir)`)
      if ((st.mode & 0o002) !== 0) {
        return bad('state-dir', 'fail', `${stateDir} is world-writable (${octal(st.mode)})`, `chmod 0750 ${stateDir}`)
      }
      const owner = await agentUid(ctx)
      if (owner != null && st.uid !== owner.uid) {
        return bad('state-dir', 'fail', `${stateDir} belongs to uid ${st.uid}, but the ${owner.who} runs as uid ${owner.uid}`, `chown -R ${owner.uid}: ${stateDir}  (as root; stop the agent first)`)
      }
      if ((st.mode & 0o020) !== 0) {
        return bad('state-dir', 'warn', `${stateDir} is group-writable (${octal(st.mode)})`, `chmod 0750 ${stateDir}`)
      }
      return ok('state-dir', `${stateDir} ${octal(st.mode)} uid ${st.uid}`)
    }
  },
  {
    name: 'identity-key',
    description: 'identity.key (and api.token) are readable by their owner only',
    run: ({ stateDir, probes }) => {
      const key = join(stateDir, 'identity.key')
      const st = probes.stat(key)
      if (st == null) return bad('identity-key', 'warn', `${key} does not exist yet`, 'the agent creates it on first start; to keep a peer ID, restore it from a backup (mode 0600) before starting')
      const dir = probes.stat(stateDir)
      const problems: string[] = []
      const fixes: string[] = []
      for (const [path, s] of [[key, st], [join(stateDir, 'api.token'), probes.stat(join(stateDir, 'api.token'))]] as const) {
        if (s == null) continue
        if ((s.mode & 0o077) !== 0) { problems.push(`${path} is ${octal(s.mode)}`); fixes.push(`chmod 0600 ${path}`) }
        if (dir != null && s.uid !== dir.uid) { problems.push(`${path} belongs to uid ${s.uid}, not ${dir.uid}`); fixes.push(`chown ${dir.uid}: ${path}`) }
      }
      if (problems.length > 0) return bad('identity-key', 'fail', problems.join('; '), fixes.join(' && '))
      return ok('identity-key', `${key} 0600`)
    }
  },
  {
    name: 'agent',
    description: 'an agent answers on the operator API and reports itself healthy',
    run: async (ctx) => {
      const view = await ctx.agent()
      if (!view.reachable) {
        return bad('agent', 'fail', `no agent answers at ${view.address}${view.error != null ? ` (${view.error})` : ''}`,
          'start it: systemctl start skein (or skein agent); if it runs elsewhere, pass --api or set SKEIN_API')
      }
      if (view.health?.ok !== true) {
        const failing = Object.entries(view.health?.checks ?? {}).filter(([, v]) => v !== 'ok' && v !== 'running').map(([k, v]) => `${k}: ${v}`)
        return bad('agent', 'fail', `the agent at ${view.address} is not healthy${failing.length > 0 ? ` (${failing.join(', ')})` : ''}`, 'see its log: journalctl -u skein')
      }
      const s = view.status
      return ok('agent', `healthy at ${view.address}${s != null ? `: peer ${s.peerId}, version ${s.version}, pid ${s.pid}, ${s.connections} connections` : ''}`)
    }
  },
  {
    name: 'listen',
    description: 'the agent\'s libp2p listen addresses accept TCP connections from this host',
    run: async (ctx) => {
      const view = await ctx.agent()
      if (view.status == null) return skip('listen', 'no agent to ask for its listen addresses')
      const targets = uniqueTcpTargets(view.status.listenAddrs)
      if (targets.length === 0) return bad('listen', 'warn', 'the agent listens on no TCP address', 'set listen: [/ip4/0.0.0.0/tcp/7946] in the configuration')
      const results = await Promise.all(targets.map(async (tgt) => ({ tgt, up: await ctx.probes.connect(tgt.host, tgt.port, 1500) })))
      const down = results.filter((r) => !r.up).map((r) => `${r.tgt.host}:${r.tgt.port}`)
      if (down.length > 0) {
        return bad('listen', down.length === results.length ? 'fail' : 'warn', `no TCP answer from ${down.join(', ')}`,
          'check the firewall (nft list ruleset) and, under systemd, IPAddressAllow= in the unit')
      }
      return ok('listen', `${results.length === 1 ? '1 address answers' : `${results.length} addresses answer`}: ${results.map((r) => `${r.tgt.host}:${r.tgt.port}`).join(', ')}`)
    }
  },
  {
    name: 'wireguard',
    description: 'WireGuard is available: the kernel module, or wireguard-go with /dev/net/tun; and the ip and wg tools',
    run: ({ probes }) => {
      const kernelLoaded = probes.stat('/sys/module/wireguard') != null
      const kernelModule = !kernelLoaded && probes.which('modinfo') != null && probes.run('modinfo', ['-F', 'filename', 'wireguard']).status === 0
      const wgGo = probes.which('wireguard-go')
      const tun = probes.stat('/dev/net/tun') != null
      const wg = probes.which('wg')
      const ip = probes.which('ip')
      const kind = kernelLoaded ? 'kernel module loaded' : kernelModule ? 'kernel module available (loads on first use)' : wgGo != null && tun ? `userspace: ${wgGo} with /dev/net/tun` : undefined
      if (kind == null) {
        return bad('wireguard', 'fail', `no WireGuard: no kernel module${wgGo != null ? ', and /dev/net/tun is missing for wireguard-go' : ', no wireguard-go on PATH'}`,
          'install the kernel module (Linux ≥ 5.6 has it; modprobe wireguard) or wireguard-go (apt install wireguard-go) with /dev/net/tun (modprobe tun)')
      }
      const missing = [wg == null ? 'wg' : undefined, ip == null ? 'ip' : undefined].filter((x): x is string => x != null)
      if (missing.length > 0) return bad('wireguard', 'fail', `${kind}, but ${missing.join(' and ')} not on PATH`, 'apt install wireguard-tools iproute2')
      return ok('wireguard', `${kind}; ${wg} and ${ip}`)
    }
  },
  {
    name: 'capabilities',
    description: 'the running agent holds CAP_NET_ADMIN, which WireGuard needs',
    run: async (ctx) => {
      const view = await ctx.agent()
      const pid = view.status?.pid
      if (pid == null) return skip('capabilities', 'no agent to look at')
      const text = ctx.probes.readFile(`/proc/${pid}/status`)
      const capEff = text != null ? /^CapEff:\s*([0-9a-f]+)$/m.exec(text)?.[1] : undefined
      if (capEff == null) return skip('capabilities', `cannot read /proc/${pid}/status (the agent runs in another PID namespace or as another user)`)
      const hasNetAdmin = (BigInt(`0x${capEff}`) & (1n << 12n)) !== 0n
      return hasNetAdmin
        ? ok('capabilities', `pid ${pid} has CAP_NET_ADMIN`)
        : bad('capabilities', 'warn', `pid ${pid} lacks CAP_NET_ADMIN: it cannot create WireGuard interfaces`,
          'run it from the shipped unit (AmbientCapabilities=CAP_NET_ADMIN) or a container with --cap-add NET_ADMIN')
    }
  },
  {
    name: 'clock-skew',
    description: 'this clock agrees with the peers\' clocks (peering refuses messages stamped more than 60 s off)',
    run: async (ctx) => {
      const view = await ctx.agent()
      const skew = view.status?.clock?.maxSkewMs
      const fix = 'run an NTP client (systemd-timesyncd or chrony); on a drone without network time, a GPS time source (gpsd with chrony)'
      if (typeof skew === 'number') {
        const abs = Math.abs(skew)
        const detail = `largest offset against ${view.status?.clock?.peers ?? '?'} peers: ${Math.round(skew)} ms`
        if (abs > 60_000) return bad('clock-skew', 'fail', detail, fix)
        if (abs > 2_000) return bad('clock-skew', 'warn', detail, fix)
        return ok('clock-skew', detail)
      }
      // the agent does not measure offsets against peers: say at least whether this clock is disciplined
      const why = view.status == null ? 'no agent to ask for offsets against peers' : 'the agent does not report offsets against peers'
      if (ctx.probes.which('timedatectl') == null) return skip('clock-skew', `${why}, and timedatectl is not here to tell whether NTP keeps this clock`)
      const r = ctx.probes.run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'])
      const synced = r.stdout.trim()
      if (r.status !== 0 || (synced !== 'yes' && synced !== 'no')) return skip('clock-skew', `${why}; timedatectl cannot tell (no systemd as PID 1?)`)
      return synced === 'yes'
        ? ok('clock-skew', `${why}; this clock is synchronized by NTP`)
        : bad('clock-skew', 'warn', `${why}; this clock is not synchronized by NTP`, fix)
    }
  },
  {
    name: 'kubernetes',
    description: 'the local Kubernetes API answers the agent',
    run: async (ctx) => {
      const view = await ctx.agent()
      if (view.status == null) return skip('kubernetes', 'no agent to ask')
      const kube = view.status.kube
      if (kube == null) return skip('kubernetes', 'this agent does not report Kubernetes reachability in /v1/status')
      const where = `${kube.backend != null ? `${kube.backend} ` : ''}API${kube.server != null ? ` at ${kube.server}` : ''}`
      if (kube.reachable !== true) {
        return bad('kubernetes', 'fail', `the ${where} does not answer${kube.error != null ? `: ${kube.error}` : ''}`,
          'check that k3s runs (systemctl status k3s) and the kubeconfig the agent uses (see its kube configuration)')
      }
      return ok('kubernetes', `the ${where} answers${kube.readyNodes != null ? `; ${kube.readyNodes} ready node${kube.readyNodes === 1 ? '' : 's'}` : ''}`)
    }
  },
  {
    name: 'kube-rbac',
    description: 'the RBAC rights the agent needs are granted (from its SelfSubjectAccessReviews)',
    run: async (ctx) => {
      const view = await ctx.agent()
      if (view.status == null) return skip('kube-rbac', 'no agent to ask')
      const kube = view.status.kube
      const missing = kube?.rbac?.missing ?? kube?.missing
      if (missing == null) return skip('kube-rbac', 'this agent does not report SelfSubjectAccessReview results in /v1/status')
      if (missing.length > 0) {
        return bad('kube-rbac', 'fail', `missing RBAC rights: ${missing.join(', ')}`, 'grant them to the identity in the agent\'s kubeconfig (a ClusterRole and ClusterRoleBinding), then restart the agent')
      }
      return ok('kube-rbac', `every right the agent needs is granted${kube?.rbac?.checked != null ? ` (${kube.rbac.checked} checked)` : ''}`)
    }
  },
  {
    name: 'fleet-certificate',
    description: 'this agent\'s fleet membership certificate is valid and not about to expire',
    run: async (ctx) => {
      const view = await ctx.agent()
      if (!view.reachable) return skip('fleet-certificate', 'no agent to ask')
      const fleet = (await ctx.get?.('/v1/fleet')) as FleetView | undefined
      const fix = 'have the operator sign a new membership certificate with the fleet key and install it on this agent'
      if (fleet == null) {
        const cert = view.status?.fleet?.certificate
        if (cert == null) return skip('fleet-certificate', 'this agent reports no fleet membership (no GET /v1/fleet)')
        if (cert.valid !== true) return bad('fleet-certificate', 'fail', `the membership certificate is not valid${cert.error != null ? `: ${cert.error}` : ''}`, fix)
        return expiry(ctx, cert.notAfter, fix)
      }
      if (fleet.mode === 'standalone') {
        return bad('fleet-certificate', 'warn', 'no fleet key configured: the agent runs standalone and accepts any peer', 'configure the fleet\'s public key and this agent\'s membership certificate (see the fleet section of the README)')
      }
      if (fleet.certificate == null) {
        return bad('fleet-certificate', 'fail', `fleet ${fleet.fleetId ?? ''} (${fleet.mode ?? '?'}) but no membership certificate: members refuse this agent`, fix)
      }
      return expiry(ctx, fleet.certificate.expires, fix)
    }
  }
]

interface FleetView { mode?: string, fleetId?: string, certificate?: { expires?: string } | null }

function expiry (ctx: DoctorContext, notAfter: string | undefined, fix: string): CheckResult {
  const at = notAfter != null ? Date.parse(notAfter) : NaN
  if (Number.isNaN(at)) return ok('fleet-certificate', 'valid; no expiry reported')
  const days = (at - ctx.probes.now()) / 86_400_000
  if (days < 0) return bad('fleet-certificate', 'fail', `expired on ${notAfter as string}`, fix)
  const detail = `valid until ${notAfter as string} (${Math.floor(days)} days)`
  return days < 7 ? bad('fleet-certificate', 'warn', detail, fix) : ok('fleet-certificate', detail)
}

export const checkNames = checks.map((c) => c.name)

/** Runs the named checks (all by default) in order; a check that throws is reported as failed. */
export async function runChecks (ctx: DoctorContext, names: string[] = checkNames): Promise<CheckResult[]> {
  const out: CheckResult[] = []
  for (const check of checks.filter((c) => names.includes(c.name))) {
    try {
      out.push(await check.run(ctx))
    } catch (err) {
      out.push(bad(check.name, 'fail', `the check itself failed: ${(err as Error).message}`, 'report this as a bug, with the output of skein doctor -o json'))
    }
  }
  return out
}

export const realProbes: Probes = {
  stat: (path) => { try { return statSync(path) } catch { return undefined } },
  which: (cmd) => {
    const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin'])
    for (const d of dirs) {
      if (d === '') continue
      const p = join(d, cmd)
      try { accessSync(p, fsConstants.X_OK); return p } catch {}
    }
    return undefined
  },
  run: (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] })
    return { status: r.status, stdout: r.stdout ?? '' }
  },
  readFile: (path) => { try { return readFileSync(path, 'utf8') } catch { return undefined } },
  connect: async (host, port, timeoutMs) => await new Promise<boolean>((resolve) => {
    const s = createConnection({ host, port, timeout: timeoutMs })
    const done = (up: boolean): void => { s.destroy(); resolve(up) }
    s.once('connect', () => { done(true) })
    s.once('timeout', () => { done(false) })
    s.once('error', () => { done(false) })
  }),
  uid: () => process.getuid?.(),
  nodeVersion: process.versions.node,
  now: () => Date.now()
}

/** Asks the agent once (or until it is healthy, with waitMs) for /healthz and /v1/status. */
export async function viewAgent (client: ApiClient, waitMs = 0): Promise<AgentView> {
  const deadline = Date.now() + waitMs
  let last: AgentView = { reachable: false, address: client.address }
  for (;;) {
    try {
      const res = await client.raw('GET', '/healthz')
      let health: AgentView['health']
      try { health = JSON.parse(res.body) as AgentView['health'] } catch {}
      last = { reachable: true, address: client.address, ...(health != null ? { health } : {}) }
      if (res.status === 200) {
        last.status = await client.get<DoctorStatus>('/v1/status')
        return last
      }
    } catch (err) {
      last = { reachable: false, address: client.address, error: (err as Error).message.replace(/^no agent answers at \S+ \((.*)\)$/, '$1') }
    }
    if (Date.now() >= deadline) {
      if (last.reachable && last.status == null) {
        try { last.status = await client.get<DoctorStatus>('/v1/status') } catch {}
      }
      return last
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(0, deadline - Date.now()))))
  }
}

/** The file the agent would read when given none (as agent/config does). */
function defaultConfigFile (env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    env.CONFIGURATION_DIRECTORY != null ? join(env.CONFIGURATION_DIRECTORY.split(':')[0] ?? '', 'config.yaml') : undefined,
    process.getuid?.() === 0 ? '/etc/skein/config.yaml' : undefined
  ]
  return candidates.find((c): c is string => c != null && realProbes.stat(c) != null)
}

async function agentUid (ctx: DoctorContext): Promise<{ uid: number, who: string } | undefined> {
  const view = await ctx.agent()
  const pid = view.status?.pid
  if (pid != null) {
    const text = ctx.probes.readFile(`/proc/${pid}/status`)
    const uid = text != null ? /^Uid:\s*(\d+)/m.exec(text)?.[1] : undefined
    if (uid != null) return { uid: Number(uid), who: `running agent (pid ${pid})` }
  }
  return undefined
}

function uniqueTcpTargets (addrs: string[]): Array<{ host: string, port: number }> {
  const seen = new Set<string>()
  const out: Array<{ host: string, port: number }> = []
  for (const a of addrs) {
    const m = /^\/(ip4|ip6)\/([^/]+)\/tcp\/(\d+)/.exec(a)
    if (m == null) continue
    let host = m[2] as string
    if (host === '0.0.0.0') host = '127.0.0.1'
    if (host === '::') host = '::1'
    const key = `${host}:${m[3]}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push({ host, port: Number(m[3]) })
  }
  return out
}

interface DoctorFlags {
  output: OutputFormat
  config?: string
  stateDir?: string
  api?: string
  token?: string
  tokenFile?: string
  check?: string[]
  wait?: string
}

export function doctorCommand (): Command {
  return new Command('doctor')
    .description('check this machine and its agent, and say how to fix what is wrong (exit 1 if a check fails)')
    .addOption(outputOption())
    .addOption(new Option('-c, --config <file>', 'the agent\'s YAML configuration file').env('SKEIN_CONFIG'))
    .option('--state-dir <dir>', 'the agent\'s state directory (default: from the configuration)')
    .addOption(new Option('--api <address>', 'operator API of the agent (default: from the configuration)').env('SKEIN_API'))
    .addOption(new Option('--token <token>', 'bearer token for a TCP API (default: <stateDir>/api.token if readable)').env('SKEIN_TOKEN'))
    .option('--token-file <file>', 'read the bearer token from this file')
    .addOption(new Option('--check <name...>', 'run only these checks').choices(checkNames))
    .option('--wait <duration>', 'wait up to this long for the agent to answer healthy (e.g. 60s)', '0s')
    .addHelpText('after', `\nChecks:\n${checks.map((c) => `  ${c.name.padEnd(18)} ${c.description}`).join('\n')}\n`)
    .action(async (flags: DoctorFlags) => {
      const waitMs = parseDuration(flags.wait ?? '0s')
      if (waitMs === undefined) throw new InvalidRequestError(`--wait "${flags.wait}" is not a duration`, { hint: 'write it like 60s or 2m' })
      const ctx = doctorContext(flags, waitMs)
      const results = await runChecks(ctx, flags.check)
      const failed = results.filter((r) => r.status === 'fail').map((r) => r.name)
      process.stdout.write(render(flags.output, { ok: failed.length === 0, checks: results }, () => renderResults(results)))
      if (failed.length > 0) throw new DoctorCheckFailedError(failed)
    })
}

function doctorContext (flags: DoctorFlags, waitMs: number): DoctorContext {
  let config: Config | undefined
  let configError: Error | undefined
  const file = flags.config ?? process.env.SKEIN_CONFIG ?? defaultConfigFile()
  try {
    config = loadConfig({ ...(file != null ? { file } : {}), flags: { stateDir: flags.stateDir, api: flags.api } })
  } catch (err) {
    configError = err as Error
  }
  const stateDir = flags.stateDir ?? config?.stateDir ?? defaultPaths().stateDir
  const address = flags.api ?? config?.api ?? defaultApiAddress()
  let token = flags.token
  if (token == null) {
    const tokenPath = flags.tokenFile ?? (address.startsWith('tcp:') ? join(stateDir, 'api.token') : undefined)
    if (tokenPath != null) token = realProbes.readFile(tokenPath)?.trim()
  }
  const client = new ApiClient({ address, timeoutMs: 3000, ...(token != null ? { token } : {}) })
  let view: Promise<AgentView> | undefined
  return {
    ...(config != null ? { config } : {}),
    ...(configError != null ? { configError } : {}),
    ...(file != null ? { configFile: file } : {}),
    stateDir,
    agent: async () => await (view ??= viewAgent(client, waitMs)),
    get: async (path) => {
      if (!(await (view ??= viewAgent(client, waitMs))).reachable) return undefined
      try { return await client.get(path) } catch { return undefined }
    },
    probes: realProbes
  }
}

const marks: Record<CheckStatus, string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' }

export function renderResults (results: CheckResult[]): string {
  const table = renderTable(results, [
    { header: 'check', value: (r) => r.name },
    { header: 'status', value: (r) => marks[r.status] },
    { header: 'detail', value: (r) => r.detail }
  ])
  const fixes = results.filter((r) => r.fix != null && (r.status === 'fail' || r.status === 'warn'))
  const counts = (['ok', 'warn', 'fail', 'skip'] as const).map((s) => `${results.filter((r) => r.status === s).length} ${s}`).join(', ')
  return table + (fixes.length > 0 ? `\nhow to fix:\n${fixes.map((r) => `  ${r.name}: ${r.fix as string}`).join('\n')}\n` : '') + `\n${counts}\n`
}
