// The API emulator's semantics over plain HTTP: Status errors, selectors, the
// patch flavours, server-side apply, watches and 410 Gone, quota admission, the
// scheduler and node simulator, controllers and fault hooks.
import t, { type Test } from 'tap'
import { KubeEmulator } from '../sim/kube/index.ts'

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

async function start (t: Test, init: ConstructorParameters<typeof KubeEmulator>[0] = {}): Promise<{ emu: KubeEmulator, req: (method: string, path: string, body?: unknown, contentType?: string) => Promise<{ status: number, body: Obj }> }> {
  const emu = new KubeEmulator({ nodes: 1, node: { cpu: '2', memory: '4Gi', pods: 10 }, jobRunMs: 50, ...init })
  const url = await emu.start()
  t.teardown(async () => { await emu.stop() })
  const req = async (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number, body: Obj }> => {
    const res = await fetch(url + path, { method, headers: body != null ? { 'content-type': contentType } : {}, ...(body != null ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) })
    const text = await res.text()
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) as Obj : { text } }
  }
  return { emu, req }
}

const waitFor = async (pred: () => Promise<boolean>, ms = 5000): Promise<boolean> => {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await pred()) return true
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return false
}

const cm = (name: string, labels: Record<string, string> = {}): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: 'v' } })
const podManifest = (name: string, cpu: string, extra: Obj = {}): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ...extra }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu, memory: '64Mi' } } }] } })

t.test('discovery answers what clients ask first', async (t) => {
  const { req } = await start(t)
  t.equal((await req('GET', '/version')).body.major, '1')
  t.same((await req('GET', '/api')).body.versions, ['v1'])
  const groups = (await req('GET', '/apis')).body.groups.map((g: Obj) => g.name)
  t.ok(['apps', 'batch', 'networking.k8s.io', 'rbac.authorization.k8s.io'].every((g) => groups.includes(g)))
  const apps = (await req('GET', '/apis/apps/v1')).body
  t.ok(apps.resources.some((r: Obj) => r.name === 'deployments' && r.namespaced === true && r.kind === 'Deployment'))
  t.ok((await req('GET', '/openapi/v3')).body.paths['apis/apps/v1'] != null)
})

t.test('errors are Status objects with the real reasons', async (t) => {
  const { req } = await start(t)
  const nf = await req('GET', '/api/v1/namespaces/default/configmaps/nope')
  t.equal(nf.status, 404)
  t.match(nf.body, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'configmaps "nope" not found', details: { name: 'nope', kind: 'configmaps' } })
  t.equal((await req('POST', '/api/v1/namespaces/default/configmaps', cm('a'))).status, 201)
  const dup = await req('POST', '/api/v1/namespaces/default/configmaps', cm('a'))
  t.match(dup, { status: 409, body: { reason: 'AlreadyExists', message: 'configmaps "a" already exists' } })
  const bad = await req('POST', '/api/v1/namespaces/default/configmaps', cm('Bad_Name'))
  t.match(bad, { status: 422, body: { reason: 'Invalid' } })
  const noNs = await req('POST', '/api/v1/namespaces/ghost/configmaps', cm('a'))
  t.match(noNs, { status: 404, body: { message: 'namespaces "ghost" not found' } })
  const live = (await req('GET', '/api/v1/namespaces/default/configmaps/a')).body
  await req('PUT', '/api/v1/namespaces/default/configmaps/a', { ...live, data: { k: 'w' } })
  const stale = await req('PUT', '/api/v1/namespaces/default/configmaps/a', { ...live, data: { k: 'x' } })
  t.match(stale, { status: 409, body: { reason: 'Conflict', message: /the object has been modified/ } })
  t.equal((await req('GET', '/apis/nope/v1/things')).status, 404)
})

t.test('label and field selectors filter lists', async (t) => {
  const { req } = await start(t)
  await req('POST', '/api/v1/namespaces/default/configmaps', cm('a', { app: 'web', tier: 'front' }))
  await req('POST', '/api/v1/namespaces/default/configmaps', cm('b', { app: 'web', tier: 'back' }))
  await req('POST', '/api/v1/namespaces/default/configmaps', cm('c', { app: 'db' }))
  const names = async (q: string): Promise<string[]> => (await req('GET', `/api/v1/namespaces/default/configmaps?${q}`)).body.items.map((i: Obj) => i.metadata.name)
  t.same(await names('labelSelector=app%3Dweb'), ['a', 'b'])
  t.same(await names('labelSelector=app%3Dweb%2Ctier!%3Dfront'), ['b'])
  t.same(await names('labelSelector=tier%20in%20(front%2Cback)'), ['a', 'b'])
  t.same(await names('labelSelector=!tier'), ['c'])
  t.same(await names('fieldSelector=metadata.name%3Dc'), ['c'])
  t.equal((await req('GET', '/api/v1/namespaces/default/configmaps?labelSelector=%3D%3D')).status, 400)
})

