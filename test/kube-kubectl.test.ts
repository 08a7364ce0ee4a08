// Fidelity: the real kubectl (/usr/bin/kubectl) drives the API emulator over HTTP.
import t from 'tap'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubeEmulator } from '../sim/kube/index.ts'

const kubectlPath = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p))

interface Run { code: number, stdout: string, stderr: string }

t.test('kubectl against the emulator', { skip: kubectlPath == null ? 'kubectl is not installed' : false }, async (t) => {
  const emu = new KubeEmulator({ nodes: 2, node: { cpu: '2', memory: '4Gi' } })
  const url = await emu.start()
  const dir = mkdtempSync(join(tmpdir(), 'skein-'))
  t.teardown(async () => { await emu.stop(); rmSync(dir, { recursive: true, force: true }) })
  const kubeconfig = join(dir, 'kubeconfig')
  writeFileSync(kubeconfig, emu.kubeconfigYaml())
  const kubectl = async (...args: string[]): Promise<Run> => await new Promise((resolve) => {
    execFile(kubectlPath as string, ['--kubeconfig', kubeconfig, '--server', url, ...args], { timeout: 40_000, env: { ...process.env, HOME: dir, KUBECACHEDIR: join(dir, 'cache') } }, (err, stdout, stderr) => {
      resolve({ code: err == null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr })
    })
  })
  const manifest = join(dir, 'app.yaml')
  writeFileSync(manifest, `apiVersion: v1
kind: Namespace
metadata:
  name: demo
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80}]
        resources: {requests: {cpu: 100m, memory: 64Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: demo
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
`)

  let r = await kubectl('apply', '-f', manifest)
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /namespace\/demo created/)
  t.match(r.stdout, /deployment.apps\/web created/)
  t.match(r.stdout, /service\/web created/)

  r = await kubectl('-n', 'demo', 'wait', '--for=condition=Available', 'deployment/web', '--timeout=30s')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /condition met/)

  r = await kubectl('-n', 'demo', 'get', 'deploy,pods', '-o', 'json')
  t.equal(r.code, 0, r.stderr)
  const list = JSON.parse(r.stdout) as { items: Array<{ kind: string, status: Record<string, unknown>, spec: Record<string, unknown> }> }
  const deploy = list.items.find((i) => i.kind === 'Deployment')
  t.equal(deploy?.status.readyReplicas, 2)
  t.equal(deploy?.status.availableReplicas, 2)
  const pods = list.items.filter((i) => i.kind === 'Pod')
  t.equal(pods.length, 2)
  t.ok(pods.every((p) => p.status.phase === 'Running' && typeof p.status.podIP === 'string'), 'pods run with IPs')
  t.equal(new Set(pods.map((p) => p.spec.nodeName)).size, 2, 'spread over both nodes')

  // the human-readable table
  r = await kubectl('-n', 'demo', 'get', 'pods')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/)
  t.match(r.stdout, /web-\S+\s+1\/1\s+Running\s+0/)

  // re-applying an unchanged file is a no-op; a changed one is patched
  r = await kubectl('apply', '-f', manifest)
  t.match(r.stdout, /deployment.apps\/web unchanged/)
  writeFileSync(manifest, (await import('node:fs')).readFileSync(manifest, 'utf8').replace('replicas: 2', 'replicas: 3'))
  r = await kubectl('apply', '-f', manifest)
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /deployment.apps\/web configured/)
  r = await kubectl('-n', 'demo', 'wait', '--for=jsonpath={.status.readyReplicas}=3', 'deployment/web', '--timeout=30s')
  t.equal(r.code, 0, r.stderr)

  // the scale subresource and rollout status
  r = await kubectl('-n', 'demo', 'scale', 'deployment/web', '--replicas=4')
  t.equal(r.code, 0, r.stderr)
  r = await kubectl('-n', 'demo', 'rollout', 'status', 'deployment/web', '--timeout=30s')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /successfully rolled out/)
  r = await kubectl('-n', 'demo', 'get', 'deployment', 'web', '-o', 'jsonpath={.status.availableReplicas}')
  t.equal(r.stdout, '4')

  // server-side apply
  r = await kubectl('apply', '--server-side', '--field-manager=test', '-f', manifest)
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /deployment.apps\/web serverside-applied/)

  // logs: served from the node simulator
  r = await kubectl('-n', 'demo', 'logs', 'deployment/web')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /container web started/)

  // errors come back as Status objects kubectl understands
  r = await kubectl('-n', 'demo', 'get', 'deployment', 'nope')
  t.not(r.code, 0)
  t.match(r.stderr, /deployments.apps "nope" not found/)

  // label selectors and patches
  r = await kubectl('-n', 'demo', 'get', 'pods', '-l', 'app=web', '-o', 'name')
  t.equal(r.stdout.trim().split('\n').length, 3, 'the server-side apply set replicas back to 3')
  r = await kubectl('-n', 'demo', 'patch', 'deployment', 'web', '--type=merge', '-p', '{"metadata":{"labels":{"tier":"front"}}}')
  t.equal(r.code, 0, r.stderr)
  r = await kubectl('-n', 'demo', 'get', 'deployments', '-l', 'tier=front', '-o', 'name')
  t.equal(r.stdout.trim(), 'deployment.apps/web')

  // deleting the namespace takes everything in it; kubectl waits until it is gone
  r = await kubectl('delete', 'namespace', 'demo', '--timeout=30s')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /namespace "demo" deleted/)
  r = await kubectl('get', 'pods', '-A', '-o', 'json')
  t.equal((JSON.parse(r.stdout) as { items: unknown[] }).items.length, 0)
  r = await kubectl('get', 'namespace', 'demo')
  t.not(r.code, 0)
})
