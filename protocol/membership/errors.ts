/**
 * Why a membership certificate or revocation was refused. Callers and tests
 * match on `.name`.
 */
export class MembershipError extends Error {
  static override name = 'MembershipError'
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = (this.constructor as typeof MembershipError).name
  }
}

/** No certificate, or one that cannot be decoded, or one for another fleet. */
export class NotAMemberError extends MembershipError {
  static override name = 'NotAMemberError'
}

export class CertificateExpiredError extends MembershipError {
  static override name = 'CertificateExpiredError'
}

export class CertificateRevokedError extends MembershipError {
  static override name = 'CertificateRevokedError'
}

/** The certificate is valid but names another peer ID than the one presenting it. */
export class CertificatePeerMismatchError extends MembershipError {
  static override name = 'CertificatePeerMismatchError'
}

/** The fleet key did not sign this. */
export class BadSignatureError extends MembershipError {
  static override name = 'BadSignatureError'
}