t.test('merge, JSON and strategic merge patches', async (t) => {
  const { req } = await start(t)
  const dep = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'one', image: 'x:1' }, { name: 'two', image: 'y:1' }] } } }
  }
  t.equal((await req('POST', '/apis/apps/v1/namespaces/default/deployments', dep)).status, 201)
  const path = '/apis/apps/v1/namespaces/default/deployments/d'
  let r = await req('PATCH', path, { spec: { template: { spec: { containers: [{ name: 'two', image: 'y:2' }] } } } }, 'application/strategic-merge-patch+json')
  t.same(r.body.spec.template.spec.containers.map((c: Obj) => `${c.name}=${c.image}`), ['one=x:1', 'two=y:2'], 'strategic merge keeps other containers')
  t.equal(r.body.metadata.generation, 2)
  r = await req('PATCH', path, { metadata: { labels: { x: 'y' } } }, 'application/merge-patch+json')
  t.equal(r.body.metadata.labels.x, 'y')
  t.equal(r.body.metadata.generation, 2, 'metadata changes do not move generation')
  r = await req('PATCH', path, [{ op: 'replace', path: '/spec/replicas', value: 3 }, { op: 'remove', path: '/metadata/labels/x' }], 'application/json-patch+json')
  t.equal(r.body.spec.replicas, 3)
  t.notOk(r.body.metadata.labels?.x)
  r = await req('PATCH', path, { spec: { template: { spec: { containers: [{ name: 'one', $patch: 'delete' }] } } } }, 'application/strategic-merge-patch+json')
  t.same(r.body.spec.template.spec.containers.map((c: Obj) => c.name), ['two'])
  t.equal((await req('PATCH', path, '{}', 'text/plain')).status, 415)
})

t.test('server-side apply creates, merges and drops what the manager no longer applies', async (t) => {
  const { req } = await start(t)
  const path = '/api/v1/namespaces/default/configmaps/cfg?fieldManager=skein&force=true'
  let r = await req('PATCH', path, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n  b: "2"\n', 'application/apply-patch+yaml')
  t.equal(r.status, 201)
  t.same(r.body.data, { a: '1', b: '2' })
  t.match(r.body.metadata.managedFields, [{ manager: 'skein', operation: 'Apply', fieldsType: 'FieldsV1' }])
  await req('PATCH', '/api/v1/namespaces/default/configmaps/cfg', { data: { c: '3' } }, 'application/merge-patch+json')
  r = await req('PATCH', path, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } }), 'application/apply-patch+yaml')
  t.equal(r.status, 200)
  t.same(r.body.data, { a: '1', c: '3' }, 'b was ours and is gone; c belongs to another writer')
  t.equal((await req('PATCH', '/api/v1/namespaces/default/configmaps/cfg', 'kind: ConfigMap', 'application/apply-patch+yaml')).status, 422, 'fieldManager is required')
})

t.test('watches replay from a resourceVersion and answer 410 Gone when it is too old', async (t) => {
  const { emu, req } = await start(t)
  const first = (await req('POST', '/api/v1/namespaces/default/configmaps', cm('w1'))).body.metadata.resourceVersion as string
  await req('POST', '/api/v1/namespaces/default/configmaps', cm('w2'))
  const ac = new AbortController()
  const res = await fetch(`${emu.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${first}`, { signal: ac.signal })
  const reader = res.body!.getReader()
  let buf = ''
  const next = async (): Promise<Obj> => {
    while (!buf.includes('\n')) {
      const { value, done } = await reader.read()
      if (done) throw new Error('stream ended')
      buf += new TextDecoder().decode(value)
    }
    const i = buf.indexOf('\n')
    const line = buf.slice(0, i); buf = buf.slice(i + 1)
    return JSON.parse(line) as Obj
  }
  t.match(await next(), { type: 'ADDED', object: { metadata: { name: 'w2' } } }, 'replays what came after the version')
  await req('DELETE', '/api/v1/namespaces/default/configmaps/w1')
  t.match(await next(), { type: 'DELETED', object: { metadata: { name: 'w1' } } })
  ac.abort()
  emu.faults.compact()
  const gone = await fetch(`${emu.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${first}`)
  const line = JSON.parse((await gone.text()).trim()) as Obj
  t.match(line, { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: /too old resource version/ } })
})

