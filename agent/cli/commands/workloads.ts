/** `skein workloads`: every workload this agent submitted (name, placement, phase, ready, generation, since). */
import { Command } from 'commander'
import type { WorkloadView } from '../../api/routes/workloads.ts'
import { formatDuration } from '../../config/duration.ts'
import { addClientOptions, clientFrom, type ClientOptions } from '../context.ts'
import { outputOption, render, renderTable, type OutputFormat } from '../output.ts'

export const shortPeer = (id: string): string => id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id

export function placementText (w: WorkloadView): string {
  // --spread: one cluster per copy
  if (w.copies != null && w.copies.length > 1) return w.copies.map((c) => c.target == null ? '-' : c.local === true ? 'local' : shortPeer(c.target)).join(',')
  if (w.placement == null) return '-'
  // the waterfall: every agent it went through, the last one running it
  return w.placement.local ? 'local' : [w.placement.target, ...(w.placement.via ?? [])].map(shortPeer).join('→')
}

/** The phase as a person reads it: "disconnected since 12:01:02 (45s)". */
export function phaseText (w: WorkloadView, now = Date.now()): string {
  if (w.disconnectedSince != null) {
    return `Disconnected since ${w.disconnectedSince} (${formatDuration(now - Date.parse(w.disconnectedSince))})`
  }
  return w.phase
}

export function workloadsTable (list: WorkloadView[], now = Date.now()): string {
  if (list.length === 0) return 'no workloads\n'
  return renderTable(list, [
    { header: 'name', value: (w) => w.name },
    { header: 'placement', value: (w) => placementText(w) },
    { header: 'phase', value: (w) => phaseText(w, now) },
    { header: 'ready', value: (w) => w.ready, align: 'right' },
    { header: 'gen', value: (w) => w.generation, align: 'right' },
    { header: 'since', value: (w) => formatDuration(now - Date.parse(w.phaseSince)) }
  ])
}

export function workloadsCommand (): Command {
  const cmd = new Command('workloads')
    .description('list the workloads this agent submitted: placement, phase, readiness, generation')
    .addOption(outputOption())
  addClientOptions(cmd)
  cmd.action(async (opts: ClientOptions & { output: OutputFormat }) => {
    const res = await clientFrom(opts).get<{ workloads: WorkloadView[] }>('/v1/workloads')
    process.stdout.write(render(opts.output, res.workloads, () => workloadsTable(res.workloads)))
  })
  return cmd
}
