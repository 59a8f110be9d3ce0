/**
 * Held-back cases from other registries' own test suites, copied here (nothing is fetched at test time) and
 * checked by registries.test.ts.
 * Every row is a BACKWARD question: is every instance valid under `prev` valid under `next`?
 *
 * `theirs` is the registry's own verdict; `ours` is what this engine answers. Where they differ, `why` says
 * how and why, and it is backed by semantics: for `ours: false` a `witness` instance that ajv accepts under
 * `prev` and rejects under `next`; for `ours: true` the test checks `samples` (and the witnesses of all rows)
 * with ajv too: none valid under `prev` may be invalid under `next`.
 *
 * Sources:
 * - Confluent: confluentinc/schema-registry, json-schema-provider/src/test/resources/diff-schema-examples.json
 *   (draft-07), diff-schema-examples-2020-12.json and diff-combined-schema-examples.json. Their `compatible`
 *   is BACKWARD compatibility. The `confluent:reserved` metadata cases are left out: they are about
 *   registry metadata, not about the schemas.
 * - Karapace: Aiven-Open/karapace, tests/unit/compatibility/jsonschema/test_jsonschema_compatibility.py, with
 *   the schemas of tests/schemas/json_schemas.py (draft-07). `compatibility(reader, writer)`: reader = next,
 *   writer = previous.
 */
import type { Schema } from '../../compat/index.ts'

export interface Case {
  source: 'confluent-07' | 'confluent-2020-12' | 'confluent-combined' | 'karapace'
  name: string
  prev: Schema
  next: Schema
  /** The registry's own BACKWARD verdict. */
  theirs: boolean
  /** This engine's BACKWARD verdict. */
  ours: boolean
  /** Required when ours !== theirs. */
  why?: string
  /** Valid under prev, invalid under next (required when ours is false and theirs true). */
  witness?: unknown
}

export const D20 = 'https://json-schema.org/draft/2020-12/schema'
const S = { type: 'string' }
const N = { type: 'number' }
const I = { type: 'integer' }
const B = { type: 'boolean' }
const NUL = { type: 'null' }
const nullOrString = { oneOf: [NUL, S] }
const props = (p: Record<string, unknown>, extra: Record<string, unknown> = {}): Schema => ({
  properties: p,
  ...extra,
})
const arr = (extra: Record<string, unknown>): Schema => ({ type: 'array', ...extra })
const obj = (p: Record<string, unknown>, extra: Record<string, unknown> = {}): Schema => ({
  type: 'object',
  properties: p,
  ...extra,
})
const prop1 = (s: unknown): Schema => obj({ prop1: s })

