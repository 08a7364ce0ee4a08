/**
 * `skein logs NAME [--follow] [--container C] [--tail N] [--prefix]`: pod
 * logs of a workload, fetched by the agent from the provider's cluster over
 * the libp2p logs stream (or from the local cluster), printed line by line.
 */
import { Command, Option } from 'commander'
import { ApiError, InvalidRequestError } from '../../errors.ts'
import { addClientOptions, clientFrom, type ClientOptions } from '../context.ts'

interface LogsOptions extends ClientOptions { follow?: boolean, container?: string, tail?: string, prefix?: boolean }

interface LogItem { pod?: string, container?: string, line?: string, error?: { code?: string, message?: string, hint?: string } }

export function logsPath (name: string, o: Omit<LogsOptions, keyof ClientOptions>): string {
  const q = new URLSearchParams()
  if (o.follow === true) q.set('follow', 'true')
  if (o.container != null) q.set('container', o.container)
  if (o.tail != null) {
    const n = Number(o.tail)
    if (!Number.isInteger(n) || n < 1) throw new InvalidRequestError(`--tail ${o.tail}: a whole number ≥ 1`, { hint: 'e.g. --tail 100 for the last hundred lines' })
    q.set('tailLines', String(n))
  }
  const qs = q.toString()
  return `/v1/workloads/${encodeURIComponent(name)}/logs${qs !== '' ? `?${qs}` : ''}`
}

export function logsCommand (): Command {
  const cmd = new Command('logs')
    .description('print the pod logs of a workload, fetched from its provider\'s cluster')
    .argument('<name>', 'the workload\'s name')
    .addOption(new Option('-f, --follow', 'keep printing new lines'))
    .addOption(new Option('-c, --container <name>', 'only this container'))
    .addOption(new Option('--tail <n>', 'only the last N lines of each container'))
    .addOption(new Option('--prefix', 'start each line with [pod/container]'))
  addClientOptions(cmd)
  cmd.action(async (name: string, opts: LogsOptions) => {
    const path = logsPath(name, opts)
    const abort = new AbortController()
    const stop = (): void => { abort.abort() }
    process.once('SIGINT', stop)
    let failure: LogItem['error']
    try {
      await clientFrom(opts).stream(path, (item) => {
        const l = item as LogItem
        if (l.error != null) { failure = l.error; return }
        process.stdout.write(`${opts.prefix === true ? `[${l.pod ?? ''}/${l.container ?? ''}] ` : ''}${l.line ?? ''}\n`)
      }, { signal: abort.signal })
    } catch (err) {
      if (abort.signal.aborted) return
      throw err
    } finally {
      process.off('SIGINT', stop)
    }
    if (failure != null) throw new ApiError(failure.code ?? 'SKEIN_ERR_INTERNAL', 502, failure.message ?? 'the log stream failed', failure.hint != null ? { hint: failure.hint } : {})
  })
  return cmd
}
