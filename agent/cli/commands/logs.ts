/** `skein logs NAME [--follow]`: pod logs from the placement's cluster (the agent answers "not available yet" for now). */
import { Command, Option } from 'commander'
import { addClientOptions, clientFrom, type ClientOptions } from '../context.ts'

export function logsCommand (): Command {
  const cmd = new Command('logs')
    .description('print the pod logs of a workload, fetched from its provider\'s cluster')
    .argument('<name>', 'the workload\'s name')
    .addOption(new Option('-f, --follow', 'keep printing new lines'))
  addClientOptions(cmd)
  cmd.action(async (name: string, opts: ClientOptions & { follow?: boolean }) => {
    const res = await clientFrom(opts).get<{ lines?: string[] }>(`/v1/workloads/${encodeURIComponent(name)}/logs${opts.follow === true ? '?follow=true' : ''}`)
    for (const line of res.lines ?? []) process.stdout.write(`${line}\n`)
  })
  return cmd
}
