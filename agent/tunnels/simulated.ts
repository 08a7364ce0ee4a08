/**
 * An in-memory WireGuard interface that answers the `wg` and `ip` commands the
 * backends run, as the real tools would. The dry-run backend runs on it (and
 * records every command that would have changed something); unit tests use it
 * to check reconcile logic and to play a stray `wg set`.
 */
import { readFileSync } from 'node:fs'
import { commandLine, type CommandRunner } from './exec.ts'
import { TunnelCommandError } from './errors.ts'
import { wgPublicKeyOf } from './keys.ts'

interface SimPeer { endpoint?: string, allowedIps: string[], keepaliveS: number, latestHandshake: number, rxBytes: number, txBytes: number }
export interface SimInterface {
  privateKey?: string
  publicKey?: string
  listenPort: number
  up: boolean
  addrs: string[]
  routes: string[]
  peers: Map<string, SimPeer>
}

export interface SimulatedRunnerInit {
  /** called with every command line that changes state */
  record?: (line: string) => void
  /** the interfaces, shared so a test can look at and tamper with them */
  interfaces?: Map<string, SimInterface>
  /** how `wireguard-go`/`ip link add` are refused, to play a missing backend */
  refuseCreate?: string
}

export function simulatedRunner (init: SimulatedRunnerInit = {}): CommandRunner & { interfaces: Map<string, SimInterface> } {
  const ifs = init.interfaces ?? new Map<string, SimInterface>()
  const fail = (file: string, args: readonly string[], stderr: string): never => {
    throw new TunnelCommandError(commandLine(file, args), stderr, 1, 'exited with 1')
  }
  const get = (file: string, args: readonly string[], name: string | undefined): SimInterface => {
    const i = name != null ? ifs.get(name) : undefined
    if (i == null) return fail(file, args, file === 'wg' ? 'Unable to access interface: No such device' : `Cannot find device "${name ?? ''}"`)
    return i
  }
  const fresh = (): SimInterface => ({ listenPort: 0, up: false, addrs: [], routes: [], peers: new Map() })
  const runner = async (file: string, args: readonly string[]): Promise<{ stdout: string, stderr: string }> => {
    const a = [...args]
    const ok = (stdout = ''): { stdout: string, stderr: string } => ({ stdout, stderr: '' })
    const changed = (): void => { init.record?.(commandLine(file, args)) }
    if (a[0] === '--version') return ok(`${file} simulated\n`)
    if (file === 'wireguard-go') {
      if (init.refuseCreate != null) fail(file, args, init.refuseCreate)
      const name = a[0] as string
      if (ifs.has(name)) fail(file, args, 'Failed to create TUN device: device or resource busy')
      ifs.set(name, fresh()); changed(); return ok()
    }
    if (file === 'wg' && a[0] === 'show') {
      const i = get(file, args, a[1])
      const lines = [[i.privateKey ?? '(none)', i.publicKey ?? '(none)', String(i.listenPort), 'off'].join('\t')]
      for (const [k, p] of i.peers) {
        lines.push([k, '(none)', p.endpoint ?? '(none)', p.allowedIps.length > 0 ? p.allowedIps.join(',') : '(none)',
          String(p.latestHandshake), String(p.rxBytes), String(p.txBytes), p.keepaliveS > 0 ? String(p.keepaliveS) : 'off'].join('\t'))
      }
      return ok(lines.join('\n') + '\n')
    }
    if (file === 'wg' && a[0] === 'set') {
      const i = get(file, args, a[1])
      let k = 2
      let peer: SimPeer | undefined
      while (k < a.length) {
        const key = a[k++]
        const val = a[k++] ?? ''
        if (key === 'listen-port') i.listenPort = Number(val)
        else if (key === 'private-key') { i.privateKey = readFileSync(val, 'utf8').trim(); i.publicKey = wgPublicKeyOf(i.privateKey) }
        else if (key === 'peer') {
          if (a[k] === 'remove') { i.peers.delete(val); k++; peer = undefined; continue }
          peer = i.peers.get(val) ?? { allowedIps: [], keepaliveS: 0, latestHandshake: 0, rxBytes: 0, txBytes: 0 }
          i.peers.set(val, peer)
        } else if (peer != null && key === 'endpoint') peer.endpoint = val
        else if (peer != null && key === 'allowed-ips') peer.allowedIps = val === '' ? [] : val.split(',')
        else if (peer != null && key === 'persistent-keepalive') peer.keepaliveS = val === 'off' ? 0 : Number(val)
        else fail(file, args, `Invalid argument: ${key ?? ''}`)
      }
      changed(); return ok()
    }
    if (file === 'ip') {
      const json = a[0] === '-j'
      const rest = a.filter((x) => x !== '-j' && x !== '-4')
      const [obj, verb] = rest
      const name = rest[rest.indexOf('dev') + 1]
      if (obj === 'link' && verb === 'add') {
        if (init.refuseCreate != null) fail(file, args, init.refuseCreate)
        if (ifs.has(name as string)) fail(file, args, 'RTNETLINK answers: File exists')
        ifs.set(name as string, fresh()); changed(); return ok()
      }
      const i = get(file, args, name)
      if (obj === 'link' && verb === 'del') { ifs.delete(name as string); changed(); return ok() }
      if (obj === 'link' && verb === 'show') return ok(json ? JSON.stringify([{ ifname: name, flags: i.up ? ['POINTOPOINT', 'NOARP', 'UP', 'LOWER_UP'] : ['POINTOPOINT', 'NOARP'] }]) : `${name ?? ''}: <POINTOPOINT>\n`)
      if (obj === 'link' && verb === 'set') { i.up = rest.includes('up'); changed(); return ok() }
      if (obj === 'addr' && verb === 'show') {
        return ok(JSON.stringify([{ ifname: name, flags: i.up ? ['POINTOPOINT', 'NOARP', 'UP', 'LOWER_UP'] : ['POINTOPOINT', 'NOARP'], addr_info: i.addrs.map((x) => ({ family: 'inet', local: x.split('/')[0], prefixlen: Number(x.split('/')[1]) })) }]))
      }
      if (obj === 'addr' && verb === 'add') { if (i.addrs.includes(rest[2] as string)) fail(file, args, 'RTNETLINK answers: File exists'); i.addrs.push(rest[2] as string); changed(); return ok() }
      if (obj === 'addr' && verb === 'del') { i.addrs = i.addrs.filter((x) => x !== rest[2]); changed(); return ok() }
      if (obj === 'route' && verb === 'show') return ok(JSON.stringify(i.routes.map((r) => ({ dst: r.endsWith('/32') ? r.slice(0, -3) : r, dev: name, scope: 'link' }))))
      if (obj === 'route' && verb === 'replace') { if (!i.routes.includes(rest[2] as string)) i.routes.push(rest[2] as string); changed(); return ok() }
      if (obj === 'route' && verb === 'del') { i.routes = i.routes.filter((r) => r !== rest[2]); changed(); return ok() }
    }
    return fail(file, args, 'simulated: unsupported command')
  }
  return Object.assign(runner, { interfaces: ifs })
}
