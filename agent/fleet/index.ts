/**
 * Fleet trust at run time: the fleet public key, this agent's own membership
 * certificate, the peers whose certificates we verified, the revocations we
 * know (persisted in the store), and the peers we refuse for a while. It also
 * provides the libp2p ConnectionGater that keeps revoked and denied peers out
 * before any stream opens.
 *
 * For other subsystems: `fleet.isMember(peerId)` is true only for a peer that
 * presented a valid, unexpired, unrevoked certificate on this run (always true
 * with no fleet configured: standalone mode).
 *
 *   const fleet = new Fleet({ publicKey, certificate, required: true }, { store, clock, logger, selfPeerId })
 *   fleet.start()
 *   await fleet.checkMember(peerId, certBytes) // throws NotAMemberError, ...
 */
import type { ConnectionGater, PeerId, PublicKey } from '@libp2p/interface'
import type { Clock } from '../clock.ts'
import type { ComponentLogger } from '../logger.ts'
import type { Store } from '../store/index.ts'
import {
  checkValidity, decodeCertificate, decodeRevocation, fleetKeyId, verifyCertificate, verifyRevocation, toText, fromText,
  type Certificate, type RevocationInfo
} from '../../protocol/membership/index.ts'
import { FleetConfigError, InvalidRevocationError } from './errors.ts'

export * from './errors.ts'
export * from './files.ts'

export interface FleetInit {
  publicKey?: PublicKey
  /** this agent's certificate (encoded SignedCertificate) */
  certificate?: Uint8Array
  /** refuse peers without a valid certificate; default true when a fleet key is set */
  required?: boolean
  /** how long a peer that failed the membership check is refused, ms; default 60000 */
  denyForMs?: number
}

export interface FleetComponents {
  store: Store
  clock: Clock
  logger: ComponentLogger
  selfPeerId: string
}

export interface StoredRevocation { info: RevocationInfo, bytes: Uint8Array }

export type FleetMode = 'enforcing' | 'permissive' | 'standalone'

export class Fleet {
  readonly publicKey?: PublicKey
  readonly fleetId: string
  readonly mode: FleetMode
  readonly certificate: Uint8Array
  readonly own?: Certificate
  private readonly denyForMs: number
  private readonly c: FleetComponents
  private readonly members = new Map<string, Certificate>()
  private readonly revocations = new Map<string, StoredRevocation>()
  private readonly denied = new Map<string, number>()
  private readonly revokedListeners = new Set<(info: RevocationInfo) => void>()

  constructor (init: FleetInit, components: FleetComponents) {
    this.c = components
    this.denyForMs = init.denyForMs ?? 60_000
    if (init.publicKey != null) this.publicKey = init.publicKey
    this.fleetId = init.publicKey != null ? fleetKeyId(init.publicKey) : 'standalone'
    this.certificate = init.certificate ?? new Uint8Array()
    if (init.publicKey == null) {
      this.mode = 'standalone'
    } else {
      this.mode = init.required === false ? 'permissive' : 'enforcing'
      if (this.certificate.byteLength > 0) {
        const cert = decodeCertificate(this.certificate)
        if (cert.peerId !== components.selfPeerId) {
          throw new FleetConfigError(`the membership certificate is for ${cert.peerId}, not for this agent (${components.selfPeerId})`,
            { hint: `issue one with: skein fleet admit --fleet-key FILE --peer ${components.selfPeerId}` })
        }
        if (cert.fleetKeyId !== this.fleetId) throw new FleetConfigError(`the membership certificate is for fleet ${cert.fleetKeyId}, not ${this.fleetId}`)
        this.own = cert
      } else if (this.mode === 'enforcing') {
        throw new FleetConfigError('a fleet key is configured but this agent has no membership certificate',
          { hint: `issue one with \`skein fleet admit --fleet-key FILE --peer ${components.selfPeerId}\` and set fleet.certificateFile, or set fleet.required: false` })
      }
    }
    components.store.migrate('fleet', [
      'CREATE TABLE fleet_revocations (peer_id TEXT PRIMARY KEY, data TEXT NOT NULL, issued INTEGER NOT NULL, reason TEXT NOT NULL)'
    ])
    for (const row of components.store.all<{ peer_id: string, data: string }>('SELECT peer_id, data FROM fleet_revocations')) {
      try {
        const bytes = fromText(row.data)
        // verified before it was stored
        this.revocations.set(row.peer_id, { info: decodeRevocation(bytes), bytes })
      } catch {}
    }
  }

