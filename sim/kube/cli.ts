/**
 * `npm run kube-emulator -- --port PORT [--nodes N] [--cpu 4] [--memory 8Gi] [--pods 110] [--host 127.0.0.1]`
 * serves the Kubernetes API emulator over plain HTTP until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util'
import { KubeEmulator } from './index.ts'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    nodes: { type: 'string', default: '1' },
    cpu: { type: 'string', default: '4' },
    memory: { type: 'string', default: '8Gi' },
    pods: { type: 'string', default: '110' },
    'start-delay-ms': { type: 'string', default: '0' },
    kubeconfig: { type: 'string' },
    help: { type: 'boolean', short: 'h' }
  }
})

if (values.help === true) {
  process.stdout.write('usage: npm run kube-emulator -- [--port PORT] [--host ADDR] [--nodes N] [--cpu Q] [--memory Q] [--pods N] [--start-delay-ms MS] [--kubeconfig FILE]\n')
  process.exit(0)
}

const int = (name: string, v: string): number => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name}: "${v}" is not a non-negative integer\n`)
    process.exit(2)
  }
  return n
}

const emu = new KubeEmulator({
  port: int('port', values.port),
  host: values.host,
  nodes: int('nodes', values.nodes),
  node: { cpu: values.cpu, memory: values.memory, pods: int('pods', values.pods) },
  startDelayMs: int('start-delay-ms', values['start-delay-ms'])
})
const url = await emu.start()
if (values.kubeconfig != null) {
  const { writeFileSync } = await import('node:fs')
  writeFileSync(values.kubeconfig, emu.kubeconfigYaml(), { mode: 0o600 })
}
process.stdout.write(JSON.stringify({ url, nodes: values.nodes, kubectl: `kubectl --server ${url}` }) + '\n')
const stop = (): void => { emu.stop().then(() => process.exit(0), () => process.exit(1)) }
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
