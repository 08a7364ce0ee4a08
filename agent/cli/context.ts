/** What every client command shares: where the agent is and how to prove who we are. */
import { readFileSync } from 'node:fs'
import { Option, type Command } from 'commander'
import { ApiClient } from '../client/index.ts'
import { defaultApiAddress } from '../config/index.ts'
import { InvalidRequestError } from '../errors.ts'

export interface ClientOptions {
  api?: string
  token?: string
  tokenFile?: string
  timeout?: string
}

export function addClientOptions (cmd: Command): Command {
  return cmd
    .addOption(new Option('--api <address>', 'operator API of the agent: unix:PATH or tcp:HOST:PORT').env('SKEIN_API').default(defaultApiAddress({ ...process.env, SKEIN_API: '' }), 'the agent\'s default socket'))
    .addOption(new Option('--token <token>', 'bearer token for a TCP API').env('SKEIN_TOKEN'))
    .addOption(new Option('--token-file <file>', 'read the bearer token from this file (e.g. <stateDir>/api.token)'))
}

export function clientFrom (opts: ClientOptions): ApiClient {
  let token = opts.token
  if (token == null && opts.tokenFile != null) {
    try {
      token = readFileSync(opts.tokenFile, 'utf8').trim()
    } catch (err) {
      throw new InvalidRequestError(`cannot read the token file ${opts.tokenFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
  }
  return new ApiClient({ address: opts.api ?? defaultApiAddress(), ...(token != null ? { token } : {}) })
}
