/**
 * Runs the agent as a foreground daemon: loads the configuration, starts
 * every subsystem, and stops them all on SIGTERM or SIGINT within the
 * configured shutdown timeout. Used by `skein agent`.
 */
import { loadConfig, type LoadConfigInit } from './config/index.ts'
import { createLogger } from './logger.ts'
import { Agent } from './system.ts'

export type RunAgentInit = LoadConfigInit

export async function runAgent (init: RunAgentInit): Promise<void> {
  const config = loadConfig(init)
  const logger = createLogger({ level: config.logLevel })
  const log = logger.forComponent('skein:daemon')
  const agent = new Agent(config, { logger })

  let signals = 0
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting now')
      process.exit(130)
    }
    log.info({ signal }, 'received signal, stopping')
    agent.stop().then(() => { process.exit(0) }, (err: unknown) => {
      log.error({ err }, 'graceful stop did not finish in time; exiting')
      process.exit(1)
    })
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception; stopping')
    void agent.stop().catch(() => {}).finally(() => { process.exit(70) })
  })
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled rejection; stopping')
    void agent.stop().catch(() => {}).finally(() => { process.exit(70) })
  })

  await agent.start()
}
