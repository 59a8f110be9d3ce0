/**
 * Every cache the public routes feed is bounded: compiled patterns in the compatibility engine (an LRU), ajv
 * instances fed distinct schemas (replaced every N compilations), and metric label sets (made-up methods are one
 * label). The soak (scripts/bench/soak.ts) shows the whole process's memory coming back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkCompatibility } from '../../compat/index.ts'
import { patternCacheSize } from '../../compat/patterns.ts'
import { createAjv, formats, recyclingAjv } from '../../core/index.ts'
import type { Registry } from '../../registry/index.ts'
import { testRegistry } from './helpers.ts'

describe('bounded caches', () => {
  it('the compatibility engine keeps at most 512 compiled patterns, however many it is sent', () => {
    for (let i = 0; i < 700; i++) {
      const prev = { type: 'object', properties: { [`p${i}`]: { type: 'string' } } }
      const next = { ...prev, patternProperties: { [`^q${i}-[a-z]+$`]: { type: 'string' } } }
      checkCompatibility(prev, next, { mode: 'BACKWARD' })
    }
    expect(patternCacheSize()).toBeGreaterThan(0)
    expect(patternCacheSize()).toBeLessThanOrEqual(512)
  })

  it('an ajv instance is replaced after `every` compilations (ajv keeps each one’s scope while it lives)', () => {
    const next = recyclingAjv(() => createAjv({ formats }), 3)
    const first = next()
    expect([next(), next()]).toEqual([first, first])
    const fourth = next()
    expect(fourth).not.toBe(first)
    expect(next()).toBe(fourth)
  })

  describe('metric label sets', () => {
    let registry: Registry
    beforeAll(async () => {
      registry = await testRegistry()
    }, 120_000)
    afterAll(() => registry.close())

    it('a made-up method is counted as OTHER, not as a label of its own', async () => {
      for (let i = 0; i < 20; i++) await registry.app.request('/health', { method: `MADEUP${i}` })
      const text = await (await registry.app.request('/metrics')).text()
      expect(text).not.toMatch(/method="MADEUP/)
      expect(text).toMatch(/registry_http_requests_total\{method="OTHER",route="\/\*",status="404"\} 20/)
    })
  })
})
