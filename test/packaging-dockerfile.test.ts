import t from 'tap'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

// No container engine runs here, so the Dockerfile is checked statically.
const root = join(import.meta.dirname, '..')
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8')

interface Instruction { op: string, args: string }

/** Instructions with continuation lines joined and comments dropped. */
function parse (text: string): Instruction[] {
  const joined = text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n').replace(/\\\n/g, ' ')
  return joined.split('\n').map((l) => l.trim()).filter((l) => l !== '').map((l) => {
    const m = /^(\S+)\s*(.*)$/.exec(l) as RegExpExecArray
    return { op: (m[1] as string).toUpperCase(), args: m[2] as string }
  })
}

const instructions = parse(dockerfile)
const globalArgs = new Map<string, string>()
for (const i of instructions) {
  if (i.op === 'FROM') break
  if (i.op === 'ARG') {
    const [k, v] = i.args.split('=')
    if (k != null && v != null) globalArgs.set(k.trim(), v.trim())
  }
}
const expand = (s: string): string => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => globalArgs.get((a ?? b) as string) ?? `<${a ?? b}>`)
const froms = instructions.filter((i) => i.op === 'FROM').map((i) => {
  const words = i.args.split(/\s+/).filter((w) => !w.startsWith('--platform='))
  return { image: expand(words[0] as string), raw: words[0] as string, alias: words[2] }
})
const stageNames = new Set(froms.map((f) => f.alias).filter((a): a is string => a != null))

t.test('the image is built in several stages and copies only the bundle across', async (t) => {
  t.ok(froms.length >= 2, 'more than one FROM')
  t.ok(instructions.some((i) => i.op === 'COPY' && /--from=build\b.*skein\.mjs/.test(i.args)), 'the final stage copies the bundle from the build stage')
  t.notOk(instructions.some((i) => i.op === 'COPY' && /node_modules/.test(i.args)), 'no node_modules in the final image')
})

t.test('every base image is pinned to an exact version, never latest', async (t) => {
  const registryImages = froms.filter((f) => !stageNames.has(f.image) && !/^runtime-/.test(f.raw))
  t.ok(registryImages.length >= 1)
  for (const f of registryImages) {
    t.notMatch(f.image, /:latest\b|^[^:@]+$/, `${f.image} names a tag`)
    t.match(f.image, /:(\d+\.\d+\.\d+-alpine\d+\.\d+|\d+\.\d+)(@sha256:[0-9a-f]{64})?$/, `${f.image} names an exact version`)
  }
  const node = registryImages.find((f) => f.image.startsWith('node:'))
  t.match(node?.image, /^node:24\./, 'Node.js 24')
})

t.test('the agent runs as a non-root user', async (t) => {
  const users = instructions.filter((i) => i.op === 'USER').map((i) => i.args.trim())
  const last = users.at(-1)
  t.ok(last != null, 'a USER instruction')
  t.notMatch(last, /^(root|0)(:|$)/, `runs as ${last}`)
})

t.test('a health check asks /healthz, and an init runs as PID 1', async (t) => {
  const hc = instructions.filter((i) => i.op === 'HEALTHCHECK')
  t.equal(hc.length, 1)
  t.match(hc[0]?.args, /CMD .*\/healthz/)
  const api = /SKEIN_API=tcp:127\.0\.0\.1:(\d+)/.exec(dockerfile)?.[1]
  t.ok(api != null, 'the API listens on loopback TCP')
  t.match(hc[0]?.args, new RegExp(`127\\.0\\.0\\.1:${api}/healthz`), 'the health check asks that port')
  const entry = instructions.filter((i) => i.op === 'ENTRYPOINT').at(-1)
  t.match(entry?.args, /tini/, 'tini forwards signals and reaps orphans')
})

t.test('state lives in a volume, so the root filesystem can be read-only', async (t) => {
  t.ok(instructions.some((i) => i.op === 'VOLUME' && i.args.includes('/var/lib/skein')))
  t.match(dockerfile, /STATE_DIRECTORY=\/var\/lib\/skein/)
  t.match(dockerfile, /RUNTIME_DIRECTORY=\/run\/skein/)
})

t.test('the build context leaves out node_modules and git history', async (t) => {
  const ignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim())
  for (const p of ['node_modules', '.git', 'dist']) t.ok(ignore.includes(p), `.dockerignore has ${p}`)
})

t.test('no production dependency ships a native addon (.node file)', async (t) => {
  const npm = spawnSync('npm', ['ls', '--omit=dev', '--parseable', '--all'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  const dirs = npm.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '' && l !== root && existsSync(l))
  t.ok(dirs.length > 10, `npm lists the production dependencies (${dirs.length} packages)`)
  t.ok(dirs.some((d) => d.endsWith(join('node_modules', 'libp2p'))), 'libp2p is among them')
  const natives: string[] = []
  for (const d of dirs) findNative(d, natives)
  t.same(natives.map((n) => relative(root, n)), [], 'no .node binaries: the same bundle runs on arm64 and armv7')
})

t.test('the native-addon walk finds a .node file and skips nested node_modules', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skein-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  mkdirSync(join(dir, 'build', 'Release'), { recursive: true })
  writeFileSync(join(dir, 'build', 'Release', 'addon.node'), '')
  mkdirSync(join(dir, 'node_modules', 'dev-only'), { recursive: true })
  writeFileSync(join(dir, 'node_modules', 'dev-only', 'other.node'), '')
  const found: string[] = []
  findNative(dir, found)
  t.same(found.map((f) => relative(dir, f)), [join('build', 'Release', 'addon.node')])
})

function findNative (dir: string, out: string[], depth = 0): void {
  if (depth > 12) return
  let entries: string[]
  try { entries = readdirSync(dir) } catch { return }
  for (const e of entries) {
    // nested node_modules are listed by npm ls on their own, production or not
    if (e === 'node_modules') continue
    const p = join(dir, e)
    let st
    try { st = statSync(p) } catch { continue }
    if (st.isDirectory()) findNative(p, out, depth + 1)
    else if (e.endsWith('.node')) out.push(p)
  }
}
