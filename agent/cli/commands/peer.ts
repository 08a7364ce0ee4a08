/**
 * `skein peer PEERID|SELECTOR --cpu 2 --memory 4Gi --pods 20 --duration 24h [--wait]`:
 * ask a peer for a lease (one-way: it lends to us). A selector
 * (`region=eu,tier=edge`) picks among known members with those labels, alive
 * ones first, lowest RTT first, until one grants. With --wait, keep asking
 * until a lease is granted, with a live progress line.
 */
import { Command, Option } from 'commander'
import { randomUUID } from 'node:crypto'
import type { LeaseView, LeaseRequest } from '../../api/routes/leases.ts'
import type { PeersList } from '../../api/routes/peers.ts'
import { parseDuration, formatDuration } from '../../config/duration.ts'
import { InvalidRequestError, ApiError } from '../../errors.ts'
import { addClientOptions, clientFrom, type ClientOptions } from '../context.ts'
import { outputOption, render, type OutputFormat } from '../output.ts'
import { leaseDetail } from './leases.ts'

interface PeerOptions extends ClientOptions {
  output: OutputFormat
  cpu?: string
  memory?: string
  pods?: string
  gpu?: string
  storage?: string
  min?: boolean
  duration?: string
  wait?: boolean
  waitTimeout: string
}

/** Errors worth asking again for: the peer is busy or unreachable now. */
const retryable = new Set(['SKEIN_ERR_INSUFFICIENT_CAPACITY', 'SKEIN_ERR_PEER_UNREACHABLE', 'SKEIN_ERR_NOT_MEMBER', 'SKEIN_ERR_TENANT_FAILED'])

/** `region=eu,tier=edge` → { region: 'eu', tier: 'edge' } */
export function parseSelector (text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of text.split(',')) {
    const m = /^([A-Za-z0-9._/-]+)=([A-Za-z0-9._-]*)$/.exec(part.trim())
    if (m == null) throw new InvalidRequestError(`"${part}" is not a label selector term`, { hint: 'write it like region=eu,tier=edge' })
    out[m[1] as string] = m[2] as string
  }
  return out
}

/** Members whose labels match, alive first, then by RTT. */
async function pickPeers (client: ReturnType<typeof clientFrom>, selector: Record<string, string>): Promise<string[]> {
  const { peers } = await client.get<PeersList>('/v1/peers')
  return peers
    .filter((p) => p.member && Object.entries(selector).every(([k, v]) => p.labels[k] === v))
    .sort((a, b) => Number(b.state === 'alive') - Number(a.state === 'alive') || (a.rttMs ?? Infinity) - (b.rttMs ?? Infinity))
    .map((p) => p.peerId)
}

export function peerCommand (): Command {
  const cmd = new Command('peer')
    .description('ask a peer for a lease: quota on its cluster for our workloads (one-way)')
    .argument('<peer>', 'the provider\'s peer ID, or a label selector like region=eu,tier=edge')
    .option('--cpu <cores>', 'CPU, e.g. 2 or 500m')
    .option('--memory <bytes>', 'memory, e.g. 4Gi')
    .option('--pods <n>', 'pods')
    .option('--gpu <n>', 'GPUs')
    .option('--storage <bytes>', 'ephemeral storage, e.g. 10Gi')
    .option('--min', 'refuse a counter-offer: all of it or nothing')
    .option('--duration <d>', 'lease term, e.g. 24h (default: the agent\'s peering.leaseDuration)')
    .option('--wait', 'keep asking until the lease is granted')
    .addOption(new Option('--wait-timeout <d>', 'give up waiting after this').default('10m'))
    .addOption(outputOption())
  addClientOptions(cmd)
  cmd.action(async (target: string, opts: PeerOptions) => {
    const quota: LeaseRequest['quota'] = {}
    if (opts.cpu != null) quota.cpu = opts.cpu
    if (opts.memory != null) quota.memory = opts.memory
    if (opts.pods != null) quota.pods = opts.pods
    if (opts.gpu != null) quota.gpu = opts.gpu
    if (opts.storage != null) quota.ephemeralStorage = opts.storage
    if (Object.keys(quota).length === 0) throw new InvalidRequestError('ask for something', { hint: 'e.g. skein peer PEERID --cpu 2 --memory 4Gi --pods 20' })
    if (opts.duration != null && parseDuration(opts.duration) == null) throw new InvalidRequestError(`--duration ${opts.duration} is not a duration`, { hint: 'write it like 30m, 24h or 7d' })
    const waitMs = parseDuration(opts.waitTimeout)
    if (waitMs == null) throw new InvalidRequestError(`--wait-timeout ${opts.waitTimeout} is not a duration`, { hint: 'write it like 30s or 2m' })
    const client = clientFrom(opts)
    const selector = target.includes('=') ? parseSelector(target) : undefined
    const peer = target
    const body: LeaseRequest = {
      peer, quota, leaseId: randomUUID(),
      ...(opts.min === true ? { min: quota } : {}),
      ...(opts.duration != null ? { duration: opts.duration } : {})
    }
    const started = Date.now()
    const live = opts.wait === true && process.stderr.isTTY && opts.output === 'table'
    let attempt = 0
    for (;;) {
      attempt++
      try {
        if (selector != null) {
          const candidates = await pickPeers(client, selector)
          if (candidates.length === 0) throw new ApiError('SKEIN_ERR_PEER_UNREACHABLE', 504, `no known member matches ${target}`)
          let lastErr: unknown
          for (const c of candidates) {
            try {
              const lease = await client.post<LeaseView>('/v1/leases', { ...body, peer: c, leaseId: randomUUID() })
              if (live) process.stderr.write('\r\x1b[K')
              process.stdout.write(render(opts.output, lease, () => `lease ${lease.id} granted by ${lease.provider}${lease.counter ? ' (counter-offer: less than asked)' : ''}\n${leaseDetail(lease)}`))
              return
            } catch (err) {
              lastErr = err
              if (!(err instanceof ApiError) || !retryable.has(err.code)) throw err
            }
          }
          throw lastErr
        }
        const lease = await client.post<LeaseView>('/v1/leases', body)
        if (live) process.stderr.write('\r\x1b[K')
        process.stdout.write(render(opts.output, lease, () => `lease ${lease.id} granted by ${lease.provider}${lease.counter ? ' (counter-offer: less than asked)' : ''}\n${leaseDetail(lease)}`))
        return
      } catch (err) {
        if (opts.wait !== true || !(err instanceof ApiError) || !retryable.has(err.code) || Date.now() - started > waitMs) {
          if (live) process.stderr.write('\r\x1b[K')
          throw err
        }
        const line = `waiting for ${selector != null ? target : `${peer.slice(0, 12)}…`}: attempt ${attempt}, ${formatDuration(Date.now() - started)} so far, last answer: ${err.message}`
        if (live) process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`)
        else process.stderr.write(`${line}\n`)
        // a new id for each try after a definite refusal; the same id after no answer, so a late grant is not lost
        if (err.code !== 'SKEIN_ERR_PEER_UNREACHABLE') body.leaseId = randomUUID()
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * attempt, 10_000)))
      }
    }
  })
  return cmd
}
