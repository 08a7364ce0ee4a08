/**
 * The `skein` command line. Every command but `agent` talks to a running
 * agent only through the operator API client.
 */
import { Command, CommanderError } from 'commander'
import { describeError } from '../errors.ts'
import { version } from '../version.ts'
import { agentCommand } from './commands/agent.ts'
import { statusCommand } from './commands/status.ts'
import { versionCommand } from './commands/version.ts'
import { fleetCommand } from './commands/fleet.ts'
import { peersCommand } from './commands/peers.ts'
import { doctorCommand } from './commands/doctor.ts'
import { tunnelsCommand } from './commands/tunnels.ts'
import { offersCommand } from './commands/offers.ts'
import { peerCommand } from './commands/peer.ts'
import { leasesCommand } from './commands/leases.ts'
import { unpeerCommand } from './commands/unpeer.ts'
import { runCommand } from './commands/run.ts'
import { workloadsCommand } from './commands/workloads.ts'
import { describeCommand } from './commands/describe.ts'
import { cancelCommand } from './commands/cancel.ts'
import { logsCommand } from './commands/logs.ts'

export function buildProgram (): Command {
  const program = new Command('skein')
    .description('Skein: peer-to-peer federation of edge Kubernetes clusters')
    .version(version, '-V, --version', 'print the version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeErr: (str) => { process.stderr.write(str) },
      outputError: (str, write) => { write(`skein: ${str.replace(/^error: /, 'error: ').trimEnd()}\nhint: run \`skein --help\` or \`skein <command> --help\`\n`) }
    })
  for (const cmd of [agentCommand(), statusCommand(), versionCommand(), doctorCommand(), fleetCommand(), peersCommand(), tunnelsCommand(), offersCommand(), peerCommand(), leasesCommand(), unpeerCommand(), runCommand(), workloadsCommand(), describeCommand(), cancelCommand(), logsCommand()]) {
    program.addCommand(cmd.exitOverride().configureOutput({
      writeErr: (str) => { process.stderr.write(str) },
      outputError: (str, write) => { write(`skein ${cmd.name()}: ${str.trimEnd()}\nhint: run \`skein ${cmd.name()} --help\`\n`) }
    }))
  }
  return program
}

export async function main (argv: string[]): Promise<number> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
    return 0
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit with 0; usage errors were already printed
      return err.exitCode === 0 ? 0 : 2
    }
    const { message, hint } = describeError(err)
    process.stderr.write(`skein: error: ${message}\n${hint != null ? `hint: ${hint}\n` : ''}`)
    return 1
  }
}

const code = await main(process.argv)
if (code !== 0 || process.argv[2] !== 'agent') {
  // client commands end here even if a keep-alive socket lingers; a daemon that failed to start too
  process.exit(code)
}