t.test('quota admission refuses pods with the real 403 message', async (t) => {
  const { req } = await start(t)
  await req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'q' } })
  await req('POST', '/api/v1/namespaces/q/resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute' }, spec: { hard: { 'requests.cpu': '1', pods: '2' } } })
  t.equal((await req('POST', '/api/v1/namespaces/q/pods', podManifest('a', '600m'))).status, 201)
  const over = await req('POST', '/api/v1/namespaces/q/pods', podManifest('b', '500m'))
  t.equal(over.status, 403)
  t.equal(over.body.reason, 'Forbidden')
  t.equal(over.body.message, 'pods "b" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1')
  const unspecified = await req('POST', '/api/v1/namespaces/q/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c' }, spec: { containers: [{ name: 'c', image: 'x' }] } })
  t.equal(unspecified.body.message, 'pods "c" is forbidden: failed quota: compute: must specify requests.cpu for: c')
  // a LimitRange default fills the request, and then quota admits it
  await req('POST', '/api/v1/namespaces/q/limitranges', { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'd' }, spec: { limits: [{ type: 'Container', defaultRequest: { cpu: '100m' }, default: { cpu: '200m' } }] } })
  const filled = await req('POST', '/api/v1/namespaces/q/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c' }, spec: { containers: [{ name: 'c', image: 'x' }] } })
  t.equal(filled.status, 201)
  t.same(filled.body.spec.containers[0].resources, { limits: { cpu: '200m' }, requests: { cpu: '100m' } })
  t.ok(await waitFor(async () => (await req('GET', '/api/v1/namespaces/q/resourcequotas/compute')).body.status?.used?.['requests.cpu'] === '700m'), 'quota status shows what is used')
  t.equal((await req('POST', '/api/v1/namespaces/q/pods', podManifest('d', '10m'))).body.message, 'pods "d" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2')
})

