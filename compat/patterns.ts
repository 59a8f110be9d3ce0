import { LRUCache } from 'lru-cache'
import { compilePattern, type PatternMatcher } from '../core/patterns.ts'

/** Compiled patterns, bounded: the public compatibility route feeds this cache whatever patterns it is sent. */
const cache = new LRUCache<string, PatternMatcher | false>({ max: 512 })

/**
 * Whether `pattern` matches `s` (anywhere, as RegExp's `test`), on the linear-time engine schemas run on
 * (core/patterns.ts); undefined when the pattern cannot run there, so that nothing is judged from it.
 */
export function patternTest(pattern: string, s: string): boolean | undefined {
  let m = cache.get(pattern)
  if (m === undefined) {
    try {
      m = compilePattern(pattern)
    } catch {
      m = false
    }
    cache.set(pattern, m)
  }
  return m === false ? undefined : m.test(s)
}

/** How many compiled patterns are kept (tests show the bound). */
export const patternCacheSize = (): number => cache.size
