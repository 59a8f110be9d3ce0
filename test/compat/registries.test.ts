/** Held-back cases from other registries' own test suites (registries.cases.ts says where from), checked. */
import Ajv from 'ajv'
import Ajv2020 from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { checkCompatibility } from '../../compat/index.ts'
import type { Schema } from '../../compat/index.ts'
import { cases, D20, samples } from './registries.cases.ts'

const ajv07 = new Ajv.default({ strict: false, allowUnionTypes: true })
const ajv20 = new Ajv2020.default({ strict: false, allowUnionTypes: true })
/** ajv refuses draft-04's `id` outright ("use $id"); it never constrains an instance, so it is dropped here. */
const withoutId = (s: Schema): Schema => {
  if (typeof s !== 'object' || !('id' in s)) return s
  const copy: Record<string, unknown> = { ...s }
  delete copy['id']
  return copy
}
const compile = (s: Schema) =>
  (typeof s === 'object' && s['$schema'] === D20 ? ajv20 : ajv07).compile(withoutId(s) as object)

describe('held-back cases from other registries', () => {
  it('has a representative set', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60)
  })
  for (const c of cases) {
    it(`${c.source}: ${c.name}`, () => {
      const verdict = checkCompatibility(structuredClone(c.prev), structuredClone(c.next), {
        mode: 'BACKWARD',
      })
      expect(verdict.compatible, JSON.stringify(verdict.differences.filter((d) => d.breaking))).toBe(c.ours)
      if (c.ours !== c.theirs) expect(c.why, 'a disagreement must say why').toBeTruthy()
      else expect(c.why).toBeUndefined()
      const prev = compile(c.prev)
      const next = compile(c.next)
      if (c.witness !== undefined) {
        expect(prev(c.witness), 'witness valid under prev').toBe(true)
        expect(next(c.witness), 'witness invalid under next').toBe(false)
      } else if (!c.ours && c.theirs)
        throw new Error('an incompatible verdict that disagrees needs a witness')
      if (c.ours)
        for (const v of samples)
          if (prev(v)) expect(next(v), `${JSON.stringify(v)} valid under prev, not next`).toBe(true)
    })
  }
})
