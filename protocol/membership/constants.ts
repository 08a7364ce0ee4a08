export const MEMBERSHIP_PROTOCOL = '/skein/membership/1.0.0'
/** largest encoded SignedCertificate or SignedRevocation accepted */
export const MAX_CERTIFICATE_BYTES = 4096
/** largest MembershipHello frame */
export const MAX_HELLO_BYTES = 1024 * 1024
/** how many revocations and announcements a hello carries at most */
export const MAX_HELLO_REVOCATIONS = 1024
export const MAX_HELLO_ANNOUNCEMENTS = 512
/** tolerated clock skew between the issuer and the checker, ms */
export const CLOCK_SKEW_MS = 5 * 60_000
/** latest issue or expiry time a certificate or revocation may carry, ms since the epoch (9999-12-31T23:59:59.999Z) */
export const MAX_TIMESTAMP_MS = 253_402_300_799_999
