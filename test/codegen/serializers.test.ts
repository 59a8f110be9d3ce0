/** The schema-compiled serializers write what JSON.stringify writes (same meaning; key order may differ). */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import ts from 'typescript'
import { compileSerializer, SERIALIZER_PRELUDE } from '../../codegen/serializers.ts'
import { isReference, type Catalog } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { catalog as shop } from '../fixtures/shop/generated/index.ts'

const versions = (c: Catalog) =>
  Object.values(c.resources).flatMap((r) => Object.values(r.versions).map((v) => ({ ...v })))

function serializerOf(c: Catalog, uri: string): (content: unknown) => string {
  const v = versions(c).find((x) => x.uri === uri)
  if (!v?.serialize) throw new Error(`no serializer for ${uri}`)
  return v.serialize as (content: unknown) => string
}

const root = 'schemas/examples'
const examples = readdirSync(root).flatMap((resource) =>
  readdirSync(join(root, resource, 'valid'))
    .filter((f) => f.endsWith('.json'))
    .map((file) => {
      const event = JSON.parse(readFileSync(join(root, resource, 'valid', file), 'utf8')) as {
        resource: { schema: string; content: object }
      }
      return { name: `${resource}/${file}`, uri: event.resource.schema, content: event.resource.content }
    })
    .filter((e) => !isReference(e.content)),
)

