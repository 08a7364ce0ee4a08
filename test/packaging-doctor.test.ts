import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, type Stats } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checks, realProbes, runChecks, renderResults, type AgentView, type CheckResult, type DoctorContext, type DoctorStatus, type Probes } from '../agent/cli/commands/doctor.ts'

const bin = join(import.meta.dirname, '..', 'bin', 'skein.mjs')

function tempDir (t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'skein-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}

const noAgent: AgentView = { reachable: false, address: 'unix:/nowhere.sock', error: 'ENOENT' }

function ctxWith (over: Omit<Partial<DoctorContext>, 'probes'> & { probes?: Partial<Probes> } = {}): DoctorContext {
  return {
    stateDir: over.stateDir ?? '/nonexistent-skein-state',
    agent: over.agent ?? (async () => noAgent),
    probes: { ...realProbes, ...(over.probes ?? {}) }
  }
}

async function one (name: string, ctx: DoctorContext): Promise<CheckResult> {
  const [r] = await runChecks(ctx, [name])
  if (r == null) throw new Error(`no check ${name}`)
  return r
}

function status (extra: Partial<DoctorStatus> = {}): DoctorStatus {
  return { peerId: '12D3KooWtest', version: '0.1.0', uptimeS: 1, listenAddrs: [], startedAt: new Date().toISOString(), pid: 999999999, stateDir: '/x', connections: 0, ...extra }
}

const agentWith = (extra: Partial<DoctorStatus>) => async (): Promise<AgentView> => ({ reachable: true, address: 'unix:/x.sock', health: { ok: true, checks: {} }, status: status(extra) })

t.test('every check has a distinct name and each non-ok result carries a fix', async (t) => {
  t.equal(new Set(checks.map((c) => c.name)).size, checks.length)
  const results = await runChecks(ctxWith())
  t.equal(results.length, checks.length)
  for (const r of results) {
    t.match(r.status, /^(ok|warn|fail|skip)$/, r.name)
    if (r.status === 'fail' || r.status === 'warn') t.ok(r.fix != null && r.fix.length > 0, `${r.name} says how to fix it`)
  }
})

t.test('state dir: an identity key readable by others fails with the chmod to run', async (t) => {
  const dir = tempDir(t)
  chmodSync(dir, 0o750)
  writeFileSync(join(dir, 'identity.key'), 'x', { mode: 0o644 })
  chmodSync(join(dir, 'identity.key'), 0o644)
  const r = await one('identity-key', ctxWith({ stateDir: dir }))
  t.equal(r.status, 'fail')
  t.match(r.fix, `chmod 0600 ${join(dir, 'identity.key')}`)
  chmodSync(join(dir, 'identity.key'), 0o600)
  t.equal((await one('identity-key', ctxWith({ stateDir: dir }))).status, 'ok', 'fixed as told, the check passes')
})

t.test('state dir: world-writable fails, missing warns, 0750 passes', async (t) => {
  const dir = tempDir(t)
  chmodSync(dir, 0o777)
  t.equal((await one('state-dir', ctxWith({ stateDir: dir }))).status, 'fail')
  chmodSync(dir, 0o750)
  t.equal((await one('state-dir', ctxWith({ stateDir: dir }))).status, 'ok')
  t.equal((await one('state-dir', ctxWith({ stateDir: join(dir, 'missing') }))).status, 'warn')
})

t.test('state dir: owned by another uid than the running agent fails', async (t) => {
  const dir = tempDir(t)
  chmodSync(dir, 0o750)
  const r = await one('state-dir', ctxWith({
    stateDir: dir,
    agent: agentWith({ pid: 4242 }),
    probes: { readFile: (p) => p === '/proc/4242/status' ? 'Name:\tnode\nUid:\t12345\t12345\t12345\t12345\n' : undefined }
  }))
  t.equal(r.status, 'fail')
  t.match(r.fix, /chown -R 12345:/)
})

t.test('wireguard: kernel module or wireguard-go with tun, plus wg and ip', async (t) => {
  const dirStat = { isDirectory: () => true } as unknown as Stats
  const probes = (have: { files?: string[], cmds?: string[], modinfo?: boolean }): Partial<Probes> => ({
    stat: (p) => (have.files ?? []).includes(p) ? dirStat : undefined,
    which: (c) => (have.cmds ?? []).includes(c) ? `/usr/bin/${c}` : undefined,
    run: () => ({ status: have.modinfo === true ? 0 : 1, stdout: '' })
  })
  t.equal((await one('wireguard', ctxWith({ probes: probes({ cmds: ['wg', 'ip'] }) }))).status, 'fail', 'nothing to run WireGuard on')
  t.equal((await one('wireguard', ctxWith({ probes: probes({ files: ['/sys/module/wireguard'], cmds: ['wg', 'ip'] }) }))).status, 'ok', 'loaded module')
  t.equal((await one('wireguard', ctxWith({ probes: probes({ cmds: ['wg', 'ip', 'modinfo'], modinfo: true }) }))).status, 'ok', 'loadable module')
  t.equal((await one('wireguard', ctxWith({ probes: probes({ cmds: ['wg', 'ip', 'wireguard-go'] }) }))).status, 'fail', 'wireguard-go without /dev/net/tun')
  t.equal((await one('wireguard', ctxWith({ probes: probes({ files: ['/dev/net/tun'], cmds: ['wg', 'ip', 'wireguard-go'] }) }))).status, 'ok', 'wireguard-go with tun')
  const noWg = await one('wireguard', ctxWith({ probes: probes({ files: ['/sys/module/wireguard'], cmds: ['ip'] }) }))
  t.equal(noWg.status, 'fail', 'no wg tool')
  t.match(noWg.fix, /wireguard-tools/)
})

t.test('agent-reported checks: skip when not reported, judge when reported', async (t) => {
  const noTimedatectl = { which: () => undefined }
  for (const name of ['clock-skew', 'kubernetes', 'kube-rbac', 'fleet-certificate']) {
    t.equal((await one(name, ctxWith({ probes: noTimedatectl }))).status, 'skip', `${name} skips without an agent`)
    const r = await one(name, ctxWith({ agent: agentWith({}), probes: noTimedatectl }))
    t.equal(r.status, 'skip', `${name} skips when the agent does not report it`)
    t.match(r.detail, /does not report|reports no/)
  }
  t.equal((await one('kubernetes', ctxWith({ agent: agentWith({ kube: { reachable: true } }) }))).status, 'ok')
  t.equal((await one('kube-rbac', ctxWith({ agent: agentWith({ kube: { reachable: true } }) }))).status, 'skip', 'reachable says nothing about RBAC')
  t.equal((await one('kube-rbac', ctxWith({ agent: agentWith({ kube: { reachable: true, rbac: { missing: [], checked: 9 } } }) }))).status, 'ok')
  const rbac = await one('kube-rbac', ctxWith({ agent: agentWith({ kube: { reachable: true, rbac: { missing: ['create namespaces'] } } }) }))
  t.equal(rbac.status, 'fail')
  t.match(rbac.detail, /create namespaces/)
  t.equal((await one('kubernetes', ctxWith({ agent: agentWith({ kube: { reachable: false, error: 'ECONNREFUSED' } }) }))).status, 'fail')
})

t.test('clock skew: judged on the agent\'s offsets, else on NTP synchronization', async (t) => {
  t.equal((await one('clock-skew', ctxWith({ agent: agentWith({ clock: { maxSkewMs: 150, peers: 3 } }) }))).status, 'ok')
  t.equal((await one('clock-skew', ctxWith({ agent: agentWith({ clock: { maxSkewMs: -5000, peers: 3 } }) }))).status, 'warn')
  t.equal((await one('clock-skew', ctxWith({ agent: agentWith({ clock: { maxSkewMs: 120_000, peers: 3 } }) }))).status, 'fail', 'beyond what peering accepts')
  const timedatectl = (answer: string): Partial<Probes> => ({ which: (c) => c === 'timedatectl' ? '/usr/bin/timedatectl' : undefined, run: () => ({ status: 0, stdout: `${answer}\n` }) })
  t.equal((await one('clock-skew', ctxWith({ agent: agentWith({}), probes: timedatectl('yes') }))).status, 'ok', 'NTP-synchronized')
  const unsynced = await one('clock-skew', ctxWith({ agent: agentWith({}), probes: timedatectl('no') }))
  t.equal(unsynced.status, 'warn', 'not synchronized')
  t.match(unsynced.fix, /NTP|chrony/)
})

t.test('fleet certificate: from GET /v1/fleet, with days to expiry', async (t) => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  const fleet = async (body: unknown): Promise<CheckResult> =>
    await one('fleet-certificate', { ...ctxWith({ agent: agentWith({}), probes: { now: () => now } }), get: async (p) => p === '/v1/fleet' ? body : undefined })
  const cert = (expires: string): unknown => ({ mode: 'enforcing', fleetId: 'f1', certificate: { peerId: 'x', roles: [], labels: {}, issued: '2025-01-01T00:00:00Z', expires }, members: 3, revocations: 0 })
  const far = await fleet(cert('2026-03-01T00:00:00Z'))
  t.equal(far.status, 'ok')
  t.match(far.detail, /59 days/)
  t.equal((await fleet(cert('2026-01-04T00:00:00Z'))).status, 'warn', 'three days left')
  t.equal((await fleet(cert('2025-12-31T00:00:00Z'))).status, 'fail', 'expired')
  t.equal((await fleet({ mode: 'enforcing', fleetId: 'f1', certificate: null })).status, 'fail', 'a fleet but no certificate')
  t.equal((await fleet({ mode: 'standalone', fleetId: '', certificate: null })).status, 'warn', 'standalone')
})

