import { Command } from 'commander'
import type { Status } from '../../api/routes/status.ts'
import { addClientOptions, clientFrom, type ClientOptions } from '../context.ts'
import { outputOption, render, renderKeyValues, type OutputFormat } from '../output.ts'
import { formatDuration } from '../../config/duration.ts'

export function statusCommand (): Command {
  const cmd = new Command('status')
    .description('show what the running agent is and how it is doing')
    .addOption(outputOption())
  addClientOptions(cmd)
  cmd.action(async (opts: ClientOptions & { output: OutputFormat }) => {
    const status = await clientFrom(opts).get<Status>('/v1/status')
    process.stdout.write(render(opts.output, status, () => renderKeyValues([
      ['peer ID', status.peerId],
      ['version', status.version],
      ['uptime', formatDuration(status.uptimeS * 1000)],
      ['pid', status.pid],
      ['state dir', status.stateDir],
      ['connections', status.connections],
      ['listening on', status.listenAddrs]
    ])))
  })
  return cmd
}
