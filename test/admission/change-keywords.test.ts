/** The change-event keywords: registered with the one ajv configuration and judged by the admission rule. */
import { describe, expect, it } from 'vitest'
import { admitVersion, type JsonObject, type ResourceState } from '../../admission/index.ts'
import { CUSTOM_KEYWORDS, createAjv, formats } from '../../core/index.ts'

const DRAFT = 'https://json-schema.org/draft/2020-12/schema'
const fresh: ResourceState = { name: 'thing', history: [], mode: 'BACKWARD', modeSource: 'set in X' }

const item = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' }, note: { type: 'string' } },
  additionalProperties: false,
}
const schema = (properties: JsonObject, defs?: JsonObject): JsonObject => ({
  $schema: DRAFT,
  $id: 'https://event-contracts.dev/schemas/thing/1',
  'x-topic': 'things',
  'x-key': 'id',
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' }, ...properties },
  additionalProperties: false,
  ...(defs ? { $defs: defs } : {}),
})
const admit = (s: JsonObject) => admitVersion({ version: 1, schema: s, origin: 'file' }, fresh)
const pairs = (r: ReturnType<typeof admit>) => (r.ok ? [] : r.issues.map((i) => `${i.path} ${i.keyword}`))

describe('change-event keywords', () => {
  it('are registered in the kernel ajv', () => {
    expect(CUSTOM_KEYWORDS).toEqual(
      expect.arrayContaining(['x-identity', 'x-ignore-changes', 'x-normalize', 'x-deleted']),
    )
    const ajv = createAjv({ formats })
    expect(() => ajv.compile({ type: 'array', 'x-identity': 'id', items: item })).not.toThrow()
    expect(() => ajv.compile({ type: 'array', 'x-identity': 5 })).toThrow(/x-identity/)
    expect(() => ajv.compile({ type: 'string', 'x-ignore-changes': 'yes' })).toThrow(/x-ignore-changes/)
  })

  it.each<{ name: string; schema: JsonObject; issues: string[] }>([
    {
      name: 'every keyword where it belongs',
      schema: schema(
        {
          rows: { type: 'array', 'x-identity': 'id', items: { $ref: '#/$defs/Row' } },
          text: { type: 'string', 'x-normalize': 'markdown' },
          seen: { type: 'string', 'x-ignore-changes': true },
          state: { type: 'string', enum: ['on', 'gone'], 'x-deleted': 'gone' },
        },
        { Row: item },
      ),
      issues: [],
    },
    {
      name: 'x-identity on something that is no array of objects',
      schema: schema({ text: { type: 'string', 'x-identity': 'id' } }),
      issues: ['/properties/text/x-identity x-identity'],
    },
    {
      name: 'x-identity naming a property the items may lack',
      schema: schema({ rows: { type: 'array', 'x-identity': 'note', items: item } }),
      issues: ['/properties/rows/x-identity x-identity'],
    },
    {
      name: 'x-identity naming no property',
      schema: schema({ rows: { type: 'array', 'x-identity': 'key', items: item } }),
      issues: ['/properties/rows/x-identity x-identity'],
    },
    {
      name: 'an unknown normaliser',
      schema: schema({ text: { type: 'string', 'x-normalize': 'html' } }),
      issues: ['/properties/text/x-normalize x-normalize'],
    },
    {
      name: 'a normaliser on a number',
      schema: schema({ n: { type: 'number', 'x-normalize': 'whitespace' } }),
      issues: ['/properties/n/x-normalize x-normalize'],
    },
    {
      name: 'x-deleted on a nested property',
      schema: schema({
        box: {
          type: 'object',
          properties: { state: { type: 'string', 'x-deleted': 'gone' } },
        },
      }),
      issues: ['/properties/box/properties/state/x-deleted x-deleted'],
    },
    {
      name: 'a keyword value of the wrong type (the strict compile)',
      schema: schema({ seen: { type: 'string', 'x-ignore-changes': 'yes' } }),
      issues: [' compile'],
    },
  ])('$name', ({ schema: s, issues }) => {
    const r = admit(s)
    expect(pairs(r).map((p) => p.trim())).toEqual(issues.map((p) => p.trim()))
    if (!r.ok) expect(r.code).toBe('SCHEMA_INVALID')
  })

  it('a keyword inside an enum value is data, not a keyword', () => {
    expect(admit(schema({ kind: { enum: [{ 'x-identity': 'id' }] } })).ok).toBe(true)
  })
})
