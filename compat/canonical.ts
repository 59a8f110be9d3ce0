import { canonicalJson } from '../core/json.ts'

/** Canonical JSON (sorted keys) and deep equality, memoised per object so repeated comparisons stay linear. */

const cache = new WeakMap<object, string>()

/** core's canonical form, memoised per schema node (schemas are never mutated once parsed). */
export const canonical = (value: unknown): string => canonicalJson(value, cache)

export const deepEqual = (a: unknown, b: unknown): boolean => a === b || canonical(a) === canonical(b)

const REF_KEYWORDS = ['$ref', '$dynamicRef', '$recursiveRef']
const refCache = new WeakMap<object, boolean>()

/** True when a subtree contains no reference, so that equal text means equal meaning. */
export function refFree(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true
  const hit = refCache.get(value)
  if (hit !== undefined) return hit
  const free = Array.isArray(value)
    ? value.every(refFree)
    : Object.entries(value).every(([k, v]) => !REF_KEYWORDS.includes(k) && refFree(v))
  refCache.set(value, free)
  return free
}
