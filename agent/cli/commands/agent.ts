import { Command, Option } from 'commander'

interface AgentFlags {
  config?: string
  stateDir?: string
  runtimeDir?: string
  api?: string
  listen?: string[]
  announce?: string[]
  logLevel?: string
  kube?: string
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

/** `--kube <mode|path>`: a kube.mode name, or the path of a kubeconfig. */
const kubeModes = ['auto', 'embedded', 'kubeconfig', 'in-cluster']
const kubeFlag = (value: string | undefined): Record<string, string> | undefined =>
  value == null || value === '' ? undefined : kubeModes.includes(value) ? { mode: value } : { mode: 'kubeconfig', kubeconfig: value }

export function agentCommand (): Command {
  return new Command('agent')
    .description('run the Skein agent in the foreground (stops cleanly on SIGTERM or SIGINT)')
    .addOption(new Option('-c, --config <file>', 'YAML configuration file').env('SKEIN_CONFIG'))
    .option('--state-dir <dir>', 'state directory: identity, store, API token')
    .option('--runtime-dir <dir>', 'runtime directory: the API socket')
    .option('--api <address>', 'operator API address: unix:PATH or tcp:HOST:PORT')
    .option('--listen <multiaddr>', 'libp2p listen address (repeatable)', collect)
    .option('--announce <multiaddr>', 'address to announce to peers (repeatable)', collect)
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .option('--kube <mode|path>', 'Kubernetes backend: auto, embedded (in-process API emulator), kubeconfig, in-cluster, or the path of a kubeconfig')
    .addHelpText('after', '\nFlags override SKEIN_* environment variables, which override the configuration file.\nSee README.md for every configuration key.')
    .action(async (flags: AgentFlags) => {
      // loaded only here: the client commands stay quick to start
      const { runAgent } = await import('../../daemon.ts')
      await runAgent({
        ...(flags.config != null ? { file: flags.config } : {}),
        flags: {
          stateDir: flags.stateDir,
          runtimeDir: flags.runtimeDir,
          api: flags.api,
          listen: flags.listen,
          announce: flags.announce,
          logLevel: flags.logLevel,
          kube: kubeFlag(flags.kube)
        }
      })
    })
}
