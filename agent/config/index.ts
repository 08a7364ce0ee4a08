/**
 * Loads the agent's configuration: the YAML file, then SKEIN_* environment
 * variables, then command-line flags, each overriding the one before; then
 * defaults; then validation. A bad value is refused with a ConfigError naming
 * its key.
 *
 *   const config = loadConfig({ file: '/etc/skein/config.yaml', env: process.env, flags: { api: 'unix:/tmp/x.sock' } })
 */
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import Value from 'typebox/value'
import { multiaddr } from '@multiformats/multiaddr'
import { ConfigError } from '../errors.ts'
import { checkLabels } from '../../protocol/labels/index.ts'
import { ConfigSchema, type ConfigInput } from './schema.ts'
import { parseDuration } from './duration.ts'
import { checkTunnelsConfig } from '../tunnels/config.ts'
import { checkPeeringConfig } from '../peering/config.ts'
import { checkKubeConfig } from '../kube/config.ts'
import { checkDelegationConfig } from '../delegation/config.ts'

export { ConfigSchema } from './schema.ts'
export { parseDuration, formatDuration } from './duration.ts'

export type Config = ConfigInput

export interface LoadConfigInit {
  /** path of a YAML file; when undefined, SKEIN_CONFIG, then $CONFIGURATION_DIRECTORY/config.yaml, then /etc/skein/config.yaml if it exists */
  file?: string
  env?: NodeJS.ProcessEnv
  /** values from flags, already shaped like the config (nested objects for sections) */
  flags?: Record<string, unknown>
}

/** Environment variables that start with SKEIN_ but are not config keys. */
const reservedEnv = [/^SKEIN_CONFIG$/, /^SKEIN_TEST_/, /^SKEIN_TOKEN$/, /^SKEIN_BENCH_/]

export function defaultPaths (env: NodeJS.ProcessEnv = process.env): { stateDir: string, runtimeDir: (stateDir: string) => string } {
  const root = process.getuid?.() === 0
  const stateDir = env.STATE_DIRECTORY?.split(':')[0] ??
    (root ? '/var/lib/skein' : join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'skein'))
  return {
    stateDir,
    runtimeDir: (sd) => env.RUNTIME_DIRECTORY?.split(':')[0] ??
      (root ? '/run/skein' : env.XDG_RUNTIME_DIR != null ? join(env.XDG_RUNTIME_DIR, 'skein') : join(sd, 'run'))
  }
}

/** The API address a CLI uses when told nothing: SKEIN_API, else the agent's default socket. */
export function defaultApiAddress (env: NodeJS.ProcessEnv = process.env): string {
  if (env.SKEIN_API != null && env.SKEIN_API !== '') return env.SKEIN_API
  const paths = defaultPaths(env)
  return `unix:${join(paths.runtimeDir(paths.stateDir), 'skein.sock')}`
}

export function loadConfig (init: LoadConfigInit = {}): Config {
  const env = init.env ?? process.env
  const file = init.file ?? env.SKEIN_CONFIG ?? defaultConfigFile(env)
  const fromFile = file != null ? readConfigFile(file) : {}
  const fromEnv = configFromEnv(env)
  const merged = deepMerge(deepMerge(fromFile, fromEnv), stripUndefined(init.flags ?? {}))
  return finishConfig(merged, env)
}

/** Applies defaults and validates an already merged object. */
export function finishConfig (merged: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Config {
  const paths = defaultPaths(env)
  const stateDir = typeof merged.stateDir === 'string' ? merged.stateDir : paths.stateDir
  const runtimeDir = typeof merged.runtimeDir === 'string' ? merged.runtimeDir : paths.runtimeDir(stateDir)
  const withDefaults: Record<string, unknown> = {
    listen: ['/ip4/0.0.0.0/tcp/7946'],
    announce: [],
    logLevel: 'info',
    shutdownTimeout: '5s',
    apiBodyLimit: 1024 * 1024,
    fleet: {},
    discovery: {},
    links: {},
    connections: {},
    tunnels: {},
    peering: {},
    kube: {},
    delegation: {},
    ...merged,
    stateDir,
    runtimeDir,
    api: merged.api ?? `unix:${join(runtimeDir, 'skein.sock')}`
  }
  const value = Value.Default(ConfigSchema, withDefaults) as Record<string, unknown>
  const first = [...Value.Errors(ConfigSchema, value)].sort(byDepth)[0]
  if (first != null) {
    throw errorFor(first, value)
  }
  const config = value as Config
  checkSemantics(config)
  return config
}

function checkSemantics (config: Config): void {
  for (const [key, list] of [['listen', config.listen], ['announce', config.announce]] as const) {
    list.forEach((addr, i) => {
      try {
        multiaddr(addr)
      } catch (err) {
        throw new ConfigError(`${key}[${i}]`, `"${addr}" is not a multiaddr (${(err as Error).message})`, { hint: 'write it like /ip4/0.0.0.0/tcp/7946' })
      }
    })
  }
  if (config.api.startsWith('tcp:')) {
    const port = Number(config.api.slice(config.api.lastIndexOf(':') + 1))
    if (port > 65535) throw new ConfigError('api', `port ${port} is out of range 0-65535`)
  }
  try {
    checkLabels(config.discovery.labels)
  } catch (err) {
    throw new ConfigError('discovery.labels', (err as Error).message, { hint: 'label keys look like region or skein.dev/cost' })
  }
  if (parseDuration(config.shutdownTimeout) === undefined) throw new ConfigError('shutdownTimeout', `"${config.shutdownTimeout}" is not a duration`)
  config.discovery.bootstrap.forEach((addr, i) => {
    let ok = false
    try { ok = multiaddr(addr).getComponents().some((c) => c.name === 'p2p') } catch {}
    if (!ok) throw new ConfigError(`discovery.bootstrap[${i}]`, `"${addr}" is not a multiaddr with a peer ID`, { hint: 'write it like /ip4/10.0.0.2/tcp/7946/p2p/12D3KooW...' })
  })
  if (config.links.phiUnreachable <= config.links.phiSuspect) {
    throw new ConfigError('links.phiUnreachable', `${config.links.phiUnreachable} must be greater than links.phiSuspect (${config.links.phiSuspect})`)
  }
  if (config.fleet.publicKey != null && config.fleet.publicKeyFile != null) {
    throw new ConfigError('fleet.publicKeyFile', 'set either fleet.publicKey or fleet.publicKeyFile, not both')
  }
  checkTunnelsConfig(config.tunnels)
  checkPeeringConfig(config.peering)
  checkKubeConfig(config.kube)
  checkDelegationConfig(config.delegation)
}

function defaultConfigFile (env: NodeJS.ProcessEnv): string | undefined {
  const candidates = [
    env.CONFIGURATION_DIRECTORY != null ? join(env.CONFIGURATION_DIRECTORY.split(':')[0] ?? '', 'config.yaml') : undefined,
    process.getuid?.() === 0 ? '/etc/skein/config.yaml' : undefined
  ]
  return candidates.find((c): c is string => c != null && existsSync(c))
}

function readConfigFile (file: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new ConfigError('config', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { hint: 'pass --config FILE or set SKEIN_CONFIG to a readable YAML file' })
  }
  let doc: unknown
  try {
    doc = parseYaml(text)
  } catch (err) {
    throw new ConfigError('config', `${file} is not valid YAML: ${(err as Error).message.split('\n')[0] ?? ''}`)
  }
  if (doc == null) return {}
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError('config', `${file} must hold a YAML mapping at the top level`)
  }
  return doc as Record<string, unknown>
}

