/**
 * Identity at the connection (issue 10, item 3), against a real agent on
 * 127.0.0.1 TCP: raw libp2p nodes present no certificate, an expired one, one
 * issued for another peer ID, one with a forged signature or of another
 * fleet, or are revoked. Each is refused at the membership hello (or, revoked,
 * already at the connection gater), with a log line naming the reason and a
 * count in skein_membership_refused_total; no Skein protocol answers them.
 */
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { pbStream } from '@libp2p/utils'
import type { PrivateKey } from '@libp2p/interface'
import { Agent } from '../agent/system.ts'
import { createLogger } from '../agent/logger.ts'
import { createNode, type SkeinNode } from '../agent/node/index.ts'
import { loadOrCreateIdentity } from '../agent/identity/index.ts'
import { encodeFleetPublicKey, issueCertificate, issueRevocation, toText, MEMBERSHIP_PROTOCOL } from '../protocol/membership/index.ts'
import { MembershipHello, SignedCertificate } from '../protocol/pb/membership.js'
import { PROTOCOL as PEERING_PROTOCOL } from '../protocol/peering/constants.ts'
import { tempDir, testConfig } from './helpers/agent.ts'

interface LogLine { msg: string, reason?: string, peerId?: string }

/** the name of the error `p` fails with; 'resolved' when it does not fail */
async function failure (p: Promise<unknown>): Promise<string> {
  try { await p; return 'resolved' } catch (err) { return (err as Error).name }
}

