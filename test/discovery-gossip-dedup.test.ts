/**
 * The key gossip remembers a seen message by, before its signature is
 * checked (agent/discovery/services.ts fastMessageId): equal for a
 * byte-identical copy, different as soon as any field differs, and never
 * confused by bytes moved from one field into the next.
 */
import t from 'tap'
import fc from 'fast-check'
import type { RPC } from '@libp2p/gossipsub/message'
import { fastMessageId } from '../agent/discovery/services.ts'

const bytes = fc.uint8Array({ minLength: 0, maxLength: 64 })
const message = fc.record({
  from: fc.option(bytes, { nil: undefined }),
  seqno: fc.option(bytes, { nil: undefined }),
  signature: fc.option(bytes, { nil: undefined }),
  key: fc.option(bytes, { nil: undefined }),
  data: fc.option(bytes, { nil: undefined }),
  topic: fc.string({ maxLength: 40 })
}) as fc.Arbitrary<RPC.Message>
const copy = (m: RPC.Message): RPC.Message => ({
  topic: m.topic,
  ...(m.from != null ? { from: Uint8Array.from(m.from) } : {}),
  ...(m.seqno != null ? { seqno: Uint8Array.from(m.seqno) } : {}),
  ...(m.signature != null ? { signature: Uint8Array.from(m.signature) } : {}),
  ...(m.key != null ? { key: Uint8Array.from(m.key) } : {}),
  ...(m.data != null ? { data: Uint8Array.from(m.data) } : {})
})

t.test('a byte-identical copy has the same key', async (t) => {
  fc.assert(fc.property(message, (m) => fastMessageId(copy(m)) === fastMessageId(m)))
  t.pass()
})

t.test('a copy with any field changed has another key', async (t) => {
  const fields = ['from', 'seqno', 'signature', 'key', 'data'] as const
  fc.assert(fc.property(message, fc.constantFrom(...fields), bytes, (m, field, other) => {
    const current = m[field]
    fc.pre(current == null || Buffer.compare(Buffer.from(current), Buffer.from(other)) !== 0)
    const changed = { ...copy(m), [field]: other }
    return fastMessageId(changed) !== fastMessageId(m)
  }))
  fc.assert(fc.property(message, fc.string({ maxLength: 40 }), (m, topic) => {
    fc.pre(topic !== m.topic)
    return fastMessageId({ ...copy(m), topic }) !== fastMessageId(m)
  }))
  // an absent field is not an empty one
  t.not(fastMessageId({ topic: 't', data: new Uint8Array(0) }), fastMessageId({ topic: 't' }))
})

t.test('bytes moved across a field boundary give another key', async (t) => {
  fc.assert(fc.property(bytes, bytes, fc.nat(), (a, b, cut) => {
    const all = Uint8Array.from([...a, ...b])
    const k = cut % (all.length + 1)
    fc.pre(k !== a.length)
    const m1: RPC.Message = { topic: 't', seqno: a, signature: b }
    const m2: RPC.Message = { topic: 't', seqno: all.slice(0, k), signature: all.slice(k) }
    return fastMessageId(m1) !== fastMessageId(m2)
  }))
  t.pass()
})
