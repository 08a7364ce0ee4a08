/**
 * `skein run -f app.yaml [...]`: submit a workload. The agent validates it,
 * writes it to its journal and places it; with --wait this follows it live
 * until it runs (exit 0), fails (exit 1) or the timeout passes.
 */
import { readFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import type { WorkloadView, WorkloadInputBody } from '../../api/routes/workloads.ts'
import { formatDuration, parseDuration } from '../../config/duration.ts'
import { InvalidRequestError, SkeinError } from '../../errors.ts'
import { addClientOptions, clientFrom, type ClientOptions } from '../context.ts'
import { outputOption, render, type OutputFormat } from '../output.ts'
import { describeWorkload } from './describe.ts'
import { shortPeer } from './workloads.ts'

export class WorkloadFailedError extends SkeinError {
  static override name = 'WorkloadFailedError'
}

interface RunOptions extends ClientOptions {
  file: string
  name?: string
  region?: string
  label?: string[]
  maxRtt?: string
  maxLoss?: string
  minBandwidth?: string
  prefer?: 'cost' | 'carbon' | 'latency'
  onDisconnect?: 'keep' | 'failover'
  failoverAfter?: string
  spread?: string
  wait?: boolean
  waitTimeout: string
  output: OutputFormat
}

function readManifests (file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8')
  } catch (err) {
    throw new InvalidRequestError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { hint: 'pass -f with a readable YAML file of Kubernetes manifests, or - for standard input' })
  }
}

export function bodyFrom (o: Omit<RunOptions, 'output' | 'waitTimeout' | 'file'>, manifests: string): WorkloadInputBody {
  const labels: Record<string, string> = {}
  for (const l of o.label ?? []) {
    const i = l.indexOf('=')
    if (i <= 0) throw new InvalidRequestError(`--label ${l}: write it as KEY=VALUE`, { hint: 'e.g. --label region=eu' })
    labels[l.slice(0, i)] = l.slice(i + 1)
  }
  let spread: number | undefined
  if (o.spread != null) {
    spread = Number(o.spread)
    if (!Number.isInteger(spread) || spread < 1) throw new InvalidRequestError(`--spread ${o.spread}: a whole number ≥ 1`, { hint: 'e.g. --spread 2 for two copies on two clusters' })
  }
  return {
    manifests,
    ...(o.name != null ? { name: o.name } : {}),
    ...(o.region != null ? { region: o.region } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(o.maxRtt != null ? { maxRtt: o.maxRtt } : {}),
    ...(o.maxLoss != null ? { maxLoss: o.maxLoss } : {}),
    ...(o.minBandwidth != null ? { minBandwidth: o.minBandwidth } : {}),
    ...(o.prefer != null ? { prefer: o.prefer } : {}),
    ...(o.onDisconnect != null ? { onDisconnect: o.onDisconnect } : {}),
    ...(o.failoverAfter != null ? { failoverAfter: o.failoverAfter } : {}),
    ...(spread != null ? { spread } : {})
  }
}

function progressLine (w: WorkloadView, elapsedMs: number): string {
  const where = w.placement == null ? '' : w.placement.local ? ' on the local cluster' : ` on ${shortPeer(w.placement.target)}`
  const extra = w.disconnectedSince != null ? ` (disconnected since ${w.disconnectedSince})` : w.lastError != null && w.phase !== 'running' ? ` (${w.lastError})` : ''
  return `[${formatDuration(elapsedMs).padStart(5)}] ${w.phase}${where}, gen ${w.generation}, ready ${w.ready}${extra}`
}

const done = new Set(['running', 'succeeded', 'failed', 'cancelled'])

export function runCommand (): Command {
  const cmd = new Command('run')
    .description('submit a workload (Kubernetes YAML) to be placed on this cluster or a peer holding a lease')
    .requiredOption('-f, --file <file>', 'manifests: Deployment, StatefulSet, Job, Pod, Service, ConfigMap, Secret (- for stdin)')
    .option('--name <name>', 'workload name (default: the first manifest\'s name)')
    .option('--region <region>', 'only place where the region label is this')
    .addOption(new Option('--label <key=value...>', 'only place where these labels are set'))
    .option('--max-rtt <duration>', 'only peers whose RTT is at most this (e.g. 200ms)')
    .option('--max-loss <percent>', 'only peers whose loss is at most this (e.g. 5%)')
    .option('--min-bandwidth <rate>', 'only peers with at least this bandwidth (e.g. 2Mbit)')
    .addOption(new Option('--prefer <what>', 'what scoring favours').choices(['cost', 'carbon', 'latency']))
    .addOption(new Option('--on-disconnect <policy>', 'when the provider becomes unreachable: keep it there, or fail over').choices(['keep', 'failover']))
    .option('--failover-after <duration>', 'with --on-disconnect failover: how long to wait (e.g. 30s)')
    .option('--spread <n>', 'run N copies, each on its own cluster (the scheduler\'s N best candidates); default 1')
    .option('--wait', 'follow the workload until it runs or fails')
    .option('--wait-timeout <duration>', 'give up waiting after this', '5m')
    .addOption(outputOption())
  addClientOptions(cmd)
  cmd.action(async (opts: RunOptions) => {
    const client = clientFrom(opts)
    const start = Date.now()
    const w = await client.post<WorkloadView>('/v1/workloads', bodyFrom(opts, readManifests(opts.file)))
    if (opts.wait !== true) {
      process.stdout.write(render(opts.output, w, () => `workload ${w.name} submitted: ${w.phase}${w.placement != null ? ` (${w.placement.local ? 'local cluster' : w.placement.target})` : ''}\n`))
      return
    }
    const timeoutMs = parseDuration(opts.waitTimeout) ?? 300_000
    const live = opts.output === 'table'
    let last = ''
    let cur = w
    while (true) {
      const line = progressLine(cur, Date.now() - start)
      const key = `${cur.phase}|${cur.ready}|${cur.placement?.target ?? ''}|${cur.generation}|${cur.disconnectedSince ?? ''}`
      if (live && key !== last) process.stdout.write(`${line}\n`)
      last = key
      if (done.has(cur.phase) && !(cur.phase === 'running' && cur.readyReplicas < cur.replicas)) break
      if (Date.now() - start > timeoutMs) throw new WorkloadFailedError(`workload ${cur.name} is still ${cur.phase} after ${opts.waitTimeout}`, { hint: `see skein describe workload ${cur.name}` })
      await new Promise((resolve) => setTimeout(resolve, 250))
      cur = await client.get<WorkloadView>(`/v1/workloads/${encodeURIComponent(w.name)}`)
    }
    if (!live) process.stdout.write(render(opts.output, cur, () => ''))
    if (cur.phase === 'failed' || cur.phase === 'cancelled') {
      if (live) process.stdout.write(describeWorkload(cur))
      throw new WorkloadFailedError(`workload ${cur.name} ${cur.phase}${cur.lastError != null ? `: ${cur.lastError}` : ''}`, { hint: `see skein describe workload ${cur.name}` })
    }
  })
  return cmd
}
