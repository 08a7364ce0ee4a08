// The emulator's pod logs: lines per container start and a heartbeat per logEveryMs, tailLines,
// container, follow=true streaming until the pod ends, and the real kubectl reading them.
import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubeEmulator } from '../sim/kube/index.ts'

const kubectlPath = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p))

async function start (t: Test, logEveryMs: number): Promise<{ emu: KubeEmulator, url: string }> {
  const emu = new KubeEmulator({ logEveryMs })
  const url = await emu.start()
  t.teardown(async () => { await emu.stop() })
  return { emu, url }
}

async function call (url: string, method: string, path: string, body?: unknown): Promise<{ status: number, text: string }> {
  const res = await fetch(url + path, { method, ...(body != null ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) })
  return { status: res.status, text: await res.text() }
}

/** Reads a streamed answer until `stop` says enough or the server ends it; resolves with what came and whether the server ended it. */
async function stream (url: string, path: string, stop: (text: string) => boolean, timeoutMs: number): Promise<{ text: string, ended: boolean }> {
  return await new Promise((resolve, reject) => {
    let text = ''
    const req = request(url + path, (res) => {
      res.setEncoding('utf8')
      res.on('data', (c: string) => { text += c; if (stop(text)) { clearTimeout(timer); req.destroy(); resolve({ text, ended: false }) } })
      res.on('end', () => { clearTimeout(timer); resolve({ text, ended: true }) })
    })
    const timer = setTimeout(() => { req.destroy(); resolve({ text, ended: false }) }, timeoutMs)
    req.on('error', (err) => { if (!req.destroyed) reject(err) })
    req.end()
  })
}

const pod = (name: string, containers: string[], annotations: Record<string, string> = {}): unknown => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, annotations }, spec: { containers: containers.map((c) => ({ name: c, image: `img/${c}` })) }
})

async function running (url: string, name: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    const r = await call(url, 'GET', `/api/v1/namespaces/default/pods/${name}`)
    if ((JSON.parse(r.text) as { status?: { phase?: string } }).status?.phase === 'Running') return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`pod ${name} did not run`)
}

t.test('each container logs its start and a numbered heartbeat; container and tailLines select lines', async (t) => {
  const { url } = await start(t, 200)
  t.equal((await call(url, 'POST', '/api/v1/namespaces/default/pods', pod('two', ['app', 'side']))).status, 201)
  await running(url, 'two')
  const noContainer = await call(url, 'GET', '/api/v1/namespaces/default/pods/two/log')
  t.equal(noContainer.status, 400)
  t.match(noContainer.text, /a container name must be specified for pod two, choose one of: \[app side\]/)
  await new Promise((resolve) => setTimeout(resolve, 700))
  const app = await call(url, 'GET', '/api/v1/namespaces/default/pods/two/log?container=app')
  t.equal(app.status, 200)
  const lines = app.text.trimEnd().split('\n')
  t.match(lines[0], /^\S+ \[skein-sim\] scheduled to /)
  t.match(lines[1], /container app started on \S+ \(image img\/app\)/)
  t.ok(lines.some((l) => l.endsWith('container app running (heartbeat 1)')), 'the first heartbeat')
  t.ok(lines.some((l) => l.endsWith('container app running (heartbeat 3)')), 'three heartbeats after 700 ms at 200 ms each')
  t.notOk(lines.some((l) => l.includes('container side')), 'only the asked container\'s lines')
  const beats = lines.filter((l) => l.includes('heartbeat')).map((l) => Number(/heartbeat (\d+)/.exec(l)?.[1]))
  t.same(beats, beats.map((_, i) => i + 1), 'heartbeats are numbered 1, 2, 3… without gaps')
  const tail = await call(url, 'GET', '/api/v1/namespaces/default/pods/two/log?container=side&tailLines=2')
  t.equal(tail.text.trimEnd().split('\n').length, 2)
  t.match(tail.text, /container side running \(heartbeat \d+\)\n$/)
  const bad = await call(url, 'GET', '/api/v1/namespaces/default/pods/two/log?container=nope')
  t.equal(bad.status, 400)
  t.match(bad.text, /container nope is not valid for pod two/)
})

t.test('follow=true streams new lines and ends when the pod is deleted', async (t) => {
  const { url } = await start(t, 150)
  await call(url, 'POST', '/api/v1/namespaces/default/pods', pod('solo', ['main']))
  await running(url, 'solo')
  const got = stream(url, '/api/v1/namespaces/default/pods/solo/log?follow=true&tailLines=1', () => false, 20_000)
  // the follow stays open: delete the pod once a few heartbeats have come
  await new Promise((resolve) => setTimeout(resolve, 600))
  await call(url, 'DELETE', '/api/v1/namespaces/default/pods/solo')
  const r = await got
  t.ok(r.ended, 'the server ended the stream when the pod went away')
  const lines = r.text.trimEnd().split('\n')
  t.ok(lines.length >= 3, `the tail line, then heartbeats as they came (${lines.length} lines)`)
  t.match(lines[0], /container main (started|running \(heartbeat \d+\))/, 'tailLines=1 starts with the last line there was')
  const beats = lines.slice(1).map((l) => Number(/heartbeat (\d+)/.exec(l)?.[1]))
  t.ok(beats.every((n, i) => i === 0 || n === (beats[i - 1] ?? 0) + 1), `then only new heartbeats, each once, in order (${beats.join(',')})`)
  t.notOk(lines.slice(1).some((l) => l.includes('started')), 'nothing before the tail is sent again')
})

t.test('kubectl logs -f follows a pod until it finishes', { skip: kubectlPath == null ? 'kubectl is not installed' : false }, async (t) => {
  const { emu, url } = await start(t, 200)
  const dir = mkdtempSync(join(tmpdir(), 'skein-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const kubeconfig = join(dir, 'kubeconfig')
  writeFileSync(kubeconfig, emu.kubeconfigYaml())
  await call(url, 'POST', '/api/v1/namespaces/default/pods', pod('batch', ['work'], { 'sim.skein.dev/run-seconds': '1.5' }))
  await running(url, 'batch')
  const r = await new Promise<{ code: number, stdout: string, stderr: string }>((resolve) => {
    execFile(kubectlPath as string, ['--kubeconfig', kubeconfig, '--server', url, 'logs', '-f', 'batch', '-c', 'work'], { timeout: 30_000, env: { ...process.env, HOME: dir, KUBECACHEDIR: join(dir, 'cache') } }, (err, stdout, stderr) => {
      resolve({ code: err == null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr })
    })
  })
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /container work started/)
  t.match(r.stdout, /container work running \(heartbeat 1\)/)
  t.match(r.stdout, /container exited with code 0\n$/, 'the stream ends with the exit line')
})
