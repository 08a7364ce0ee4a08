import t from 'tap'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../agent/config/index.ts'

const root = join(import.meta.dirname, '..')
const unitPath = join(root, 'systemd', 'skein.service')
const unit = readFileSync(unitPath, 'utf8')
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0

/** The values of one key of the [Service] section, in order. */
function values (key: string): string[] {
  return [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => (m[1] as string).trim())
}

t.test('the unit keeps the agent confined to CAP_NET_ADMIN and leaves the JIT working', async (t) => {
  t.same(values('CapabilityBoundingSet'), ['CAP_NET_ADMIN'])
  t.same(values('AmbientCapabilities'), ['CAP_NET_ADMIN'])
  t.same(values('MemoryDenyWriteExecute'), ['no'], 'V8 needs writable+executable memory')
  t.same(values('ProtectSystem'), ['strict'])
  t.same(values('RestrictAddressFamilies'), ['AF_UNIX AF_INET AF_INET6 AF_NETLINK'])
  t.same(values('User'), ['skein'])
  t.same(values('Restart'), ['on-failure'])
  for (const key of ['StateDirectory', 'RuntimeDirectory', 'ConfigurationDirectory']) t.same(values(key), ['skein'], key)
  t.match(values('MemoryMax')[0], /^\d+[KMG]$/)
})

t.test('readiness is a real health check, not a sleep', async (t) => {
  t.same(values('Type'), ['exec'])
  t.match(values('ExecStart')[0], /skein\.mjs agent$/)
  t.match(values('ExecStartPost')[0], /skein\.mjs doctor --check agent --wait \d+s$/)
  t.notMatch(unit, /^ExecStart[A-Za-z]*=.*\bsleep\b/m)
})

t.test('the sysusers file makes the user the unit runs as', async (t) => {
  const sysusers = readFileSync(join(root, 'systemd', 'skein.sysusers'), 'utf8')
  t.match(sysusers, /^u\s+skein\s/m)
  const tmpfiles = readFileSync(join(root, 'systemd', 'skein.tmpfiles'), 'utf8')
  t.match(tmpfiles, /^d\s+\/var\/lib\/skein\s+0750\s+skein\s+skein/m)
  t.match(tmpfiles, /^z\s+\/var\/lib\/skein\/identity\.key\s+0600\s+skein/m)
})

t.test('the example configuration is valid for the agent\'s loader', async (t) => {
  const config = loadConfig({ file: join(root, 'systemd', 'config.example.yaml'), env: { STATE_DIRECTORY: '/var/lib/skein', RUNTIME_DIRECTORY: '/run/skein' } })
  t.equal(config.stateDir, '/var/lib/skein', 'the state dir comes from systemd')
  t.equal(config.api, 'unix:/run/skein/skein.sock', 'the API socket lands in the runtime dir')
  t.same(config.listen, ['/ip4/0.0.0.0/tcp/7946'])
})

t.test('systemd-analyze: exposure ≤ 1.5 and verify clean', { skip: hasAnalyze ? false : 'systemd-analyze is not installed' }, async (t) => {
  const res = spawnSync('bash', [join(root, 'systemd', 'check'), process.execPath], { encoding: 'utf8' })
  t.equal(res.status, 0, `systemd/check passes:\n${res.stdout}${res.stderr}`)
  t.match(res.stdout, /Overall exposure level for skein\.service: (0\.\d|1\.[0-5])\b/)
})

t.test('the exposure check fails when the unit loses its hardening', { skip: hasAnalyze ? false : 'systemd-analyze is not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skein-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  copyFileSync(unitPath, join(dir, 'skein.service'))
  writeFileSync(join(dir, 'skein.service'), unit.replace(/^(ProtectSystem|ProtectHome|PrivateDevices|SystemCallFilter)=.*$/gm, ''))
  const res = spawnSync('systemd-analyze', ['security', '--offline=yes', '--threshold=15', '--no-pager', 'skein.service'], { cwd: dir, encoding: 'utf8' })
  t.not(res.status, 0, 'a weaker unit goes over 1.5')
})
