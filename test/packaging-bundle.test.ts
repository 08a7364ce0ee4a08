import t from 'tap'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isBuiltin } from 'node:module'
import { buildBundle } from '../scripts/build.ts'
import { ApiClient } from '../agent/client/index.ts'

// Build into a fresh temp dir: no race with a concurrent `npm run build` into dist/.
const out = mkdtempSync(join(tmpdir(), 'skein-'))
t.teardown(() => { rmSync(out, { recursive: true, force: true }) })
const bundle = join(out, 'skein.mjs')

t.test('the production bundle is one file with every dependency inside', async (t) => {
  const res = await buildBundle({ outfile: bundle, quiet: true, sourcemap: false })
  t.ok(existsSync(bundle), 'dist file written')
  const inputs = Object.keys(res.metafile.inputs)
  t.ok(inputs.some((i) => i.includes('node_modules/libp2p/')), 'libp2p is bundled')
  t.ok(inputs.some((i) => i.includes('node_modules/fastify/')), 'fastify is bundled')
  t.ok(inputs.some((i) => i.includes('node_modules/pino/')), 'pino is bundled')
  t.ok(inputs.some((i) => i.includes('node_modules/prom-client/')), 'prom-client is bundled')
  t.same(inputs.filter((i) => i.endsWith('.node')), [], 'no native addon among the inputs')
  const imports = Object.values(res.metafile.outputs).flatMap((o) => o.imports)
  t.same(imports.filter((i) => i.external && !isBuiltin(i.path)).map((i) => i.path), [],
    'the bundle imports nothing but Node built-ins at run time')
})

t.test('the bundle runs an agent with plain node and answers `status`', async (t) => {
  const state = mkdtempSync(join(tmpdir(), 'skein-'))
  const sock = join(state, 'run', 'skein.sock')
  t.teardown(() => { rmSync(state, { recursive: true, force: true }) })
  const child = spawn(process.execPath, [bundle, 'agent', '--state-dir', state, '--api', `unix:${sock}`,
    '--listen', '/ip4/127.0.0.1/tcp/0', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() })
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString() })
  t.teardown(() => { if (child.exitCode == null) child.kill('SIGKILL') })

  await waitForApi(new ApiClient({ address: `unix:${sock}`, timeoutMs: 1000 }), child, () => stderr)

  const status = spawnSync(process.execPath, [bundle, 'status', '--api', `unix:${sock}`, '-o', 'json'], { encoding: 'utf8', env: cleanEnv() })
  t.equal(status.status, 0, `status exits 0 (${status.stderr})`)
  const body = JSON.parse(status.stdout) as { peerId: string, pid: number, stateDir: string }
  t.match(body.peerId, /^12D3KooW/, 'status names the peer ID')
  t.equal(body.pid, child.pid, 'the agent that answers is the bundled one')
  t.equal(body.stateDir, state)

  const metrics = await new ApiClient({ address: `unix:${sock}` }).raw('GET', '/metrics')
  t.equal(metrics.status, 200, 'prom-client metrics work bundled')
  t.match(metrics.body, /libp2p_/, 'libp2p metrics are registered')

  const code = await new Promise<number | null>((resolve) => { child.once('exit', resolve); child.kill('SIGTERM') })
  t.equal(code, 0, 'SIGTERM stops the bundled agent cleanly')
  t.notOk(existsSync(sock), 'the socket is removed on stop')
})

t.test('the bundle answers --version and refuses unknown commands with a hint', async (t) => {
  const v = spawnSync(process.execPath, [bundle, 'version', '-o', 'json'], { encoding: 'utf8', env: cleanEnv() })
  t.equal(v.status, 0)
  t.match(JSON.parse(v.stdout), { version: /^\d+\.\d+\.\d+/ })
  const bad = spawnSync(process.execPath, [bundle, 'no-such-command'], { encoding: 'utf8', env: cleanEnv() })
  t.equal(bad.status, 2)
  t.match(bad.stderr, /hint:/)
})

const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => {
  const v = spawnSync(p, ['-p', 'process.versions.node'], { encoding: 'utf8' })
  return v.status === 0 && Number(v.stdout.split('.')[0]) < 24
})

t.test('on a Node.js older than 24 the bundle says so in one line', { skip: oldNode == null ? 'no Node.js older than 24 on this machine' : false }, async (t) => {
  const res = spawnSync(oldNode as string, [bundle, 'status'], { encoding: 'utf8', env: cleanEnv() })
  t.equal(res.status, 1)
  t.match(res.stderr, /^skein: Node\.js \S+ is too old; Skein needs Node\.js 24 or later\.\n$/)
})

function cleanEnv (): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SKEIN_')) env[k] = v
  return env
}

async function waitForApi (client: ApiClient, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 150_000
  for (;;) {
    if (child.exitCode != null) throw new Error(`the bundled agent exited with ${child.exitCode}: ${stderr()}`)
    try {
      const res = await client.raw('GET', '/healthz')
      if (res.status === 200) return
    } catch {}
    if (Date.now() > deadline) throw new Error(`the bundled agent did not answer within 150 s: ${stderr()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
