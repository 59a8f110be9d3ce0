/**
 * The event schema of a resource version (registry/event-schema.ts): every example event of the version is valid
 * against it, with our validator and with a bare ajv 2020 as Confluent's JSON deserializer compiles it; an event of
 * another version, or with invalid content or envelope, is not.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import Ajv2020 from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { compileSchema } from '../../core/index.ts'
import { schemas } from '../../generated/index.ts'
import type { JsonObject } from '../../registry/content.ts'
import { eventSchema, eventSchemaUri } from '../../registry/event-schema.ts'
import { repoRoot } from './helpers.ts'

const envelope = JSON.parse(await readFile(join(repoRoot, 'schemas/envelope.json'), 'utf8')) as JsonObject

interface Example {
  file: string
  resource: string
  event: { resource?: { schema?: unknown } }
}
async function examples(kind: 'valid' | 'invalid'): Promise<Example[]> {
  const root = join(repoRoot, 'schemas/examples')
  const out: Example[] = []
  for (const resource of await readdir(root))
    for (const file of await readdir(join(root, resource, kind)))
      out.push({
        file: `${resource}/${kind}/${file}`,
        resource,
        event: JSON.parse(await readFile(join(root, resource, kind, file), 'utf8')) as Example['event'],
      })
  return out
}

const versions = Object.entries(schemas).map(([uri, schema]) => {
  const [, name, version] = /\/schemas\/([^/]+)\/(\d+)$/.exec(uri) as RegExpExecArray
  return { name: name as string, version: Number(version), uri, schema: schema as JsonObject }
})
/** What Confluent's client does with `{ ajvInstance: new Ajv2020({ strict: false }) }`: compile the id's schema. */
const bareAjv = (schema: JsonObject) => new Ajv2020.default({ strict: false }).compile(schema)
const ours = (schema: JsonObject) => compileSchema(schema)

const valid = await examples('valid')
const invalid = await examples('invalid')

describe('eventSchema', () => {
  it('has $id <uri>/event, draft 2020-12, and embeds envelope and content under ids of their own', () => {
    for (const v of versions) {
      const s = eventSchema(v, envelope)
      expect(s.$id).toBe(eventSchemaUri(v.uri))
      expect(s.$id).toBe(`${v.uri}/event`)
      expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
      const defs = s.$defs as Record<string, JsonObject>
      expect(defs.envelope?.$id).toBe(`${v.uri}/event/envelope`)
      expect(defs.content?.$id).toBe(`${v.uri}/event/content`)
      // No $id twice, and never the content schema's own (ajv refuses a duplicate id).
      const ids = JSON.stringify(s).match(/"\$id":"[^"]*"/g) ?? []
      expect(new Set(ids).size).toBe(ids.length)
      expect(ids).not.toContain(`"$id":"${v.uri}"`)
    }
  })

  it('is pure: the same input gives the same schema, and the inputs are not changed', () => {
    const v = versions[0] as (typeof versions)[number]
    const before = JSON.stringify([v.schema, envelope])
    expect(eventSchema(v, envelope)).toEqual(eventSchema(v, envelope))
    expect(JSON.stringify([v.schema, envelope])).toBe(before)
  })

  const validCases = valid.flatMap((e) =>
    versions
      .filter((v) => v.name === e.resource)
      .map((v) => ({ ...e, version: v, expected: e.event.resource?.schema === v.uri })),
  )
  it.each(validCases)(
    '$file against v$version.version: valid exactly when it names that version ($expected)',
    ({ event, version, expected }) => {
      const schema = eventSchema(version, envelope)
      for (const compile of [ours, bareAjv]) {
        const validate = compile(schema)
        expect(validate(structuredClone(event)), JSON.stringify(validate.errors)).toBe(expected)
      }
    },
  )

  const invalidCases = invalid.flatMap((e) =>
    versions.filter((v) => v.name === e.resource).map((v) => ({ ...e, version: v })),
  )
  it.each(invalidCases)('$file is invalid against v$version.version', ({ event, version }) => {
    const validate = ours(eventSchema(version, envelope))
    expect(validate(structuredClone(event))).toBe(false)
  })

  it('refuses a content whose envelope test is missing', () => {
    const { properties: _p, ...bare } = envelope
    expect(() => eventSchema(versions[0] as (typeof versions)[number], bare)).toThrow(/resource\.content/)
  })
})
