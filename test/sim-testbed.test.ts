import t from 'tap'
import { spawn, execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { leftovers } from '../sim/testbed/net.ts'

const root = process.getuid?.() === 0
let netns = false
try { execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' }); execFileSync('nft', ['--version'], { stdio: 'ignore' }); netns = true } catch {}
const skip = !root || !netns ? 'needs root, ip netns and nft' : false

const run = (args: string[], onLine?: (line: string, kill: (s: NodeJS.Signals) => void) => void): Promise<{ code: number | null, stdout: string, stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ['sim/testbed/cli.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''; let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      for (const line of d.toString().split('\n')) if (line !== '') onLine?.(line, (s) => child.kill(s))
    })
    child.on('exit', (code) => { resolve({ code, stdout, stderr }) })
  })

const processesOf = (id: string): string[] =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`skein-testbed-${id}-`))

t.test('a testbed run with real agent processes converges and removes everything it made', { skip }, async (t) => {
  const id = randomBytes(2).toString('hex')
  const { code, stdout, stderr } = await run(['sim/scenarios/testbed-smoke.yaml', '--short', '--id', id])
  t.equal(code, 0, stderr)
  const report = JSON.parse(stdout) as { agents: number, discovery: { fullViewS: number | null }, crashes: number, restarts: number, errors: string[] }
  t.equal(report.agents, 3)
  t.not(report.discovery.fullViewS, null, 'every agent saw the others alive through the bridge')
  t.equal(report.crashes, 1)
  t.equal(report.restarts, 1)
  t.same(report.errors, [])
  t.same(leftovers(id), [], 'no namespace, bridge or veth left')
  t.same(processesOf(id), [], 'no agent process left')
})

t.test('Ctrl-C in the middle of a testbed run still removes every namespace, link and process', { skip }, async (t) => {
  const id = randomBytes(2).toString('hex')
  let sent = false
  const { code, stderr } = await run(['sim/scenarios/testbed-smoke.yaml', '--short', '--id', id], (line, kill) => {
    if (!sent && /agents started/.test(line)) { sent = true; setTimeout(() => { kill('SIGINT') }, 1500) }
  })
  t.ok(sent, 'the agents were up when SIGINT was sent')
  t.equal(code, 130, stderr)
  t.match(stderr, /SIGINT: cleaning up/)
  t.same(leftovers(id), [])
  t.same(processesOf(id), [])
})
