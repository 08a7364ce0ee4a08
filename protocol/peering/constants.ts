/** Wire constants of /skein/peering/1.0.0. Changing any of these is a protocol change. */

export const PROTOCOL = '/skein/peering/1.0.0'
/** the body version this build speaks; a frame with another version is refused */
export const WIRE_VERSION = 1
/** largest frame (length prefix excluded) either side reads or writes, in bytes */
export const MAX_FRAME_BYTES = 16 * 1024
/** a whole request/response exchange must finish within this, in ms */
export const STREAM_TIMEOUT_MS = 10_000
/** how far a sender's timestamp may be from ours, either way, in ms */
export const MAX_CLOCK_SKEW_MS = 60_000
/** nonces remembered against replay; beyond this the oldest are forgotten and older timestamps refused */
export const NONCE_CACHE_SIZE = 65_536
/** nonce length in bytes */
export const NONCE_BYTES = 16
/** default and largest hop limit a request or offer may carry */
export const DEFAULT_HOP_LIMIT = 4
export const MAX_HOP_LIMIT = 16
/** longest lease term anyone may ask for, in ms (one year) */
export const MAX_LEASE_MS = 366 * 24 * 3_600_000
/** lease ids: 1-64 characters of [A-Za-z0-9_-] */
export const LEASE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/
/** longest human-readable detail on a reject */
export const MAX_DETAIL_CHARS = 200
/** longest peer id string accepted */
export const MAX_PEER_ID_CHARS = 128
/** concurrent inbound peering streams per connection */
export const MAX_INBOUND_STREAMS = 64
/** latest time (ms since the epoch) a lease may name: 9999-12-31T23:59:59.999Z; later ones cannot even be printed */
export const MAX_TIMESTAMP_MS = 253_402_300_799_999
