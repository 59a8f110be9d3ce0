/** Issue keywords are a closed list: everything the kernel reports is in EVENT_RULE_KEYWORDS or SCHEMA_RULE_KEYWORDS. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  check,
  checkEvent,
  compileSchema,
  decode,
  EVENT_RULE_KEYWORDS,
  SCHEMA_RULE_KEYWORDS,
} from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { poison } from '../consumers/events.ts'

const closed = new Set<string>([...SCHEMA_RULE_KEYWORDS, ...EVENT_RULE_KEYWORDS])

describe('JSON Schema rules keep the names the validators give them', () => {
  it.each<{ keyword: string; schema: object; data: unknown }>([
    { keyword: 'type', schema: { type: 'string' }, data: 1 },
    { keyword: 'required', schema: { type: 'object', properties: { a: {} }, required: ['a'] }, data: {} },
    { keyword: 'enum', schema: { enum: ['a'] }, data: 'b' },
    { keyword: 'const', schema: { const: 1 }, data: 2 },
    { keyword: 'format', schema: { type: 'string', format: 'date' }, data: '2026-02-30' },
    { keyword: 'pattern', schema: { type: 'string', pattern: '^a$' }, data: 'b' },
    { keyword: 'minLength', schema: { type: 'string', minLength: 2 }, data: 'a' },
    { keyword: 'maxLength', schema: { type: 'string', maxLength: 1 }, data: 'ab' },
    { keyword: 'minimum', schema: { type: 'number', minimum: 1 }, data: 0 },
    { keyword: 'maximum', schema: { type: 'number', maximum: 1 }, data: 2 },
    { keyword: 'exclusiveMinimum', schema: { type: 'number', exclusiveMinimum: 1 }, data: 1 },
    { keyword: 'exclusiveMaximum', schema: { type: 'number', exclusiveMaximum: 1 }, data: 1 },
    { keyword: 'multipleOf', schema: { type: 'number', multipleOf: 2 }, data: 3 },
    { keyword: 'minItems', schema: { type: 'array', minItems: 1 }, data: [] },
    { keyword: 'maxItems', schema: { type: 'array', maxItems: 0 }, data: [1] },
    { keyword: 'uniqueItems', schema: { type: 'array', uniqueItems: true }, data: [1, 1] },
    {
      keyword: 'items',
      schema: { type: 'array', prefixItems: [{}], minItems: 1, items: false },
      data: [1, 2],
    },
    { keyword: 'contains', schema: { type: 'array', contains: { const: 1 } }, data: [2] },
    { keyword: 'minProperties', schema: { type: 'object', minProperties: 1 }, data: {} },
    { keyword: 'maxProperties', schema: { type: 'object', maxProperties: 0 }, data: { a: 1 } },
    {
      keyword: 'additionalProperties',
      schema: { type: 'object', additionalProperties: false },
      data: { a: 1 },
    },
    {
      keyword: 'propertyNames',
      schema: { type: 'object', propertyNames: { maxLength: 1 } },
      data: { ab: 1 },
    },
    {
      keyword: 'dependentRequired',
      schema: { type: 'object', dependentRequired: { a: ['b'] } },
      data: { a: 1 },
    },
    {
      keyword: 'unevaluatedProperties',
      schema: { type: 'object', unevaluatedProperties: false },
      data: { a: 1 },
    },
    { keyword: 'unevaluatedItems', schema: { type: 'array', unevaluatedItems: false }, data: [1] },
    { keyword: 'anyOf', schema: { anyOf: [{ type: 'string' }, { type: 'number' }] }, data: true },
    { keyword: 'oneOf', schema: { oneOf: [{ type: 'number' }, { type: 'integer' }] }, data: 1 },
    { keyword: 'not', schema: { not: { type: 'number' } }, data: 1 },
    { keyword: 'false schema', schema: { type: 'object', properties: { a: false } }, data: { a: 1 } },
  ])('$keyword', ({ keyword, schema, data }) => {
    const r = check(
      compileSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...schema }),
      data,
    )
    expect(r.ok).toBe(false)
    const keywords = r.ok ? [] : r.issues.map((i) => i.keyword)
    expect(keywords).toContain(keyword)
    for (const k of keywords) expect(closed.has(k), k).toBe(true)
  })
})

describe('every issue the kernel reports for bad events is of a declared rule', () => {
  const root = 'schemas/examples'
  const invalid = readdirSync(root).flatMap((r) =>
    readdirSync(join(root, r, 'invalid')).map((f) => join(root, r, 'invalid', f)),
  )

  it.each(invalid)('%s', (path) => {
    const r = checkEvent(catalog, JSON.parse(readFileSync(path, 'utf8')))
    expect(r.ok).toBe(false)
    for (const i of r.ok ? [] : r.issues) expect(closed.has(i.keyword), i.keyword).toBe(true)
  })

  it.each(Array.from({ length: 5 }, (_, i) => i))('poison of kind %i through decode', async (i) => {
    const p = poison(i, 'k')
    const r = await decode(catalog, { value: p.value, attribute: (n) => p.attributes[n] })
    expect(r.ok).toBe(false)
    for (const issue of r.ok ? [] : r.issues) expect(closed.has(issue.keyword), issue.keyword).toBe(true)
  })
})
