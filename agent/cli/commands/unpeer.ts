/** `skein unpeer LEASEID`: release a lease, from either side. */
import { Command } from 'commander'
import type { LeaseView } from '../../api/routes/leases.ts'
import { addClientOptions, clientFrom, type ClientOptions } from '../context.ts'
import { outputOption, render, type OutputFormat } from '../output.ts'

export function unpeerCommand (): Command {
  const cmd = new Command('unpeer')
    .description('release a lease (one we hold, or one we granted); the other side is told when it can be reached')
    .argument('<lease-id>', 'the lease to release (see `skein leases`)')
    .addOption(outputOption())
  addClientOptions(cmd)
  cmd.action(async (id: string, opts: ClientOptions & { output: OutputFormat }) => {
    const lease = await clientFrom(opts).delete<LeaseView>(`/v1/leases/${encodeURIComponent(id)}`)
    process.stdout.write(render(opts.output, lease, () =>
      `released ${lease.id} (${lease.role === 'provider' ? `lent to ${lease.consumer}` : `held on ${lease.provider}`})` +
      `${lease.notified === true ? '' : '; the other side could not be told, it will lapse there'}\n`))
  })
  return cmd
}
