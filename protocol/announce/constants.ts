/** largest encoded SignedAnnouncement accepted, bytes */
export const MAX_ANNOUNCEMENT_BYTES = 8 * 1024
/** longest lifetime an announcement may claim, ms */
export const MAX_ANNOUNCEMENT_TTL_MS = 24 * 3_600_000
/** how far in the future an announcement's issue time may be, ms (clock skew) */
export const FUTURE_SKEW_MS = 60_000
/** largest tunnel key binding an announcement may carry, bytes (a real one is ~150: 32 + 2 + peer ID + 4 + 8 + 64) */
export const MAX_WG_KEY_BINDING_BYTES = 512
