/** `skein cancel NAME`: cancel a workload; its placement removes it when told (from the outbox, until it confirms). */
import { Command } from 'commander'
import type { WorkloadView } from '../../api/routes/workloads.ts'
import { addClientOptions, clientFrom, type ClientOptions } from '../context.ts'
import { outputOption, render, type OutputFormat } from '../output.ts'

export function cancelCommand (): Command {
  const cmd = new Command('cancel')
    .description('cancel a workload: its provider is told to remove it')
    .argument('<name>', 'the workload\'s name')
    .addOption(outputOption())
  addClientOptions(cmd)
  cmd.action(async (name: string, opts: ClientOptions & { output: OutputFormat }) => {
    const w = await clientFrom(opts).delete<WorkloadView>(`/v1/workloads/${encodeURIComponent(name)}`)
    process.stdout.write(render(opts.output, w, () => `workload ${w.name}: ${w.phase}${w.phase === 'cancelling' ? ' (the provider removes it when it hears)' : ''}\n`))
  })
  return cmd
}
