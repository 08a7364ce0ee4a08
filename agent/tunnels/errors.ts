/** Named errors of the tunnel subsystem; the operator API maps them in agent/api/errors.ts. */
import { SkeinError, type SkeinErrorOptions } from '../errors.ts'

/** A `wg`, `ip` or `wireguard-go` command failed or timed out; carries the command line and its stderr. */
export class TunnelCommandError extends SkeinError {
  static override name = 'TunnelCommandError'
  readonly command: string
  readonly stderr: string
  readonly exitCode: number | null

  constructor (command: string, stderr: string, exitCode: number | null, reason: string, options: SkeinErrorOptions = {}) {
    super(`\`${command}\` ${reason}${stderr.trim() !== '' ? `: ${stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}`, options)
    this.command = command
    this.stderr = stderr
    this.exitCode = exitCode
  }
}

/** A tunnel key binding is malformed, expired, or not signed by the peer it names. */
export class TunnelKeyBindingError extends SkeinError {
  static override name = 'TunnelKeyBindingError'
}

/** A WireGuard key (file or base64 text) is malformed, or its file is readable by others. */
export class TunnelKeyError extends SkeinError {
  static override name = 'TunnelKeyError'
}

/** The overlay range is full, or an address or CIDR does not parse. */
export class OverlayAddressError extends SkeinError {
  static override name = 'OverlayAddressError'
}

/** The requested backend cannot run here (no kernel module, no wireguard-go, not root). */
export class TunnelBackendUnavailableError extends SkeinError {
  static override name = 'TunnelBackendUnavailableError'
}

/** The tunnel subsystem is not enabled in this agent. */
export class TunnelsDisabledError extends SkeinError {
  static override name = 'TunnelsDisabledError'
}
