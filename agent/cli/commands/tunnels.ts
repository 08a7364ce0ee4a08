import { Command } from 'commander'
import type { TunnelsBodyType, TunnelPeerBodyType } from '../../api/routes/tunnels.ts'
import { addClientOptions, clientFrom, type ClientOptions } from '../context.ts'
import { outputOption, render, renderTable, type OutputFormat } from '../output.ts'
import { formatDuration } from '../../config/duration.ts'

export function tunnelsCommand (): Command {
  const cmd = new Command('tunnels')
    .description('show the WireGuard tunnels of the running agent: peer, endpoint, overlay addresses, allowed IPs, last handshake, rx/tx')
    .addOption(outputOption())
  addClientOptions(cmd)
  cmd.action(async (opts: ClientOptions & { output: OutputFormat }) => {
    const t = await clientFrom(opts).get<TunnelsBodyType>('/v1/tunnels')
    process.stdout.write(render(opts.output, t, () => {
      if (!t.enabled) return 'tunnels are disabled on this agent (set tunnels.enabled: true)\n'
      const head = `interface ${t.interface} (${t.backend})  overlay ${t.overlayAddress}  port ${t.listenPort}  key ${t.publicKey}` +
        (t.lastError != null ? `\nlast error: ${t.lastError}` : '') + '\n'
      const table = t.peers.length === 0
        ? 'no tunnel peers\n'
        : renderTable<TunnelPeerBodyType>(t.peers, [
          { header: 'peer', value: (p) => p.peerId },
          { header: 'state', value: (p) => p.state },
          { header: 'endpoint', value: (p) => p.endpoint },
          { header: 'overlay', value: (p) => p.overlayAddress },
          { header: 'allowed ips', value: (p) => p.allowedIps.join(',') },
          { header: 'handshake', value: (p) => p.handshakeAgeS != null ? `${formatDuration(p.handshakeAgeS * 1000)} ago` : 'never' },
          { header: 'rx', value: (p) => bytes(p.rxBytes), align: 'right' },
          { header: 'tx', value: (p) => bytes(p.txBytes), align: 'right' }
        ])
      const refused = t.refused.map((r) => `refused ${r.peerId}: ${r.reason}\n`).join('')
      return head + table + refused
    }))
  })
  return cmd
}

function bytes (n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i] ?? ''}`
}
