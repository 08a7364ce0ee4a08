/**
 * Path and hop-limit checks for delegations: the receiver refuses a
 * Delegate whose path already holds it (a loop), visits an agent twice, does
 * not end with the sender, or has used up its hops.
 *
 *   checkDelegatePath({ path: ['A'], hopLimit: 4, receiver: 'B', sender: 'A' }) // ['A', 'B']
 */
import { HopLimitError, LoopError, MalformedMessageError } from './errors.ts'
import { MAX_HOP_LIMIT } from './constants.ts'

export interface DelegatePathCheck {
  path: readonly string[]
  hopLimit: number
  receiver: string
  /** the authenticated remote peer: it must be the last on the path */
  sender: string
}

/** Throws LoopError, HopLimitError or MalformedMessageError; returns the path extended by the receiver. */
export function checkDelegatePath (c: DelegatePathCheck): string[] {
  if (c.path.length === 0) throw new MalformedMessageError('the path is empty')
  if (c.path[c.path.length - 1] !== c.sender) throw new MalformedMessageError('the sender must be the last agent on the path')
  if (c.hopLimit < 1 || c.hopLimit > MAX_HOP_LIMIT) throw new MalformedMessageError(`hop limit ${c.hopLimit} is outside 1-${MAX_HOP_LIMIT}`)
  if (new Set(c.path).size !== c.path.length) throw new LoopError('the path visits an agent twice')
  if (c.path.includes(c.receiver)) throw new LoopError('the path already holds this agent')
  if (c.path.length >= c.hopLimit) throw new HopLimitError(`a path of ${c.path.length} reached the hop limit ${c.hopLimit}`)
  return [...c.path, c.receiver]
}