describe('generated serializers', () => {
  it.each(examples)('$name: parses back to the content', ({ uri, content }) => {
    const json = serializerOf(catalog, uri)(content)
    expect(JSON.parse(json)).toEqual(content)
  })

  it('every version of both catalogs has one', () => {
    for (const v of [...versions(catalog), ...versions(shop)]) expect(typeof v.serialize).toBe('function')
  })

  it.each([
    ['a quote and a backslash', 'say "hi" \\ bye'],
    ['control characters', 'line\nbreak\ttab\u0001'],
    ['non-ASCII', 'naïve café — 東京 🚀'],
    ['a lone surrogate', 'broken \ud800 half'],
    ['a long string', 'x'.repeat(10_000) + '"'],
  ])('escapes free text like JSON.stringify: %s', (_name, notes) => {
    const content = {
      id: '0b6a1c8e-6f5d-4c1b-9d1e-2a3b4c5d6e7f',
      tenantId: '7d1b4a2c-9e8f-4a6b-8c5d-1e2f3a4b5c6d',
      ownerId: '3c9e1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
      timePeriodTypeId: '00000000-0000-0000-0000-000000000001',
      actualStartTime: '2026-11-20T06:00:00Z',
      notes,
      timePeriods: [],
    }
    const json = serializerOf(catalog, 'https://event-contracts.dev/schemas/time-entry/2')(content)
    expect(JSON.parse(json)).toEqual(content)
    expect(json).toContain(JSON.stringify(notes))
  })

  it('writes numbers, integers and optional absences as JSON.stringify does', () => {
    const order = {
      id: '5f0c6a9e-3b1d-4c52-9a57-0d8e1f2a3b4c',
      customerId: 'c',
      total: 1e21,
      currency: 'EUR',
    }
    const json = serializerOf(shop, 'https://event-contracts.dev/schemas/order/2')(order)
    expect(json).toBe(JSON.stringify(order))
    const withLines = { ...order, total: -0, lines: [{ sku: 'A-1', quantity: 3 }] }
    expect(JSON.parse(serializerOf(shop, 'https://event-contracts.dev/schemas/order/2')(withLines))).toEqual({
      ...withLines,
      total: 0,
    })
  })

  it.each<{ name: string; schema: object }>([
    { name: 'an open object', schema: { type: 'object', properties: { a: { type: 'string' } } } },
    { name: 'a oneOf', schema: { oneOf: [{ type: 'string' }, { type: 'number' }] } },
    {
      name: 'patternProperties',
      schema: {
        type: 'object',
        patternProperties: { '^x': {} },
        additionalProperties: false,
        properties: {},
      },
    },
    { name: 'a $ref outside $defs', schema: { $ref: '#/properties/a' } },
  ])('falls back to JSON.stringify for $name', ({ schema }) => {
    const code = compileSerializer(schema as Record<string, unknown>, 'serializeX', 'unknown', 'f')
    expect(code).toMatch(/return JSON\.stringify\(content\)/)
  })

  /** Compiles a schema's serializer and returns it, run as JavaScript. */
  function compiled(schema: object): (v: unknown) => string {
    const code = compileSerializer(schema as Record<string, unknown>, 'serializeX', 'unknown', 'f')
    const js = ts.transpileModule(`${SERIALIZER_PRELUDE}\n${code}`, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText
    const module = { exports: {} as Record<string, (v: unknown) => string> }
    new Function('module', 'exports', js)(module, module.exports)
    return module.exports.serializeX as (v: unknown) => string
  }
  const closed = (properties: object, required: string[] = []) => ({
    type: 'object',
    properties,
    required,
    additionalProperties: false,
  })

  it.each<{ name: string; schema: object; values: unknown[] }>([
    {
      name: 'an object with only optional properties',
      schema: closed({ a: { type: 'string' }, b: { type: 'integer' }, c: { type: 'boolean' } }),
      values: [{}, { a: 'x' }, { b: 2 }, { c: false }, { b: 0, c: true }, { a: 'q"', b: -1, c: true }],
    },
    {
      name: 'required then optional properties',
      schema: closed(
        { id: { type: 'string', format: 'uuid' }, n: { type: 'number' }, t: { type: 'string' } },
        ['id', 'n'],
      ),
      values: [
        { id: '5f0c6a9e-3b1d-4c52-9a57-0d8e1f2a3b4c', n: 1.5 },
        { id: '5f0c6a9e-3b1d-4c52-9a57-0d8e1f2a3b4c', n: 0, t: 'x\ny' },
      ],
    },
    {
      name: 'arrays of numbers, of strings and of objects, empty or not',
      schema: closed(
        {
          ns: { type: 'array', items: { type: 'number' } },
          ss: { type: 'array', items: { type: 'string' } },
          os: { type: 'array', items: closed({ k: { type: 'integer' } }, ['k']) },
        },
        ['ns'],
      ),
      values: [
        { ns: [] },
        { ns: [1, 2.5, -3], ss: ['a', 'b"'], os: [] },
        { ns: [0], os: [{ k: 1 }, { k: 2 }] },
      ],
    },
    { name: 'an empty closed object', schema: closed({}), values: [{}] },
    {
      name: 'a top-level array of booleans',
      schema: { type: 'array', items: { type: 'boolean' } },
      values: [[], [true, false]],
    },
  ])('writes exactly what JSON.stringify writes: $name', ({ schema, values }) => {
    const serialize = compiled(schema)
    for (const v of values) expect(serialize(v)).toBe(JSON.stringify(v))
  })

  it('compiles a recursive $defs reference once, and the compiled code runs', () => {
    const tree = {
      $ref: '#/$defs/Node',
      $defs: {
        Node: {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string' },
            children: { type: 'array', items: { $ref: '#/$defs/Node' } },
          },
          additionalProperties: false,
        },
      },
    }
    const code = compileSerializer(tree, 'serializeTree', 'unknown', 'f')
    expect(code.match(/^function /gm)).toHaveLength(3) // the $defs entry, its object, its children array
    expect(code).not.toContain('JSON.stringify(')
    const js = ts.transpileModule(`${SERIALIZER_PRELUDE}\n${code}`, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText
    const module = { exports: {} as Record<string, (v: unknown) => string> }
    new Function('module', 'exports', js)(module, module.exports)
    const value = { name: 'a "root"', children: [{ name: 'b', children: [{ name: 'c' }] }, { name: 'd' }] }
    expect(JSON.parse(module.exports.serializeTree!(value))).toEqual(value)
  })
})
