import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../agent/config/index.ts'
import { tempDir } from './helpers/agent.ts'

const isolated = { HOME: '/nonexistent-home' }

t.test('flags override the environment, which overrides the file', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'config.yaml')
  writeFileSync(file, 'stateDir: /from/file\nlogLevel: warn\nlisten: [/ip4/127.0.0.1/tcp/1000]\napi: unix:/file.sock\n')
  const c = loadConfig({ file, env: { ...isolated, SKEIN_LOG_LEVEL: 'debug', SKEIN_API: 'unix:/env.sock' }, flags: { api: 'unix:/flag.sock' } })
  t.equal(c.stateDir, '/from/file', 'file value kept when nothing overrides it')
  t.equal(c.logLevel, 'debug', 'environment beats file')
  t.equal(c.api, 'unix:/flag.sock', 'flag beats environment')
  t.same(c.listen, ['/ip4/127.0.0.1/tcp/1000'])
})

t.test('defaults fill what nobody set', async (t) => {
  const c = loadConfig({ env: { ...isolated, SKEIN_STATE_DIR: '/s', SKEIN_RUNTIME_DIR: '/r' } })
  t.equal(c.api, 'unix:/r/skein.sock')
  t.same(c.listen, ['/ip4/0.0.0.0/tcp/7946'])
  t.equal(c.logLevel, 'info')
  t.equal(c.shutdownTimeout, '5s')
})

t.test('list values come from comma-separated environment variables', async (t) => {
  const c = loadConfig({ env: { ...isolated, SKEIN_LISTEN: '/ip4/127.0.0.1/tcp/1, /ip4/127.0.0.1/tcp/2' } })
  t.same(c.listen, ['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
})

t.test('a bad value is refused with an error naming its key', async (t) => {
  const dir = tempDir(t)
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['log level from a flag', () => loadConfig({ env: isolated, flags: { logLevel: 'loud' } }), /^config logLevel:/],
    ['unknown key in the file', () => {
      const f = join(dir, 'unknown.yaml'); writeFileSync(f, 'stateDri: /x\n'); return loadConfig({ file: f, env: isolated })
    }, /^config stateDri: is not a configuration key/],
    ['unknown SKEIN_ variable', () => loadConfig({ env: { ...isolated, SKEIN_STAT_DIR: '/x' } }), /^config SKEIN_STAT_DIR: is not a configuration key/],
    ['listen address that is not a multiaddr', () => loadConfig({ env: isolated, flags: { listen: ['tcp://0.0.0.0:1'] } }), /^config listen\[0\]:/],
    ['api address without a scheme', () => loadConfig({ env: isolated, flags: { api: '/tmp/x.sock' } }), /^config api:/],
    ['api port out of range', () => loadConfig({ env: isolated, flags: { api: 'tcp:127.0.0.1:99999' } }), /^config api: port 99999 is out of range/],
    ['duration without a unit', () => loadConfig({ env: isolated, flags: { shutdownTimeout: '5' } }), /^config shutdownTimeout:/],
    ['number that is not a number', () => loadConfig({ env: { ...isolated, SKEIN_API_BODY_LIMIT: 'lots' } }), /^config SKEIN_API_BODY_LIMIT: "lots" is not a number/],
    ['file that is not YAML', () => {
      const f = join(dir, 'bad.yaml'); writeFileSync(f, 'a: [unclosed\n'); return loadConfig({ file: f, env: isolated })
    }, /^config config: .* is not valid YAML/],
    ['file that is missing', () => loadConfig({ file: join(dir, 'nope.yaml'), env: isolated }), /^config config: cannot read .*ENOENT/]
  ]
  for (const [name, fn, re] of cases) {
    t.throws(fn, { name: 'ConfigError', message: re }, name)
  }
})

t.test('the config file may be named by SKEIN_CONFIG', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'c.yaml')
  writeFileSync(file, 'logLevel: error\n')
  t.equal(loadConfig({ env: { ...isolated, SKEIN_CONFIG: file } }).logLevel, 'error')
})
