/**
 * `skein fleet`: the operator's fleet key and what it signs. init, admit,
 * revoke and show work offline on files (no agent needed; keep the fleet key
 * off the drones); `revocations add|list` and `status` talk to a running agent.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { Command } from 'commander'
import { peerIdFromString } from '@libp2p/peer-id'
import { parseDuration } from '../../config/duration.ts'
import { InvalidRequestError } from '../../errors.ts'
import { createFleetKeyPair, readFleetPrivateKey } from '../../fleet/files.ts'
import { decodeCertificate, decodeRevocation, fleetKeyId, fromText, issueCertificate, issueRevocation, toText } from '../../../protocol/membership/index.ts'
import type { FleetInfo, RevocationView } from '../../api/routes/fleet.ts'
import { addClientOptions, clientFrom, type ClientOptions } from '../context.ts'
import { outputOption, render, renderKeyValues, renderTable, type OutputFormat } from '../output.ts'

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

function checkPeerId (peer: string): string {
  try {
    peerIdFromString(peer)
    return peer
  } catch {
    throw new InvalidRequestError(`"${peer}" is not a peer ID`, { hint: 'the agent prints its peer ID at start; `skein status` shows it' })
  }
}

function parseLabels (list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const l of list ?? []) {
    const i = l.indexOf('=')
    if (i < 1) throw new InvalidRequestError(`label "${l}" is not key=value`, { hint: 'e.g. --label region=eu' })
    out[l.slice(0, i)] = l.slice(i + 1)
  }
  return out
}

async function emit (text: string, out: string | undefined, what: string): Promise<void> {
  if (out == null) {
    process.stdout.write(text)
    return
  }
  await writeFile(out, text, { mode: 0o644 })
  process.stderr.write(`wrote the ${what} to ${resolve(out)}\n`)
}

export function fleetCommand (): Command {
  const fleet = new Command('fleet').description('fleet key, membership certificates and revocations').exitOverride()

  fleet.command('init')
    .description('make a new fleet key pair: DIR/fleet.key (private, 0600: keep it offline) and DIR/fleet.pub (goes into every agent\'s fleet.publicKeyFile)')
    .requiredOption('--out <dir>', 'directory for the key files')
    .addOption(outputOption())
    .action(async (opts: { out: string, output: OutputFormat }) => {
      await mkdir(opts.out, { recursive: true, mode: 0o700 })
      const r = await createFleetKeyPair(opts.out)
      process.stdout.write(render(opts.output, r, () => renderKeyValues([
        ['fleet ID', r.fleetId], ['private key', r.keyPath], ['public key', r.pubPath], ['fleet.publicKey', r.publicKey]
      ])))
    })

  fleet.command('admit')
    .description('issue a membership certificate for one agent (give the file to that agent as fleet.certificateFile or <stateDir>/membership.cert)')
    .requiredOption('--fleet-key <file>', 'the fleet private key (fleet.key)')
    .requiredOption('--peer <peerId>', 'the agent\'s peer ID')
    .option('--role <role>', 'a role (repeatable), e.g. provider, consumer', collect)
    .option('--label <key=value>', 'a label (repeatable), e.g. region=eu-west', collect)
    .option('--expires <duration>', 'validity from now, e.g. 30d, 12h', '30d')
    .option('--out <file>', 'write the certificate here instead of stdout')
    .action(async (opts: { fleetKey: string, peer: string, role?: string[], label?: string[], expires: string, out?: string }) => {
      const peerId = checkPeerId(opts.peer)
      const validity = parseDuration(opts.expires)
      if (validity == null || validity <= 0) throw new InvalidRequestError(`--expires "${opts.expires}" is not a duration`, { hint: 'write it like 30d, 12h or 90m' })
      const key = await readFleetPrivateKey(opts.fleetKey)
      const now = Date.now()
      const bytes = await issueCertificate(key, { peerId, roles: opts.role ?? [], labels: parseLabels(opts.label), issuedMs: now, expiresMs: now + validity })
      await emit(toText(bytes), opts.out, `certificate for ${peerId} (fleet ${fleetKeyId(key.publicKey)}, expires ${new Date(now + validity).toISOString()})`)
    })

  const revoke = fleet.command('revoke')
    .description('sign a revocation of an agent\'s membership; hand it to any running agent (--push, or `skein fleet revocations add FILE`) and it spreads by gossip')
    .requiredOption('--fleet-key <file>', 'the fleet private key (fleet.key)')
    .requiredOption('--peer <peerId>', 'the agent to revoke')
    .option('--reason <text>', 'why (kept with the revocation)', '')
    .option('--out <file>', 'write the revocation here instead of stdout')
    .option('--push', 'also hand it to the running agent at --api')
  addClientOptions(revoke)
  revoke.action(async (opts: ClientOptions & { fleetKey: string, peer: string, reason: string, out?: string, push?: boolean }) => {
    const peerId = checkPeerId(opts.peer)
    const key = await readFleetPrivateKey(opts.fleetKey)
    const bytes = await issueRevocation(key, { peerId, reason: opts.reason })
    if (opts.push === true) {
      const r = await clientFrom(opts).post<{ added: boolean, revocation: RevocationView }>('/v1/fleet/revocations', { revocation: toText(bytes).trim() })
      process.stderr.write(`the agent ${r.added ? 'accepted' : 'already knew'} the revocation of ${peerId}\n`)
      if (opts.out != null) await emit(toText(bytes), opts.out, 'revocation')
      return
    }
    await emit(toText(bytes), opts.out, `revocation of ${peerId}`)
  })

  fleet.command('show')
    .description('decode a certificate or revocation file (checks nothing)')
    .argument('<file>')
    .addOption(outputOption())
    .action(async (file: string, opts: { output: OutputFormat }) => {
      const bytes = fromText(await readFile(file, 'utf8'))
      let data: Record<string, unknown>
      try {
        const c = decodeCertificate(bytes)
        data = { kind: 'certificate', peerId: c.peerId, fleetId: c.fleetKeyId, roles: c.roles, labels: c.labels, issued: new Date(c.issuedMs).toISOString(), expires: new Date(c.expiresMs).toISOString() }
      } catch {
        const r = decodeRevocation(bytes)
        data = { kind: 'revocation', peerId: r.peerId, fleetId: r.fleetKeyId, reason: r.reason, issued: new Date(r.issuedMs).toISOString() }
      }
      process.stdout.write(render(opts.output, data, () => renderKeyValues(Object.entries(data).map(([k, v]) =>
        [k, typeof v === 'object' && v != null && !Array.isArray(v) ? Object.entries(v).map(([a, b]) => `${a}=${String(b)}`).join(', ') : v]))))
    })

  const status = fleet.command('status').description('the running agent\'s fleet membership').addOption(outputOption())
  addClientOptions(status)
  status.action(async (opts: ClientOptions & { output: OutputFormat }) => {
    const info = await clientFrom(opts).get<FleetInfo>('/v1/fleet')
    process.stdout.write(render(opts.output, info, () => renderKeyValues([
      ['mode', info.mode], ['fleet ID', info.fleetId], ['peer ID', info.certificate?.peerId],
      ['roles', info.certificate?.roles], ['expires', info.certificate?.expires], ['members seen', info.members], ['revocations', info.revocations]
    ])))
  })

  const revs = fleet.command('revocations').description('revocations known to the running agent')
  const add = revs.command('add').description('hand a revocation file to the running agent: verified, persisted, spread by gossip').argument('<file>')
  addClientOptions(add)
  add.action(async (file: string, opts: ClientOptions) => {
    const text = (await readFile(file, 'utf8')).trim()
    const r = await clientFrom(opts).post<{ added: boolean, revocation: RevocationView }>('/v1/fleet/revocations', { revocation: text })
    process.stdout.write(`${r.added ? 'revoked' : 'already revoked'}: ${r.revocation.peerId}\n`)
  })
  const list = revs.command('list').description('list them').addOption(outputOption())
  addClientOptions(list)
  list.action(async (opts: ClientOptions & { output: OutputFormat }) => {
    const r = await clientFrom(opts).get<{ revocations: RevocationView[] }>('/v1/fleet/revocations')
    process.stdout.write(render(opts.output, r, () => renderTable(r.revocations, [
      { header: 'peer id', value: (x) => x.peerId }, { header: 'issued', value: (x) => x.issued }, { header: 'reason', value: (x) => x.reason }
    ])))
  })
  return fleet
}
