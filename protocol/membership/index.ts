/**
 * Fleet membership as pure logic: a fleet key (Ed25519, held offline by the
 * operator) signs membership certificates (peer ID, roles, labels, validity)
 * and revocations. Every agent checks them offline against the fleet public
 * key, a clock and its set of revoked peer IDs. No sockets here.
 *
 *   const fleetKey = await generateKeyPair('Ed25519')
 *   const bytes = await issueCertificate(fleetKey, { peerId, roles: ['provider'], labels: { region: 'eu' }, expiresMs: now + 30 * 86400_000 })
 *   const cert = await verifyCertificate(fleetKey.publicKey, bytes, { peerId, now: Date.now(), revoked: new Set() })
 *   // throws NotAMemberError | CertificateExpiredError | CertificateRevokedError | CertificatePeerMismatchError | BadSignatureError
 */
import { createHash } from 'node:crypto'
import { publicKeyFromProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey, PublicKey } from '@libp2p/interface'
import { signPayload, verifyPayload } from '../signing/index.ts'
import { labelsFromPairs, labelsToPairs } from '../labels/index.ts'
import { MembershipCertificate, Revocation, SignedCertificate, SignedRevocation } from '../pb/membership.js'
import { BadSignatureError, CertificateExpiredError, CertificatePeerMismatchError, CertificateRevokedError, NotAMemberError } from './errors.ts'
import { CLOCK_SKEW_MS, MAX_CERTIFICATE_BYTES, MAX_TIMESTAMP_MS } from './constants.ts'

export * from './errors.ts'
export * from './constants.ts'

export interface Certificate {
  peerId: string
  roles: string[]
  labels: Record<string, string>
  issuedMs: number
  expiresMs: number
  fleetKeyId: string
}

export interface RevocationInfo {
  peerId: string
  reason: string
  issuedMs: number
  fleetKeyId: string
}

/** A short, stable name for a fleet key: hex of the first 8 bytes of sha256 of its protobuf encoding. */
export function fleetKeyId (key: PublicKey): string {
  return createHash('sha256').update(publicKeyToProtobuf(key)).digest('hex').slice(0, 16)
}

export function encodeFleetPublicKey (key: PublicKey): string {
  return Buffer.from(publicKeyToProtobuf(key)).toString('base64')
}

/** Parses a base64 fleet public key (as `skein fleet init` writes it); throws NotAMemberError on garbage. */
export function decodeFleetPublicKey (text: string): PublicKey {
  try {
    const key = publicKeyFromProtobuf(Buffer.from(text.trim(), 'base64'))
    if (key.type !== 'Ed25519') throw new Error(`a ${key.type} key`)
    return key
  } catch (err) {
    throw new NotAMemberError(`not a fleet public key: ${(err as Error).message}`)
  }
}

export interface IssueInit {
  peerId: string
  roles?: string[]
  labels?: Record<string, string>
  issuedMs?: number
  expiresMs: number
}

export async function issueCertificate (fleetKey: PrivateKey, init: IssueInit): Promise<Uint8Array> {
  const body = MembershipCertificate.encode({
    peerId: init.peerId,
    roles: init.roles ?? [],
    labels: labelsToPairs(init.labels ?? {}),
    issuedMs: Math.round(init.issuedMs ?? Date.now()),
    expiresMs: Math.round(init.expiresMs),
    fleetKeyId: fleetKeyId(fleetKey.publicKey)
  })
  const signature = await signPayload(fleetKey, 'membership-cert', body)
  return SignedCertificate.encode({ body, signature: signature as Uint8Array<ArrayBuffer> })
}

export async function issueRevocation (fleetKey: PrivateKey, init: { peerId: string, reason?: string, issuedMs?: number }): Promise<Uint8Array> {
  const body = Revocation.encode({
    peerId: init.peerId,
    reason: init.reason ?? '',
    issuedMs: Math.round(init.issuedMs ?? Date.now()),
    fleetKeyId: fleetKeyId(fleetKey.publicKey)
  })
  const signature = await signPayload(fleetKey, 'revocation', body)
  return SignedRevocation.encode({ body, signature: signature as Uint8Array<ArrayBuffer> })
}

/** Decodes without checking anything; for display. Throws NotAMemberError when it is not a certificate. */
export function decodeCertificate (bytes: Uint8Array): Certificate {
  if (bytes.byteLength === 0) throw new NotAMemberError('no membership certificate')
  if (bytes.byteLength > MAX_CERTIFICATE_BYTES) throw new NotAMemberError(`membership certificate of ${bytes.byteLength} bytes is over the ${MAX_CERTIFICATE_BYTES}-byte limit`)
  try {
    const signed = SignedCertificate.decode(bytes)
    return toCertificate(MembershipCertificate.decode(signed.body))
  } catch (err) {
    throw new NotAMemberError(`not a membership certificate: ${(err as Error).message}`)
  }
}

export interface VerifyOptions {
  /** the peer ID that presented the certificate; when given it must match */
  peerId?: string
  /** ms since the epoch */
  now: number
  /** revoked peer IDs */
  revoked?: { has(peerId: string): boolean }
}