// ---- Confluent, diff-schema-examples.json (draft-07) ----
const c07 = (name: string, prev: Schema, next: Schema, theirs: boolean, more: Partial<Case> = {}): Case => ({
  source: 'confluent-07',
  name,
  prev,
  next,
  theirs,
  ours: theirs,
  ...more,
})
const confluent07: Case[] = [
  c07('Anything can change to empty schema', props({}), {}, true),
  c07('Detect changes to id', { id: 'something' }, { id: 'something_else' }, true),
  c07('Detect changes to title', { title: 'something' }, { title: 'something_else' }, true),
  c07('Detect changes to description', { description: 'something' }, { description: 'something_else' }, true),
  c07('Detect changes to simple schema type', { type: 'object' }, { type: 'array' }, false),
  c07('Detect increased minLength string schema', { ...S, minLength: 10 }, { ...S, minLength: 11 }, false),
  c07('Detect decreased minLength string schema', { ...S, minLength: 11 }, { ...S, minLength: 10 }, true),
  c07('Detect increased maxLength string schema', { ...S, maxLength: 10 }, { ...S, maxLength: 12 }, true),
  c07('Detect decreased maxLength string schema', { ...S, maxLength: 12 }, { ...S, maxLength: 10 }, false),
  c07('Detect removed pattern from string schema', { ...S, pattern: 'uuid' }, S, true),
  c07(
    'Detect changes to pattern string schema',
    { ...S, pattern: 'date-time' },
    { ...S, pattern: 'uuid' },
    false,
  ),
  c07(
    'Detect changes to pattern (unchanged)',
    { ...S, pattern: 'date-time' },
    { ...S, pattern: 'date-time' },
    true,
  ),
  c07('Detect removed maximum number schema', { ...N, maximum: 10 }, N, true),
  c07('Detect increased maximum number schema', { ...N, maximum: 10 }, { ...N, maximum: 11 }, true),
  c07('Detect decreased maximum number schema', { ...N, maximum: 11 }, { ...N, maximum: 10 }, false),
  c07('Detect removed minimum number schema', { ...N, minimum: 10 }, N, true),
  c07('Detect increased minimum number schema', { ...N, minimum: 10 }, { ...N, minimum: 11 }, false),
  c07('Detect decreased minimum number schema', { ...N, minimum: 11 }, { ...N, minimum: 10 }, true),
  c07('Detect removed multipleOf number schema', { ...N, multipleOf: 10 }, N, true),
  c07('Detect reduced multipleOf number schema', { ...N, multipleOf: 10 }, { ...N, multipleOf: 2 }, true),
  c07(
    'Detect changes to multipleOf number schema',
    { ...N, multipleOf: 10 },
    { ...N, multipleOf: 11 },
    false,
  ),
  c07('Detect narrowed change to number schema', N, I, false),
  c07('Detect extended change to number schema', I, N, true),
  c07('Detect compatible change to not schema', { not: N }, { not: I }, true),
  c07('Detect incompatible change to not schema', { not: I }, { not: N }, false),
  c07('Detect removed enum', { ...S, enum: ['red'] }, S, true),
  c07(
    'Detect incompatible changes to enum schema',
    { allOf: [S, { enum: ['red'] }] },
    { allOf: [S, { enum: ['blue'] }] },
    false,
  ),
  c07(
    'Detect compatible changes to enum schema',
    { allOf: [S, { enum: ['red'] }] },
    { allOf: [{ enum: ['red', 'blue'] }, S] },
    true,
  ),
  c07('Detect changes to type array', { type: ['object'] }, { type: ['object', 'array'] }, true),
  c07('Detect changes to sub schemas', { oneOf: [S] }, { oneOf: [N] }, false),
  c07('Detect changes to number of sub schemas', { oneOf: [S] }, { oneOf: [N, S] }, true),
  c07('Detect changes to remove properties', props({ foo: S }), props({ bar: S }), false),
  c07('Detect change type of properties', props({ foo: S }), props({ foo: N }), false),
  c07(
    'Detect optional property added to closed content model',
    props({ foo: S }, { additionalProperties: false }),
    props({ foo: S, bar: N }, { additionalProperties: false }),
    true,
  ),
  c07(
    'Detect property added to partially open content model 1',
    props({ foo: S }, { additionalProperties: false, patternProperties: { '^S_': S, '^I_': I } }),
    props({ foo: S, I_123: N }, { additionalProperties: false, patternProperties: { '^S_': S, '^I_': I } }),
    true,
  ),
  c07(
    'Detect property added to partially open content model 2',
    props({ foo: S }, { additionalProperties: S }),
    props({ foo: S, bar: S }, { additionalProperties: S }),
    true,
  ),
  c07(
    'Detect property added to partially open content model 3',
    props({ foo: S }, { additionalProperties: S }),
    props({ foo: S, bar: N }, { additionalProperties: S }),
    false,
  ),
  c07(
    'Detect property added to partially open content model 4',
    props({ foo: S }, { additionalProperties: S }),
    props({ foo: S, bar: S }, { required: ['bar'], additionalProperties: S }),
    false,
  ),
  c07(
    'Detect property removed from partially open content model 1',
    props({ foo: S, I_123: I }, { additionalProperties: false }),
    props({ foo: S }, { additionalProperties: false, patternProperties: { '^S_': S, '^I_': N } }),
    true,
  ),
  c07(
    'Detect property removed from partially open content model 2',
    props({ foo: S, bar: S }, { additionalProperties: false }),
    props({ foo: S }, { additionalProperties: S }),
    true,
  ),
  c07(
    'Detect property removed from partially open content model 3',
    props({ foo: S, bar: N }, { additionalProperties: false }),
    props({ foo: S }, { additionalProperties: S }),
    false,
  ),
  c07(
    'Detect property removed from partially open content model 4',
    props({ foo: S, bar: nullOrString }, { additionalProperties: false }),
    props({ foo: S }, { additionalProperties: nullOrString }),
    true,
  ),
  c07(
    'Detect property removed from partially open content model 5',
    props({ foo: S, bar: S }, { additionalProperties: false }),
    props({ foo: S }, { additionalProperties: nullOrString }),
    true,
  ),
  c07('Detect property added to open content model', props({ foo: S }), props({ foo: S, bar: N }), false),
  c07(
    'Detect changes to composed schema type',
    { oneOf: [props({ foo: S })] },
    { oneOf: [props({ foo: N })] },
    false,
  ),
  c07(
    'Detect changes to validation criteria in composed schema type',
    { oneOf: [S] },
    { allOf: [S] },
    false,
    {
      ours: true,
      why: 'oneOf with a single branch and allOf with the same single branch both mean exactly {type: string}: the two schemas accept the same instances. Confluent compares the combinator keyword, not what it accepts.',
    },
  ),
  c07(
    'Detect changes to dependencies as array',
    props({ foo: N, bar: S }, { dependencies: { foo: ['bar'] } }),
    props({ foo: N, bar: S }, { dependencies: { bar: ['foo'] } }),
    false,
  ),
  c07(
    'Detect compatible changes to dependencies schemas (one removed)',
    { dependencies: { foo: S, bar: S } },
    { dependencies: { foo: S } },
    true,
  ),
  c07(
    'Detect compatible changes to dependencies schemas (all removed)',
    { dependencies: { foo: S } },
    { dependencies: {} },
    true,
  ),
  c07(
    'Detect incompatible changes to dependencies schemas',
    { dependencies: { foo: S } },
    { dependencies: { foo: N } },
    false,
    {
      ours: true,
      why: 'A dependency schema applies to the object itself when "foo" is present, and an object is never a string nor a number: both versions reject exactly the objects that carry "foo" and accept everything else, so no instance tells them apart.',
    },
  ),
  c07(
    'Detect changes to dependencies properties',
    { dependencies: { foo: S } },
    { dependencies: { bar: S } },
    false,
  ),
  c07(
    'Detect required array to be removed',
    props({ foo: S }, { required: ['foo'] }),
    props({ foo: S }),
    true,
  ),
  c07(
    'Detect required array to be added',
    props({ foo: S }),
    props({ foo: S }, { required: ['foo'] }),
    false,
  ),
  c07(
    'Detect required array to be changed',
    props({ foo: S }, { required: ['foo'] }),
    props({ foo: S }, { required: ['bar'] }),
    true,
    {
      ours: false,
      why: 'The next version requires "bar", which the previous one neither required nor declared: {"foo": "x"} was valid and is now rejected. Confluent only reports that "foo" stopped being required.',
      witness: { foo: 'x' },
    },
  ),
  c07('Detect removed maxProperties', props({}, { maxProperties: 1 }), props({}), true),
  c07('Detect increased maxProperties', { maxProperties: 1 }, { maxProperties: 2 }, true),
  c07('Detect decreased maxProperties', { maxProperties: 2 }, { maxProperties: 1 }, false),
  c07('Detect removed minProperties', props({}, { minProperties: 2 }), props({}), true),
  c07('Detect increased minProperties', { minProperties: 1 }, { minProperties: 2 }, false),
  c07('Detect decreased minProperties', { minProperties: 2 }, { minProperties: 1 }, true),
  c07('Detect changes to all items schema (added)', arr({}), arr({ items: S }), false),
  c07('Detect changes to all items schema (removed)', arr({ items: S }), arr({}), true),
  c07('Detect changes to items schema list', arr({ items: [S, N] }), arr({}), true),
  c07(
    'Detect item added to partially open content model 1',
    arr({ items: [S, N], additionalItems: S }),
    arr({ items: [S, N, S], additionalItems: S }),
    true,
  ),
  c07(
    'Detect item added to partially open content model 2',
    arr({ items: [S, N], additionalItems: S }),
    arr({ items: [S, N, N], additionalItems: S }),
    false,
  ),
  c07(
    'Detect item removed from partially open content model 1',
    arr({ items: [S, N, S], additionalItems: S }),
    arr({ items: [S, N], additionalItems: S }),
    true,
  ),
  c07(
    'Detect item removed from partially open content model 2',
    arr({ items: [S, N, nullOrString], additionalItems: nullOrString }),
    arr({ items: [S, N], additionalItems: nullOrString }),
    true,
  ),
  c07(
    'Detect item removed from partially open content model 3',
    arr({ items: [S, N, N], additionalItems: S }),
    arr({ items: [S, N], additionalItems: S }),
    false,
  ),
  c07('Detect changes to items in the schema list', arr({ items: [S] }), arr({ items: [N] }), false),
  c07('Detect decreased maxItems', arr({ maxItems: 2 }), arr({ maxItems: 1 }), false),
  c07('Detect removed minItems', arr({ minItems: 1 }), arr({}), true),
  c07('Detect increased minItems', arr({ minItems: 1 }), arr({ minItems: 2 }), false),
  c07('Detect decreased minItems', arr({ minItems: 2 }), arr({ minItems: 1 }), true),
  c07('Detect unique items removed', arr({ uniqueItems: true }), arr({}), true),
  c07(
    'Detect incompatible changes to reference schemas',
    arr({ items: { $ref: '#/definitions/someRef' }, definitions: { someRef: S } }),
    arr({ items: { $ref: '#/definitions/someRef' }, definitions: { someRef: N } }),
    false,
  ),
  c07(
    'Detect compatible change of moving to reference schema',
    S,
    { $ref: '#/definitions/someRef', definitions: { someRef: S } },
    true,
  ),
  c07(
    'Detect compatible change of moving from reference schema',
    { $ref: '#/definitions/someRef', definitions: { someRef: S } },
    S,
    true,
  ),
  c07(
    'Detect added boolean additional properties',
    props({}, { additionalProperties: false }),
    props({}),
    true,
  ),
  c07(
    'Detect removed boolean additional properties',
    { additionalProperties: true },
    { additionalProperties: false },
    false,
  ),
  c07(
    'Detect narrowing changes to additional properties schema',
    { additionalProperties: true },
    { additionalProperties: N },
    false,
  ),
  c07(
    'Detect adding empty schema to open content model',
    { additionalProperties: true },
    { additionalProperties: true, properties: { foo: true } },
    true,
  ),
  c07(
    'Detect removing empty schema from open content model',
    { additionalProperties: true, properties: { foo: true } },
    { additionalProperties: true },
    true,
  ),
  c07(
    'Detect adding false to closed content model',
    { additionalProperties: false },
    { additionalProperties: false, properties: { foo: false } },
    true,
  ),
  c07(
    'Detect removing false from closed content model',
    { additionalProperties: false, properties: { foo: false } },
    { additionalProperties: false },
    true,
  ),
  c07(
    'Detect changes to additional properties schema',
    { additionalProperties: S },
    { additionalProperties: N },
    false,
  ),
  c07(
    'Detect removed boolean additional items',
    { additionalItems: true },
    { additionalItems: false },
    false,
    {
      ours: true,
      why: 'In draft-07 "additionalItems" is ignored unless "items" is an array of schemas; neither version has "items", so both accept every instance.',
    },
  ),
  c07('Detect changes to additional items schema', { additionalItems: S }, { additionalItems: N }, false, {
    ours: true,
    why: 'Without an "items" array, draft-07 ignores "additionalItems": both versions accept every instance.',
  }),
  c07(
    'Detect adding empty schema to open content model for array',
    arr({ additionalItems: true, items: [N] }),
    arr({ additionalItems: true, items: [N, true] }),
    true,
  ),
  c07(
    'Detect removing empty schema from open content model for array',
    arr({ additionalItems: true, items: [N, true] }),
    arr({ additionalItems: true, items: [N] }),
    true,
  ),
  c07(
    'Detect adding false to closed content model for array',
    arr({ additionalItems: false, items: [N] }),
    arr({ additionalItems: false, items: [N, false] }),
    true,
  ),
  c07(
    'Detect removing false from closed content model for array',
    arr({ additionalItems: false, items: [N, false] }),
    arr({ additionalItems: false, items: [N] }),
    true,
  ),
  c07(
    'Detect adding to closed content model for array (opened)',
    arr({ items: [S, N], additionalItems: false }),
    arr({ items: [S, N, B], additionalItems: true }),
    true,
  ),
  c07(
    'Detect removing from closed content model for array',
    arr({ items: [S, N, B], additionalItems: false }),
    arr({ items: [S, N], additionalItems: true }),
    true,
  ),
  c07(
    'Detect removing from open content model for array',
    arr({ items: [S, N], additionalItems: true }),
    arr({ items: [S], additionalItems: true }),
    true,
  ),
  c07(
    'Detect adding to closed content model for array',
    arr({ items: [S], additionalItems: false }),
    arr({ items: [S, N], additionalItems: false }),
    true,
  ),
  c07(
    'Detect removing number from closed content model for array',
    arr({ items: [S, N], additionalItems: false }),
    arr({ items: [S], additionalItems: N }),
    true,
  ),
  c07(
    'Detect adding number to partially open content model for array',
    arr({ items: [S], additionalItems: N }),
    arr({ items: [S, N], additionalItems: true }),
    true,
  ),
  c07('Detect change to oneOf schema', S, { oneOf: [N, S] }, true),
  c07('Detect change to optional oneOf schema', NUL, { oneOf: [N, NUL] }, true),
  c07('Detect change to oneOf schema (branch added)', { oneOf: [N] }, { oneOf: [S, N] }, true),
  c07('Detect change to oneOf schema (bounded string)', { ...S, maxLength: 3 }, { oneOf: [N, S] }, true),
]