t.test('pods that fit nowhere stay Pending with the scheduler\'s reason; others run', async (t) => {
  const { emu, req } = await start(t)
  await req('POST', '/api/v1/namespaces/default/pods', podManifest('fits', '1500m'))
  await req('POST', '/api/v1/namespaces/default/pods', podManifest('toobig', '1'))
  t.ok(await waitFor(async () => (await req('GET', '/api/v1/namespaces/default/pods/fits')).body.status.phase === 'Running'))
  const p = (await req('GET', '/api/v1/namespaces/default/pods/toobig')).body
  t.equal(p.status.phase, 'Pending')
  t.match(p.status.conditions, [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.' }])
  const logs = await req('GET', '/api/v1/namespaces/default/pods/toobig/log')
  t.match(logs, { status: 400, body: { message: /is waiting to start/ } })
  // freeing room schedules it
  await req('DELETE', '/api/v1/namespaces/default/pods/fits')
  t.ok(await waitFor(async () => (await req('GET', '/api/v1/namespaces/default/pods/toobig')).body.status.phase === 'Running'), 'scheduled once room is free')
  // a new node adds room; losing a node evicts its pods
  emu.cluster.addNode('extra', { cpu: '8', memory: '16Gi' })
  await req('POST', '/api/v1/namespaces/default/pods', podManifest('big', '4'))
  t.ok(await waitFor(async () => (await req('GET', '/api/v1/namespaces/default/pods/big')).body.spec.nodeName === 'extra'))
  emu.cluster.loseNode('extra')
  t.equal((await req('GET', '/api/v1/namespaces/default/pods/big')).status, 404, 'pods on a lost node are evicted')
  const node = (await req('GET', '/api/v1/nodes/extra')).body
  t.match(node.status.conditions, [{ type: 'Ready', status: 'Unknown' }])
})

t.test('controllers: Deployment → ReplicaSet → Pods, StatefulSet, Job; failures and restarts', async (t) => {
  const { emu, req } = await start(t, { node: { cpu: '8', memory: '16Gi', pods: 50 } })
  const tmpl = (labels: Obj, restartPolicy?: string): Obj => ({ metadata: { labels }, spec: { ...(restartPolicy != null ? { restartPolicy } : {}), containers: [{ name: 'c', image: 'x:1', resources: { requests: { cpu: '100m' } } }] } })
  await req('POST', '/apis/apps/v1/namespaces/default/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: tmpl({ app: 'web' }) } })
  await req('POST', '/apis/apps/v1/namespaces/default/statefulsets', { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: tmpl({ app: 'db' }) } })
  await req('POST', '/apis/batch/v1/namespaces/default/jobs', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once' }, spec: { template: tmpl({}, 'Never') } })
  t.ok(await waitFor(async () => {
    const d = (await req('GET', '/apis/apps/v1/namespaces/default/deployments/web')).body
    return d.status.availableReplicas === 2 && d.status.conditions?.some((c: Obj) => c.type === 'Available' && c.status === 'True')
  }), 'deployment available')
  const rs = (await req('GET', '/apis/apps/v1/namespaces/default/replicasets')).body.items
  t.equal(rs.length, 1)
  t.equal(rs[0].metadata.ownerReferences[0].name, 'web')
  t.ok(await waitFor(async () => (await req('GET', '/apis/apps/v1/namespaces/default/statefulsets/db')).body.status.readyReplicas === 3), 'statefulset ready')
  const dbPods = (await req('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Ddb')).body.items.map((p: Obj) => p.metadata.name)
  t.same(dbPods, ['db-0', 'db-1', 'db-2'])
  t.ok(await waitFor(async () => (await req('GET', '/apis/batch/v1/namespaces/default/jobs/once')).body.status.conditions?.some((c: Obj) => c.type === 'Complete' && c.status === 'True')), 'job complete')
  t.equal((await req('GET', '/apis/batch/v1/namespaces/default/jobs/once')).body.status.succeeded, 1)

  // a crashing container restarts in place
  emu.cluster.failPod('default', 'db-1')
  const db1 = (await req('GET', '/api/v1/namespaces/default/pods/db-1')).body
  t.equal(db1.status.containerStatuses[0].restartCount, 1)
  t.equal(db1.status.containerStatuses[0].lastState.terminated.exitCode, 1)

  // a job whose pods fail runs out of retries
  await req('POST', '/apis/batch/v1/namespaces/default/jobs', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'bad' }, spec: { backoffLimit: 1, template: { metadata: { annotations: { 'sim.skein.dev/exit-code': '3' } }, spec: tmpl({}, 'Never').spec } } })
  t.ok(await waitFor(async () => (await req('GET', '/apis/batch/v1/namespaces/default/jobs/bad')).body.status.conditions?.some((c: Obj) => c.type === 'Failed' && c.reason === 'BackoffLimitExceeded')), 'job failed')

  // deleting the deployment takes its replica set and pods
  await req('DELETE', '/apis/apps/v1/namespaces/default/deployments/web')
  t.ok(await waitFor(async () => (await req('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).body.items.length === 0), 'pods garbage-collected')
})

t.test('fault hooks: injected statuses, hangs', async (t) => {
  const { emu, req } = await start(t)
  emu.faults.inject({ status: 429, count: 1, path: '/api/v1/nodes', retryAfterSeconds: 1 })
  const r = await fetch(`${emu.url}/api/v1/nodes`)
  t.equal(r.status, 429)
  t.equal(r.headers.get('retry-after'), '1')
  t.equal((await req('GET', '/api/v1/nodes')).status, 200, 'only once')
  emu.faults.inject({ status: 0, hang: true, path: '/api/v1/nodes' })
  await t.rejects(fetch(`${emu.url}/api/v1/nodes`, { signal: AbortSignal.timeout(200) }))
})

t.test('npm run kube-emulator serves the emulator until SIGTERM', async (t) => {
  const { spawn } = await import('node:child_process')
  const { fileURLToPath } = await import('node:url')
  const cli = fileURLToPath(new URL('../sim/kube/cli.ts', import.meta.url))
  const child = spawn(process.execPath, [cli, '--port', '0', '--nodes', '3', '--cpu', '2'], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { child.kill('SIGKILL') })
  const line = await new Promise<string>((resolve, reject) => {
    let buf = ''
    child.stdout.on('data', (d: Buffer) => { buf += d.toString(); if (buf.includes('\n')) resolve(buf.split('\n')[0] ?? '') })
    child.on('exit', (code) => { reject(new Error(`exited ${String(code)}`)) })
  })
  const { url } = JSON.parse(line) as { url: string }
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
  const nodes = await (await fetch(`${url}/api/v1/nodes`)).json() as { items: Array<{ status: { allocatable: { cpu: string } } }> }
  t.equal(nodes.items.length, 3)
  t.equal(nodes.items[0]?.status.allocatable.cpu, '2')
  const exited = new Promise<number | null>((resolve) => { child.on('exit', (code) => { resolve(code) }) })
  child.kill('SIGTERM')
  t.equal(await exited, 0, 'exits cleanly on SIGTERM')
})