t.test('peers without a valid membership are refused, and the log says why', async (t) => {
  const fleetKey = await generateKeyPair('Ed25519')
  const d = tempDir(t)
  const id = await loadOrCreateIdentity(join(d, 'state'))
  writeFileSync(join(d, 'state', 'membership.cert'), toText(await issueCertificate(fleetKey, { peerId: id.peerId.toString(), expiresMs: Date.now() + 86_400_000 })))
  const lines: LogLine[] = []
  const destination = new Writable({ write (chunk: Buffer, _enc, cb) { for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l) as LogLine); cb() } })
  const agent = new Agent(testConfig(d, {
    logLevel: 'info',
    fleet: { publicKey: encodeFleetPublicKey(fleetKey.publicKey), handshakeTimeout: '3s', denyFor: '1m' },
    discovery: { mdns: false, dht: false, bootstrap: [] }
  }), { logger: createLogger({ level: 'info', destination }) })
  await agent.start()
  t.teardown(async () => { await agent.stop() })
  const target = multiaddr(agent.listenAddrs()[0]!)
  const refusedCount = async (reason: string): Promise<number> => {
    const m = await agent.metrics!.registry.getSingleMetric('skein_membership_refused_total')?.get()
    return m?.values.find((v) => v.labels.reason === reason)?.value ?? 0
  }

  async function attacker (): Promise<{ node: SkeinNode, key: PrivateKey, peerId: string }> {
    const key = await generateKeyPair('Ed25519')
    const node = await createNode({ privateKey: key, listen: ['/ip4/127.0.0.1/tcp/0'] })
    await node.start()
    t.teardown(async () => { await node.stop() })
    return { node, key, peerId: node.peerId.toString() }
  }

  /** dials, presents `cert` in a hello, and waits for the agent to close the connection */
  async function present (tt: { not: (a: unknown, b: unknown, m: string) => unknown }, node: SkeinNode, cert: Uint8Array | undefined): Promise<void> {
    const conn = await node.dial(target)
    const stream = await conn.newStream(MEMBERSHIP_PROTOCOL)
    const pb = pbStream(stream)
    await pb.write({ ...(cert != null ? { certificate: SignedCertificate.decode(cert) } : {}), revocations: [], announcements: [] }, MembershipHello)
    const deadline = Date.now() + 5000
    while (conn.status === 'open' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25))
    tt.not(conn.status, 'open', 'the agent closed the connection')
  }

  const cases: Array<{ name: string, reason: string, cert: (peerId: string) => Promise<Uint8Array | undefined> }> = [
    { name: 'no certificate', reason: 'NotAMemberError', cert: async () => undefined },
    { name: 'an expired certificate', reason: 'CertificateExpiredError', cert: async (p) => await issueCertificate(fleetKey, { peerId: p, issuedMs: Date.now() - 7_200_000, expiresMs: Date.now() - 3_600_000 }) },
    { name: 'a certificate for another peer ID', reason: 'CertificatePeerMismatchError', cert: async () => await issueCertificate(fleetKey, { peerId: agent.peerId, expiresMs: Date.now() + 86_400_000 }) },
    {
      name: 'a certificate with a forged signature',
      reason: 'BadSignatureError',
      cert: async (p) => {
        const signed = SignedCertificate.decode(await issueCertificate(fleetKey, { peerId: p, expiresMs: Date.now() + 86_400_000 }))
        signed.signature[0] = signed.signature[0]! ^ 0xff
        return SignedCertificate.encode(signed)
      }
    },
    { name: 'a certificate of another fleet', reason: 'NotAMemberError', cert: async (p) => await issueCertificate(await generateKeyPair('Ed25519'), { peerId: p, expiresMs: Date.now() + 86_400_000 }) }
  ]
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const a = await attacker()
      const before = await refusedCount(c.reason)
      await present(t, a.node, await c.cert(a.peerId))
      const line = lines.find((l) => l.peerId === a.peerId && l.msg === 'connection refused: not a fleet member')
      t.ok(line, 'a log line for the refusal')
      t.equal(line?.reason, c.reason, `it names the reason (${c.reason})`)
      t.equal(await refusedCount(c.reason) - before, 1, 'counted in skein_membership_refused_total')
      t.equal(agent.discovery?.fleet.isMember(a.peerId), false)
      t.equal(agent.discovery?.fleet.isDenied(a.peerId), true, 'refused for a while')
      // and it cannot come back to try a Skein protocol
      t.match(await failure(a.node.dialProtocol(target, PEERING_PROTOCOL, { signal: AbortSignal.timeout(5000) })), /^(?!NoValidAddressesError|resolved)/, 'a new connection is refused')
    })
  }

  await t.test('a revoked member', async (t) => {
    const a = await attacker()
    const cert = await issueCertificate(fleetKey, { peerId: a.peerId, expiresMs: Date.now() + 86_400_000 })
    // while its certificate is good it is admitted
    const conn = await a.node.dial(target)
    const pb = pbStream(await conn.newStream(MEMBERSHIP_PROTOCOL))
    await pb.write({ certificate: SignedCertificate.decode(cert), revocations: [], announcements: [] }, MembershipHello)
    const deadline = Date.now() + 5000
    while (agent.discovery?.fleet.isMember(a.peerId) !== true && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25))
    t.equal(agent.discovery?.fleet.isMember(a.peerId), true, 'admitted with a good certificate')
    await agent.discovery!.fleet.addRevocation(await issueRevocation(fleetKey, { peerId: a.peerId, reason: 'drone lost' }))
    t.ok(lines.find((l) => l.peerId === a.peerId && l.msg === 'membership revoked' && l.reason === 'drone lost'), 'the revocation is logged with its reason')
    const closing = Date.now() + 5000
    while (agent.node!.getConnections(peerIdFromString(a.peerId)).length > 0 && Date.now() < closing) await new Promise((resolve) => setTimeout(resolve, 25))
    t.equal(agent.node!.getConnections(peerIdFromString(a.peerId)).length, 0, 'its connection is closed on revocation')
    // refused at the connection gater, before any hello
    t.match(await failure(present(t, a.node, cert)), /^(?!NoValidAddressesError|resolved)/, 'the connection is refused')
    t.equal(agent.node!.getConnections(peerIdFromString(a.peerId)).length, 0)
    t.equal(agent.discovery?.fleet.isMember(a.peerId), false)
  })

  t.equal(agent.state, 'running')
})
