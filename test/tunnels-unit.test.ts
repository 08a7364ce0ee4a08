import t from 'tap'
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import {
  loadOrCreateWgKey, generateWgKeyPair, signTunnelKey, verifyTunnelKey, buildDesired, interfaceNameFor, endpointsFrom,
  parseCidr, deriveOverlayAddress, overlayProbe, formatIpv4, WgBackend, DryRunBackend, pickBackend, execRunner, parseDump,
  type DesiredState, type TunnelPeerInput
} from '../agent/tunnels/index.ts'
import { simulatedRunner } from '../agent/tunnels/simulated.ts'
import { tempDir } from './helpers/agent.ts'

const hasWg = (() => { try { execFileSync('wg', ['--version'], { stdio: 'ignore' }); return true } catch { return false } })()

async function newPeer (): Promise<{ key: Awaited<ReturnType<typeof generateKeyPair>>, id: string }> {
  const key = await generateKeyPair('Ed25519')
  return { key, id: peerIdFromPrivateKey(key).toString() }
}

t.test('the WireGuard key is made once, kept 0600, and matches wg pubkey', async (t) => {
  const dir = tempDir(t)
  const a = await loadOrCreateWgKey(dir)
  t.equal(a.created, true)
  t.equal(statSync(a.path).mode & 0o777, 0o600)
  t.equal(Buffer.from(a.publicKey, 'base64').length, 32)
  const b = await loadOrCreateWgKey(dir)
  t.equal(b.created, false)
  t.equal(b.publicKey, a.publicKey)
  if (hasWg) t.equal(execFileSync('wg', ['pubkey'], { input: a.privateKey + '\n' }).toString().trim(), a.publicKey, 'wg derives the same public key')
  chmodSync(a.path, 0o644)
  await t.rejects(loadOrCreateWgKey(dir), { name: 'TunnelKeyError' }, 'a key readable by others is refused')
  writeFileSync(a.path, 'not a key\n', { mode: 0o600 })
  chmodSync(a.path, 0o600)
  await t.rejects(loadOrCreateWgKey(dir), { name: 'TunnelKeyError' })
})

t.test('a tunnel key binding verifies only for the peer that signed it, unchanged and unexpired', async (t) => {
  const a = await newPeer()
  const b = await newPeer()
  const wg = generateWgKeyPair()
  const claim = { wgPublicKey: wg.publicKey, peerId: a.id, overlayAddress: '100.96.1.2', expiresAt: 2_000_000 }
  const binding = await signTunnelKey(a.key, claim)
  await verifyTunnelKey(binding, { now: 1_000_000, expectedPeerId: a.id })
  t.pass('a good binding verifies')
  const forged = await signTunnelKey(b.key, claim)
  await t.rejects(verifyTunnelKey(forged, { now: 1_000_000 }), { name: 'TunnelKeyBindingError', message: /not signed by/ }, 'a key signed by another peer is refused')
  await t.rejects(verifyTunnelKey({ ...binding, overlayAddress: '100.96.1.3' }, { now: 1_000_000 }), { name: 'TunnelKeyBindingError' }, 'a changed overlay address breaks the signature')
  await t.rejects(verifyTunnelKey({ ...binding, wgPublicKey: generateWgKeyPair().publicKey }, { now: 1_000_000 }), { name: 'TunnelKeyBindingError' }, 'a swapped WireGuard key breaks the signature')
  await t.rejects(verifyTunnelKey(binding, { now: 2_000_000 }), { name: 'TunnelKeyBindingError', message: /expired/ })
  await t.rejects(verifyTunnelKey(binding, { now: 1, expectedPeerId: b.id }), { name: 'TunnelKeyBindingError', message: /not/ })
  await t.rejects(verifyTunnelKey({ ...binding, wgPublicKey: 'short' }, { now: 1 }), { name: 'TunnelKeyBindingError', message: /malformed/ })
})

