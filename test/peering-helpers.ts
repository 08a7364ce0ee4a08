/** Real libp2p nodes on 127.0.0.1 with peering on top, for the peering tests and benchmark. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { createNode, type SkeinNode } from '../agent/node/index.ts'
import { openStore, type Store } from '../agent/store/index.ts'
import { createMetrics, type Metrics } from '../agent/metrics/index.ts'
import { systemClock } from '../agent/clock.ts'
import { silentLogger } from '../agent/logger.ts'
import { createPeering, type Peering, type PeeringInit, type PeeringNetwork, type Tenants } from '../agent/peering/index.ts'
import { zero, type Lease, type Resources } from '../protocol/peering/index.ts'

export interface TestPeer {
  id: string
  key: PrivateKey
  node: SkeinNode
  store: Store
  dir: string
  metrics: Metrics
  peering: Peering
  capacity: { value: Resources }
  tenants: FakeTenants
  members: Set<string> | 'all'
  /** while false, this peer's outbound peering dials fail (a dropped link) */
  link: { up: boolean }
  stop(): Promise<void>
}

export class FakeTenants implements Tenants {
  readonly ensured = new Map<string, Lease>()
  readonly removed: string[] = []
  hang = false
  async ensure (lease: Lease): Promise<void> {
    if (this.hang) await new Promise(() => {})
    this.ensured.set(lease.id, lease)
  }

  async remove (lease: Lease): Promise<void> {
    this.ensured.delete(lease.id)
    this.removed.push(lease.id)
  }
}

export interface PeerOptions {
  cpu?: number
  pods?: number
  init?: PeeringInit
  members?: Set<string> | 'all'
  key?: PrivateKey
  dir?: string
  tenants?: FakeTenants
}

export async function makePeer (opts: PeerOptions = {}): Promise<TestPeer> {
  const key = opts.key ?? await generateKeyPair('Ed25519')
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'skein-peering-'))
  const store = openStore({ stateDir: dir })
  const metrics = createMetrics({ processMetrics: false })
  const node = await createNode({ privateKey: key, listen: ['/ip4/127.0.0.1/tcp/0'], metrics })
  await node.start()
  const capacity = { value: { ...zero(), cpu: opts.cpu ?? 4000, pods: opts.pods ?? 40, memory: 8 * 2 ** 30 } }
  const tenants = opts.tenants ?? new FakeTenants()
  const link = { up: true }
  const members = opts.members ?? 'all'
  const network: PeeringNetwork = {
    handle: async (p, h, o) => { await node.handle(p, h, o) },
    unhandle: async (p) => { await node.unhandle(p) },
    dialProtocol: async (peer, p, o) => {
      if (!link.up) throw new Error('link down')
      return await node.dialProtocol(peer, p, o)
    }
  }
  const id = peerIdFromPrivateKey(key).toString()
  const peering = createPeering({ streamTimeoutMs: 3000, ...(opts.init ?? {}) })({
    store, clock: systemClock, logger: silentLogger(), privateKey: key, peerId: id,
    membership: { isMember: (p) => members === 'all' || members.has(p) },
    capacity: { free: () => capacity.value },
    tenants,
    network,
    metrics
  })
  await peering.start()
  let stopped = false
  return {
    id, key, node, store, dir, metrics, peering, capacity, tenants, members, link,
    async stop () {
      if (stopped) return
      stopped = true
      await peering.stop()
      await node.stop()
      store.close()
    }
  }
}

export async function connect (a: TestPeer, b: TestPeer): Promise<void> {
  await a.node.peerStore.merge(b.node.peerId, { multiaddrs: b.node.getMultiaddrs() })
  await b.node.peerStore.merge(a.node.peerId, { multiaddrs: a.node.getMultiaddrs() })
  // libp2p rate-limits inbound connections per host (all of ours come from 127.0.0.1): retry a refused dial
  for (let i = 0; ; i++) {
    try {
      await a.node.dial(b.node.peerId)
      return
    } catch (err) {
      if (i >= 20) throw err
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}

export function removeDir (dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

export async function waitFor (fn: () => boolean, timeoutMs = 10_000, stepMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!fn()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, stepMs))
  }
}
