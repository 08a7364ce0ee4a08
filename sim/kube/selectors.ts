/**
 * Label selectors (`app=web,tier!=db,env in (a,b),!legacy`) and field
 * selectors (`metadata.name=x,status.phase!=Running`) as the API server parses
 * them, plus the structured `matchLabels`/`matchExpressions` form.
 */

export type Obj = Record<string, unknown>

export class SelectorError extends Error {
  static override name = 'SelectorError'
}

type Requirement =
  | { key: string, op: 'eq' | 'neq', value: string }
  | { key: string, op: 'in' | 'notin', values: string[] }
  | { key: string, op: 'exists' | 'notexists' }

/** Splits on commas outside parentheses. */
function splitTerms (s: string): string[] {
  const out: string[] = []
  let depth = 0
  let cur = ''
  for (const ch of s) {
    if (ch === '(') depth++
    if (ch === ')') depth--
    if (ch === ',' && depth === 0) { out.push(cur); cur = '' } else cur += ch
  }
  if (cur.trim() !== '') out.push(cur)
  return out.map((x) => x.trim()).filter((x) => x !== '')
}

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean

export function parseLabelSelector (s: string | undefined): LabelMatcher {
  if (s == null || s.trim() === '') return () => true
  const reqs: Requirement[] = splitTerms(s).map((term) => {
    let m = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term)
    if (m != null) return { key: m[1] as string, op: m[2] as 'in' | 'notin', values: (m[3] as string).split(',').map((v) => v.trim()).filter((v) => v !== '') }
    m = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s,()]*)$/.exec(term)
    if (m != null) return { key: m[1] as string, op: m[2] === '!=' ? 'neq' : 'eq', value: m[3] as string }
    m = /^!\s*([^\s!=()]+)$/.exec(term)
    if (m != null) return { key: m[1] as string, op: 'notexists' }
    m = /^([^\s!=()]+)$/.exec(term)
    if (m != null) return { key: m[1] as string, op: 'exists' }
    throw new SelectorError(`unable to parse requirement: ${term}`)
  })
  return (labels) => reqs.every((r) => {
    const v = labels?.[r.key]
    switch (r.op) {
      case 'eq': return v === r.value
      case 'neq': return v !== r.value
      case 'in': return v != null && r.values.includes(v)
      case 'notin': return v == null || !r.values.includes(v)
      case 'exists': return v != null
      case 'notexists': return v == null
    }
    return false
  })
}

export interface StructuredSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: Array<{ key: string, operator: string, values?: string[] }>
}

/** A structured selector; an empty one matches everything, a missing one nothing. */
export function structuredMatcher (sel: StructuredSelector | undefined): LabelMatcher {
  if (sel == null) return () => false
  return (labels) => {
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels?.[k] !== v) return false
    for (const e of sel.matchExpressions ?? []) {
      const v = labels?.[e.key]
      switch (e.operator) {
        case 'In': if (v == null || !(e.values ?? []).includes(v)) return false; break
        case 'NotIn': if (v != null && (e.values ?? []).includes(v)) return false; break
        case 'Exists': if (v == null) return false; break
        case 'DoesNotExist': if (v != null) return false; break
        default: return false
      }
    }
    return true
  }
}

export type ObjectMatcher = (obj: Obj) => boolean

function fieldValue (obj: Obj, path: string): string {
  let cur: unknown = obj
  for (const p of path.split('.')) {
    if (cur == null || typeof cur !== 'object') return ''
    cur = (cur as Obj)[p]
  }
  if (cur == null) return ''
  return typeof cur === 'string' ? cur : JSON.stringify(cur)
}

export function parseFieldSelector (s: string | undefined): ObjectMatcher {
  if (s == null || s.trim() === '') return () => true
  const reqs = splitTerms(s).map((term) => {
    const m = /^([A-Za-z0-9.]+)\s*(==|=|!=)\s*(.*)$/.exec(term)
    if (m == null) throw new SelectorError(`invalid selector: '${s}'; can't understand '${term}'`)
    return { path: m[1] as string, neq: m[2] === '!=', value: m[3] as string }
  })
  return (obj) => reqs.every((r) => (fieldValue(obj, r.path) === r.value) !== r.neq)
}
