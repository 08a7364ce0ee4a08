/**
 * JSON-lines logging through pino. One child logger per component:
 *
 *   const log = logger.forComponent('skein:store')
 *   log.info({ leaseId }, 'lease granted')
 */
import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino'

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
export const logLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

export interface Logger {
  forComponent(name: string): ComponentLogger
  readonly root: PinoLogger
}

export type ComponentLogger = PinoLogger

export interface LoggerInit {
  level?: LogLevel
  /** where lines go; stdout by default (journald picks it up under systemd) */
  destination?: DestinationStream
  /** fields added to every line */
  base?: Record<string, unknown>
}

export function createLogger (init: LoggerInit = {}): Logger {
  const root = pino({
    level: init.level ?? 'info',
    base: { ...(init.base ?? {}) },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) }
  }, init.destination ?? pino.destination({ dest: 1, sync: true }))
  return {
    root,
    forComponent: (name) => root.child({ component: name })
  }
}

/** A logger that writes nothing, for unit tests. */
export function silentLogger (): Logger {
  return createLogger({ level: 'silent' })
}
