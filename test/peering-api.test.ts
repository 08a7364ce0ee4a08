import t from 'tap'
import { startAgent, runSkein } from './helpers/agent.ts'
import type { LeaseView } from '../agent/api/routes/leases.ts'
import type { OffersView } from '../agent/api/routes/offers.ts'
import { waitFor } from './peering-helpers.ts'
import { leasesTable } from '../agent/cli/commands/leases.ts'
import { offersText } from '../agent/cli/commands/offers.ts'
import { parseSelector } from '../agent/cli/commands/peer.ts'

const kube = { mode: 'embedded', embedded: { cpu: '4', memory: '8Gi', pods: 110 } }

t.test('operator API and CLI: offers, peer (by ID and by selector), leases, release between two full agents', async (t) => {
  const b = await startAgent(t, { kube, discovery: { mdns: false, dht: false, labels: { region: 'eu' } }, peering: { reserve: { cpu: '500m' }, caps: { memory: '50%' } } })
  const bootstrap = b.agent.listenAddrs().filter((a) => a.includes('/p2p/')).slice(0, 1)
  const a = await startAgent(t, { kube, discovery: { mdns: false, dht: false, bootstrap }, peering: { share: false } })
  await waitFor(() => (a.agent.node?.getConnections(b.agent.node?.peerId).length ?? 0) > 0, 15_000)

  const offers = await b.client.get<OffersView>('/v1/offers')
  t.equal(offers.mine.share, true)
  t.equal(offers.mine.reserve.cpu, '500m')
  const mineA = await a.client.get<OffersView>('/v1/offers')
  t.equal(mineA.mine.share, false)
  t.equal(mineA.mine.remaining.cpu, '0', 'a consumer-only agent offers nothing')

  const api = ['--api', a.agent.config.api]
  const peer = await runSkein(['peer', b.agent.peerId, '--cpu', '1', '--memory', '1Gi', '--pods', '5', '--duration', '1h', '-o', 'json', ...api])
  t.equal(peer.code, 0, peer.stderr)
  const lease = JSON.parse(peer.stdout) as LeaseView
  t.equal(lease.state, 'active')
  t.same([lease.quota.cpu, lease.quota.memory, lease.quota.pods], ['1', '1Gi', '5'])
  const tenants = await b.agent.kube?.listTenants()
  t.ok(tenants?.some((x) => x.leaseId === lease.id), 'the provider made a tenant namespace in its cluster')

  const seen = (await b.client.get<{ leases: LeaseView[] }>('/v1/leases')).leases
  t.same(seen.map((l) => [l.id, l.role, l.peer]), [[lease.id, 'provider', a.agent.peerId]], 'the provider lists it as lent')
  const held = (await a.client.get<{ leases: LeaseView[] }>('/v1/leases?role=consumer')).leases
  t.match(leasesTable(held), /in \(we borrow\)/)
  await a.client.post('/v1/offers/query', { peer: b.agent.peerId })
  const heard = await a.client.get<OffersView>('/v1/offers')
  t.match(offersText(heard), /OFFERED TO US BY[^\n]*\n[^\n]*cpu=2500m/, 'the provider\'s offer: 4 cpu − 500m reserve − the 1 cpu lent')
  t.match(offersText(heard), /we offer nothing/)

  // bad input through the API: typed errors, nothing changes
  await t.rejects(a.client.post('/v1/leases', { peer: b.agent.peerId, quota: { cpu: '-1' } }), { code: 'SKEIN_ERR_INVALID_QUANTITY', statusCode: 400 })
  await t.rejects(a.client.post('/v1/leases', { peer: b.agent.peerId, quota: { cpu: '64' }, min: { cpu: '64' } }), { code: 'SKEIN_ERR_INSUFFICIENT_CAPACITY', statusCode: 409 })
  await t.rejects(b.client.post('/v1/leases', { peer: a.agent.peerId, quota: { cpu: '1' } }), { code: 'SKEIN_ERR_NOT_SHARING', statusCode: 409 })
  await t.rejects(a.client.delete('/v1/leases/nope'), { code: 'SKEIN_ERR_UNKNOWN_LEASE', statusCode: 404 })

  // a label selector instead of a peer ID: the CLI picks a matching member from /v1/peers
  await waitFor(() => a.agent.discovery?.discovery?.peer(b.agent.peerId)?.announcement.labels.region === 'eu', 15_000)
  const bySelector = await runSkein(['peer', 'region=eu', '--cpu', '500m', '-o', 'json', ...api])
  t.equal(bySelector.code, 0, bySelector.stderr)
  t.equal((JSON.parse(bySelector.stdout) as LeaseView).provider, b.agent.peerId)
  t.same(parseSelector('region=eu,tier=edge'), { region: 'eu', tier: 'edge' })
  t.throws(() => parseSelector('region'), { name: 'InvalidRequestError' })

  // (skein unpeer is this DELETE; one CLI spawn per command kind is enough for this suite)
  const released = await a.client.delete<LeaseView>(`/v1/leases/${lease.id}`)
  t.equal(released.state, 'released')
  t.equal(released.notified, true, 'the provider acknowledged the release')
  await waitFor(() => b.agent.peering?.get(lease.id)?.state === 'released')
  t.pass('the provider saw the release')
})
