/**
 * Which cluster the agent drives: a kubeconfig file, the in-cluster service
 * account, or the embedded API emulator (sim/kube) running in-process on
 * 127.0.0.1:0. `auto` picks the first that exists: kube.kubeconfig,
 * $KUBECONFIG, ~/.kube/config, the service-account environment, else embedded.
 *
 *   const b = await openKubeBackend({ mode: 'auto' })
 *   b.info   // { mode: 'embedded', server: 'http://127.0.0.1:40123' }
 *   await b.close()
 */
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { KubeConfigError } from './errors.ts'

export type KubeMode = 'auto' | 'embedded' | 'kubeconfig' | 'in-cluster'

export interface KubeBackendConfig {
  mode: KubeMode
  /** kubeconfig path (mode kubeconfig, or auto) */
  kubeconfig?: string
  /** kubeconfig context; default: the file's current-context */
  context?: string
  /** the embedded emulator's nodes */
  embedded?: { nodes?: number, cpu?: string, memory?: string, pods?: number }
}

export interface KubeBackendInfo {
  mode: Exclude<KubeMode, 'auto'>
  server: string
  context?: string
  /** the kubeconfig file used, if any */
  source?: string
}

export interface KubeBackend {
  kubeConfig: KubeConfig
  info: KubeBackendInfo
  /** stops the embedded emulator; a no-op for real clusters */
  close(): Promise<void>
}

const saTokenPath = '/var/run/secrets/kubernetes.io/serviceaccount/token'

/** Decides the mode and kubeconfig path without touching the network. */
export function resolveKubeMode (config: KubeBackendConfig, env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = existsSync):
{ mode: Exclude<KubeMode, 'auto'>, kubeconfig?: string } {
  const fromEnv = env.KUBECONFIG?.split(':').find((p) => p !== '' && exists(p))
  const home = join(env.HOME ?? homedir(), '.kube', 'config')
  switch (config.mode) {
    case 'embedded': return { mode: 'embedded' }
    case 'in-cluster': return { mode: 'in-cluster' }
    case 'kubeconfig': {
      const path = config.kubeconfig ?? fromEnv ?? (exists(home) ? home : undefined)
      if (path == null) throw new KubeConfigError('kube.mode is kubeconfig but no kubeconfig was found', { hint: 'set kube.kubeconfig, KUBECONFIG, or create ~/.kube/config; or use --kube embedded' })
      return { mode: 'kubeconfig', kubeconfig: path }
    }
    case 'auto': {
      if (config.kubeconfig != null) return { mode: 'kubeconfig', kubeconfig: config.kubeconfig }
      if (fromEnv != null) return { mode: 'kubeconfig', kubeconfig: fromEnv }
      if (exists(home)) return { mode: 'kubeconfig', kubeconfig: home }
      if (env.KUBERNETES_SERVICE_HOST != null && exists(saTokenPath)) return { mode: 'in-cluster' }
      return { mode: 'embedded' }
    }
  }
  throw new KubeConfigError(`unknown kube.mode "${String(config.mode)}"`)
}

export async function openKubeBackend (config: KubeBackendConfig, env: NodeJS.ProcessEnv = process.env): Promise<KubeBackend> {
  const { mode, kubeconfig } = resolveKubeMode(config, env)
  const kc = new KubeConfig()
  if (mode === 'embedded') {
    const { KubeEmulator } = await import('../../sim/kube/index.ts')
    const e = config.embedded ?? {}
    const emu = new KubeEmulator({
      // a smaller watch history than the default: the embedded emulator lives inside the agent's footprint
      historySize: 1024,
      nodes: e.nodes ?? 1,
      node: { ...(e.cpu != null ? { cpu: e.cpu } : {}), ...(e.memory != null ? { memory: e.memory } : {}), ...(e.pods != null ? { pods: e.pods } : {}) }
    })
    const url = await emu.start()
    kc.loadFromString(emu.kubeconfigYaml())
    return { kubeConfig: kc, info: { mode, server: url, context: kc.getCurrentContext() }, close: async () => { await emu.stop() } }
  }
  try {
    if (mode === 'in-cluster') kc.loadFromCluster()
    else kc.loadFromFile(kubeconfig as string)
  } catch (err) {
    throw new KubeConfigError(`cannot load ${mode === 'in-cluster' ? 'the in-cluster configuration' : `kubeconfig ${String(kubeconfig)}`}: ${(err as Error).message}`, { cause: err })
  }
  if (config.context != null) {
    if (kc.getContextObject(config.context) == null) throw new KubeConfigError(`context "${config.context}" is not in ${String(kubeconfig)}`, { hint: `kubectl --kubeconfig ${String(kubeconfig)} config get-contexts` })
    kc.setCurrentContext(config.context)
  }
  const cluster = kc.getCurrentCluster()
  if (cluster == null) throw new KubeConfigError(`${String(kubeconfig ?? 'the configuration')} has no current cluster`)
  return {
    kubeConfig: kc,
    info: { mode, server: cluster.server, ...(kc.getCurrentContext() !== '' ? { context: kc.getCurrentContext() } : {}), ...(kubeconfig != null ? { source: kubeconfig } : {}) },
    close: async () => {}
  }
}
