/**
 * The agent's configuration: one typed schema, documented field by field. The
 * README's configuration reference is written from this file; keep them equal.
 */
import Type, { type Static } from 'typebox'
import { durationPattern } from './duration.ts'

const Duration = (description: string, def: string) =>
  Type.String({ pattern: durationPattern, description, default: def })

export const ConfigSchema = Type.Object({
  stateDir: Type.String({
    minLength: 1,
    description: 'Directory for the identity key, the durable store and the API token. Default: $STATE_DIRECTORY, else /var/lib/skein as root, else $XDG_STATE_HOME/skein (~/.local/state/skein).'
  }),
  runtimeDir: Type.String({
    minLength: 1,
    description: 'Directory for the operator API socket. Default: $RUNTIME_DIRECTORY, else /run/skein as root, else $XDG_RUNTIME_DIR/skein, else <stateDir>/run.'
  }),
  api: Type.String({
    pattern: '^(unix:.+|tcp:[^:]+:[0-9]{1,5})$',
    description: 'Where the operator API listens: unix:PATH (mode 0660, the default, at <runtimeDir>/skein.sock) or tcp:HOST:PORT (then every request needs the bearer token in <stateDir>/api.token).'
  }),
  listen: Type.Array(Type.String({ minLength: 1 }), {
    description: 'libp2p listen multiaddrs. Default: ["/ip4/0.0.0.0/tcp/7946"].'
  }),
  announce: Type.Array(Type.String({ minLength: 1 }), {
    description: 'Multiaddrs to announce instead of the listen addresses (for NAT). Default: [] (announce what we listen on).'
  }),
  logLevel: Type.Union([
    Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'),
    Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')
  ], { description: 'Log level of the JSON log lines on stdout. Default: info.' }),
  shutdownTimeout: Duration('How long a graceful stop may take before the agent exits anyway. Default: 5s.', '5s'),
  apiBodyLimit: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, description: 'Largest request body the operator API accepts, in bytes. Default: 1048576 (1 MiB).' })
}, { additionalProperties: false })

export type ConfigInput = Static<typeof ConfigSchema>
