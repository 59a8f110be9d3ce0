/** One row per rule and direction: the contract author's table, checked. */
import { describe, expect, it } from 'vitest'
import { checkCompatibility } from '../../compat/index.ts'
import { rows } from './rules.cases.ts'

describe('compatibility rules', () => {
  it('has a row for every rule, both directions', () => {
    expect(rows.length).toBeGreaterThanOrEqual(150)
  })
  it.each(rows)('$name ($mode, $policy)', ({ prev, next, mode, policy, compatible }) => {
    const result = checkCompatibility(prev, next, { mode, ...(policy ? { policy } : {}) })
    const why = result.differences
      .map((d) => `${d.breaking ? '!' : ' '} ${d.path} ${d.kind}: ${d.message}`)
      .join('\n')
    expect(result.compatible, why).toBe(compatible)
  })
})
