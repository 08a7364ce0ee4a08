import { Command } from 'commander'
import { version } from '../../version.ts'
import { outputOption, render, renderKeyValues, type OutputFormat } from '../output.ts'

export function versionCommand (): Command {
  return new Command('version')
    .description('print the version of this skein and of Node.js')
    .addOption(outputOption())
    .action((opts: { output: OutputFormat }) => {
      const data = { version, node: process.versions.node, platform: `${process.platform}/${process.arch}` }
      process.stdout.write(render(opts.output, data, () => renderKeyValues([['skein', data.version], ['node', data.node], ['platform', data.platform]])))
    })
}
