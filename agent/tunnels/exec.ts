/**
 * Runs `ip`, `wg` and `wireguard-go`: execFile with an argument vector (never
 * a shell string) and a timeout; a failure is a TunnelCommandError with the
 * command line and its stderr.
 *
 *   const { stdout } = await execRunner('wg', ['show', 'skw1a2b3c', 'dump'], { timeoutMs: 5000 })
 */
import { execFile } from 'node:child_process'
import { TunnelCommandError } from './errors.ts'

export interface CommandResult { stdout: string, stderr: string }

export interface RunOptions {
  /** ms before the command is killed; default 10000 */
  timeoutMs?: number
  signal?: AbortSignal
}

export type CommandRunner = (file: string, args: readonly string[], opts?: RunOptions) => Promise<CommandResult>

export function commandLine (file: string, args: readonly string[]): string {
  return [file, ...args].map((a) => /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, '\'\\\'\'')}'`).join(' ')
}

export const execRunner: CommandRunner = async (file, args, opts = {}) => {
  const timeoutMs = opts.timeoutMs ?? 10_000
  return await new Promise<CommandResult>((resolve, reject) => {
    execFile(file, [...args], {
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 8 * 1024 * 1024,
      encoding: 'utf8',
      ...(opts.signal != null ? { signal: opts.signal } : {})
    }, (err, stdout, stderr) => {
      if (err == null) { resolve({ stdout, stderr }); return }
      const e = err as NodeJS.ErrnoException & { killed?: boolean, code?: number | string | null, signal?: string | null }
      const line = commandLine(file, args)
      const reason = typeof e.code === 'string'
        ? (e.code === 'ENOENT' ? 'could not start: command not found' : `could not start (${e.code})`)
        : e.killed === true || e.signal === 'SIGKILL'
          ? `timed out after ${timeoutMs} ms`
          : `exited with ${e.code ?? e.signal ?? '?'}`
      reject(new TunnelCommandError(line, stderr, typeof e.code === 'number' ? e.code : null, reason))
    })
  })
}
