import { describe, expect, it } from 'vitest'
import { ContractError, schemaUri } from '../../core/index.ts'
import {
  acceptsVersion,
  createSchemaSource,
  decode,
  type DecodeOptions,
  type RegistryPort,
} from '../../consumers/index.ts'
import { eventMessage, poison, rawEvent, uuid } from './events.ts'

const msg = (value: string | null, headers: Record<string, string> = {}) => ({
  value: value === null ? null : Buffer.from(value),
  headers,
})

/** A registry that knows one extra schema: time-entry version 3 (not in the generated catalog). */
const V3 = schemaUri('time-entry', 3)
const v3Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: V3,
  type: 'object',
  required: ['id', 'ownerId', 'hours'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    ownerId: { type: 'string' },
    hours: { type: 'number', minimum: 0 },
  },
  additionalProperties: false,
}
const BROKEN = schemaUri('time-entry', 9)
function fakeRegistry(behaviour: 'up' | 'down' = 'up') {
  const calls: string[] = []
  const registry: RegistryPort = {
    async getByUri(uri) {
      calls.push(uri)
      if (behaviour === 'down')
        throw new ContractError('REGISTRY_UNAVAILABLE', 'down', [], { retriable: true })
      if (uri === V3) return v3Schema
      if (uri === BROKEN) return { type: 'no-such-type' }
      return undefined
    },
  }
  return { registry, calls }
}

const good = eventMessage('time-entry', 'create')
const { registry } = fakeRegistry()
const withRegistry: DecodeOptions = { schemas: createSchemaSource(registry) }