// ---- Confluent, diff-schema-examples-2020-12.json: the cases whose keywords differ from draft-07 ----
const in20 = (s: Schema): Schema => ({ $schema: D20, ...(s as object) })
const c20 = (name: string, prev: Schema, next: Schema, theirs: boolean, more: Partial<Case> = {}): Case => ({
  source: 'confluent-2020-12',
  name,
  prev: in20(prev),
  next: in20(next),
  theirs,
  ours: theirs,
  ...more,
})
const confluent2020: Case[] = [
  c20('Anything can change to empty schema', props({}), {}, true),
  c20('Detect changes to id', { $id: 'something' }, { $id: 'something_else' }, true),
  c20(
    'Detect compatible changes to dependencies schemas',
    { dependentSchemas: { foo: S } },
    { dependentSchemas: {} },
    true,
  ),
  c20(
    'Detect incompatible changes to dependencies schemas',
    { dependentSchemas: { foo: S } },
    { dependentSchemas: { foo: N } },
    false,
    {
      ours: true,
      why: 'A dependent schema applies to the object itself when "foo" is present; an object is never a string nor a number, so both versions reject exactly the objects carrying "foo".',
    },
  ),
  c20(
    'Detect changes to dependencies properties',
    { dependentSchemas: { foo: S } },
    { dependentSchemas: { bar: S } },
    false,
  ),
  c20(
    'Detect required array to be changed',
    props({ foo: S }, { required: ['foo'] }),
    props({ foo: S }, { required: ['bar'] }),
    true,
    {
      ours: false,
      why: 'The next version requires "bar": {"foo": "x"} was valid and is now rejected.',
      witness: { foo: 'x' },
    },
  ),
  c20('Detect removed maxProperties', props({}, { maxProperties: 1 }), props({}), true),
  c20('Detect changes to items schema list', arr({ prefixItems: [S, N] }), arr({}), true),
  c20(
    'Detect item added to partially open content model 1',
    arr({ prefixItems: [S, N], items: S }),
    arr({ prefixItems: [S, N, S], items: S }),
    true,
  ),
  c20(
    'Detect item added to partially open content model 2',
    arr({ prefixItems: [S, N], items: S }),
    arr({ prefixItems: [S, N, N], items: S }),
    false,
  ),
  c20(
    'Detect item removed from partially open content model 2',
    arr({ prefixItems: [S, N, nullOrString], items: nullOrString }),
    arr({ prefixItems: [S, N], items: nullOrString }),
    true,
  ),
  c20(
    'Detect item removed from partially open content model 3',
    arr({ prefixItems: [S, N, N], items: S }),
    arr({ prefixItems: [S, N], items: S }),
    false,
  ),
  c20(
    'Detect changes to items in the schema list',
    arr({ prefixItems: [S] }),
    arr({ prefixItems: [N] }),
    false,
  ),
  c20(
    'Detect incompatible changes to reference schemas',
    arr({ items: { $ref: '#/definitions/someRef' }, definitions: { someRef: S } }),
    arr({ items: { $ref: '#/definitions/someRef' }, definitions: { someRef: N } }),
    false,
  ),
  c20(
    'Detect compatible change of moving to reference schema',
    S,
    { $ref: '#/definitions/someRef', definitions: { someRef: S } },
    true,
  ),
  c20('Detect removed boolean additional items', { items: true }, { items: false }, false),
  c20('Detect changes to additional items schema', { items: S }, { items: N }, false),
  c20(
    'Detect adding false to closed content model for array',
    arr({ items: false, prefixItems: [N] }),
    arr({ items: false, prefixItems: [N, false] }),
    true,
  ),
  c20(
    'Detect adding to closed content model for array (opened)',
    arr({ prefixItems: [S, N], items: false }),
    arr({ prefixItems: [S, N, B], items: true }),
    true,
  ),
  c20(
    'Detect removing number from closed content model for array',
    arr({ prefixItems: [S, N], items: false }),
    arr({ prefixItems: [S], items: N }),
    true,
  ),
  c20(
    'Detect adding number to partially open content model for array',
    arr({ prefixItems: [S], items: N }),
    arr({ prefixItems: [S, N], items: true }),
    true,
  ),
  c20(
    'Detect property added to partially open content model 1',
    props({ foo: S }, { additionalProperties: false, patternProperties: { '^S_': S, '^I_': I } }),
    props({ foo: S, I_123: N }, { additionalProperties: false, patternProperties: { '^S_': S, '^I_': I } }),
    true,
  ),
]

