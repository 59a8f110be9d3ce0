import { describe, expect, it } from 'vitest'
import { checkCompatibility, checkTransitive, MODES } from '../../compat/index.ts'
import type { Schema } from '../../compat/index.ts'

const v1: Schema = { type: 'object', properties: { a: { type: 'integer' } }, additionalProperties: false }
const v2: Schema = { type: 'object', properties: { a: { type: 'number' } }, additionalProperties: false }
const v3: Schema = {
  type: 'object',
  properties: { a: { type: 'integer', minimum: 0 } },
  additionalProperties: false,
}

describe('checkTransitive', () => {
  it('non-transitive modes compare with the latest version only', () => {
    // v3 narrows v2 (BACKWARD breaks) and is FORWARD compatible with v2
    expect(checkTransitive([v1, v2], v3, { mode: 'FORWARD' }).compatible).toBe(true)
    expect(checkTransitive([v1, v2], v3, { mode: 'BACKWARD' }).compatible).toBe(false)
  })
  it('transitive modes compare with every earlier version and say which', () => {
    const r = checkTransitive([v2, v1], v3, { mode: 'BACKWARD_TRANSITIVE' })
    expect(r.compatible).toBe(false)
    expect(new Set(r.differences.filter((d) => d.breaking).map((d) => d.against))).toEqual(new Set([1, 2]))
    expect(checkTransitive([v1, v2], v2, { mode: 'BACKWARD_TRANSITIVE' }).compatible).toBe(true)
    expect(checkTransitive([v1, v2], v2, { mode: 'FULL_TRANSITIVE' }).compatible).toBe(false)
  })
  it('an empty history is compatible', () => {
    expect(checkTransitive([], v1, { mode: 'FULL_TRANSITIVE' }).compatible).toBe(true)
  })
})

describe('differences', () => {
  it('carry kind, path, previous/next values, direction, hint and a message that does not repeat the mode', () => {
    const r = checkCompatibility(v2, v3, { mode: 'FULL' })
    const d = r.differences.find((x) => x.kind === 'type-narrowed')
    expect(d).toMatchObject({
      path: '/properties/a/type',
      breaking: true,
      direction: 'BACKWARD',
      previous: ['number', 'integer'],
      hint: 'loosen instead of tighten',
    })
    expect(d?.message).toBe('type narrowed from [number] to [integer]: number no longer accepted')
  })
  it('are reported under NONE but never breaking', () => {
    const r = checkCompatibility(v1, { type: 'string' }, { mode: 'NONE' })
    expect(r.differences.length).toBeGreaterThan(0)
    expect(r.differences.every((d) => !d.breaking)).toBe(true)
  })
  it('every mode is accepted and a schema is compatible with itself', () => {
    for (const mode of MODES)
      expect(checkCompatibility(v1, v1, { mode })).toEqual({ compatible: true, differences: [] })
  })
  it('terminates on mutually recursive schemas', () => {
    const s = (t: string): Schema => ({
      $defs: {
        a: { type: 'object', properties: { b: { $ref: '#/$defs/b' } } },
        b: { type: 'object', properties: { a: { $ref: '#/$defs/a' }, v: { type: t } } },
      },
      $ref: '#/$defs/a',
    })
    expect(checkCompatibility(s('integer'), s('number')).compatible).toBe(true)
    expect(checkCompatibility(s('number'), s('integer')).compatible).toBe(false)
  })
})
