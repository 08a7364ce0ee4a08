/** `skein leases`: leases in both directions (what we lend, what we borrow). */
import { Command, Option } from 'commander'
import type { LeaseView } from '../../api/routes/leases.ts'
import { formatDuration } from '../../config/duration.ts'
import { addClientOptions, clientFrom, type ClientOptions } from '../context.ts'
import { outputOption, render, renderKeyValues, renderTable, type OutputFormat } from '../output.ts'

const short = (id: string): string => id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id

export function quotaText (q: LeaseView['quota']): string {
  const parts = [`cpu=${q.cpu}`, `mem=${q.memory}`, `pods=${q.pods}`]
  if (q.gpu !== '0') parts.push(`gpu=${q.gpu}`)
  if (q.ephemeralStorage !== '0') parts.push(`storage=${q.ephemeralStorage}`)
  return parts.join(' ')
}

export function leasesTable (leases: LeaseView[], now = Date.now()): string {
  if (leases.length === 0) return 'no leases\n'
  return renderTable(leases, [
    { header: 'lease id', value: (l) => l.id },
    { header: 'dir', value: (l) => l.role === 'provider' ? 'out (we lend)' : 'in (we borrow)' },
    { header: 'peer', value: (l) => short(l.peer) },
    { header: 'state', value: (l) => l.state },
    { header: 'quota', value: (l) => `${quotaText(l.quota)}${l.counter ? ' (counter)' : ''}` },
    { header: 'expires', value: (l) => l.state === 'active' || l.state === 'grace' ? `in ${formatDuration(Math.max(0, Date.parse(l.expires) - now))}` : (l.reason ?? '') }
  ])
}

export function leaseDetail (l: LeaseView): string {
  return renderKeyValues([
    ['lease ID', l.id], ['direction', l.role === 'provider' ? 'we lend (provider)' : 'we borrow (consumer)'],
    ['consumer', l.consumer], ['provider', l.provider], ['state', l.state],
    ['quota', quotaText(l.quota)], ['asked', l.asked != null ? quotaText(l.asked) : null], ['counter-offer', l.counter ? 'yes' : 'no'],
    ['created', l.created], ['renew by', l.renewBy], ['expires', l.expires], ['grace', formatDuration(l.graceMs)],
    ['path', l.path], ['reason', l.reason ?? null],
    ...(l.notified != null ? [['other side told', l.notified ? 'yes' : 'no (it will lapse there)'] as [string, unknown]] : [])
  ])
}

export function leasesCommand (): Command {
  const cmd = new Command('leases')
    .description('list leases in both directions: those this agent granted, and those it holds on peers')
    .argument('[lease-id]', 'show one lease in detail')
    .addOption(new Option('--role <role>', 'only provider (we lend) or consumer (we borrow) leases').choices(['provider', 'consumer']))
    .addOption(new Option('--state <state>', 'only leases in this state').choices(['requested', 'active', 'grace', 'expired', 'released']))
    .addOption(new Option('-a, --all', 'include expired and released leases'))
    .addOption(outputOption())
  addClientOptions(cmd)
  cmd.action(async (id: string | undefined, opts: ClientOptions & { output: OutputFormat, role?: string, state?: string, all?: boolean }) => {
    const client = clientFrom(opts)
    if (id != null) {
      const lease = await client.get<LeaseView>(`/v1/leases/${encodeURIComponent(id)}`)
      process.stdout.write(render(opts.output, lease, () => leaseDetail(lease)))
      return
    }
    const q = new URLSearchParams()
    if (opts.role != null) q.set('role', opts.role)
    if (opts.state != null) q.set('state', opts.state)
    const { leases } = await client.get<{ leases: LeaseView[] }>(`/v1/leases${q.size > 0 ? `?${q.toString()}` : ''}`)
    const shown = opts.all === true || opts.state != null ? leases : leases.filter((l) => l.state !== 'expired' && l.state !== 'released')
    process.stdout.write(render(opts.output, { leases: shown }, () => leasesTable(shown)))
  })
  return cmd
}
