/** `skein peers`: the agents this one knows, with link state and telemetry; `--watch` redraws until Ctrl-C. */
import { Command } from 'commander'
import type { PeersList, PeerView } from '../../api/routes/peers.ts'
import { parseDuration, formatDuration } from '../../config/duration.ts'
import { InvalidRequestError } from '../../errors.ts'
import { addClientOptions, clientFrom, type ClientOptions } from '../context.ts'
import { outputOption, render, renderKeyValues, renderTable, type OutputFormat } from '../output.ts'

const ago = (iso: string | null, now: number): string | undefined => iso == null ? undefined : `${formatDuration(Math.max(0, now - Date.parse(iso)))} ago`
const num = (v: number | null, digits: number, unit = ''): string | undefined => v == null ? undefined : `${v.toFixed(digits)}${unit}`

/** 'up 12s' (state, handshake age), or undefined without a tunnel */
export function tunnelCell (t: PeerView['tunnel']): string | undefined {
  if (t == null) return undefined
  return t.handshakeAgeS == null ? t.state : `${t.state} ${formatDuration(t.handshakeAgeS * 1000)}`
}

export function peersTable (list: PeersList, now = Date.now()): string {
  if (list.peers.length === 0) return `no peers known yet (fleet ${list.fleetId})\n`
  return renderTable(list.peers, [
    { header: 'peer id', value: (p) => p.peerId },
    { header: 'state', value: (p) => p.state },
    { header: 'rtt', value: (p) => num(p.rttMs, 1, 'ms'), align: 'right' },
    { header: 'loss', value: (p) => p.loss == null ? undefined : `${Math.round(p.loss * 100)}%`, align: 'right' },
    { header: 'phi', value: (p) => p.phi.toFixed(1), align: 'right' },
    { header: 'etx', value: (p) => num(p.etx, 2), align: 'right' },
    { header: 'member', value: (p) => p.member ? 'yes' : 'no' },
    { header: 'tunnel', value: (p) => tunnelCell(p.tunnel) },
    { header: 'last seen', value: (p) => ago(p.lastSeen, now) },
    { header: 'labels', value: (p) => Object.entries(p.labels).map(([k, v]) => `${k}=${v}`).join(',') }
  ])
}

function peerDetail (p: PeerView): string {
  const now = Date.now()
  return renderKeyValues([
    ['peer ID', p.peerId], ['state', `${p.state}${p.stateSince != null ? ` (since ${ago(p.stateSince, now)})` : ''}`],
    ['rtt', p.rttMs == null ? null : `${p.rttMs.toFixed(2)} ms ± ${(p.rttVarMs ?? 0).toFixed(2)}`],
    ['loss', p.loss == null ? null : `${(p.loss * 100).toFixed(0)}% of ${p.pings} pings`], ['etx', num(p.etx, 2)],
    ['bandwidth', p.bandwidthBps == null ? 'not probed' : `${(p.bandwidthBps / 1e6).toFixed(2)} Mbit/s`],
    ['phi', p.phi.toFixed(2)], ['last seen', ago(p.lastSeen, now)], ['connected', p.connected ? 'yes' : 'no'],
    ['member', p.member ? `yes${p.certificateExpires != null ? ` (until ${p.certificateExpires})` : ''}` : 'no'], ['roles', p.roles],
    ['labels', Object.entries(p.labels).map(([k, v]) => `${k}=${v}`)], ['addresses', p.addrs],
    ['announcement', p.seq == null ? null : `#${p.seq} at ${p.announcedAt ?? '-'}, expires ${p.announcementExpires ?? '-'}`],
    ['offer', p.offer == null ? null : `cpu ${p.offer.cpuMillis}m, memory ${p.offer.memoryBytes} B, pods ${p.offer.pods}, gpu ${p.offer.gpu}`],
    ['wireguard key', p.wgPublicKey], ['pod CIDR', p.podCidr], ['version', p.version],
    ['tunnel', p.tunnel == null ? null : `${tunnelCell(p.tunnel) ?? ''}${p.tunnel.handshakeAgeS != null ? ' since handshake' : ''}, rx ${p.tunnel.rxBytes} B, tx ${p.tunnel.txBytes} B${p.tunnel.endpoint != null ? `, endpoint ${p.tunnel.endpoint}` : ''}`]
  ])
}

export function peersCommand (): Command {
  const cmd = new Command('peers')
    .description('list the agents this one knows: link state, RTT, loss, phi, labels, last seen')
    .argument('[peerId]', 'show one peer in detail')
    .addOption(outputOption())
    .option('-w, --watch', 'redraw until Ctrl-C')
    .option('--interval <duration>', 'redraw interval with --watch', '2s')
  addClientOptions(cmd)
  cmd.action(async (peerId: string | undefined, opts: ClientOptions & { output: OutputFormat, watch?: boolean, interval: string }) => {
    const client = clientFrom(opts)
    const once = async (): Promise<string> => {
      if (peerId != null) {
        const p = await client.get<PeerView>(`/v1/peers/${encodeURIComponent(peerId)}`)
        return render(opts.output, p, () => peerDetail(p))
      }
      const list = await client.get<PeersList>('/v1/peers')
      return render(opts.output, list, () => peersTable(list))
    }
    if (opts.watch !== true) {
      process.stdout.write(await once())
      return
    }
    const every = parseDuration(opts.interval)
    if (every == null || every < 100) throw new InvalidRequestError(`--interval "${opts.interval}" is not a duration of at least 100ms`, { hint: 'write it like 500ms or 2s' })
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      const stop = (): void => { clearTimeout(timer); process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve() }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
      const draw = (): void => {
        once().then((text) => {
          const clear = process.stdout.isTTY ? '\x1b[H\x1b[2J' : ''
          process.stdout.write(`${clear}${new Date().toISOString()}  every ${opts.interval}, Ctrl-C to stop\n${text}`)
          timer = setTimeout(draw, every)
        }, (err: unknown) => { process.off('SIGINT', stop); process.off('SIGTERM', stop); reject(err) })
      }
      draw()
    })
  })
  return cmd
}
