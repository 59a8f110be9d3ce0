/**
 * Property-based soundness: whenever the engine calls a pair compatible, real validation (ajv) must agree on
 * generated instances. BACKWARD: every instance valid under `prev` is valid under `next`; FORWARD the reverse.
 */
import Ajv2020 from 'ajv/dist/2020.js'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { checkCompatibility } from '../../compat/index.ts'
import type { Schema } from '../../compat/index.ts'
import { annotated, referencedBranches, reordered } from './variants.ts'

const ajv = new Ajv2020.default({ strict: false, allowUnionTypes: true })
const validator = (s: Schema) => ajv.compile(s as object)

const scalarType = fc.constantFrom('string', 'number', 'integer', 'boolean', 'null')
const names = fc.constantFrom('a', 'b', 'c')

/** A small grammar of schemas. Bounds and enums are small so that pairs overlap often. */
const schema: fc.Arbitrary<Schema> = fc.letrec<{ s: Schema }>((tie) => ({
  s: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ type: fc.oneof(scalarType, fc.uniqueArray(scalarType, { minLength: 1, maxLength: 3 })) }),
    fc.record({
      enum: fc.uniqueArray(
        fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom('x', 'y'), fc.constant(null)),
        { minLength: 1, maxLength: 3 },
      ),
    }),
    fc.record({ const: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom('x', 'y')) }),
    fc.record(
      {
        type: fc.constant('string'),
        minLength: fc.integer({ min: 0, max: 3 }),
        maxLength: fc.integer({ min: 0, max: 4 }),
        pattern: fc.constantFrom('^x', '^y'),
      },
      { requiredKeys: ['type'] },
    ),
    fc.record(
      {
        type: fc.constantFrom('number', 'integer'),
        minimum: fc.integer({ min: -2, max: 2 }),
        maximum: fc.integer({ min: -2, max: 4 }),
        exclusiveMinimum: fc.integer({ min: -2, max: 2 }),
        multipleOf: fc.constantFrom(1, 2, 3, 0.5),
      },
      { requiredKeys: ['type'] },
    ),
    fc.record(
      {
        type: fc.constant('array'),
        items: tie('s'),
        minItems: fc.integer({ min: 0, max: 2 }),
        maxItems: fc.integer({ min: 0, max: 3 }),
        uniqueItems: fc.boolean(),
        contains: tie('s'),
      },
      { requiredKeys: ['type'] },
    ),
    fc.record(
      {
        type: fc.constant('object'),
        properties: fc.dictionary(names, tie('s'), { maxKeys: 3 }),
        required: fc.uniqueArray(names, { maxLength: 2 }),
        additionalProperties: fc.oneof(fc.boolean(), tie('s')),
        patternProperties: fc.dictionary(fc.constantFrom('^a', '^d'), tie('s'), { maxKeys: 1 }),
        minProperties: fc.integer({ min: 0, max: 2 }),
      },
      { requiredKeys: ['type'] },
    ),
    fc.record({ anyOf: fc.array(tie('s'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ oneOf: fc.array(tie('s'), { minLength: 1, maxLength: 2 }) }),
    fc.record({ allOf: fc.array(tie('s'), { minLength: 1, maxLength: 2 }) }),
    fc.record({ not: tie('s') }),
    fc.record({ if: tie('s'), then: tie('s'), else: tie('s') }, { requiredKeys: ['if'] }),
    fc.boolean(),
  ),
})).s

/** Mutations of a schema, so that pairs are related (most random pairs are trivially incompatible). */
const mutated = (s: Schema): fc.Arbitrary<Schema> =>
  fc.oneof(
    fc.constant(s),
    schema,
    fc.constant(typeof s === 'object' ? { ...s, required: [] } : s),
    fc.constant(typeof s === 'object' ? { anyOf: [s, { type: 'null' }] } : s),
    fc.constant(typeof s === 'object' ? { ...s, additionalProperties: false } : s),
    fc.constant(
      typeof s === 'object' && 'properties' in s
        ? { ...s, properties: { ...(s['properties'] as object), c: { type: 'string' } } }
        : s,
    ),
    fc.constant(typeof s === 'object' ? { allOf: [s, { maxLength: 3 }] } : s),
  )

