/** largest encoded SignedAnnouncement accepted, bytes */
export const MAX_ANNOUNCEMENT_BYTES = 8 * 1024
/** longest lifetime an announcement may claim, ms */
export const MAX_ANNOUNCEMENT_TTL_MS = 24 * 3_600_000
/** how far in the future an announcement's issue time may be, ms (clock skew) */
export const FUTURE_SKEW_MS = 60_000
/** largest tunnel key binding an announcement may carry, bytes (a real one is ~150: 32 + 2 + peer ID + 4 + 8 + 64) */
export const MAX_WG_KEY_BINDING_BYTES = 512
/** latest issue or expiry time an announcement may carry, ms since the epoch (9999-12-31T23:59:59.999Z): beyond it a date cannot be printed */
export const MAX_TIMESTAMP_MS = 253_402_300_799_999
/** longest period between announcements an announcement may claim, ms (a third of the longest lifetime) */
export const MAX_ANNOUNCE_INTERVAL_MS = MAX_ANNOUNCEMENT_TTL_MS / 3
