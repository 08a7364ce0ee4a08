/**
 * Throws random and hostile bytes at every generated wire decoder in
 * protocol/pb. A decoder may accept or refuse its input, but it must refuse by
 * throwing an Error — never crash the process, hang, or hold on to memory.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'

export interface Decoder {
  name: string
  decode: (buf: Uint8Array) => unknown
  encode: (obj: unknown) => Uint8Array
}

export const pbDir = join(import.meta.dirname, '..', '..', 'protocol', 'pb')

/** Every message codec exported by the generated modules. */
export async function loadDecoders (): Promise<Decoder[]> {
  const out: Decoder[] = []
  for (const file of readdirSync(pbDir).filter((f) => f.endsWith('.js')).sort()) {
    const mod = await import(join(pbDir, file)) as Record<string, unknown>
    for (const [name, value] of Object.entries(mod)) {
      const v = value as { decode?: unknown, encode?: unknown }
      if (typeof v?.decode === 'function' && typeof v?.encode === 'function') {
        out.push({ name: `${file.replace(/\.js$/, '')}.${name}`, decode: v.decode as Decoder['decode'], encode: v.encode as Decoder['encode'] })
      }
    }
  }
  return out
}

function varint (n: bigint): number[] {
  const out: number[] = []
  while (n >= 0x80n) { out.push(Number(n & 0x7fn) | 0x80); n >>= 7n }
  out.push(Number(n))
  return out
}

/** Bytes a hostile peer would send: random, huge length prefixes, deep nesting, long repeated fields. */
export function hostileBytes (): fc.Arbitrary<Uint8Array> {
  const field = fc.integer({ min: 1, max: 20 })
  return fc.oneof(
    fc.uint8Array({ maxLength: 2048 }),
    // a length-delimited field claiming far more bytes than follow
    fc.tuple(field, fc.bigInt({ min: 1n << 20n, max: (1n << 63n) - 1n }), fc.uint8Array({ maxLength: 64 }))
      .map(([f, len, tail]) => Uint8Array.from([...varint(BigInt(f << 3 | 2)), ...varint(len), ...tail])),
    // a varint that never ends
    fc.tuple(field, fc.integer({ min: 11, max: 64 })).map(([f, n]) => Uint8Array.from([...varint(BigInt(f << 3)), ...new Array<number>(n).fill(0xff)])),
    // nested length-delimited frames, deeper than anything legitimate
    fc.tuple(field, fc.integer({ min: 1, max: 200 })).map(([f, depth]) => {
      let buf: number[] = []
      for (let i = 0; i < depth; i++) buf = [...varint(BigInt(f << 3 | 2)), ...varint(BigInt(buf.length)), ...buf]
      return Uint8Array.from(buf)
    }),
    // thousands of entries of one repeated field
    fc.tuple(field, fc.integer({ min: 1000, max: 10_000 })).map(([f, n]) => {
      const one = [...varint(BigInt(f << 3 | 2)), 1, 0x41]
      const out = new Uint8Array(one.length * n)
      for (let i = 0; i < n; i++) out.set(one, i * one.length)
      return out
    }),
    // wire types 3, 4, 6 and 7 are groups or invalid
    fc.tuple(field, fc.constantFrom(3, 4, 6, 7), fc.uint8Array({ maxLength: 16 })).map(([f, wt, tail]) => Uint8Array.from([...varint(BigInt(f << 3 | wt)), ...tail]))
  )
}

export interface FuzzResult {
  decoder: string
  runs: number
  accepted: number
  refused: number
  nonErrorThrows: number
  truncatedRefused: number
  /** accepted values that cannot be encoded again (e.g. a 64-bit field beyond 2^53): handlers must range-check them */
  unencodable: number
}

/** Runs `runs` cases against one decoder; fails (throws) on anything but a decoded value or a thrown Error. */
export function fuzzDecoder (d: Decoder, runs: number, seed?: number): FuzzResult {
  const result: FuzzResult = { decoder: d.name, runs, accepted: 0, refused: 0, nonErrorThrows: 0, truncatedRefused: 0, unencodable: 0 }
  fc.assert(fc.property(hostileBytes(), fc.nat(), (bytes, cut) => {
    let decoded: unknown
    try {
      decoded = d.decode(bytes)
      result.accepted++
    } catch (err) {
      if (!(err instanceof Error)) { result.nonErrorThrows++; return false }
      result.refused++
      return true
    }
    // a truncated re-encoding of what decoded must not crash either
    let again: Uint8Array
    try {
      again = d.encode(decoded)
    } catch (err) {
      if (!(err instanceof Error)) return false
      result.unencodable++
      return true
    }
    if (again.length > 1) {
      try { d.decode(again.subarray(0, cut % again.length)) } catch (err) {
        if (!(err instanceof Error)) return false
        result.truncatedRefused++
      }
    }
    return true
  }), { numRuns: runs, ...(seed != null ? { seed } : {}) })
  return result
}