/** Rewritings that keep the meaning (branches reordered, reached through $ref), layered on the mutations. */
const rewritten = (s: Schema): fc.Arbitrary<Schema> =>
  fc.constantFrom(
    s,
    reordered(s) ?? s,
    referencedBranches(s) ?? s,
    referencedBranches(reordered(s) ?? s) ?? s,
  )

const pair = schema.chain((prev) =>
  fc.tuple(rewritten(prev), mutated(prev).chain(rewritten)).map(([p, next]) => ({ prev: p, next })),
)

const instance = fc
  .jsonValue({ maxDepth: 3 })
  .chain((v) =>
    fc.oneof(
      fc.constant(v),
      fc.constantFrom(
        'x',
        'y',
        'xx',
        'yyy',
        '',
        0,
        1,
        2,
        3,
        -1,
        0.5,
        1.5,
        null,
        true,
        [],
        [1, 1],
        ['x'],
        {},
        { a: 'x' },
        { a: 1, b: null },
        { c: 'x', d: 1 },
      ),
      fc.dictionary(
        fc.constantFrom('a', 'b', 'c', 'd', 'e'),
        fc.constantFrom<unknown>('x', 1, null, 2.5, [], {}),
        { maxKeys: 4 },
      ),
    ),
  )

const stats = { pairs: 0, compatiblePairs: { BACKWARD: 0, FORWARD: 0 }, instances: 0, checkedInstances: 0 }

afterAll(() => {
  console.log(
    `compat soundness: ${stats.pairs} schema pairs, ${stats.compatiblePairs.BACKWARD} BACKWARD-compatible and ${stats.compatiblePairs.FORWARD} FORWARD-compatible; ${stats.instances} candidate instances, ${stats.checkedInstances} valid under the reading side's source and checked against the other`,
  )
})

describe('soundness against ajv', () => {
  for (const mode of ['BACKWARD', 'FORWARD'] as const) {
    it(`${mode}: data valid under the source schema stays valid under the target`, () => {
      fc.assert(
        fc.property(pair, fc.array(instance, { minLength: 30, maxLength: 30 }), ({ prev, next }, values) => {
          stats.pairs++
          const verdict = checkCompatibility(prev, next, { mode })
          if (!verdict.compatible) return
          stats.compatiblePairs[mode]++
          const [from, to] = mode === 'BACKWARD' ? [prev, next] : [next, prev]
          const src = validator(from)
          const dst = validator(to)
          for (const v of values) {
            stats.instances++
            if (!src(v)) continue
            stats.checkedInstances++
            expect(
              dst(v),
              `${JSON.stringify(v)} valid under ${JSON.stringify(from)} but not ${JSON.stringify(to)}`,
            ).toBe(true)
          }
        }),
        { numRuns: 1000, seed: Number(process.env['COMPAT_SEED'] ?? 20240601) },
      )
    })
  }
})

describe('reflexivity', () => {
  it('a schema is compatible with itself, annotated, reordered and behind $ref (FULL: both directions)', () => {
    fc.assert(
      // Left out: `if` and `not`, where the engine is known to be incomplete (an `if` whose condition it can
      // neither prove nor exclude is checked against both sides, and negations are not normalised): it refuses
      // some of those copies, which is fail closed, not unsound. Identical text is always accepted (check.ts).
      fc.property(
        schema.filter((s) => !/"(if|not)"/.test(JSON.stringify(s))),
        (s) => {
          const copies = [
            annotated(s),
            annotated(reordered(s) ?? s),
            referencedBranches(reordered(s) ?? s) ?? s,
          ]
          for (const copy of copies)
            // FULL is both directions; every other mode of a single pair is one of them, or nothing (NONE).
            for (const mode of ['FULL'] as const) {
              const r = checkCompatibility(s, copy, { mode })
              expect(
                r.compatible,
                `${mode} ${JSON.stringify(s)} vs ${JSON.stringify(copy)}: ${r.differences.map((d) => d.message).join('; ')}`,
              ).toBe(true)
            }
        },
      ),
      { numRuns: 500, seed: Number(process.env['COMPAT_SEED'] ?? 20240601) },
    )
  })
})