// ---- Confluent, diff-combined-schema-examples.json ----
const cc = (name: string, prev: unknown, next: unknown, theirs: boolean): Case => ({
  source: 'confluent-combined',
  name,
  prev: prop1(prev),
  next: prop1(next),
  theirs,
  ours: theirs,
})
const ENUM3 = { enum: ['one', 'two', 'three'] }
const combined: Case[] = [
  cc(
    'Detect compatible change to combined schema',
    { allOf: [ENUM3, S, { maxLength: 5 }] },
    { allOf: [{ maxLength: 5 }, ENUM3, S] },
    true,
  ),
  cc(
    'Detect incompatible change to combined schema',
    { allOf: [ENUM3, S, { maxLength: 5 }] },
    { allOf: [{ maxLength: 5 }, ENUM3, N] },
    false,
  ),
  cc('Detect combined schema with duplicates in original', { allOf: [S, S] }, { allOf: [S] }, true),
  cc('Detect combined schema with duplicates in update', { allOf: [S] }, { allOf: [S, S] }, true),
  cc('Detect compatible change to oneOf schema', { oneOf: [S] }, { oneOf: [N, S] }, true),
  cc('Detect compatible change to oneOf schema with more types', { oneOf: [S] }, { oneOf: [B, N, S] }, true),
  cc(
    'Detect compatible change to oneOf schema with more properties',
    { oneOf: [{ ...S, maxLength: 5 }] },
    { oneOf: [B, N, { title: 'my string', ...S, maxLength: 8 }] },
    true,
  ),
  cc('Detect incompatible change to oneOf schema', { oneOf: [N, S] }, { oneOf: [S] }, false),
  cc('Detect compatible change to allOf schema', { allOf: [ENUM3, S] }, { allOf: [S] }, true),
  cc('Detect incompatible change to allOf schema', { allOf: [S] }, { allOf: [ENUM3, S] }, false),
  cc('Detect compatible change from oneOf to anyOf schema', { oneOf: [S] }, { anyOf: [S] }, true),
  cc(
    'Detect compatible change from oneOf to anyOf schema with more properties',
    { oneOf: [S] },
    { anyOf: [N, S] },
    true,
  ),
  cc('Detect compatible change from allOf to anyOf schema', { allOf: [S] }, { anyOf: [S] }, true),
  cc(
    'Detect compatible change from allOf to anyOf schema with more properties',
    { allOf: [S] },
    { anyOf: [N, S] },
    true,
  ),
  cc(
    'Detect compatible change from anyOf to oneOf schema with more properties',
    { anyOf: [S] },
    { oneOf: [N, S] },
    true,
  ),
  cc(
    'Detect incompatible change from anyOf with more properties to oneOf schema',
    { anyOf: [N, S] },
    { oneOf: [S] },
    false,
  ),
  cc(
    'Detect compatible change from allOf to oneOf schema with more properties',
    { allOf: [N] },
    { oneOf: [N, S] },
    true,
  ),
  cc('Detect compatible change from anyOf to allOf schema', { anyOf: [S] }, { allOf: [S] }, true),
  cc('Detect compatible change from oneOf to allOf schema', { oneOf: [S] }, { allOf: [S] }, true),
  cc('Detect incompatible change from anyOf to allOf schema', { anyOf: [S] }, { allOf: [N, S] }, false),
  cc('Detect incompatible change from oneOf to allOf schema', { oneOf: [S] }, { allOf: [N, S] }, false),
  cc('Detect compatible change from non-combined to anyOf schema', S, { anyOf: [N, S] }, true),
  cc('Detect compatible change from non-combined to oneOf schema', S, { oneOf: [N, S] }, true),
  cc('Detect compatible change from non-combined to allOf schema', S, { allOf: [S] }, true),
  cc('Detect incompatible change from non-combined to allOf schema', S, { allOf: [N, S] }, false),
]

