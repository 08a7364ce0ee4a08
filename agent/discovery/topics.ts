/**
 * Names derived from the fleet: gossip topics, DHT protocol and the fleet's provider key.
 * The topics' version is that of the gossip envelope: /2 carries unsigned envelopes (the payloads sign
 * themselves), which /1 members would refuse, so the two do not meet on one topic.
 */
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'

const RAW = 0x55

export function announceTopic (fleetId: string): string {
  return `/skein/${fleetId}/announce/2`
}

export function revocationTopic (fleetId: string): string {
  return `/skein/${fleetId}/revocations/2`
}

/** watchers' verdicts that a member is unreachable (proto/verdict.proto) */
export function verdictTopic (fleetId: string): string {
  return `/skein/${fleetId}/verdicts/2`
}

/** the private DHT's protocol: never the public IPFS one */
export function dhtProtocol (fleetId: string): string {
  return `/skein/${fleetId}/kad/1.0.0`
}

export function mdnsServiceTag (fleetId: string): string {
  return `_skein-${fleetId}._udp.local`
}

/** The key every member provides in the DHT, so that reaching one member finds the rest. */
export async function fleetCid (fleetId: string): Promise<CID> {
  const digest = await sha256.digest(new TextEncoder().encode(`skein-fleet:${fleetId}`))
  return CID.createV1(RAW, digest)
}
