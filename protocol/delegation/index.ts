/**
 * /skein/delegate/1.0.0 and /skein/delegate-status/1.0.0 as pure logic: the
 * consumer's workload phase machine, idempotency and fencing by (workload
 * id, generation), path and hop-limit checks, message validation with size
 * caps, manifest validation and resource requests, and the stream framing.
 * No store, no Kubernetes: agent/delegation wires these to real I/O.
 *
 *   transition('placing', 'ack')                 // 'delegated'
 *   decideDelegate({ generation: 2, fence: 0 }, 2) // { action: 'repeat' }
 *   const docs = parseManifests(yaml); requestsOf(docs)
 *   const d = await sealDelegate(key, fields, now); await openDelegate(d, { receiver, remotePeer, now })
 */
export * from './constants.ts'
export * from './errors.ts'
export * from './phases.ts'
export * from './fencing.ts'
export * from './paths.ts'
export * from './manifests.ts'
export * from './frames.ts'
export * from './streams.ts'
export { RejectReason, Phase, type Status, type DelegateBody, type Delegate, type DelegateRequest, type DelegateResponse, type Cancel, type Ack, type Reject } from '../pb/delegate.js'
