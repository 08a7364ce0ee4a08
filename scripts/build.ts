/**
 * `npm run build`: one production file, dist/skein.mjs, that runs with a plain
 * Node.js 24 and nothing else — every dependency is bundled in (none has a
 * native addon, and a test keeps it that way).
 *
 *   npm run build                 # dist/skein.mjs (minified, with a source map beside it)
 *   npm run build -- --no-minify  # readable output, for debugging the bundle
 *   node dist/skein.mjs agent --state-dir /tmp/s
 *
 * Notes on the choices:
 * - format esm, platform node, target node24: the sources are ES modules with
 *   top-level await (agent/cli/main.ts), which only an ES module output keeps.
 * - a createRequire banner: some dependencies are CommonJS (fastify, pino,
 *   prom-client, @kubernetes/client-node and its helpers) and call `require`
 *   for Node built-ins; in an ES module there is no `require`, so the banner
 *   makes one. `__filename`/`__dirname` are given too for the few that read them.
 * - pino: we log with `pino.destination({ sync: true })`, so its worker-thread
 *   transports (which need separate files next to the bundle) are never loaded.
 * - nothing is marked external; if a dependency ever has to be, list it in
 *   `external` below with the reason, and ship it beside the bundle. Optional
 *   native addons that packages probe for (ws's bufferutil) are `stubbed`.
 */
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild'
import { mkdirSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

export interface BuildInit {
  /** output file; default dist/skein.mjs */
  outfile?: string
  minify?: boolean
  sourcemap?: boolean
  /** print a summary line; default true */
  quiet?: boolean
}

export interface BuildResult {
  outfile: string
  bytes: number
  inputs: number
  ms: number
  metafile: Metafile
}

const banner = [
  '#!/usr/bin/env node',
  // as bin/skein.mjs does: one clear line on an old Node.js instead of an obscure failure later
  "if (Number(process.versions.node.split('.')[0]) < 24) { process.stderr.write(`skein: Node.js ${process.versions.node} is too old; Skein needs Node.js 24 or later.\\n`); process.exit(1) }",
  "import { createRequire as __skeinCreateRequire } from 'node:module';",
  "import { fileURLToPath as __skeinFileURLToPath } from 'node:url';",
  "import { dirname as __skeinDirname } from 'node:path';",
  'const require = __skeinCreateRequire(import.meta.url);',
  'const __filename = __skeinFileURLToPath(import.meta.url);',
  'const __dirname = __skeinDirname(__filename);'
].join('\n')

/**
 * Built-ins that older Node.js releases lack. A static `import` of them would
 * fail at link time, before the banner's version check could speak, so the
 * bundle loads them with `require` where the source imported them.
 */
const lateBuiltins = ['node:sqlite']

const lateBuiltinsPlugin: Plugin = {
  name: 'skein-late-builtins',
  setup (b) {
    const filter = new RegExp(`^(${lateBuiltins.map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`)
    b.onResolve({ filter }, (args) => args.namespace === 'skein-late-builtin'
      ? { path: args.path, external: true } // the shim's own require
      : { path: args.path, namespace: 'skein-late-builtin' })
    b.onLoad({ filter: /.*/, namespace: 'skein-late-builtin' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)})`,
      loader: 'js'
    }))
  }
}

/**
 * Optional native addons that a bundled package tries to `require` and does
 * without when they are missing. They are replaced by a module that throws
 * MODULE_NOT_FOUND, so the bundle never loads a native addon found on the
 * target by chance.
 */
export const stubbed: Record<string, string> = {
  bufferutil: 'optional native speed-up of ws (the WebSocket client of @kubernetes/client-node); ws falls back to JavaScript',
  'utf-8-validate': 'optional native UTF-8 check of ws; ws falls back to JavaScript'
}

const stubPlugin: Plugin = {
  name: 'skein-stub-optional-addons',
  setup (b) {
    const filter = new RegExp(`^(${Object.keys(stubbed).map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`)
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'skein-stub' }))
    b.onLoad({ filter: /.*/, namespace: 'skein-stub' }, (args) => ({
      contents: `const e = new Error(${JSON.stringify(`Cannot find module '${args.path}' (left out of the skein bundle)`)}); e.code = 'MODULE_NOT_FOUND'; throw e`,
      loader: 'js'
    }))
  }
}

/** Packages that stay outside the bundle, each with its reason. Empty: everything bundles. */
export const external: Record<string, string> = {}

export function buildOptions (init: BuildInit = {}): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: [join(root, 'agent/cli/main.ts')],
    outfile: init.outfile ?? join(root, 'dist/skein.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // prefer the ESM build of dual packages (libp2p and friends ship ESM only anyway)
    mainFields: ['module', 'main'],
    conditions: ['node', 'import', 'default'],
    minify: init.minify ?? true,
    // keep class and function names: errors are matched on .name (see agent/errors.ts)
    keepNames: true,
    sourcemap: init.sourcemap ?? true,
    legalComments: 'linked',
    banner: { js: banner },
    external: Object.keys(external),
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [lateBuiltinsPlugin, stubPlugin],
    metafile: true,
    logLevel: 'warning',
    logOverride: {
      // some CommonJS dependencies assign to `require` or use it dynamically; the banner provides it
      'unsupported-require-call': 'silent'
    }
  }
}

export async function buildBundle (init: BuildInit = {}): Promise<BuildResult> {
  const started = performance.now()
  const opts = buildOptions(init)
  mkdirSync(dirname(opts.outfile as string), { recursive: true })
  const result = await build(opts)
  const outfile = opts.outfile as string
  const out: BuildResult = {
    outfile,
    bytes: statSync(outfile).size,
    inputs: Object.keys(result.metafile?.inputs ?? {}).length,
    ms: Math.round(performance.now() - started),
    metafile: result.metafile as Metafile
  }
  if (init.quiet !== true) {
    process.stdout.write(`built ${relative(root, outfile)}: ${(out.bytes / 1024 / 1024).toFixed(2)} MiB from ${out.inputs} inputs in ${out.ms} ms\n`)
  }
  return out
}

if (import.meta.main) {
  const args = process.argv.slice(2)
  const outIdx = args.indexOf('--outfile')
  await buildBundle({
    minify: !args.includes('--no-minify'),
    sourcemap: !args.includes('--no-sourcemap'),
    ...(outIdx >= 0 && args[outIdx + 1] != null ? { outfile: args[outIdx + 1] as string } : {})
  })
}