t.test('a check that throws is a failed check, not a crash', async (t) => {
  const results = await runChecks(ctxWith({ agent: async () => { throw new Error('boom') } }), ['agent'])
  t.match(results, [{ name: 'agent', status: 'fail', detail: /boom/ }])
  t.match(renderResults(results), /how to fix:\n {2}agent: /)
})

t.test('the CLI exits 1 without an agent, and --wait waits for one to become healthy', async (t) => {
  const dir = tempDir(t)
  const sock = join(dir, 'run', 'skein.sock')
  mkdirSync(join(dir, 'run'))
  const env = { ...cleanEnv(), SKEIN_API: `unix:${sock}` }
  const none = await runCli(['doctor', '--state-dir', dir, '--check', 'agent', '-o', 'json'], env)
  t.equal(none.code, 1)
  t.match(JSON.parse(none.stdout), { ok: false, checks: [{ name: 'agent', status: 'fail' }] })
  t.match(none.stderr, /1 check failed: agent/)

  // start the waiter first, then the agent: readiness under systemd works this way
  const waiter = runCli(['doctor', '--state-dir', dir, '--check', 'agent', 'listen', '--wait', '150s', '-o', 'json'], env)
  const agent = spawn(process.execPath, [bin, 'agent', '--state-dir', dir, '--api', `unix:${sock}`, '--listen', '/ip4/127.0.0.1/tcp/0', '--log-level', 'warn'],
    { stdio: 'ignore', env: cleanEnv() })
  t.teardown(() => { if (agent.exitCode == null) agent.kill('SIGKILL') })
  const ready = await waiter
  t.equal(ready.code, 0, ready.stderr)
  const body = JSON.parse(ready.stdout) as { ok: boolean, checks: CheckResult[] }
  t.match(body, { ok: true, checks: [{ name: 'agent', status: 'ok' }, { name: 'listen', status: 'ok' }] })
  await stop(agent)
})

function cleanEnv (): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SKEIN_')) env[k] = v
  return env
}

async function runCli (args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { code, stdout, stderr }
}

async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode != null) return
  await new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM') })
}