/** SKEIN_STATE_DIR → stateDir; SKEIN_KUBE__KUBECONFIG → kube.kubeconfig; lists are comma-separated. */
export function configFromEnv (env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('SKEIN_') || raw == null) continue
    if (reservedEnv.some((re) => re.test(name))) continue
    const path = name.slice('SKEIN_'.length).split('__').map(snakeToCamel)
    const schema = schemaAt(path)
    if (schema == null) {
      throw new ConfigError(name, 'is not a configuration key', { hint: 'see the configuration reference in README.md; unset the variable' })
    }
    setPath(out, path, coerce(name, raw, schema))
  }
  return out
}

function snakeToCamel (s: string): string {
  return s.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}

interface SchemaLike { type?: string, properties?: Record<string, SchemaLike>, items?: SchemaLike, anyOf?: SchemaLike[] }

function schemaAt (path: string[]): SchemaLike | undefined {
  let s: SchemaLike | undefined = ConfigSchema as unknown as SchemaLike
  for (const p of path) {
    s = s?.properties?.[p]
    if (s == null) return undefined
  }
  return s
}

function coerce (name: string, raw: string, schema: SchemaLike): unknown {
  switch (schema.type) {
    case 'array': return raw === '' ? [] : raw.split(',').map((x) => x.trim()).map((x) => coerce(name, x, schema.items ?? {}))
    case 'integer':
    case 'number': {
      const n = Number(raw)
      if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(name, `"${raw}" is not a number`)
      return n
    }
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(raw)) return true
      if (/^(false|0|no|off)$/i.test(raw)) return false
      throw new ConfigError(name, `"${raw}" is not a boolean (true or false)`)
    default: return raw
  }
}

function setPath (obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj
  path.forEach((p, i) => {
    if (i === path.length - 1) {
      cur[p] = value
    } else {
      if (typeof cur[p] !== 'object' || cur[p] == null) cur[p] = {}
      cur = cur[p] as Record<string, unknown>
    }
  })
}

function isPlainObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v != null && !Array.isArray(v)
}

export function deepMerge (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a }
  for (const [k, v] of Object.entries(b)) {
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k], v) : v
  }
  return out
}

function stripUndefined (o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue
    out[k] = isPlainObject(v) ? stripUndefined(v) : v
  }
  return out
}

interface ValueError { keyword: string, instancePath: string, params: Record<string, unknown>, message: string }

function byDepth (a: ValueError, b: ValueError): number {
  // report the most specific problem first; unknown keys before type errors of their parent
  const score = (e: ValueError): number => (e.keyword === 'additionalProperties' ? 1000 : 0) + e.instancePath.split('/').length
  return score(b) - score(a)
}

function errorFor (e: ValueError, value: Record<string, unknown>): ConfigError {
  const base = e.instancePath.split('/').filter((x) => x !== '')
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params.additionalProperties as string[] | undefined)?.[0] ?? '?'
    return new ConfigError([...base, extra].join('.'), 'is not a configuration key', { hint: 'see the configuration reference in README.md' })
  }
  if (e.keyword === 'boolean' && e.message === 'schema is false') {
    return new ConfigError(base.join('.'), 'is not a configuration key', { hint: 'see the configuration reference in README.md' })
  }
  const key = base.map((p) => /^[0-9]+$/.test(p) ? `[${p}]` : p).join('.').replace(/\.\[/g, '[')
  let cur: unknown = value
  for (const p of base) cur = (cur as Record<string, unknown> | undefined)?.[p]
  return new ConfigError(key === '' ? 'config' : key, `${JSON.stringify(cur)} ${e.message}`)
}
