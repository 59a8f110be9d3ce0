/** Reference cycles that consume no input make a pair unjudgeable, on either side; real recursion does not. */
import { describe, expect, it } from 'vitest'
import { checkCompatibility, checkTransitive, MODES } from '../../compat/index.ts'
import type { Schema } from '../../compat/index.ts'
import { inPlaceCycle } from '../../compat/cycles.ts'
import { indexDoc } from '../../compat/resolve.ts'
import type { Node } from '../../compat/resolve.ts'

const N: Schema = { type: 'number' }
const cycle: Schema = { $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' }
const cycleOf = (s: Schema) => inPlaceCycle(indexDoc(structuredClone(s) as Node))

describe('reference cycles that consume no input', () => {
  it('are found, with the keyword that closes them and the chain', () => {
    expect(cycleOf(cycle)).toEqual({ path: '/$defs/b/$ref', chain: ['/$defs/a', '/$defs/b', '/$defs/a'] })
    expect(cycleOf({ allOf: [{ $ref: '#' }] })).toEqual({
      path: '/allOf/0/$ref',
      chain: ['', '/allOf/0', ''],
    })
    expect(cycleOf({ properties: { 'a/b': { anyOf: [{ $ref: '#/properties/a~1b' }] } } })).toEqual({
      path: '/properties/a~1b/anyOf/0/$ref',
      chain: ['/properties/a~1b', '/properties/a~1b/anyOf/0', '/properties/a~1b'],
    })
  })
  it('are not found in recursion through properties, items, contains, propertyNames or unreachable $defs', () => {
    for (const s of [
      { type: 'object', properties: { next: { $ref: '#' } } },
      { type: 'array', items: { $ref: '#' } },
      { type: 'array', contains: { $ref: '#' } },
      { propertyNames: { $ref: '#' } },
      { additionalProperties: { $ref: '#' } },
      { $defs: { a: { $ref: '#/$defs/a' } }, type: 'string' },
      { $schema: 'https://json-schema.org/draft/2020-12/schema', prefixItems: [{ $ref: '#' }] },
    ] as Schema[])
      expect(cycleOf(s), JSON.stringify(s)).toBeUndefined()
  })
  it('make the check unjudgeable and breaking under every mode but NONE, in either position', () => {
    for (const mode of MODES) {
      for (const [prev, next, side] of [
        [N, cycle, 'next'],
        [cycle, N, 'previous'],
      ] as const) {
        const r = checkCompatibility(prev, next, { mode, policy: 'lenient' })
        expect(r.compatible, `${mode} ${side}`).toBe(mode === 'NONE')
        expect(r.differences.map((d) => [d.kind, d.path])).toEqual([
          ['unjudgeable', '/$defs/b/$ref'],
          ['unjudgeable', '/$defs/b/$ref'],
        ])
        expect(r.differences[0]?.message).toContain(`the ${side} schema has a reference cycle`)
      }
    }
  })
  it('in any earlier version fail a transitive check', () => {
    expect(checkTransitive([cycle, N], N, { mode: 'BACKWARD_TRANSITIVE' }).compatible).toBe(false)
    expect(checkTransitive([cycle, N], N, { mode: 'BACKWARD' }).compatible).toBe(true)
  })
})
