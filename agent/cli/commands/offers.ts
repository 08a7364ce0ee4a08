/** `skein offers`: what this agent offers, and what peers offer it. */
import { Command } from 'commander'
import type { OffersView, KnownOfferView } from '../../api/routes/offers.ts'
import type { ResourcesView } from '../../api/routes/leases.ts'
import { addClientOptions, clientFrom, type ClientOptions } from '../context.ts'
import { outputOption, render, renderTable, type OutputFormat } from '../output.ts'

const cols = (r: ResourcesView): string => `cpu=${r.cpu} mem=${r.memory} pods=${r.pods}${r.gpu !== '0' ? ` gpu=${r.gpu}` : ''}`

export function offersText (v: OffersView): string {
  const m = v.mine
  const mine = m.share
    ? renderTable([
      { what: 'free', r: m.free }, { what: 'reserve', r: m.reserve }, { what: 'pool', r: m.pool },
      { what: 'granted', r: m.granted }, { what: 'offered now', r: m.remaining }
    ], [
      { header: 'we offer', value: (x) => x.what },
      { header: 'cpu', value: (x) => x.r.cpu, align: 'right' },
      { header: 'memory', value: (x) => x.r.memory, align: 'right' },
      { header: 'pods', value: (x) => x.r.pods, align: 'right' },
      { header: 'gpu', value: (x) => x.r.gpu, align: 'right' },
      { header: 'storage', value: (x) => x.r.ephemeralStorage, align: 'right' }
    ])
    : 'we offer nothing (peering.share is false: consumer only)\n'
  const theirs = v.offeredToMe.length === 0
    ? 'no offers heard from peers yet\n'
    : renderTable<KnownOfferView>(v.offeredToMe, [
      { header: 'offered to us by', value: (o) => o.peer },
      { header: 'resources', value: (o) => cols(o.resources) },
      { header: 'path', value: (o) => o.path.length > 1 ? o.path.join('→') : '' },
      { header: 'heard', value: (o) => o.at }
    ])
  return `${mine}\n${theirs}`
}

export function offersCommand (): Command {
  const cmd = new Command('offers')
    .description('show what this agent offers to peers, and what peers offer it')
    .option('--peer <peer-id>', 'ask this peer for its current offer first')
    .addOption(outputOption())
  addClientOptions(cmd)
  cmd.action(async (opts: ClientOptions & { output: OutputFormat, peer?: string }) => {
    const client = clientFrom(opts)
    if (opts.peer != null) await client.post<KnownOfferView>('/v1/offers/query', { peer: opts.peer })
    const v = await client.get<OffersView>('/v1/offers')
    process.stdout.write(render(opts.output, v, () => offersText(v)))
  })
  return cmd
}
