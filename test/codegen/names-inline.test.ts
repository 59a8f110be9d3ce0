/**
 * namesInline writes an object's declared property names out as comparisons where ajv calls hasOwnProperty per key
 * (objects of more than 8 properties): the same verdicts, including on keys Object.prototype has.
 */
import { describe, expect, it } from 'vitest'
import { namesInline } from '../../codegen/generate.ts'
import { validateAccrualV2, validateTimeEntryV2 } from '../../generated/index.ts'

const entry = {
  id: '0b6a1c8e-6f5d-4c1b-9d1e-2a3b4c5d6e7f',
  tenantId: '7d1b4a2c-9e8f-4a6b-8c5d-1e2f3a4b5c6d',
  ownerId: '3c9e1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
  timePeriodTypeId: '00000000-0000-0000-0000-000000000001',
  shiftType: 'early',
  actualStartTime: '2026-11-20T06:00:00Z',
  actualEndTime: '2026-11-20T14:00:00Z',
  notes: 'n',
  timePeriods: [],
}

describe('declared names in the generated validators (time-entry v2: nine properties)', () => {
  it('accepts an entry with every declared property', () => {
    expect(validateTimeEntryV2(entry)).toBe(true)
  })

  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf', 'ID', 'notes ', ''])(
    'an undeclared key %j is an additional property',
    (key) => {
      // JSON.parse makes "__proto__" an own property, as a consumer's event would have it.
      const value = JSON.parse(JSON.stringify(entry).replace('{', `{${JSON.stringify(key)}:1,`)) as object
      expect(Object.keys(value)).toContain(key)
      expect(validateTimeEntryV2(value)).toBe(false)
      expect(validateTimeEntryV2.errors?.[0]).toMatchObject({
        keyword: 'additionalProperties',
        params: { additionalProperty: key },
      })
    },
  )

  it('the generated validators call hasOwnProperty for no object of up to 32 declared names', () => {
    expect(validateTimeEntryV2.toString()).not.toMatch(/\.call\(schema\d+\.properties/)
    expect(validateAccrualV2.toString()).not.toMatch(/\.call\(schema\d+\.properties/)
  })
})

describe('namesInline', () => {
  const props = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, {}]))
  const code = (properties: object) =>
    `const func2 = Object.prototype.hasOwnProperty;const schema7 = ${JSON.stringify({ description: 'a "quoted" } brace', properties })};` +
    'for(const key0 in data){if(!(func2.call(schema7.properties, key0))){}}'
  it.each([
    [
      'nine names',
      props(9),
      '(key0 === "p0" || key0 === "p1" || key0 === "p2" || key0 === "p3" || key0 === "p4" || key0 === "p5" || key0 === "p6" || key0 === "p7" || key0 === "p8")',
    ],
    [
      'names that need escaping',
      { 'a"b': {}, '\\': {}, __proto__x: {} },
      '(key0 === "a\\"b" || key0 === "\\\\" || key0 === "__proto__x")',
    ],
    ['no names', {}, 'false'],
    ['33 names: left as ajv wrote it', props(33), 'func2.call(schema7.properties, key0)'],
  ])('%s', (_name, properties, expected) => {
    expect(namesInline(code(properties))).toBe(
      code(properties).replace('func2.call(schema7.properties, key0)', expected),
    )
  })

  it('leaves a call whose schema constant it cannot find as it is', () => {
    const source = 'const func2 = Object.prototype.hasOwnProperty;if(func2.call(schema9.properties, key1)){}'
    expect(namesInline(source)).toBe(source)
  })
})