t.test('overlay addresses are deterministic, inside the range, and avoid taken ones', async (t) => {
  const range = parseCidr('100.96.0.0/16')
  t.throws(() => parseCidr('100.96.0.1/16'), { name: 'OverlayAddressError' })
  t.throws(() => parseCidr('300.1.1.1/8'), { name: 'OverlayAddressError' })
  const first = deriveOverlayAddress(range, 'peerA', new Set())
  t.equal(first, overlayProbe(range, 'peerA', 0))
  t.match(formatIpv4(first), /^100\.96\./)
  const second = deriveOverlayAddress(range, 'peerA', new Set([first]))
  t.not(second, first, 'a taken address is skipped')
  const tiny = parseCidr('10.0.0.0/30')
  const taken = new Set<number>()
  for (let i = 0; i < 2; i++) taken.add(deriveOverlayAddress(tiny, `p${i}`, taken))
  t.same([...taken].map(formatIpv4).sort(), ['10.0.0.1', '10.0.0.2'], 'network and broadcast addresses are never handed out')
  t.throws(() => deriveOverlayAddress(tiny, 'p3', taken), { name: 'OverlayAddressError', message: /no free address/ })
})

t.test('interface names are short, valid and differ per peer', async (t) => {
  const a = interfaceNameFor('12D3KooWA')
  t.match(a, /^skw[0-9a-f]{6}$/)
  t.not(a, interfaceNameFor('12D3KooWB'))
  t.same(endpointsFrom(['/ip4/127.0.0.1/tcp/7946', '/ip4/10.0.0.2/tcp/7946/p2p/x', '/ip4/0.0.0.0/tcp/1', '/ip6/fd00::1/tcp/7946', '/ip4/10.0.0.2/tcp/9'], 51820),
    ['10.0.0.2:51820', '[fd00::1]:51820', '127.0.0.1:51820'], 'routable first, loopback last, wildcard and duplicates dropped')
})

function desiredFor (self: string, selfKey: string, peers: TunnelPeerInput[], podCidr?: string): ReturnType<typeof buildDesired> {
  return buildDesired({
    self: { peerId: self, publicKey: selfKey, ...(podCidr != null ? { podCidr } : {}) },
    overlayCidr: '100.96.0.0/16', peers, keepaliveS: 25, interface: 'skwtest', listenPort: 51820, privateKeyFile: '/k'
  })
}

t.test('two agents compute the same overlay addresses for each other', async (t) => {
  const ka = generateWgKeyPair().publicKey
  const kb = generateWgKeyPair().publicKey
  const a = desiredFor('peerA', ka, [{ peerId: 'peerB', publicKey: kb, endpoints: ['10.0.0.2:51820'], podCidr: '10.42.2.0/24' }], '10.42.1.0/24')
  const b = desiredFor('peerB', kb, [{ peerId: 'peerA', publicKey: ka, endpoints: ['10.0.0.1:51820'], podCidr: '10.42.1.0/24' }], '10.42.2.0/24')
  t.equal(a.desired.peers[0]?.overlayAddress, b.desired.address)
  t.equal(b.desired.peers[0]?.overlayAddress, a.desired.address)
  t.same(a.desired.peers[0]?.allowedIps, [`${b.desired.address}/32`, '10.42.2.0/24'], 'AllowedIPs: overlay /32 and pod CIDR')
  t.equal(a.desired.peers[0]?.endpoint, '10.0.0.2:51820')
  t.equal(a.desired.peers[0]?.keepaliveS, 25)
})

