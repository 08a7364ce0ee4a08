/**
 * Labels on the wire (announcements, membership certificates) and in config:
 * Kubernetes-style keys (`region`, `skein.dev/cost`), short values, a bounded
 * count. A decoded label set is a plain record built only from valid keys, so
 * a key like `__proto__` or `constructor` can never reach an object's
 * prototype or shadow one of its methods.
 *
 *   labelsFromPairs([{ key: 'region', value: 'eu' }]) // { region: 'eu' }
 *   labelsFromPairs([{ key: '__proto__', value: 'x' }]) // throws InvalidLabelError
 */

/** Most labels one announcement or certificate may carry. */
export const MAX_LABELS = 64
/** Longest label value, in characters. */
export const MAX_LABEL_VALUE_CHARS = 253

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

/** The pattern config schemas use for label keys (same rule as {@link labelKeyProblem}). */
export const LABEL_KEY_PATTERN = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$'

export class InvalidLabelError extends Error {
  static override name = 'InvalidLabelError'
  constructor (message: string) {
    super(message)
    this.name = 'InvalidLabelError'
  }
}

/** Why `key` is not a label key, or undefined when it is one. */
export function labelKeyProblem (key: string): string | undefined {
  const slash = key.indexOf('/')
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined
  const name = slash >= 0 ? key.slice(slash + 1) : key
  if (prefix != null && (prefix.length === 0 || prefix.length > 253 || !PREFIX.test(prefix))) {
    return `label key ${JSON.stringify(key.slice(0, 80))} has a prefix that is not a DNS subdomain`
  }
  if (!NAME.test(name)) {
    return `label key ${JSON.stringify(key.slice(0, 80))} is not a name of 1-63 letters, digits, '-', '_' or '.' starting and ending alphanumeric`
  }
  return undefined
}

/** Throws {@link InvalidLabelError} unless every key is valid, values are short and there are not too many. */
export function checkLabels (labels: Record<string, string>): void {
  checkPairs(Object.entries(labels).map(([key, value]) => ({ key, value })))
}

function checkPairs (pairs: ReadonlyArray<{ key: string, value: string }>): void {
  if (pairs.length > MAX_LABELS) throw new InvalidLabelError(`${pairs.length} labels is over the limit of ${MAX_LABELS}`)
  const seen = new Set<string>()
  for (const { key, value } of pairs) {
    const problem = labelKeyProblem(key)
    if (problem != null) throw new InvalidLabelError(problem)
    if (seen.has(key)) throw new InvalidLabelError(`label key ${JSON.stringify(key)} appears twice`)
    seen.add(key)
    if (value.length > MAX_LABEL_VALUE_CHARS) throw new InvalidLabelError(`label ${key} has a value of ${value.length} characters, over the limit of ${MAX_LABEL_VALUE_CHARS}`)
  }
}

/** A record from decoded key/value pairs; throws {@link InvalidLabelError} on a bad key, a repeated key or too many. */
export function labelsFromPairs (pairs: ReadonlyArray<{ key: string, value: string }>): Record<string, string> {
  checkPairs(pairs)
  return Object.fromEntries(pairs.map(({ key, value }) => [key, value]))
}

/** Sorted key/value pairs for encoding; throws {@link InvalidLabelError} like {@link checkLabels}. */
export function labelsToPairs (labels: Record<string, string>): Array<{ key: string, value: string }> {
  checkLabels(labels)
  return Object.entries(labels).sort(([a], [b]) => a < b ? -1 : 1).map(([key, value]) => ({ key, value }))
}
