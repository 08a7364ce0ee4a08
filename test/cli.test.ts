import t from 'tap'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { runSkein, spawnAgent, tempDir } from './helpers/agent.ts'

t.test('skein status answers from a running agent in every output format', async (t) => {
  const dir = tempDir(t)
  const { api } = await spawnAgent(t, dir)
  const json = await runSkein(['status', '--api', api, '-o', 'json'])
  t.equal(json.code, 0, json.stderr)
  const status = JSON.parse(json.stdout)
  t.match(status.peerId, /^12D3KooW/)
  const yaml = await runSkein(['status', '--api', api, '-o', 'yaml'])
  t.equal(parseYaml(yaml.stdout).peerId, status.peerId)
  const table = await runSkein(['status', '--api', api])
  t.match(table.stdout, new RegExp(`peer ID:\\s+${status.peerId}`))
  const viaEnv = await runSkein(['status', '-o', 'json'], { env: { SKEIN_API: api } })
  t.equal(JSON.parse(viaEnv.stdout).peerId, status.peerId, 'SKEIN_API names the agent too')
})

t.test('with no agent, one clear line and exit 1', async (t) => {
  const dir = tempDir(t)
  const r = await runSkein(['status', '--api', `unix:${join(dir, 'none.sock')}`])
  t.equal(r.code, 1)
  t.match(r.stderr, /^skein: error: no agent answers at unix:.*none\.sock \(ENOENT\)\nhint: /)
  t.equal(r.stderr.trim().split('\n').length, 2, 'one line and a hint')
  t.equal(r.stdout, '')
})

t.test('bad arguments are refused with a hint and exit 2', async (t) => {
  const bad = await runSkein(['status', '-o', 'xml'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, /argument 'xml' is invalid/)
  t.match(bad.stderr, /hint: run `skein status --help`/)
  const unknown = await runSkein(['statsu'])
  t.equal(unknown.code, 2)
  t.match(unknown.stderr, /unknown command 'statsu'/)
  t.match(unknown.stderr, /Did you mean status\?/)
  const badConfig = await runSkein(['agent', '--state-dir', tempDir(t), '--listen', 'nonsense'])
  t.equal(badConfig.code, 1)
  t.match(badConfig.stderr, /^skein: error: config listen\[0\]: "nonsense" is not a multiaddr/)
})

t.test('skein version prints versions without an agent', async (t) => {
  const r = await runSkein(['version', '-o', 'json'])
  t.equal(r.code, 0)
  const v = JSON.parse(r.stdout)
  t.match(v.version, /^\d+\.\d+\.\d+/)
  t.match(v.node, /^2[4-9]\./)
})