describe('decode', () => {
  it.each<{
    name: string
    value: string | null
    headers?: Record<string, string>
    options?: DecodeOptions
    code?: string
    keyword?: string
  }>([
    { name: 'a valid catalog event with agreeing headers', value: good.value, headers: good.headers },
    { name: 'a valid event without headers', value: good.value },
    { name: 'a reference (delete)', value: eventMessage('person', 'delete').value },
    { name: 'a null value (tombstone)', value: null, code: 'NOT_JSON', keyword: 'json' },
    { name: 'not JSON', value: poison(0, 'k').value, code: 'NOT_JSON', keyword: 'json' },
    { name: 'a bad envelope', value: poison(1, 'k').value, code: 'EVENT_INVALID', keyword: 'enum' },
    { name: 'bad content', value: poison(2, 'k').value, code: 'EVENT_INVALID', keyword: 'type' },
    {
      name: 'an unknown schema URI, no registry',
      value: poison(3, 'k').value,
      code: 'UNKNOWN_SCHEMA',
      keyword: 'known-schema',
    },
    {
      name: 'ce_dataschema disagreeing',
      value: good.value,
      headers: poison(4, 'k').headers,
      code: 'EVENT_INVALID',
      keyword: 'header',
    },
    {
      name: 'ce_type disagreeing',
      value: good.value,
      headers: { ce_type: 'time-entry.delete' },
      code: 'EVENT_INVALID',
      keyword: 'header',
    },
    {
      name: 'v1 with accept ^2',
      value: good.value,
      options: { accepts: acceptsVersion({ 'time-entry': '^2' }) },
      code: 'VERSION_NOT_ACCEPTED',
      keyword: 'accepted-version',
    },
    {
      name: 'v1 with accept >=1 <3',
      value: good.value,
      options: { accepts: acceptsVersion({ 'time-entry': '>=1 <3' }) },
    },
    {
      name: 'v1 with accept [2]',
      value: good.value,
      options: { accepts: acceptsVersion({ 'time-entry': [2] }) },
      code: 'VERSION_NOT_ACCEPTED',
    },
    {
      name: 'v1 with accept for another resource only',
      value: good.value,
      options: { accepts: acceptsVersion({ person: [2] }) },
    },
    {
      name: 'registry: valid under a fetched schema',
      value: rawEvent(V3, { id: uuid(), ownerId: 'o', hours: 7.5 }),
      options: withRegistry,
    },
    {
      name: 'registry: invalid under a fetched schema',
      value: rawEvent(V3, { id: uuid(), ownerId: 'o', hours: -1 }),
      options: withRegistry,
      code: 'EVENT_INVALID',
      keyword: 'minimum',
    },
    {
      name: 'registry: unknown URI',
      value: rawEvent(schemaUri('time-entry', 4), { hours: 1 }),
      options: withRegistry,
      code: 'UNKNOWN_SCHEMA',
    },
    {
      name: 'registry: a schema that does not compile',
      value: rawEvent(BROKEN, { hours: 1 }),
      options: withRegistry,
      code: 'SCHEMA_INVALID',
      keyword: 'schema',
    },
    {
      name: 'registry: bad envelope is not looked up',
      value: JSON.stringify({ ...JSON.parse(rawEvent(V3, {})), id: 1 }),
      options: withRegistry,
      code: 'EVENT_INVALID',
    },
    {
      name: 'registry: v3 with accept ^1',
      value: rawEvent(V3, { id: uuid(), ownerId: 'o', hours: 1 }),
      options: { ...withRegistry, accepts: acceptsVersion({ 'time-entry': '^1' }) },
      code: 'VERSION_NOT_ACCEPTED',
    },
  ])('$name', async ({ value, headers, options, code, keyword }) => {
    const r = await decode(msg(value, headers), options)
    if (code === undefined) {
      expect(r).toMatchObject({ ok: true })
      return
    }
    expect(r).toMatchObject({ ok: false, code })
    if (!r.ok && keyword) expect(r.issues.map((i) => i.keyword)).toContain(keyword)
  })

  it('names the resource and version of a registry schema from its canonical URI', async () => {
    const r = await decode(msg(rawEvent(V3, { id: uuid(), ownerId: 'o', hours: 1 })), withRegistry)
    expect(r.ok && { name: r.value.name, resource: r.value.resource, version: r.value.version }).toEqual({
      name: 'time-entry',
      resource: 'time-entry',
      version: 3,
    })
  })

  it('compiles a fetched schema once (LRU), and shares concurrent look-ups', async () => {
    const f = fakeRegistry()
    const options = { schemas: createSchemaSource(f.registry, { max: 1 }) }
    const valueOf = () => msg(rawEvent(V3, { id: uuid(), ownerId: 'o', hours: 1 }))
    await Promise.all([decode(valueOf(), options), decode(valueOf(), options)])
    await decode(valueOf(), options)
    expect(f.calls).toEqual([V3])
    await decode(msg(rawEvent(BROKEN, { x: 1 })), options) // evicts V3 (max 1)
    await decode(valueOf(), options)
    expect(f.calls).toEqual([V3, BROKEN, V3])
  })

  it('throws (retriable) when the registry is down: the event may be fine, it is not bad data', async () => {
    const options = { schemas: createSchemaSource(fakeRegistry('down').registry) }
    await expect(
      decode(msg(rawEvent(V3, { id: uuid(), ownerId: 'o', hours: 1 })), options),
    ).rejects.toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
      retriable: true,
    })
  })

  it('treats any error from a registry client as "down", a non-retriable ContractError as the answer', async () => {
    const plain = createSchemaSource({ getByUri: () => Promise.reject(new TypeError('fetch failed')) })
    await expect(plain.lookup(V3)).rejects.toMatchObject({ code: 'REGISTRY_UNAVAILABLE', retriable: true })
    const notFound = createSchemaSource({
      getByUri: () => Promise.reject(new ContractError('SCHEMA_NOT_FOUND', 'no')),
    })
    expect(await notFound.lookup(V3)).toEqual({ kind: 'unknown' })
    const bad = createSchemaSource({
      getByUri: () => Promise.reject(new ContractError('BAD_REQUEST', 'bad uri')),
    })
    expect(await bad.lookup(V3)).toMatchObject({ kind: 'invalid', code: 'BAD_REQUEST' })
  })
})

describe('acceptsVersion', () => {
  it.each<{ rule: string | number[]; version: number; ok: boolean }>([
    { rule: '^1', version: 1, ok: true },
    { rule: '^1', version: 2, ok: false },
    { rule: '>=1 <3', version: 2, ok: true },
    { rule: '>=1 <3', version: 3, ok: false },
    { rule: '1 || 3', version: 3, ok: true },
    { rule: [1, 2], version: 2, ok: true },
    { rule: [1, 2], version: 3, ok: false },
  ])('$rule accepts $version: $ok', ({ rule, version, ok }) => {
    expect(acceptsVersion({ 'time-entry': rule })('time-entry', version)).toBe(ok)
  })

  it('refuses a malformed range up front', () => {
    expect(() => acceptsVersion({ person: 'one or two' })).toThrow(TypeError)
  })
})
