/**
 * The Network of delegation on a real libp2p node: dial a peer's protocol,
 * handle ours with the remote peer's ID.
 *
 *   const network = libp2pNetwork(node)
 */
import type { Libp2p, AbortOptions, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Network } from './types.ts'

export interface Libp2pNetworkInit {
  /** inbound streams per connection and protocol; default 64 */
  maxInboundStreams?: number
  maxOutboundStreams?: number
}

export function libp2pNetwork (node: Libp2p, init: Libp2pNetworkInit = {}): Network {
  return {
    async dial (peerId: string, protocol: string, options: AbortOptions = {}): Promise<Stream> {
      return await node.dialProtocol(peerIdFromString(peerId), protocol, options)
    },
    async handle (protocol, handler) {
      await node.handle(protocol, (stream, connection) => { handler(stream, connection.remotePeer.toString()) }, {
        maxInboundStreams: init.maxInboundStreams ?? 64,
        maxOutboundStreams: init.maxOutboundStreams ?? 64
      })
    },
    async unhandle (protocol) {
      await node.unhandle(protocol)
    }
  }
}
