/**
 * The agent's configuration: one typed schema, documented field by field. The
 * README's configuration reference is written from this file; keep them equal.
 */
import Type, { type Static } from 'typebox'
import { durationPattern } from './duration.ts'
import { PeeringConfigSchema } from '../peering/config.ts'
import { KubeConfigSchema } from '../kube/config.ts'
import { DelegationConfigSchema } from '../delegation/config.ts'

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
  apiBodyLimit: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, description: 'Largest request body the operator API accepts, in bytes. Default: 1048576 (1 MiB).' }),
  // discovery, fleet membership and link telemetry (issue 3)
  fleet: Type.Object({
    publicKey: Type.Optional(Type.String({ description: 'The fleet public key, base64 (the content of fleet.pub from `skein fleet init`). Default: none — then the agent runs standalone and accepts any peer.' })),
    publicKeyFile: Type.Optional(Type.String({ minLength: 1, description: 'A file holding the fleet public key (fleet.pub), instead of publicKey. Default: none.' })),
    certificateFile: Type.Optional(Type.String({ minLength: 1, description: 'This agent\'s membership certificate (from `skein fleet admit`). Default: <stateDir>/membership.cert when that file exists.' })),
    required: Type.Optional(Type.Boolean({ description: 'Close connections from peers without a valid certificate, and refuse to start without our own. Default: true when a fleet key is configured; false keeps non-members connected but never treats them as members.' })),
    handshakeTimeout: Duration('How long a new connection has to prove membership before it is closed. Default: 5s.', '5s'),
    denyFor: Duration('How long a peer that failed the membership check is refused at the connection gater. Default: 1m.', '1m')
  }, { additionalProperties: false, description: 'Fleet membership: who may connect.' }),
  discovery: Type.Object({
    mdns: Type.Boolean({ default: true, description: 'Find fleet members on the local link by mDNS. Default: true.' }),
    bootstrap: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Multiaddrs (with /p2p/<peer ID>) of members to dial at start. Default: [].' }),
    dht: Type.Boolean({ default: true, description: 'Run the fleet\'s private Kad-DHT (protocol /skein/<fleet id>/kad/1.0.0; never the public IPFS DHT). Default: true.' }),
    dhtInterval: Duration('Time between DHT rounds. Each looks up members still unreachable (they may have moved); the fleet key is provided and other providers looked for every round at first, then, while the lookups find no member not already known, twice as many rounds apart each time, up to 16. Default: 1m.', '1m'),
    announceInterval: Duration('Time between re-announcements over gossip (jittered ±20 %) in a fleet of up to 32; in a larger one 2× up to 64 members, 3× up to 128, one more for each doubling. Changes are announced at once. Default: 30s.', '30s'),
    announceTtl: Type.Optional(Type.String({ pattern: durationPattern, description: 'Lifetime of an announcement in a fleet of up to 32 (it grows with the period). Default: 3 × announceInterval.' })),
    verdicts: Type.Boolean({ default: true, description: 'When a member this agent pings becomes unreachable, gossip a signed verdict; take other watchers\' verdicts about members it does not ping (unreachable on a second watcher\'s verdict, or on one not refuted within 3 s), and ping at once those it does. A member refutes a verdict about itself by announcing again. Default: true.' }),
    syncInterval: Duration('Time between anti-entropy rounds: the agent compares digests of the announcements and revocations it holds with one connected member picked at random, and both fetch what they lack, so what gossip missed still arrives (a round follows within a second of news). 0s turns it off. Default: 5s.', '5s'),
    labels: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Labels to announce (region, geo cell, cost, carbon...), merged over the certificate\'s labels. Default: {}.' })
  }, { additionalProperties: false, description: 'How agents find each other.' }),
  links: Type.Object({
    pingInterval: Duration('Time between pings to each peer (heartbeats of the failure detector). Default: 1s.', '1s'),
    pingTimeout: Duration('A ping slower than this counts as lost. Default: 2s.', '2s'),
    beacon: Type.Boolean({ default: true, description: 'Send a signed UDP heartbeat beside a late ping (and beside every ping for a minute after), to the peer\'s TCP listen address and port as UDP, and answer those of members; on a lossy link a lost datagram holds nothing up, where TCP stalls a ping for seconds. Binds UDP on each TCP listen address. Default: true.' }),
    phiSuspect: Type.Number({ minimum: 0.1, default: 5, description: 'Phi at or over which an alive peer becomes suspect. Default: 5.' }),
    phiUnreachable: Type.Number({ minimum: 0.1, default: 8, description: 'Phi at or over which a peer becomes unreachable. Default: 8.' }),
    recoverHeartbeats: Type.Integer({ minimum: 1, default: 2, description: 'Heartbeats in a row that bring a suspect or unreachable peer back to alive (hysteresis). Default: 2.' }),
    goneAfter: Duration('Time in unreachable after which a peer is gone (no longer pinged). Default: 10m.', '10m'),
    lossWindow: Type.Integer({ minimum: 1, maximum: 10000, default: 20, description: 'Number of recent heartbeats (beacons while they are sent, else pings) the loss estimate is taken over. Default: 20.' }),
    minStdDev: Duration('Floor of the failure detector\'s heartbeat-interval standard deviation. Default: 100ms.', '100ms'),
    bandwidthProbeInterval: Duration('Time between bandwidth probes of each alive peer; 0s probes only on request. Default: 0s.', '0s'),
    bandwidthProbeBytes: Type.Integer({ minimum: 1024, maximum: 16 * 1024 * 1024, default: 16384, description: 'Bytes sent by one bandwidth probe. Default: 16384.' }),
    maxMonitored: Type.Integer({ minimum: 0, maximum: 100000, default: 64, description: 'Most members pinged (and dialled for it) at once; 0 pings every member. In a larger fleet the members this agent has leases with and a stable share of the rest are pinged, so every member is watched by about this many others, and the others are judged by their announcements (unreachable after about five missed; see discovery.announceInterval). Default: 64.' })
  }, { additionalProperties: false, description: 'Link telemetry and failure detection.' }),
  // libp2p connection limits (issue 10, network abuse)
  connections: Type.Object({
    max: Type.Integer({ minimum: 1, maximum: 100000, default: 300, description: 'Most libp2p connections open at once; inbound connections beyond it are refused and the least valuable are pruned. Default: 300 (connections).' }),
    exemptLoopback: Type.Boolean({ default: true, description: 'Exempt connections from 127.0.0.0/8 and ::1 from connections.max and the per-address inbound rate limit (several agents on one host, tests, the simulator). Default: true.' })
  }, { additionalProperties: false, description: 'Connection limits of the libp2p node.' }),
  // WireGuard tunnels between peered agents (issue 6; agent/tunnels)
  tunnels: Type.Object({
    enabled: Type.Boolean({ default: false, description: 'Run the tunnel subsystem (make a WireGuard key, bring up the interface, reconcile peers). Default: false.' }),
    backend: Type.Union([Type.Literal('auto'), Type.Literal('kernel'), Type.Literal('userspace'), Type.Literal('dry-run')], { default: 'auto', description: 'auto: the kernel module if it works, else wireguard-go, else dry-run with a warning; kernel: ip link type wireguard; userspace: wireguard-go; dry-run: record what would be done, carry nothing. Default: auto.' }),
    interface: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9_=+.-]{1,15}$', description: 'WireGuard interface name; must be unique per agent on a host (wireguard-go sockets in /var/run/wireguard are shared by every namespace). Default: skw + 6 hex characters of a hash of the peer ID.' })),
    listenPort: Type.Integer({ minimum: 1, maximum: 65535, default: 51820, description: 'UDP port WireGuard listens on. Default: 51820.' }),
    overlayCidr: Type.String({ default: '100.96.0.0/16', description: 'Fleet overlay range; each agent takes one /32 in it, derived from its peer ID without collisions. Default: 100.96.0.0/16.' }),
    podCidr: Type.Optional(Type.String({ description: 'This cluster\'s pod CIDR (k3s --cluster-cidr), announced and routed to peers; a peer whose pod CIDR overlaps it is refused. Default: none.' })),
    keepalive: Duration('WireGuard persistent keepalive (kept NAT mappings open); 0s turns it off. Whole seconds. Default: 25s.', '25s'),
    reconcileInterval: Duration('Time between reconcile passes that bring the interface back to the desired state and read tunnel health. Default: 10s.', '10s'),
    keepOnStop: Type.Boolean({ default: false, description: 'Leave the interface and its peers up when the agent stops. Default: false (removed on stop).' }),
    peers: Type.Array(Type.Object({
      peerId: Type.String({ minLength: 1, description: 'the peer\'s libp2p peer ID' }),
      publicKey: Type.String({ description: 'its WireGuard public key, base64' }),
      endpoint: Type.Optional(Type.String({ description: 'HOST:PORT, HOST (then listenPort) or a multiaddr' })),
      listenPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'its WireGuard port when endpoint has none. Default: tunnels.listenPort.' })),
      podCidr: Type.Optional(Type.String({ description: 'its pod CIDR, routed through the tunnel' })),
      overlayAddress: Type.Optional(Type.String({ description: 'its overlay address. Default: derived from its peer ID.' }))
    }, { additionalProperties: false }), { default: [], description: 'Static tunnel peers, trusted as written (no signed key binding needed), until leases from peering drive tunnels. Default: [].' })
  }, { additionalProperties: false, description: 'WireGuard tunnels between peered agents.' }),
  // resource offers and one-way peering (issue 5; agent/peering/config.ts)
  peering: PeeringConfigSchema,
  // the local Kubernetes cluster (issue 4; agent/kube/config.ts)
  kube: KubeConfigSchema,
  // delegating workloads (issue 7; agent/delegation/config.ts)
  delegation: DelegationConfigSchema
}, { additionalProperties: false })

export type ConfigInput = Static<typeof ConfigSchema>