  get enabled (): boolean {
    return this.publicKey != null
  }

  /** True for a peer verified on this run whose certificate is still valid (any peer in standalone mode). */
  isMember (peerId: string | PeerId): boolean {
    if (this.publicKey == null) return true
    const id = peerId.toString()
    const cert = this.members.get(id)
    if (cert == null) return false
    try {
      checkValidity(cert, { now: this.c.clock.now(), revoked: this.revocations })
      return true
    } catch {
      this.members.delete(id)
      return false
    }
  }

  memberCertificate (peerId: string): Certificate | undefined {
    return this.isMember(peerId) ? this.members.get(peerId) : undefined
  }

  /** Verifies a certificate presented by `peerId`; remembers the peer as a member. Throws a typed membership error. */
  async checkMember (peerId: string, certificate: Uint8Array | undefined): Promise<Certificate | undefined> {
    if (this.publicKey == null) return undefined
    const known = this.members.get(peerId)
    if (known != null && (certificate == null || certificate.byteLength === 0)) {
      checkValidity(known, { now: this.c.clock.now(), revoked: this.revocations })
      return known
    }
    const cert = await verifyCertificate(this.publicKey, certificate, { peerId, now: this.c.clock.now(), revoked: this.revocations })
    this.members.set(peerId, cert)
    return cert
  }

  forget (peerId: string): void {
    this.members.delete(peerId)
  }

  deny (peerId: string, forMs = this.denyForMs): void {
    this.denied.set(peerId, this.c.clock.now() + forMs)
    this.members.delete(peerId)
  }

  isDenied (peerId: string): boolean {
    if (this.revocations.has(peerId)) return this.publicKey != null
    const until = this.denied.get(peerId)
    if (until == null) return false
    if (until <= this.c.clock.now()) { this.denied.delete(peerId); return false }
    return true
  }

  isRevoked (peerId: string): boolean {
    return this.revocations.has(peerId)
  }

  /** Verifies, persists and applies a revocation. Resolves false when it was already known. Throws InvalidRevocationError. */
  async addRevocation (bytes: Uint8Array): Promise<{ added: boolean, info: RevocationInfo }> {
    if (this.publicKey == null) throw new InvalidRevocationError('this agent belongs to no fleet; there is nothing to revoke', { hint: 'configure fleet.publicKey first' })
    let info: RevocationInfo
    try {
      info = await verifyRevocation(this.publicKey, bytes)
    } catch (err) {
      throw new InvalidRevocationError(`not accepted: ${(err as Error).message}`)
    }
    if (this.revocations.has(info.peerId)) return { added: false, info }
    this.c.store.run('INSERT INTO fleet_revocations (peer_id, data, issued, reason) VALUES (?, ?, ?, ?) ON CONFLICT (peer_id) DO NOTHING',
      info.peerId, toText(bytes).trim(), info.issuedMs, info.reason)
    this.revocations.set(info.peerId, { info, bytes })
    this.members.delete(info.peerId)
    this.c.logger.warn({ peerId: info.peerId, reason: info.reason }, 'membership revoked')
    for (const fn of this.revokedListeners) {
      try { fn(info) } catch (err) { this.c.logger.error({ err }, 'revocation listener failed') }
    }
    return { added: true, info }
  }

  listRevocations (): StoredRevocation[] {
    return [...this.revocations.values()]
  }

  onRevoked (fn: (info: RevocationInfo) => void): () => void {
    this.revokedListeners.add(fn)
    return () => { this.revokedListeners.delete(fn) }
  }

  /** Keeps revoked and recently refused peers out before encryption finishes and before we dial them. */
  gater (): ConnectionGater {
    const deny = (peerId: PeerId): boolean => this.mode === 'enforcing' && this.isDenied(peerId.toString())
    return {
      denyDialPeer: deny,
      denyInboundEncryptedConnection: deny,
      denyOutboundEncryptedConnection: deny
    }
  }
}