t.test('colliding overlay claims: the smaller peer ID keeps the address; overlapping pod CIDRs are refused with a reason', async (t) => {
  const self = generateWgKeyPair().publicKey
  const peers: TunnelPeerInput[] = [
    { peerId: 'peerC', publicKey: generateWgKeyPair().publicKey, overlayAddress: '100.96.5.5', endpoints: [] },
    { peerId: 'peerB', publicKey: generateWgKeyPair().publicKey, overlayAddress: '100.96.5.5', endpoints: [] },
    { peerId: 'peerD', publicKey: generateWgKeyPair().publicKey, podCidr: '10.42.0.0/16', endpoints: [] },
    { peerId: 'peerE', publicKey: generateWgKeyPair().publicKey, podCidr: '10.43.0.0/24', endpoints: [] },
    { peerId: 'peerF', publicKey: generateWgKeyPair().publicKey, podCidr: '10.43.0.128/25', endpoints: [] },
    { peerId: 'peerG', publicKey: generateWgKeyPair().publicKey, overlayAddress: '192.168.1.1', endpoints: [] },
    { peerId: 'peerH', publicKey: 'bogus', endpoints: [] }
  ]
  const { desired, refused } = desiredFor('peerA', self, peers, '10.42.1.0/24')
  t.same(desired.peers.map((p) => p.peerId).sort(), ['peerB', 'peerE'])
  t.equal(desired.peers.find((p) => p.peerId === 'peerB')?.overlayAddress, '100.96.5.5')
  const reason = (id: string): string => refused.find((r) => r.peerId === id)?.reason ?? ''
  t.match(reason('peerC'), /collides with peerB/)
  t.match(reason('peerD'), /pod CIDR 10\.42\.0\.0\/16 overlaps this cluster's pod CIDR/)
  t.match(reason('peerF'), /overlaps the pod CIDR 10\.43\.0\.0\/24 of peerE/)
  t.match(reason('peerG'), /outside the fleet range/)
  t.match(reason('peerH'), /not 32 bytes/)
  const ours = desiredFor('peerZ', self, [{ peerId: 'peerB', publicKey: generateWgKeyPair().publicKey, overlayAddress: formatIpv4(overlayProbe(parseCidr('100.96.0.0/16'), 'peerZ', 0)), endpoints: [] }])
  t.not(ours.desired.address, ours.desired.peers[0]?.overlayAddress, 'this agent re-derives when a peer already claims its address')
})

function fixture (dir: string, peers: DesiredState['peers'] = []): DesiredState {
  const key = join(dir, 'wg.key')
  const pair = generateWgKeyPair()
  writeFileSync(key, pair.privateKey + '\n', { mode: 0o600 })
  return { interface: 'skwtest', privateKeyFile: key, publicKey: pair.publicKey, listenPort: 51820, address: '100.96.0.1', peers }
}

t.test('apply is idempotent and corrects stray changes, roams and removed peers', async (t) => {
  const dir = tempDir(t)
  const run = simulatedRunner()
  let now = 1000
  const backend = new WgBackend('userspace', { runner: run, nowS: () => now, socketDir: dir })
  const pb = generateWgKeyPair().publicKey
  const pc = generateWgKeyPair().publicKey
  const desired = fixture(dir, [
    { peerId: 'b', publicKey: pb, overlayAddress: '100.96.0.2', endpoint: '10.0.0.2:51820', allowedIps: ['100.96.0.2/32', '10.42.2.0/24'], keepaliveS: 25 },
    { peerId: 'c', publicKey: pc, overlayAddress: '100.96.0.3', endpoint: '10.0.0.3:51820', allowedIps: ['100.96.0.3/32'], keepaliveS: 25 }
  ])
  const first = await backend.apply(desired)
  t.match(first.changes[0], /^wireguard-go skwtest$/)
  const sim = run.interfaces.get('skwtest')
  t.ok(sim?.up)
  t.same(sim?.addrs, ['100.96.0.1/32'])
  t.same(sim?.routes.sort(), ['10.42.2.0/24', '100.96.0.2/32', '100.96.0.3/32'])
  t.same((await backend.apply(desired)).changes, [], 'a second pass changes nothing')

  // a stray manual `wg set`: one peer removed, one peer added, allowed IPs changed
  await run('wg', ['set', 'skwtest', 'peer', pb, 'remove'])
  await run('wg', ['set', 'skwtest', 'peer', generateWgKeyPair().publicKey, 'allowed-ips', '0.0.0.0/0'])
  await run('wg', ['set', 'skwtest', 'peer', pc, 'allowed-ips', '100.96.0.0/16'])
  await run('ip', ['route', 'del', '10.42.2.0/24', 'dev', 'skwtest'])
  const fix = await backend.apply(desired)
  t.ok(fix.changes.length >= 4, 'the stray changes are undone')
  const obs = await backend.observe('skwtest')
  t.same(obs?.peers.map((p) => p.publicKey).sort(), [pb, pc].sort())
  t.same(obs?.peers.find((p) => p.publicKey === pc)?.allowedIps, ['100.96.0.3/32'])
  t.same((await backend.apply(desired)).changes, [])

  // the peer roams: WireGuard learnt a new endpoint from its packets; ours is not forced back while the session is fresh
  const b = sim?.peers.get(pb)
  if (b != null) { b.endpoint = '10.9.9.9:40000'; b.latestHandshake = now }
  t.same((await backend.apply(desired)).changes, [], 'a roamed endpoint with a fresh handshake is kept')
  now += 1000
  t.match((await backend.apply(desired)).changes.join('\n'), /endpoint 10\.0\.0\.2:51820/, 'a stale roamed endpoint is replaced by the announced one')
  // the announcement says it moved
  const moved = { ...desired, peers: desired.peers.map((p) => p.peerId === 'b' ? { ...p, endpoint: '10.0.1.2:51820' } : p) }
  t.match((await backend.apply(moved)).changes.join('\n'), /peer \S+ endpoint 10\.0\.1\.2:51820/)

  // a peer leaves the desired set: peer and its routes go
  const left = { ...moved, peers: moved.peers.filter((p) => p.peerId !== 'c') }
  const gone = await backend.apply(left)
  t.match(gone.changes.join('\n'), /remove/)
  t.match(gone.changes.join('\n'), /ip route del 100\.96\.0\.3\/32 dev skwtest/)
  t.same(sim?.routes.includes('100.96.0.3/32'), false)

  // a crash took the interface with it: the next pass rebuilds everything
  run.interfaces.delete('skwtest')
  t.match((await backend.apply(left)).changes[0], /^wireguard-go skwtest$/)
  t.same(run.interfaces.get('skwtest')?.peers.size, 1)
  await backend.teardown('skwtest')
  t.notOk(run.interfaces.has('skwtest'))
  await backend.teardown('skwtest')
  t.pass('teardown of an absent interface is harmless')
})

t.test('the dry-run backend records what it would run', async (t) => {
  const dir = tempDir(t)
  const backend = new DryRunBackend()
  await backend.apply(fixture(dir, [{ peerId: 'b', publicKey: generateWgKeyPair().publicKey, overlayAddress: '100.96.0.2', allowedIps: ['100.96.0.2/32'], keepaliveS: 0 }]))
  t.match(backend.commands.join('\n'), /wg set skwtest listen-port 51820 private-key/)
  t.match(backend.commands.join('\n'), /persistent-keepalive off/)
  t.match(backend.commands.join('\n'), /ip route replace 100\.96\.0\.2\/32 dev skwtest/)
})

t.test('a failing command is reported with its command line and stderr; a slow one is killed', async (t) => {
  await t.rejects(execRunner('ip', ['link', 'show', 'dev', 'skwnothere0']), { name: 'TunnelCommandError', command: 'ip link show dev skwnothere0', stderr: /does not exist/, message: /ip link show dev skwnothere0` exited with 1: Device "skwnothere0" does not exist/ })
  await t.rejects(execRunner('sleep', ['5'], { timeoutMs: 100 }), { name: 'TunnelCommandError', message: /timed out after 100 ms/ })
  await t.rejects(execRunner('skein-no-such-command', []), { name: 'TunnelCommandError', message: /command not found/ })
  const backend = new WgBackend('kernel', { runner: simulatedRunner({ refuseCreate: 'Error: Unknown device type.' }) })
  await t.rejects(backend.apply(fixture(tempDir(t))), { name: 'TunnelCommandError', command: 'ip link add dev skwtest type wireguard', stderr: /Unknown device type/ })
})

t.test('wg show dump is parsed', async (t) => {
  const text = 'priv\tpub\t51820\toff\npeerkey\t(none)\t10.0.0.2:51820\t100.96.0.2/32,10.42.0.0/24\t1700000000\t1234\t5678\t25\nother\t(none)\t(none)\t(none)\t0\t0\t0\toff\n'
  const o = parseDump('skw0', text)
  t.equal(o.publicKey, 'pub')
  t.equal(o.listenPort, 51820)
  t.same(o.peers[0], { publicKey: 'peerkey', endpoint: '10.0.0.2:51820', allowedIps: ['100.96.0.2/32', '10.42.0.0/24'], latestHandshake: 1700000000, rxBytes: 1234, txBytes: 5678, keepaliveS: 25 })
  t.same(o.peers[1], { publicKey: 'other', allowedIps: [], latestHandshake: 0, rxBytes: 0, txBytes: 0, keepaliveS: 0 })
})

t.test('auto falls back cleanly; an explicit backend that cannot work is a typed error', async (t) => {
  const refusing = simulatedRunner({ refuseCreate: 'Error: Unknown device type.' })
  t.equal((await pickBackend('auto', { runner: refusing, privileged: false })).kind, 'dry-run', 'not root: dry-run')
  await t.rejects(pickBackend('kernel', { runner: refusing, privileged: false }), { name: 'TunnelBackendUnavailableError' })
  await t.rejects(pickBackend('userspace', { runner: refusing, privileged: false }), { name: 'TunnelBackendUnavailableError' })
  t.equal((await pickBackend('dry-run')).kind, 'dry-run')
  if (process.getuid?.() === 0 && existsSync('/dev/net/tun') && hasWg) {
    const kind = (await pickBackend('auto')).kind
    t.ok(kind === 'kernel' || kind === 'userspace', `auto on this machine picks ${kind}`)
    const links = execFileSync('ip', ['-o', 'link', 'show']).toString()
    t.notMatch(links, /skprobe/, 'the kernel probe leaves no interface behind')
  }
})

t.test('the tunnels config section: off by default, bad values refused by key', async (t) => {
  const { finishConfig } = await import('../agent/config/index.ts')
  const base = { stateDir: '/tmp/skein-never-written' }
  t.match(finishConfig(base, {}).tunnels, { enabled: false, backend: 'auto', listenPort: 51820, overlayCidr: '100.96.0.0/16', keepalive: '25s', keepOnStop: false, peers: [] })
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ overlayCidr: '100.96.0.1/16' }, /tunnels\.overlayCidr: .*host bits/],
    [{ overlayCidr: '100.96.0.0/31' }, /tunnels\.overlayCidr: .*too small/],
    [{ podCidr: '100.96.4.0/24' }, /tunnels\.podCidr: .*overlaps/],
    [{ backend: 'wireguard' }, /tunnels\.backend/],
    [{ interface: 'much-too-long-name' }, /tunnels\.interface/],
    [{ keepalive: '70000s' }, /tunnels\.keepalive/],
    [{ peers: [{ peerId: 'x', publicKey: 'nope' }] }, /tunnels\.peers\[0\]\.publicKey/]
  ]
  for (const [tunnels, re] of bad) t.throws(() => finishConfig({ ...base, tunnels }, {}), { name: 'ConfigError', message: re }, JSON.stringify(tunnels))
})
