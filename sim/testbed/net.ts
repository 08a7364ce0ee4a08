/**
 * The testbed's kernel network: one network namespace per agent, each with a
 * veth into one Linux bridge in the root namespace, 10.201.0.0/24. The link
 * model maps to what this kernel has (no netem):
 * - loss: an nftables table per namespace that drops a share of packets from
 *   each peer's address with `numgen random mod 100 < N` (input hook);
 * - bandwidth: `tc qdisc tbf` on the namespace's eth0 (egress);
 * - partitions: nftables drop rules between the two sides;
 * - an agent whose every link is down (flap, isolation): its host-side veth is
 *   set down;
 * - latency and jitter: not available here (no netem) — only the in-process
 *   simulator models them.
 * Every object is registered with the cleanup registry as soon as it exists.
 */
import { execFileSync } from 'node:child_process'
import type { CleanupRegistry } from './cleanup.ts'
import { TestbedError } from '../errors.ts'
import type { LinkSpec } from '../scenario.ts'

export function sh (cmd: string, args: string[], input?: string): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input != null ? { input } : {}) })
  } catch (err) {
    const e = err as { stderr?: string, message: string }
    throw new TestbedError(`${cmd} ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`)
  }
}

export function checkHost (): void {
  if (process.getuid?.() !== 0) throw new TestbedError('the testbed needs root (network namespaces, nftables, tc)')
  for (const [cmd, args] of [['ip', ['-V']], ['nft', ['--version']], ['tc', ['-V']]] as const) {
    try { execFileSync(cmd, [...args], { stdio: 'ignore' }) } catch { throw new TestbedError(`${cmd} is missing (apt-get install iproute2 nftables)`) }
  }
}

export interface Member { name: string, ns: string, hostVeth: string, ip: string }

export class TestbedNet {
  readonly id: string
  readonly bridge: string
  readonly members = new Map<string, Member>()
  private readonly cleanup: CleanupRegistry
  private readonly applied = new Map<string, string>()

  constructor (id: string, cleanup: CleanupRegistry) {
    this.id = id
    this.bridge = `skb${id}`
    this.cleanup = cleanup
  }

  static prefix (id: string): string { return `skt${id}-` }

  create (names: string[]): void {
    sh('ip', ['link', 'add', this.bridge, 'type', 'bridge'])
    this.cleanup.add(`bridge ${this.bridge}`, () => { sh('ip', ['link', 'del', this.bridge]) })
    sh('ip', ['link', 'set', this.bridge, 'up'])
    names.forEach((name, i) => {
      const ns = `${TestbedNet.prefix(this.id)}${i}`
      const hostVeth = `skv${this.id}${i}`
      const ip = `10.201.0.${i + 1}`
      sh('ip', ['netns', 'add', ns])
      this.cleanup.add(`netns ${ns}`, () => { sh('ip', ['netns', 'del', ns]) })
      sh('ip', ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns])
      // deleting the namespace deletes the pair; this covers a failure before that
      this.cleanup.add(`veth ${hostVeth}`, () => { try { sh('ip', ['link', 'del', hostVeth]) } catch {} })
      sh('ip', ['link', 'set', hostVeth, 'master', this.bridge, 'up'])
      sh('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0'])
      sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up'])
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
      this.members.set(name, { name, ns, hostVeth, ip })
    })
  }

  /** Brings the kernel in line with the link model; only namespaces whose rules changed are touched. */
  apply (link: (a: string, b: string) => LinkSpec, isolated: (name: string) => boolean): void {
    for (const m of this.members.values()) {
      const lines: string[] = []
      for (const o of this.members.values()) {
        if (o === m) continue
        const l = link(o.name, m.name)
        if (!l.up) lines.push(`    ip saddr ${o.ip} drop`)
        else if (l.loss > 0) lines.push(`    ip saddr ${o.ip} numgen random mod 100 < ${Math.round(l.loss * 100)} drop`)
      }
      const rules = `table inet skein_testbed\ndelete table inet skein_testbed\ntable inet skein_testbed {\n  chain input {\n    type filter hook input priority 0; policy accept;\n${lines.join('\n')}\n  }\n}\n`
      const down = isolated(m.name)
      const bw = [...this.members.values()].filter((o) => o !== m).map((o) => link(m.name, o.name).bandwidthBps).filter((b) => Number.isFinite(b))
      const rate = bw.length > 0 ? Math.max(...bw) : Infinity
      const key = `${rules}|${down}|${rate}`
      if (this.applied.get(m.name) === key) continue
      sh('ip', ['netns', 'exec', m.ns, 'nft', '-f', '-'], rules)
      const prev = this.applied.get(m.name)?.split('|')
      if (prev?.[2] !== String(rate)) {
        try { sh('tc', ['-n', m.ns, 'qdisc', 'del', 'dev', 'eth0', 'root']) } catch {}
        if (Number.isFinite(rate)) {
          const kbit = Math.max(8, Math.round(rate / 1000))
          sh('tc', ['-n', m.ns, 'qdisc', 'add', 'dev', 'eth0', 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', `${Math.max(16, Math.round(kbit / 8))}kb`, 'latency', '400ms'])
        }
      }
      if (prev?.[1] !== String(down)) sh('ip', ['link', 'set', m.hostVeth, down ? 'down' : 'up'])
      this.applied.set(m.name, key)
    }
  }
}

/** Namespaces and links a testbed run with this id left behind (for tests and for `--sweep`). */
export function leftovers (id: string): string[] {
  const out: string[] = []
  const ns = sh('ip', ['netns', 'list'])
  for (const line of ns.split('\n')) if (line.startsWith(TestbedNet.prefix(id))) out.push(`netns ${line.split(' ')[0] ?? ''}`)
  const links = sh('ip', ['-o', 'link', 'show'])
  for (const line of links.split('\n')) {
    const name = /^[0-9]+: ([^:@]+)/.exec(line)?.[1]
    if (name != null && (name === `skb${id}` || name.startsWith(`skv${id}`))) out.push(`link ${name}`)
  }
  return out
}
