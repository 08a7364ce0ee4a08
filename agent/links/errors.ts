/**
 * Why a ping failed, when that matters to the failure detector. Callers and
 * tests match on `.name`.
 */

/**
 * The peer could not be reached at all: no connection was open and a dial
 * failed before the ping's deadline (connection refused, reset, no route, no
 * known address). A lossy link delays and times out; it does not refuse, so
 * this is evidence that the peer is not running where we know it.
 */
export class PeerRefusedError extends Error {
  static override name = 'PeerRefusedError'
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'PeerRefusedError'
  }
}

/**
 * The connection a ping went out on closed under it before the deadline, and
 * no other connection to the peer is open. Weaker evidence than a refusal (a
 * connection may be closed for many reasons, and a peer that restarted
 * answers the next dial), so it adds nothing to phi; but the next round, a
 * dial, follows at once instead of a whole interval later.
 */
export class LinkLostError extends Error {
  static override name = 'LinkLostError'
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'LinkLostError'
  }
}

/**
 * No beacon can be sent to the peer (beacons are off, or no UDP address of it
 * is known): not a lost heartbeat, just no second path.
 */
export class NoBeaconError extends Error {
  static override name = 'NoBeaconError'
  constructor (message: string) {
    super(message)
    this.name = 'NoBeaconError'
  }
}
