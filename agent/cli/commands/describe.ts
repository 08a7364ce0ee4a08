/** `skein describe workload NAME`: one workload with every scheduler candidate explained and its history. */
import { Command } from 'commander'
import type { WorkloadView } from '../../api/routes/workloads.ts'
import { InvalidRequestError } from '../../errors.ts'
import { addClientOptions, clientFrom, type ClientOptions } from '../context.ts'
import { outputOption, render, renderKeyValues, type OutputFormat } from '../output.ts'
import { phaseText } from './workloads.ts'

export function describeWorkload (w: WorkloadView, now = Date.now()): string {
  const lines = [renderKeyValues([
    ['name', w.name],
    ['workload ID', w.id],
    ['phase', phaseText(w, now)],
    ['since', w.phaseSince],
    ['generation', w.generation],
    ['placement', w.placement == null ? null : `${w.placement.local ? 'local cluster' : w.placement.target}${w.placement.leaseId != null ? ` (lease ${w.placement.leaseId})` : ''}, generation ${w.placement.generation}`],
    ['ready', w.ready],
    ['pod IPs', w.podIps.length > 0 ? w.podIps : null],
    ['last status', w.statusAt ?? null],
    ['last error', w.lastError ?? null],
    ['requests', w.requests],
    ['constraints', Object.keys(w.constraints).length > 0 ? JSON.stringify(w.constraints) : null],
    ['on disconnect', w.onDisconnect === 'failover' ? `failover after ${w.failoverAfter}` : 'keep'],
    ['copies', w.copies != null && w.copies.length > 1 ? w.copies.map((c) => `${c.name}: ${c.phase} on ${c.target == null ? '-' : c.local === true ? 'local cluster' : c.target}, gen ${c.generation}, ready ${c.ready}${c.lastError != null ? ` (${c.lastError})` : ''}`) : null],
    ['fenced', w.fenced.length > 0 ? w.fenced.map((f) => `${f.peer} gen ${f.generation} (${f.cancelled ? 'cancelled' : 'cancel pending'})`) : null],
    ['created', w.createdAt]
  ])]
  const candidates = w.candidates ?? []
  lines.push('\nCandidates (last scheduling decision):\n')
  if (candidates.length === 0) lines.push('  none (no leases held and the local cluster is not a candidate)\n')
  for (const c of candidates) lines.push(`  ${c.chosen ? '*' : ' '} ${c.explanation}\n`)
  if ((w.history ?? []).length > 0) {
    lines.push('\nHistory:\n')
    for (const h of w.history ?? []) lines.push(`  ${h.at}  ${h.phase.padEnd(13)} ${h.event}${h.detail != null ? `: ${h.detail}` : ''}\n`)
  }
  return lines.join('')
}

export function describeCommand (): Command {
  const cmd = new Command('describe')
    .description('show one object in detail: `skein describe workload NAME`')
    .argument('<kind>', 'what to describe: workload')
    .argument('<name>', 'its name')
    .addOption(outputOption())
  addClientOptions(cmd)
  cmd.action(async (kind: string, name: string, opts: ClientOptions & { output: OutputFormat }) => {
    if (kind !== 'workload' && kind !== 'workloads') throw new InvalidRequestError(`cannot describe "${kind}"`, { hint: 'use skein describe workload NAME' })
    const w = await clientFrom(opts).get<WorkloadView>(`/v1/workloads/${encodeURIComponent(name)}`)
    process.stdout.write(render(opts.output, w, () => describeWorkload(w)))
  })
  return cmd
}