// ---- Karapace (schemas from tests/schemas/json_schemas.py) ----
const closedObj = (p: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  obj(p, { additionalProperties: false, ...extra })
const K = {
  NOT_OF_EMPTY: { not: {} },
  NOT_OF_TRUE: { not: true },
  FALSE: false,
  TRUE: true,
  EMPTY: {},
  BOOLEAN: B,
  INT: I,
  NUMBER: N,
  STRING: S,
  OBJECT: { type: 'object' },
  ARRAY: { type: 'array' },
  MAX_LENGTH: { ...S, maxLength: 3 },
  MAX_LENGTH_DECREASED: { ...S, maxLength: 2 },
  MIN_LENGTH: { ...S, minLength: 5 },
  MIN_LENGTH_INCREASED: { ...S, minLength: 7 },
  MIN_PATTERN: { ...S, pattern: 'a*' },
  MIN_PATTERN_STRICT: { ...S, pattern: 'a+' },
  MAXIMUM_NUMBER: { ...N, maximum: 13 },
  MAXIMUM_DECREASED_NUMBER: { ...N, maximum: 11 },
  MINIMUM_NUMBER: { ...N, minimum: 17 },
  EXCLUSIVE_MAXIMUM_NUMBER: { ...N, exclusiveMaximum: 29 },
  EXCLUSIVE_MINIMUM_NUMBER: { ...N, exclusiveMinimum: 31 },
  EXCLUSIVE_MINIMUM_INCREASED_NUMBER: { ...N, exclusiveMinimum: 37 },
  MAX_PROPERTIES: { type: 'object', maxProperties: 43 },
  MIN_ITEMS: { type: 'array', minItems: 67 },
  MIN_ITEMS_INCREASED: { type: 'array', minItems: 71 },
  TUPLE_OF_INT_INT: arr({ items: [I, I], additionalItems: false }),
  TUPLE_OF_INT: arr({ items: [I], additionalItems: false }),
  TUPLE_OF_INT_WITH_ADDITIONAL_INT: arr({ items: [I], additionalItems: I }),
  TUPLE_OF_INT_INT_OPEN: arr({ items: [I, I] }),
  TUPLE_OF_INT_OPEN: arr({ items: [I] }),
  ARRAY_OF_INT: arr({ items: I }),
  ARRAY_OF_NUMBER: arr({ items: N }),
  ARRAY_OF_STRING: arr({ items: S }),
  ENUM_AB: { enum: ['A', 'B'] },
  ENUM_ABC: { enum: ['A', 'B', 'C'] },
  ENUM_BC: { enum: ['B', 'C'] },
  ONEOF_STRING: { oneOf: [S] },
  ONEOF_STRING_INT: { oneOf: [S, I] },
  ONEOF_INT: { oneOf: [I] },
  ONEOF_NUMBER: { oneOf: [N] },
  TYPES_STRING_INT: { type: ['string', 'integer'] },
  TYPES_STRING: { type: ['string'] },
  EMPTY_OBJECT: { type: 'object', additionalProperties: false },
  A_OBJECT: obj({ a: {} }),
  A_INT_OBJECT: closedObj({ a: I }),
  A_DINT_OBJECT: closedObj({ a: { ...I, default: 0 } }),
  B_INT_OBJECT: closedObj({ b: I }),
  A_INT_OPEN_OBJECT: obj({ a: I }),
  B_INT_OPEN_OBJECT: obj({ b: I }),
  B_DINT_OPEN_OBJECT: obj({ b: { ...I, default: 0 } }),
  A_INT_B_INT_OBJECT: closedObj({ a: I, b: I }),
  A_DINT_B_INT_OBJECT: closedObj({ a: { ...I, default: 0 }, b: I }),
  A_INT_B_INT_REQUIRED_OBJECT: closedObj({ a: I, b: I }, { required: ['b'] }),
  A_INT_B_DINT_OBJECT: closedObj({ a: I, b: { ...I, default: 0 } }),
  A_INT_B_DINT_REQUIRED_OBJECT: closedObj({ a: I, b: { ...I, default: 0 } }, { required: ['b'] }),
  A_DINT_B_DINT_OBJECT: closedObj({ a: { ...I, default: 0 }, b: { ...I, default: 0 } }),
  A_DINT_B_NUM_OBJECT: closedObj({ a: { ...I, default: 1 }, b: N }),
  A_DINT_B_NUM_C_DINT_OBJECT: closedObj({ a: { ...I, default: 1 }, b: N, c: { ...I, default: 0 } }),
  B_NUM_C_DINT_OPEN_OBJECT: obj({ b: N, c: { ...I, default: 0 } }),
  B_NUM_C_INT_OPEN_OBJECT: obj({ b: N, c: I }),
  B_NUM_C_INT_OBJECT: closedObj({ b: N, c: I }),
  PATTERN_PROPERTY_ASTAR_OBJECT: { type: 'object', patternProperties: { '^a*': {} } },
  PROPERTY_NAMES_ASTAR_OBJECT: { type: 'object', propertyNames: { pattern: 'a*' } },
  ARRAY_OF_POSITIVE_INTEGER: arr({ items: { ...I, exclusiveMinimum: 0 } }),
  ARRAY_OF_POSITIVE_INTEGER_THROUGH_REF: arr({
    items: { $ref: '#/$defs/positiveInteger' },
    $defs: { positiveInteger: { ...I, exclusiveMinimum: 0 } },
  }),
  ONEOF_ARRAY_A_DINT_B_NUM: { oneOf: [arr({ items: closedObj({ a: { ...I, default: 1 }, b: N }) })] },
  ONEOF_ARRAY_B_NUM_C_INT: { oneOf: [arr({ items: closedObj({ b: N, c: I }) })] },
  ONEOF_ARRAY_B_NUM_C_DINT_OPEN: { oneOf: [arr({ items: obj({ b: N, c: { ...I, default: 0 } }) })] },
} satisfies Record<string, Schema>
type KName = keyof typeof K
const k = (writer: KName, reader: KName, theirs: boolean, more: Partial<Case> = {}): Case => ({
  source: 'karapace',
  name: `${more.name ?? ''}reader=${reader} writer=${writer}`,
  prev: structuredClone(K[writer]),
  next: structuredClone(K[reader]),
  theirs,
  ours: theirs,
  ...more,
  ...(more.name ? { name: `${more.name}: reader=${reader} writer=${writer}` } : {}),
})
const EMPTY_SET =
  'The previous schema accepts no instance at all, so every instance it accepts is trivially accepted by the next one (the empty set is a subset of every set).'
const karapace: Case[] = [
  // test_extra_optional_field_with_open_model_is_compatible
  k('A_INT_OBJECT', 'OBJECT', true),
  k('A_INT_OBJECT', 'TRUE', true),
  k('A_INT_OBJECT', 'EMPTY', true),
  k('A_INT_OBJECT', 'B_INT_OPEN_OBJECT', true),
  k('A_INT_OBJECT', 'A_INT_B_INT_OBJECT', true),
  k('A_DINT_B_NUM_OBJECT', 'A_DINT_B_NUM_C_DINT_OBJECT', true),
  k('A_DINT_B_NUM_C_DINT_OBJECT', 'B_NUM_C_DINT_OPEN_OBJECT', true),
  k('A_DINT_B_NUM_OBJECT', 'B_NUM_C_INT_OPEN_OBJECT', true),
  // test_extra_field_with_closed_model_is_incompatible
  k('FALSE', 'A_INT_OBJECT', false, { ours: true, why: EMPTY_SET }),
  k('A_INT_OBJECT', 'NOT_OF_TRUE', false),
  k('A_INT_OBJECT', 'NOT_OF_EMPTY', false),
  k('A_INT_OBJECT', 'B_INT_OBJECT', false),
  k('A_DINT_B_NUM_OBJECT', 'B_NUM_C_INT_OBJECT', false),
  k('A_DINT_B_NUM_C_DINT_OBJECT', 'B_NUM_C_INT_OBJECT', false),
  // test_missing_required_field_is_incompatible
  k('A_INT_OBJECT', 'A_INT_B_INT_REQUIRED_OBJECT', false),
  k('A_INT_B_DINT_REQUIRED_OBJECT', 'A_INT_OBJECT', false),
  // test_giving_a_default_value_for_a_non_required_field_is_compatible
  k('A_DINT_OBJECT', 'OBJECT', true),
  k('A_INT_OBJECT', 'B_DINT_OPEN_OBJECT', true),
  k('A_INT_OBJECT', 'A_INT_B_DINT_OBJECT', true),
  k('A_INT_OBJECT', 'A_DINT_B_INT_OBJECT', true),
  k('A_DINT_B_NUM_OBJECT', 'B_NUM_C_DINT_OPEN_OBJECT', true),
  k('A_INT_OBJECT', 'A_DINT_B_DINT_OBJECT', true),
  k('EMPTY_OBJECT', 'A_DINT_B_DINT_OBJECT', true),
  // test_boolean_schemas_are_backward_compatible
  k('TRUE', 'FALSE', true, {
    ours: false,
    why: 'The next schema is false and rejects every instance, while the previous one accepted all of them (Karapace keeps the correct assertion commented out in its own test).',
    witness: 0,
  }),
  k('FALSE', 'TRUE', true),
  // test_from_closed_to_open_is_incompatible, unions
  k('B_NUM_C_DINT_OPEN_OBJECT', 'B_NUM_C_INT_OBJECT', false),
  k('ONEOF_ARRAY_A_DINT_B_NUM', 'ONEOF_ARRAY_B_NUM_C_INT', false),
  k('ONEOF_ARRAY_A_DINT_B_NUM', 'ONEOF_ARRAY_B_NUM_C_DINT_OPEN', true),
  // test_array_and_tuples_are_incompatible
  k('ARRAY_OF_INT', 'TUPLE_OF_INT_OPEN', false, {
    ours: true,
    why: 'An array of integers always has an integer (or nothing) first, and the open tuple accepts anything after its first item: every previous instance stays valid.',
  }),
  k('TUPLE_OF_INT_OPEN', 'ARRAY_OF_INT', false),
  // test_true_schema_is_compatible_with_object (the non-object half)
  ...(['INT', 'STRING', 'ENUM_AB', 'ARRAY_OF_INT'] as const).map((w) =>
    k(w, 'TRUE', false, {
      ours: true,
      why: 'The next schema is true, which accepts every instance; nothing can be lost whatever the previous schema was. Karapace only treats true as compatible with object schemas.',
    }),
  ),
  // test_schema_compatibility_successes
  k('INT', 'NUMBER', true),
  k('ARRAY_OF_INT', 'ARRAY_OF_NUMBER', true),
  k('TUPLE_OF_INT', 'TUPLE_OF_INT_OPEN', true),
  k('TUPLE_OF_INT', 'TUPLE_OF_INT_WITH_ADDITIONAL_INT', true),
  k('ENUM_AB', 'ENUM_ABC', true),
  k('ONEOF_STRING', 'ONEOF_STRING_INT', true),
  k('STRING', 'ONEOF_STRING_INT', true),
  k('A_INT_B_INT_OBJECT', 'A_INT_OPEN_OBJECT', true),
  k('TUPLE_OF_INT_INT_OPEN', 'TUPLE_OF_INT_OPEN', true),
  k('TUPLE_OF_INT_INT', 'TUPLE_OF_INT_OPEN', true),
  k('STRING', 'ONEOF_STRING', true),
  k('ONEOF_STRING', 'STRING', true),
  k('EMPTY_OBJECT', 'A_INT_OBJECT', true),
  // test_type_narrowing_incompabilities, test_type_mismatch_incompabilities
  k('NUMBER', 'INT', false),
  k('ARRAY_OF_NUMBER', 'ARRAY_OF_INT', false),
  k('ENUM_ABC', 'ENUM_AB', false),
  k('ENUM_ABC', 'ENUM_BC', false),
  k('ONEOF_NUMBER', 'ONEOF_INT', false),
  k('ONEOF_STRING_INT', 'ONEOF_STRING', false),
  k('ONEOF_STRING_INT', 'INT', false),
  k('INT', 'BOOLEAN', false),
  k('STRING', 'INT', false),
  k('ARRAY_OF_STRING', 'ARRAY_OF_INT', false),
  k('TUPLE_OF_INT_OPEN', 'TUPLE_OF_INT_INT', false),
  k('TUPLE_OF_INT_OPEN', 'TUPLE_OF_INT_INT_OPEN', false),
  k('ENUM_AB', 'INT', false),
  // test_true_and_false_schemas
  k('NOT_OF_EMPTY', 'NOT_OF_TRUE', true),
  k('TRUE', 'EMPTY', true),
  k('TRUE', 'NOT_OF_EMPTY', false),
  k('TRUE', 'A_INT_B_INT_REQUIRED_OBJECT', false),
  k('FALSE', 'A_INT_B_INT_REQUIRED_OBJECT', false, { ours: true, why: EMPTY_SET }),
  k('NOT_OF_TRUE', 'FALSE', false, {
    ours: true,
    why: `{"not": true} is false in another spelling. ${EMPTY_SET}`,
  }),
  k('FALSE', 'NOT_OF_TRUE', false, { ours: true, why: EMPTY_SET }),
  k('NOT_OF_EMPTY', 'TRUE', false, { ours: true, why: `{"not": {}} accepts nothing. ${EMPTY_SET}` }),
  // test_schema_restrict_attributes_is_incompatible
  k('STRING', 'MAX_LENGTH', false),
  k('MAX_LENGTH', 'MAX_LENGTH_DECREASED', false),
  k('MIN_LENGTH', 'MIN_LENGTH_INCREASED', false),
  k('STRING', 'MIN_PATTERN', false, {
    ours: true,
    why: 'The pattern "a*" is not anchored and matches the empty string, so it finds a (zero-length) match in every string: the new schema accepts every string.',
  }),
  k('MIN_PATTERN', 'MIN_PATTERN_STRICT', false),
  k('INT', 'MAXIMUM_NUMBER', false),
  k('MAXIMUM_NUMBER', 'MAXIMUM_DECREASED_NUMBER', false),
  k('INT', 'MINIMUM_NUMBER', false),
  k('NUMBER', 'EXCLUSIVE_MAXIMUM_NUMBER', false),
  k('EXCLUSIVE_MINIMUM_NUMBER', 'EXCLUSIVE_MINIMUM_INCREASED_NUMBER', false),
  k('OBJECT', 'MAX_PROPERTIES', false),
  k('MIN_ITEMS', 'MIN_ITEMS_INCREASED', false),
  // test_schema_broadenning_attributes_is_compatible
  k('MAX_LENGTH', 'STRING', true),
  k('MIN_PATTERN', 'STRING', true),
  k('MAXIMUM_DECREASED_NUMBER', 'MAXIMUM_NUMBER', true),
  k('EXCLUSIVE_MINIMUM_INCREASED_NUMBER', 'EXCLUSIVE_MINIMUM_NUMBER', true),
  k('MIN_ITEMS_INCREASED', 'MIN_ITEMS', true),
  // test_pattern_properties
  k('PATTERN_PROPERTY_ASTAR_OBJECT', 'OBJECT', true),
  k('PATTERN_PROPERTY_ASTAR_OBJECT', 'A_OBJECT', true),
  k('A_OBJECT', 'PATTERN_PROPERTY_ASTAR_OBJECT', true),
  k('PATTERN_PROPERTY_ASTAR_OBJECT', 'A_INT_OBJECT', false),
  k('B_INT_OBJECT', 'PATTERN_PROPERTY_ASTAR_OBJECT', false, {
    ours: true,
    why: 'patternProperties never restricts which names may appear, and its schema here is {} (anything): the new schema accepts every object. Karapace reads it as "only names matching a*".',
  }),
  // test_object_properties
  k('OBJECT', 'A_OBJECT', false, {
    ours: true,
    why: 'The new schema is an open object whose only property "a" accepts anything ({}): it accepts every object.',
  }),
  k('A_OBJECT', 'OBJECT', true),
  k('OBJECT', 'A_INT_OBJECT', false),
  k('OBJECT', 'B_INT_OBJECT', false),
  // test_property_names
  k('PROPERTY_NAMES_ASTAR_OBJECT', 'OBJECT', true),
  k('PROPERTY_NAMES_ASTAR_OBJECT', 'A_OBJECT', false, {
    ours: true,
    why: 'The new schema accepts every object (open model, "a" may be anything); restricting names before cannot make any previous instance invalid now.',
  }),
  k('A_OBJECT', 'PROPERTY_NAMES_ASTAR_OBJECT', true),
  k('PROPERTY_NAMES_ASTAR_OBJECT', 'A_INT_OBJECT', false),
  k('B_INT_OBJECT', 'PROPERTY_NAMES_ASTAR_OBJECT', true),
  // test_type_with_list, test_ref
  k('TYPES_STRING', 'STRING', true),
  k('TYPES_STRING', 'TYPES_STRING_INT', true),
  k('ARRAY_OF_POSITIVE_INTEGER_THROUGH_REF', 'ARRAY_OF_POSITIVE_INTEGER', true),
  k('ARRAY_OF_POSITIVE_INTEGER', 'ARRAY_OF_POSITIVE_INTEGER_THROUGH_REF', true),
]

export const cases = [...confluent07, ...confluent2020, ...combined, ...karapace]

/** Instances for checking verdicts of `true` against a real validator. */
export const samples: unknown[] = [
  null,
  true,
  false,
  0,
  1,
  -1,
  12,
  13,
  30,
  1.5,
  29.5,
  31.5,
  '',
  'a',
  'aaa',
  'b',
  'abcdefgh',
  'red',
  'blue',
  'A',
  'B',
  'C',
  'one',
  [],
  [1],
  [1, 2],
  [1, 'x'],
  ['x', 1],
  ['x', 1, 'y'],
  ['x', 1, true],
  ['x', 1, 2],
  [null],
  [1, 1],
  [{ a: 1, b: 1.5 }],
  [{ b: 2, c: 3 }],
  [{ d: 1 }],
  {},
  { a: 1 },
  { a: 'x' },
  { b: 1 },
  { b: 'x' },
  { a: 1, b: 2 },
  { a: 1, b: 2.5 },
  { b: 1.5, c: 2 },
  { c: 1 },
  { d: 1 },
  { foo: 'x' },
  { foo: 1 },
  { bar: 'x' },
  { bar: 1 },
  { foo: 'x', bar: 'y' },
  { foo: 'x', bar: 1 },
  { foo: 'x', bar: null },
  { I_123: 5 },
  { S_x: 'x' },
  { prop1: 'one' },
  { prop1: 'x' },
  { prop1: 1 },
  { prop1: true },
]
