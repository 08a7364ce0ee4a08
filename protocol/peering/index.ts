/**
 * /skein/peering/1.0.0 as pure logic: no sockets, no Kubernetes. Seals and
 * opens signed frames, refuses bad ones with a typed reject, and dispatches
 * good ones to handlers that the agent supplies (agent/peering). The lease
 * state machine, the ledger decision, resource arithmetic and path-vector
 * loop detection live beside it and are exported from here.
 *
 *   const proto = peeringProtocol()({ privateKey, peerId, clock })
 *   // provider: frame in, frame out
 *   const answer = await proto.handleFrame(frame, remotePeer, handlers)
 *   // consumer
 *   const frame = await proto.seal(provider, { request })
 *   const { body, kind } = await proto.open(answerFrame, provider)
 */
import type { PrivateKey } from '@libp2p/interface'
import { RejectReason, type PeeringFrame } from '../pb/peering.js'
import { MAX_CLOCK_SKEW_MS, NONCE_CACHE_SIZE, MAX_DETAIL_CHARS } from './constants.ts'
import { NonceCache, open, seal, type BodyMessage, type MessageKind, type Opened } from './frames.ts'
import { reasonFor, MalformedFrameError } from './errors.ts'

export * from './constants.ts'
export * from './errors.ts'
export * from './resources.ts'
export * from './lease.ts'
export * from './ledger.ts'
export * from './paths.ts'
export { NonceCache, seal, open, validateMessage, messageKinds, type BodyMessage, type MessageKind, type Opened } from './frames.ts'
export { RejectReason } from '../pb/peering.js'

export interface PeeringInit {
  /** how far a peer's clock may be from ours, ms; default 60 000 */
  maxSkewMs?: number
  /** nonces remembered against replay; default 65 536 */
  nonceCacheSize?: number
}

export interface PeeringComponents {
  privateKey: PrivateKey
  peerId: string
  clock: { now(): number }
}

/** What the agent does with a good frame: returns the message to answer with. */
export type FrameHandler = (opened: Opened, remotePeer: string) => Promise<BodyMessage> | BodyMessage

/** Called for every refused frame, for metrics and logs; nothing else happens. */
export type RejectObserver = (reason: RejectReason, err: unknown, remotePeer: string) => void

export interface PeeringProtocol {
  readonly peerId: string
  /** Seals a message to `recipient`. */
  seal(recipient: string, message: BodyMessage): Promise<PeeringFrame>
  /** Opens a frame from `remotePeer` addressed to us; throws a PeeringError. */
  open(frame: PeeringFrame, remotePeer: string): Promise<Opened>
  /** Opens, dispatches and seals the answer; a refused frame is answered with a reject and the handler is never called. */
  handleFrame(frame: PeeringFrame, remotePeer: string, handler: FrameHandler, onReject?: RejectObserver): Promise<PeeringFrame>
  /** A sealed reject for `err` (for frames that could not even be read). */
  rejectFrame(recipient: string, err: unknown, leaseId?: string): Promise<PeeringFrame>
}

class Protocol implements PeeringProtocol {
  readonly peerId: string
  private readonly components: PeeringComponents
  private readonly nonces: NonceCache
  private readonly maxSkewMs: number

  constructor (init: PeeringInit, components: PeeringComponents) {
    this.components = components
    this.peerId = components.peerId
    this.maxSkewMs = init.maxSkewMs ?? MAX_CLOCK_SKEW_MS
    this.nonces = new NonceCache({ capacity: init.nonceCacheSize ?? NONCE_CACHE_SIZE, windowMs: this.maxSkewMs })
  }

  async seal (recipient: string, message: BodyMessage): Promise<PeeringFrame> {
    return await seal({ privateKey: this.components.privateKey, sender: this.peerId, recipient, now: this.components.clock.now() }, message)
  }

  async open (frame: PeeringFrame, remotePeer: string): Promise<Opened> {
    return await open(frame, { self: this.peerId, remotePeer, now: this.components.clock.now(), nonces: this.nonces, maxSkewMs: this.maxSkewMs })
  }

  async handleFrame (frame: PeeringFrame, remotePeer: string, handler: FrameHandler, onReject?: RejectObserver): Promise<PeeringFrame> {
    let opened: Opened
    try {
      opened = await this.open(frame, remotePeer)
    } catch (err) {
      onReject?.(reasonFor(err), err, remotePeer)
      return await this.rejectFrame(remotePeer, err)
    }
    const leaseId = leaseIdOf(opened)
    try {
      const answer = await handler(opened, remotePeer)
      if (answer.reject != null) onReject?.(answer.reject.reason, undefined, remotePeer)
      return await this.seal(remotePeer, answer)
    } catch (err) {
      onReject?.(reasonFor(err), err, remotePeer)
      return await this.rejectFrame(remotePeer, err, leaseId)
    }
  }

  async rejectFrame (recipient: string, err: unknown, leaseId = ''): Promise<PeeringFrame> {
    return await this.seal(recipient, { reject: rejectFor(err, leaseId) })
  }
}

/** The reject message for an error: reason enum, and a short detail only when the error is ours to explain. */
export function rejectFor (err: unknown, leaseId = ''): { leaseId: string, reason: RejectReason, detail: string } {
  const reason = reasonFor(err)
  const detail = reason === RejectReason.INTERNAL ? '' : (err as Error).message.slice(0, MAX_DETAIL_CHARS)
  return { leaseId, reason, detail }
}

export function leaseIdOf (opened: Opened): string {
  const m = opened.body[opened.kind] as { leaseId?: string } | undefined
  return m?.leaseId ?? ''
}

/** The one message of an answer, checked to be of an expected kind. */
export function expectKind<K extends MessageKind> (opened: Opened, ...kinds: K[]): K {
  if (!(kinds as MessageKind[]).includes(opened.kind)) throw new MalformedFrameError(`expected ${kinds.join(' or ')}, got ${opened.kind}`)
  return opened.kind as K
}

export function peeringProtocol (init: PeeringInit = {}): (components: PeeringComponents) => PeeringProtocol {
  return (components) => new Protocol(init, components)
}
