/** Protocol IDs, size caps and deadlines of workload delegation. */

/** Delegate / Ack / Reject / Cancel / Resync: one request, one response per stream. */
export const DELEGATE_PROTOCOL = '/skein/delegate/1.0.0'
/** Long-lived: one StatusSubscribe from the consumer, then Status frames from the provider. */
export const STATUS_PROTOCOL = '/skein/delegate-status/1.0.0'

/** Largest manifest bundle one workload may carry, bytes. */
export const MAX_MANIFEST_BYTES = 256 * 1024
/** Largest frame on the delegate protocol (a Delegate with its manifests and signature), bytes. */
export const MAX_DELEGATE_FRAME_BYTES = MAX_MANIFEST_BYTES + 16 * 1024
/** Largest resync answer, bytes. */
export const MAX_RESYNC_FRAME_BYTES = 1024 * 1024
/** Largest Status frame, bytes. */
export const MAX_STATUS_FRAME_BYTES = 16 * 1024
/** Pod IPs carried in one Status. */
export const MAX_POD_IPS = 256
/** Characters of a last error carried in a Status or Reject detail. */
export const MAX_ERROR_CHARS = 500
/** Workloads one resync answer may list. */
export const MAX_RESYNC_WORKLOADS = 4096

/** A request-response exchange must finish within this, ms. */
export const REQUEST_TIMEOUT_MS = 10_000
/** A status stream with nothing to say sends the latest status again this often, ms (keeps idle links honest). */
export const STATUS_KEEPALIVE_MS = 5_000
/** Status frames queued for one slow subscriber before the oldest are dropped (the latest per workload is kept). */
export const STATUS_QUEUE_LIMIT = 256

export const DEFAULT_HOP_LIMIT = 4
export const MAX_HOP_LIMIT = 16
/** How far a consumer's clock may be from ours, ms. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000
export const NONCE_BYTES = 16

export const WORKLOAD_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/
export const LEASE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/
export const MAX_PEER_ID_CHARS = 128
/** Kubernetes object names (RFC 1123 subdomain, as in metadata.name). */
export const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
export const MAX_NAME_CHARS = 63
/** latest time (ms since the epoch) a message may carry: 9999-12-31T23:59:59.999Z */
export const MAX_TIMESTAMP_MS = 253_402_300_799_999