/** Checks a certificate: fleet signature, fleet, peer ID, validity window, revocation. Returns it or throws a typed error. */
export async function verifyCertificate (fleetPublicKey: PublicKey, bytes: Uint8Array | undefined, opts: VerifyOptions): Promise<Certificate> {
  if (bytes == null || bytes.byteLength === 0) throw new NotAMemberError('no membership certificate')
  if (bytes.byteLength > MAX_CERTIFICATE_BYTES) throw new NotAMemberError(`membership certificate of ${bytes.byteLength} bytes is over the ${MAX_CERTIFICATE_BYTES}-byte limit`)
  let signed: SignedCertificate
  let cert: Certificate
  try {
    signed = SignedCertificate.decode(bytes)
    cert = toCertificate(MembershipCertificate.decode(signed.body))
  } catch (err) {
    throw new NotAMemberError(`not a membership certificate: ${(err as Error).message}`)
  }
  if (cert.fleetKeyId !== fleetKeyId(fleetPublicKey)) {
    throw new NotAMemberError(`certificate is for fleet ${cert.fleetKeyId}, not ${fleetKeyId(fleetPublicKey)}`)
  }
  if (!await verifyPayload(fleetPublicKey, 'membership-cert', signed.body, signed.signature)) {
    throw new BadSignatureError('membership certificate is not signed by the fleet key')
  }
  if (opts.peerId != null && cert.peerId !== opts.peerId) {
    throw new CertificatePeerMismatchError(`certificate is for peer ${cert.peerId}, presented by ${opts.peerId}`)
  }
  checkValidity(cert, opts)
  return cert
}

/** The time and revocation part of verification, for a certificate already verified once. */
export function checkValidity (cert: Certificate, opts: VerifyOptions): void {
  if (cert.expiresMs <= opts.now) {
    throw new CertificateExpiredError(`membership certificate of ${cert.peerId} expired at ${new Date(cert.expiresMs).toISOString()}`)
  }
  if (cert.issuedMs > opts.now + CLOCK_SKEW_MS) {
    throw new CertificateExpiredError(`membership certificate of ${cert.peerId} is not valid before ${new Date(cert.issuedMs).toISOString()}`)
  }
  if (opts.revoked?.has(cert.peerId) === true) {
    throw new CertificateRevokedError(`membership of ${cert.peerId} is revoked`)
  }
}

/** Checks a revocation's fleet signature; returns what it revokes. */
export async function verifyRevocation (fleetPublicKey: PublicKey, bytes: Uint8Array): Promise<RevocationInfo> {
  if (bytes.byteLength === 0 || bytes.byteLength > MAX_CERTIFICATE_BYTES) throw new NotAMemberError(`revocation of ${bytes.byteLength} bytes is not acceptable`)
  let signed: SignedRevocation
  let rev: Revocation
  try {
    signed = SignedRevocation.decode(bytes)
    rev = Revocation.decode(signed.body)
    checkTime('issue time', rev.issuedMs)
  } catch (err) {
    throw new NotAMemberError(`not a revocation: ${(err as Error).message}`)
  }
  if (rev.fleetKeyId !== fleetKeyId(fleetPublicKey)) throw new NotAMemberError(`revocation is for fleet ${rev.fleetKeyId}, not ${fleetKeyId(fleetPublicKey)}`)
  if (rev.peerId === '') throw new NotAMemberError('revocation names no peer')
  if (!await verifyPayload(fleetPublicKey, 'revocation', signed.body, signed.signature)) {
    throw new BadSignatureError('revocation is not signed by the fleet key')
  }
  return { peerId: rev.peerId, reason: rev.reason, issuedMs: Number(rev.issuedMs), fleetKeyId: rev.fleetKeyId }
}

export function decodeRevocation (bytes: Uint8Array): RevocationInfo {
  try {
    const rev = Revocation.decode(SignedRevocation.decode(bytes).body)
    checkTime('issue time', rev.issuedMs)
    return { peerId: rev.peerId, reason: rev.reason, issuedMs: Number(rev.issuedMs), fleetKeyId: rev.fleetKeyId }
  } catch (err) {
    throw new NotAMemberError(`not a revocation: ${(err as Error).message}`)
  }
}

/** A time no fleet key signs in earnest (negative, past year 9999): the message is malformed; callers wrap this in NotAMemberError. */
function checkTime (what: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0 || v > MAX_TIMESTAMP_MS) throw new RangeError(`${what} ${v} is out of range`)
}

function toCertificate (c: MembershipCertificate): Certificate {
  checkTime('issue time', c.issuedMs)
  checkTime('expiry time', c.expiresMs)
  const labels = labelsFromPairs(c.labels)
  return { peerId: c.peerId, roles: c.roles, labels, issuedMs: Number(c.issuedMs), expiresMs: Number(c.expiresMs), fleetKeyId: c.fleetKeyId }
}

/** Text form of certificates and revocations in files: base64 of the bytes, one line. */
export function toText (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64') + '\n'
}

export function fromText (text: string): Uint8Array {
  const t = text.trim()
  if (!/^[A-Za-z0-9+/=\s]+$/.test(t)) throw new NotAMemberError('not a base64 certificate or revocation')
  return new Uint8Array(Buffer.from(t, 'base64'))
}
export * from './sync.ts'
