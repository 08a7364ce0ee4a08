import t from 'tap'
import fc from 'fast-check'
import {
  decide, sum, sub, add, fits, zero, isZero, checkPath, transitiveOffer, allocateTransitive, totalOffer, overcommitted,
  min as rmin, type Resources, type HeldCapacity
} from '../protocol/peering/index.ts'

const res = (cpu: number, pods: number): Resources => ({ ...zero(), cpu, pods })
const arbRes = fc.record({ cpu: fc.integer({ min: 0, max: 8000 }), pods: fc.integer({ min: 0, max: 50 }) }).map((r) => res(r.cpu, r.pods))

t.test('the ledger never overcommits under any order of requests and releases', async (t) => {
  fc.assert(fc.property(
    arbRes,
    fc.array(fc.oneof(
      fc.record({ kind: fc.constant('req' as const), ask: arbRes, min: arbRes }),
      fc.record({ kind: fc.constant('rel' as const), pick: fc.nat() })
    ), { maxLength: 60 }),
    (offered, ops) => {
      const held: Resources[] = []
      for (const op of ops) {
        if (op.kind === 'rel') {
          if (held.length > 0) held.splice(op.pick % held.length, 1)
          continue
        }
        const d = decide({ ask: op.ask, min: op.min, offered, granted: sum(held), minGrant: res(100, 1) })
        if (d.ok) {
          if (!fits(d.quota, op.ask)) return false
          held.push(d.quota)
        }
        if (overcommitted(offered, sum(held)) != null) return false
      }
      return true
    }), { numRuns: 300 })
  t.pass('no counterexample')
})

t.test('forwarded requests never visit an agent twice nor pass the hop limit', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 2, max: 8 }),
    fc.integer({ min: 1, max: 6 }),
    fc.array(fc.nat(), { minLength: 1, maxLength: 20 }),
    (n, hopLimit, hops) => {
      const agents = Array.from({ length: n }, (_, i) => `P${i}`)
      let path = [agents[(hops[0] ?? 0) % n] as string]
      for (const h of hops.slice(1)) {
        const receiver = agents[h % n] as string
        try {
          path = checkPath({ path, hopLimit, receiver, sender: path[path.length - 1] as string })
        } catch (err) {
          const name = (err as Error).name
          if (name === 'LoopDetectedError' && !path.includes(receiver)) return false
          if (name === 'HopLimitError' && path.length < hopLimit) return false
          break
        }
        if (new Set(path).size !== path.length || path.length > hopLimit) return false
      }
      return true
    }), { numRuns: 500 })
  t.pass('no counterexample')
})

interface Agent { id: string, pool: Resources, granted: Resources, held: HeldCapacity[] }

t.test('transitive offers over random peering graphs: no loops, no capacity counted twice', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 2, max: 7 }),
    fc.integer({ min: 2, max: 6 }),
    fc.array(fc.record({ c: fc.nat(), p: fc.nat(), ask: arbRes }), { minLength: 1, maxLength: 50 }),
    fc.array(arbRes, { minLength: 7, maxLength: 7 }),
    (n, hopLimit, ops, pools) => {
      const agents: Agent[] = Array.from({ length: n }, (_, i) => ({ id: `A${i}`, pool: pools[i] as Resources, granted: zero(), held: [] }))
      for (const op of ops) {
        const consumer = agents[op.c % n] as Agent
        const provider = agents[op.p % n] as Agent
        if (consumer === provider) continue
        // what the provider offers the consumer: its own remaining, plus what it may re-offer
        const own = sub(provider.pool, provider.granted)
        const parts = transitiveOffer({ self: provider.id, to: consumer.id, held: provider.held, hopLimit })
        const offer = totalOffer(own, parts)
        const want = rmin(op.ask, offer)
        if (isZero(want)) continue
        // own capacity first
        const fromOwn = rmin(want, own)
        if (!isZero(fromOwn)) {
          provider.granted = add(provider.granted, fromOwn)
          consumer.held.push({ provider: provider.id, path: [provider.id], quota: fromOwn, reoffered: zero() })
        }
        const rest = sub(want, fromOwn)
        if (!isZero(rest)) {
          for (const a of allocateTransitive({ self: provider.id, to: consumer.id, held: provider.held, hopLimit, ask: rest })) {
            const h = provider.held[a.index] as HeldCapacity
            h.reoffered = add(h.reoffered, a.take)
            // the consumer checks the path before taking it
            checkPath({ path: a.path, hopLimit, receiver: consumer.id })
            consumer.held.push({ provider: provider.id, path: a.path, quota: a.take, reoffered: zero() })
          }
        }
      }
      for (const a of agents) {
        if (!fits(a.granted, a.pool)) return false
        for (const h of a.held) {
          // no path visits an agent twice, none comes back to its holder, none passes the hop limit
          if (new Set(h.path).size !== h.path.length) return false
          if (h.path.includes(a.id)) return false
          if (h.path.length >= hopLimit + 1) return false
          if (!fits(h.reoffered, h.quota)) return false
        }
      }
      // conservation: capacity from each origin, wherever it now sits, adds up to what the origin granted
      for (const origin of agents) {
        const net = sum(agents.flatMap((a) => a.held.filter((h) => h.path[0] === origin.id).map((h) => sub(h.quota, h.reoffered))))
        if (net.cpu !== origin.granted.cpu || net.pods !== origin.granted.pods) return false
      }
      return true
    }), { numRuns: 300 })
  t.pass('no counterexample')
})
