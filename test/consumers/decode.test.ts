import { describe, expect, it } from 'vitest'
import {
  acceptsVersion,
  ContractError,
  createSchemaSource,
  decode,
  schemaUri,
  type CloudEventAttribute,
  type DecodeOptions,
  type SchemaLookupPort,
} from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { KafkaMessage } from '../../transports/kafka/index.ts'
import { callistoEvent, eventMessage, poison, rawEvent, uuid, type Attributes } from './events.ts'
import { ceHeaders } from './kafka.ts'

/** A transport-neutral message: the value and the CloudEvents attributes by name. */
const msg = (value: string | null, attributes: Attributes = {}) => ({
  value: value === null ? null : Buffer.from(value),
  attribute: (name: CloudEventAttribute) => attributes[name],
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
  const registry: SchemaLookupPort = {
    async getByUri(uri: string) {
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
    attributes?: Attributes
    options?: DecodeOptions
    code?: string
    keyword?: string
  }>([
    {
      name: 'a valid catalog event with agreeing attributes',
      value: good.value,
      attributes: good.attributes,
    },
    { name: 'a valid event without attributes', value: good.value },
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
      name: 'dataschema disagreeing',
      value: good.value,
      attributes: poison(4, 'k').attributes,
      code: 'EVENT_INVALID',
      keyword: 'header',
    },
    {
      name: 'type disagreeing',
      value: good.value,
      attributes: { type: 'time-entry.delete' },
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
  ])('$name', async ({ value, attributes, options, code, keyword }) => {
    const r = await decode(catalog, msg(value, attributes), options)
    if (code === undefined) {
      expect(r).toMatchObject({ ok: true })
      return
    }
    expect(r).toMatchObject({ ok: false, code })
    if (!r.ok && keyword) expect(r.issues.map((i) => i.keyword)).toContain(keyword)
  })

  it('names the resource and version of a registry schema from its canonical URI', async () => {
    const r = await decode(catalog, msg(rawEvent(V3, { id: uuid(), ownerId: 'o', hours: 1 })), withRegistry)
    // The kernel's ForeignEvent: `resource` is only ever a catalog entry, so a registry schema has none (the old
    // runtime set it to 'time-entry' here); `name` is what routes the event to the time-entry handlers.
    expect(r.ok && { name: r.value.name, resource: r.value.resource, version: r.value.version }).toEqual({
      name: 'time-entry',
      resource: undefined,
      version: 3,
    })
  })

  it('compiles a fetched schema once (LRU), and shares concurrent look-ups', async () => {
    const f = fakeRegistry()
    const options = { schemas: createSchemaSource(f.registry, { max: 1 }) }
    const valueOf = () => msg(rawEvent(V3, { id: uuid(), ownerId: 'o', hours: 1 }))
    await Promise.all([decode(catalog, valueOf(), options), decode(catalog, valueOf(), options)])
    await decode(catalog, valueOf(), options)
    expect(f.calls).toEqual([V3])
    await decode(catalog, msg(rawEvent(BROKEN, { x: 1 })), options) // evicts V3 (max 1)
    await decode(catalog, valueOf(), options)
    expect(f.calls).toEqual([V3, BROKEN, V3])
  })

  it('throws (retriable) when the registry is down: the event may be fine, it is not bad data', async () => {
    const options = { schemas: createSchemaSource(fakeRegistry('down').registry) }
    await expect(
      decode(catalog, msg(rawEvent(V3, { id: uuid(), ownerId: 'o', hours: 1 })), options),
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

describe('decode: attributes', () => {
  it('says which attribute disagrees with the event, and with what', async () => {
    const r = await decode(
      catalog,
      msg(good.value, { type: 'time-entry.delete', dataschema: schemaUri('time-entry', 2) }),
    )
    expect(r).toEqual({
      ok: false,
      code: 'EVENT_INVALID',
      issues: [
        {
          path: '/action',
          keyword: 'header',
          message: "attribute type 'time-entry.delete' disagrees with the event (time-entry.create)",
          params: { attribute: 'type', value: 'time-entry.delete' },
        },
        {
          path: '/resource/schema',
          keyword: 'header',
          message: `attribute dataschema '${schemaUri('time-entry', 2)}' disagrees with resource.schema`,
          params: { attribute: 'dataschema', value: schemaUri('time-entry', 2) },
        },
      ],
    })
  })

  it("reads a Kafka message's attributes from its ce_ headers", async () => {
    const kafka = (value: string, attributes: Attributes) =>
      new KafkaMessage('t', 0, {
        key: null,
        value: Buffer.from(value),
        offset: '0',
        timestamp: '0',
        headers: ceHeaders(attributes),
      })
    expect(await decode(catalog, kafka(good.value, good.attributes))).toMatchObject({ ok: true })
    const wrong = await decode(catalog, kafka(good.value, { type: 'person.create' }))
    expect(wrong).toMatchObject({
      ok: false,
      code: 'EVENT_INVALID',
      issues: [{ keyword: 'header', params: { attribute: 'type', value: 'person.create' } }],
    })
    const meta = { id: uuid(), time: '2026-11-20T08:30:00Z', source: 'urn:callisto:x' }
    const r = await decode(catalog, kafka(callistoEvent('person', 'create'), meta))
    expect(r.ok && { id: r.value.event.id, time: r.value.event.time, source: r.value.event.source }).toEqual(
      meta,
    )
  })

  it('decides catalog events without a promise; only a registry look-up returns one', () => {
    expect(decode(catalog, msg(good.value))).not.toBeInstanceOf(Promise)
    expect(decode(catalog, msg('{bad'))).not.toBeInstanceOf(Promise)
    expect(decode(catalog, msg(rawEvent(V3, {})))).not.toBeInstanceOf(Promise) // no registry: unknown, now
    const looked = decode(catalog, msg(rawEvent(V3, { id: uuid(), ownerId: 'o', hours: 1 })), withRegistry)
    expect(looked).toBeInstanceOf(Promise)
    return looked
  })

  it('decodes against the catalog it is given', async () => {
    const people = {
      envelope: catalog.envelope,
      reference: catalog.reference,
      resources: { person: catalog.resources.person },
    }
    expect(await decode(people, msg(eventMessage('person', 'create').value))).toMatchObject({
      ok: true,
      value: { resource: 'person', name: 'person', version: 1 },
    })
    expect(await decode(people, msg(good.value))).toMatchObject({ ok: false, code: 'UNKNOWN_SCHEMA' })
  })
})

describe("decode: Callisto's envelope (action and resource only)", () => {
  const meta = { id: uuid(), time: '2026-11-20T08:30:00Z', source: 'urn:callisto:timecard-restapi' }
  const missing = (field: 'id' | 'time' | 'source') => ({
    path: `/${field}`,
    keyword: 'required',
    message: `must have required property '${field}': neither the event nor the transport's CloudEvents '${field}' attribute carries it`,
    params: { missingProperty: field },
  })

  it.each<{ name: string; own?: object; attributes: Attributes; event?: object; issues?: object[] }>([
    { name: 'all three from the attributes', attributes: meta, event: meta },
    {
      name: 'all three from the attributes, with agreeing type and dataschema',
      attributes: { ...meta, type: 'time-entry.create', dataschema: schemaUri('time-entry', 1) },
      event: meta,
    },
    {
      name: "the event's own fields win over the attributes",
      own: { id: good.id, source: 'urn:own' },
      attributes: meta,
      event: { id: good.id, time: meta.time, source: 'urn:own' },
    },
    {
      name: 'none anywhere: one issue per field',
      attributes: { type: 'time-entry.create' },
      issues: [missing('id'), missing('time'), missing('source')],
    },
    {
      name: 'only the id missing',
      attributes: { time: meta.time, source: meta.source },
      issues: [missing('id')],
    },
    {
      name: 'time and source missing, the id in the event',
      own: { id: meta.id },
      attributes: {},
      issues: [missing('time'), missing('source')],
    },
  ])('$name', async ({ own, attributes, event, issues }) => {
    const r = await decode(
      catalog,
      msg(callistoEvent('time-entry', 'create', { own: own ?? {} }), attributes),
    )
    if (issues) expect(r).toEqual({ ok: false, code: 'EVENT_INVALID', issues })
    else {
      expect(r).toMatchObject({
        ok: true,
        value: { event: { ...event, action: 'create' }, resource: 'time-entry' },
      })
    }
  })

  it('reports what else is wrong with the envelope beside the missing metadata', async () => {
    const event = { ...JSON.parse(callistoEvent('time-entry', 'create')), action: 'upsert' }
    const r = await decode(catalog, msg(JSON.stringify(event), { time: meta.time, source: meta.source }))
    expect(r).toMatchObject({ ok: false, code: 'EVENT_INVALID' })
    expect(!r.ok && r.issues.map((i) => [i.path, i.keyword])).toEqual([
      ['/id', 'required'],
      ['/action', 'enum'],
    ])
  })

  it('validates what the attributes carry like the rest of the envelope', async () => {
    const r = await decode(
      catalog,
      msg(callistoEvent('person', 'update'), { ...meta, id: 'not-a-uuid', time: 'yesterday' }),
    )
    expect(r).toMatchObject({ ok: false, code: 'EVENT_INVALID' })
    expect(!r.ok && r.issues.map((i) => [i.path, i.keyword]).sort()).toEqual([
      ['/id', 'format'],
      ['/time', 'format'],
    ])
  })

  it('fills a reference (delete) as well, and never looks a Callisto event without metadata up', async () => {
    const f = fakeRegistry()
    const options = { schemas: createSchemaSource(f.registry) }
    expect(await decode(catalog, msg(callistoEvent('person', 'delete'), meta), options)).toMatchObject({
      ok: true,
      value: { reference: true, event: meta },
    })
    const v3 = JSON.stringify({ action: 'create', resource: { schema: V3, content: { hours: 1 } } })
    expect(await decode(catalog, msg(v3), options)).toMatchObject({ ok: false, code: 'EVENT_INVALID' })
    expect(f.calls).toEqual([])
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
