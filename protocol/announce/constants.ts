/** largest encoded SignedAnnouncement accepted, bytes */
export const MAX_ANNOUNCEMENT_BYTES = 8 * 1024
/** longest lifetime an announcement may claim, ms */
export const MAX_ANNOUNCEMENT_TTL_MS = 24 * 3_600_000
/** how far in the future an announcement's issue time may be, ms (clock skew) */
export const FUTURE_SKEW_MS = 60_000
