/**
 * Confluent's Schema Registry API under /ccompat (registry/ccompat/): every endpoint and every error code, through
 * app.request() on PGlite. Each test makes its own subjects, so that none depends on another's registrations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Registry } from '../../registry/index.ts'
import { auth, testRegistry } from './helpers.ts'

type Json = Record<string, unknown>
let registry: Registry
let other: Registry

beforeAll(async () => {
  registry = await testRegistry({
    tokenEntries: [{ name: 'scoped', token: 'scoped-token', resources: ['things-*'] }],
  })
  other = await testRegistry({ ccompatPath: '/confluent' })
}, 120_000)
afterAll(async () => {
  await registry.close()
  await other.close()
})

const CT = 'application/vnd.schemaregistry.v1+json'
const headers = { 'content-type': CT, ...auth }
const request = (path: string, init: RequestInit = {}) => registry.app.request(`/ccompat${path}`, init)
const send = (method: string, path: string, body?: unknown, h: Record<string, string> = headers) =>
  request(path, {
    method,
    headers: h,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
const get = async (path: string) => {
  const res = await request(path)
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as unknown }
}
const call = async (method: string, path: string, body?: unknown, h?: Record<string, string>) => {
  const res = await send(method, path, body, h)
  return { status: res.status, body: (await res.json()) as Json & unknown[] }
}

let counter = 0
const unique = (stem: string) => `${stem}-${process.pid}-${++counter}`

const D2020 = 'https://json-schema.org/draft/2020-12/schema'
const plain = (extra: Json = {}, properties: Json = {}): Json => ({
  $schema: D2020,
  type: 'object',
  properties: { id: { type: 'string' }, ...properties },
  additionalProperties: false,
  ...extra,
})
const register = (subject: string, schema: Json, extra: Json = {}, h?: Record<string, string>) =>
  call(
    'POST',
    `/subjects/${encodeURIComponent(subject)}/versions`,
    { schemaType: 'JSON', schema: JSON.stringify(schema), ...extra },
    h,
  )

/** A contract whose topic is `topic`: registered at `<topic>-value`. */
const contract = (topic: string, properties: Json = {}): Json => ({
  $schema: D2020,
  title: 'Thing',
  'x-topic': topic,
  'x-key': 'id',
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' }, ...properties },
  additionalProperties: false,
})

describe('reads', () => {
  it('GET / is {} and GET /schemas/types is ["JSON"], as application/vnd.schemaregistry.v1+json', async () => {
    expect(await get('/')).toEqual({ status: 200, type: CT, body: {} })
    expect(await get('/schemas/types')).toEqual({ status: 200, type: CT, body: ['JSON'] })
  })

  it('a seeded resource is the subject <x-topic>-value; its versions, by number, latest and -1, with ids', async () => {
    const subjects = (await get('/subjects')).body as string[]
    expect(subjects).toEqual(
      expect.arrayContaining(['callisto-person-value', 'callisto-timecard-timeentries-value']),
    )
    expect((await get('/subjects/callisto-person-value/versions')).body).toEqual([1, 2])
    const v2 = (await get('/subjects/callisto-person-value/versions/2')).body as Json
    expect(v2).toMatchObject({ subject: 'callisto-person-value', version: 2, schemaType: 'JSON' })
    expect(JSON.parse(v2.schema as string)).toMatchObject({
      $id: 'https://event-contracts.dev/schemas/person/2',
    })
    for (const v of ['latest', '-1'])
      expect((await get(`/subjects/callisto-person-value/versions/${v}`)).body).toEqual(v2)
    const raw = await get('/subjects/callisto-person-value/versions/2/schema')
    expect(raw.body).toEqual(JSON.parse(v2.schema as string))
    const byId = await get(`/schemas/ids/${String(v2.id)}`)
    expect(byId).toEqual({ status: 200, type: CT, body: { schemaType: 'JSON', schema: v2.schema } })
    expect((await get(`/schemas/ids/${String(v2.id)}/schema`)).body).toEqual(raw.body)
    expect((await get(`/schemas/ids/${String(v2.id)}/versions`)).body).toEqual([
      { subject: 'callisto-person-value', version: 2 },
    ])
    expect((await get(`/schemas/ids/${String(v2.id)}/subjects`)).body).toEqual(['callisto-person-value'])
    expect((await get('/subjects?subjectPrefix=callisto-p')).body).toEqual(['callisto-person-value'])
    const all = (await get('/schemas?subjectPrefix=callisto-person')).body as Json[]
    expect(all.map((s) => [s.subject, s.version])).toEqual([
      ['callisto-person-value', 1],
      ['callisto-person-value', 2],
    ])
    const latest = (await get('/schemas?subjectPrefix=callisto-person&latestOnly=true')).body as Json[]
    expect(latest).toEqual([v2])
  })

  it('ids are distinct per content and stable: the seeded versions have ids 1…n', async () => {
    const ids = new Set<unknown>()
    for (const s of [
      'callisto-accruals-value',
      'callisto-person-value',
      'callisto-timecard-timeentries-value',
      'hdx-datasets-value',
    ])
      for (const v of (await get(`/subjects/${s}/versions`)).body as number[])
        ids.add(((await get(`/subjects/${s}/versions/${v}`)).body as Json).id)
    expect([...ids].sort()).toEqual([1, 2, 3, 4, 5, 6, 7])
  })

  it('the prefix is configurable', async () => {
    expect((await other.app.request('/confluent/schemas/types')).status).toBe(200)
    expect((await other.app.request('/ccompat/schemas/types')).status).toBe(404)
  })
})

describe('registering', () => {
  it('a plain subject: idempotent, the same id for the same content in another subject, its own $id kept', async () => {
    const a = unique('plain-a')
    const b = unique('plain-b')
    const schema = plain({ $id: 'https://example.com/plain.json' })
    const first = await register(a, schema)
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ version: 1, schemaType: 'JSON' })
    expect(JSON.parse(first.body.schema as unknown as string)).toEqual(schema)
    expect((await register(a, schema)).body).toEqual(first.body)
    const again = await register(b, schema)
    expect(again.body.id).toBe(first.body.id)
    expect((await get(`/schemas/ids/${String(first.body.id)}/subjects`)).body).toEqual([a, b].sort())
    const lookup = await call('POST', `/subjects/${a}`, {
      schemaType: 'JSON',
      schema: JSON.stringify(schema),
    })
    expect(lookup.body).toMatchObject({ subject: a, version: 1, id: first.body.id })
  })

  it.each([
    ['draft 2020-12', 'https://json-schema.org/draft/2020-12/schema', '$defs'],
    ['draft 2019-09', 'https://json-schema.org/draft/2019-09/schema', '$defs'],
    ['draft-07', 'http://json-schema.org/draft-07/schema#', 'definitions'],
  ])(
    '%s: a compatible version is registered, a breaking one is 409 with the difference',
    async (_d, $schema, defs) => {
      const s = unique('drafts')
      const v1 = {
        $schema,
        type: 'object',
        properties: { a: { $ref: `#/${defs}/a` } },
        additionalProperties: false,
        [defs]: { a: { type: 'string' } },
      }
      expect((await register(s, v1)).status).toBe(200)
      const v2 = { ...v1, properties: { a: { $ref: `#/${defs}/a` }, b: { type: 'integer' } } }
      expect((await register(s, v2)).body).toMatchObject({ version: 2 })
      const breaking = { ...v2, required: ['a'] }
      const r = await register(s, breaking)
      expect(r.status).toBe(409)
      expect(r.body.error_code).toBe(409)
      expect(r.body.message).toContain('/required')
    },
  )

  it('references: a $ref by name resolves to the referenced version, locally; referencedby lists the referrer', async () => {
    const dep = unique('address')
    const s = unique('customer')
    const address = {
      $schema: D2020,
      $id: 'https://example.com/address.json',
      type: 'object',
      properties: { city: { type: 'string' } },
    }
    const dv = await register(dep, address)
    const customer = plain({}, { address: { $ref: 'address.json' } })
    const refs = [{ name: 'address.json', subject: dep, version: 1 }]
    const r = await register(s, customer, { references: refs })
    expect(r.status).toBe(200)
    expect((await get(`/schemas/ids/${String(r.body.id)}`)).body).toEqual({
      schemaType: 'JSON',
      schema: JSON.stringify(customer),
      references: refs,
    })
    expect((await get(`/subjects/${dep}/versions/1/referencedby`)).body).toEqual([r.body.id])
    // The referenced schema is judged: making city an integer inside the reference breaks nothing here, but a
    // customer whose address no longer admits what it did is incompatible through the reference.
    const narrower = await register(dep, { ...address, required: ['city'] })
    expect(narrower.status).toBe(409)
    const unknownRef = await register(s, customer, {
      references: [{ name: 'address.json', subject: dep, version: 9 }],
    })
    expect(unknownRef.body.error_code).toBe(42201)
    const dangling = await register(unique('dangling'), plain({}, { x: { $ref: 'nowhere.json' } }))
    expect(dangling.body.error_code).toBe(42201)
    expect(dv.status).toBe(200)
  })

  it('<topic>-value goes through the admission rule: a new resource needs x-topic and x-key; then it is the resource', async () => {
    const topic = unique('things')
    const created = await register(`${topic}-value`, contract(topic))
    expect(created.status).toBe(200)
    const native = await registry.app.request(`/schemas/${topic}/versions/1`)
    expect(native.status).toBe(200)
    const noKey = contract(unique('things'))
    delete noKey['x-key']
    const refused = await register(`${String(noKey['x-topic'])}-value`, noKey)
    expect(refused.body.error_code).toBe(42201)
    expect(refused.body.message).toContain('x-key')
    const breaking = await register(`${topic}-value`, {
      ...contract(topic),
      required: ['id', 'extra'],
      properties: { id: { type: 'string' }, extra: { type: 'string' } },
    })
    expect(breaking.status).toBe(409)
    expect(
      (await register(`${topic}-value`, contract(topic, { note: { type: 'string' } }))).body,
    ).toMatchObject({ version: 2 })
  })

  it('a scoped token writes its resources only; Basic user:token works like Bearer; reads need none', async () => {
    const topic = unique('things')
    const basic = {
      'content-type': CT,
      authorization: `Basic ${Buffer.from('someone:scoped-token').toString('base64')}`,
    }
    expect((await register(`${topic}-value`, contract(topic), {}, basic)).status).toBe(200)
    const outside = unique('stuff')
    const refused = await register(`${outside}-value`, contract(outside), {}, basic)
    expect(refused).toMatchObject({ status: 403, body: { error_code: 40301 } })
    const none = await register(unique('plain'), plain(), {}, { 'content-type': CT })
    expect(none).toMatchObject({ status: 401, body: { error_code: 40101 } })
    expect((await send('DELETE', `/subjects/${topic}-value`, undefined, basic)).status).toBe(403)
  })

  it.each([
    ['Avro', { schemaType: 'AVRO', schema: '{"type":"record","name":"x","fields":[]}' }, 42201, 'AVRO'],
    ['Protobuf', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3";' }, 42201, 'PROTOBUF'],
    ['a schema that is not JSON', { schemaType: 'JSON', schema: '{nope' }, 42201, 'not JSON'],
    ['a schema that is not a string', { schemaType: 'JSON', schema: { type: 'object' } }, 42201, 'string'],
    ['a schema against no meta-schema', { schema: JSON.stringify({ type: 'nothing' }) }, 42201, 'draft'],
    [
      'an unknown $schema',
      { schema: JSON.stringify({ $schema: 'https://example.com/s', type: 'object' }) },
      42201,
      '$schema',
    ],
    ['x-topic in a plain subject', { schema: JSON.stringify(plain({ 'x-topic': 't' })) }, 42201, 'x-topic'],
    [
      'a remote $ref',
      { schema: JSON.stringify(plain({}, { a: { $ref: 'https://example.com/a.json' } })) },
      42201,
      'remote',
    ],
    ['an id outside IMPORT mode', { schema: JSON.stringify(plain()), id: 999 }, 42205, 'IMPORT'],
    ['a version that is not next', { schema: JSON.stringify(plain()), version: 7 }, 42202, 'next version'],
    ['a bad version', { schema: JSON.stringify(plain()), version: 0 }, 42202, 'version'],
  ])('%s is refused with %s', async (_t, body, code, word) => {
    const r = await call('POST', `/subjects/${unique('bad')}/versions`, body)
    expect(r.status).toBe(Math.floor(code / 100) > 99 ? Math.floor(code / 100) : code)
    expect(r.body.error_code).toBe(code)
    expect(r.body.message).toContain(word)
  })

  it('a schema nested far deeper than the call stack is a 422 (42201 here, SCHEMA_INVALID natively), never a 5xx', async () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`
    const r = await call('POST', `/subjects/${unique('deep')}/versions`, { schema: deep })
    expect(r.status).toBe(422)
    expect(r.body.error_code).toBe(42201)
    expect(r.body.message).toContain('nested deeper')
    const native = await registry.app.request('/schemas/deep-thing/versions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: deep,
    })
    expect(native.status).toBe(422)
    expect(((await native.json()) as Json).code).toBe('SCHEMA_INVALID')
    const check = await registry.app.request('/compatibility/time-entry', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: deep,
    })
    expect(check.status).toBe(422)
    expect(((await check.json()) as Json).issues).toEqual([expect.objectContaining({ keyword: 'maxDepth' })])
  })

  it('a body that is not JSON, or of another content type, is a 4xx in Confluent shape', async () => {
    const r = await call('POST', `/subjects/${unique('x')}/versions`, '{oops')
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({ error_code: 400 })
    const xml = await call('POST', `/subjects/${unique('x')}/versions`, '<a/>', {
      ...auth,
      'content-type': 'application/xml',
    })
    expect(xml.body.error_code).toBe(42201)
    for (const type of ['application/vnd.schemaregistry+json', 'application/json'])
      expect(
        (
          await call(
            'POST',
            `/subjects/${unique('ct')}/versions`,
            { schema: JSON.stringify(plain()) },
            { ...auth, 'content-type': type },
          )
        ).status,
      ).toBe(200)
  })
})

describe('not found', () => {
  it.each([
    ['/subjects/no-such-subject/versions', 40401],
    ['/subjects/no-such-subject/versions/1', 40401],
    ['/subjects/callisto-person-value/versions/99', 40402],
    ['/subjects/callisto-person-value/versions/0', 42202],
    ['/subjects/callisto-person-value/versions/abc', 42202],
    ['/schemas/ids/999999', 40403],
    ['/schemas/ids/abc', 40403],
    ['/schemas/ids/999999/schema', 40403],
    ['/config/no-such-subject', 40401],
    ['/config/callisto-person-value', 40408],
    ['/mode/callisto-person-value', 40409],
    ['/no/such/route', 404],
  ])('GET %s is %s', async (path, code) => {
    const r = await get(path)
    expect(r.body).toMatchObject({ error_code: code })
    expect(r.status).toBe(code > 999 ? Math.floor(code / 100) : code)
    expect(r.type).toBe(CT)
  })

  it('lookup: 40401 for an unknown subject, 40403 for a schema it does not hold', async () => {
    const body = { schemaType: 'JSON', schema: JSON.stringify(plain()) }
    expect((await call('POST', '/subjects/no-such-subject', body)).body.error_code).toBe(40401)
    expect((await call('POST', '/subjects/callisto-person-value', body)).body).toEqual({
      error_code: 40403,
      message: "Schema not found in subject 'callisto-person-value'",
    })
  })
})

describe("a version's event schema in its subject <topic>-value", () => {
  // What Confluent's serializers of our events write with (Python's JSONSerializer looks it up or registers it;
  // the JavaScript one's useSchemaId looks it up; its deserializer's useLatestVersion looks the writer's up).
  const subject = 'callisto-accruals-value'
  const eventOf = async (version: number) => {
    const res = await registry.app.request(`/schemas/accrual/versions/${version}/event`)
    expect(res.status).toBe(200)
    return (await res.json()) as { id: number; schema: Json }
  }
  const body = (schema: Json, extra: Json = {}) => ({
    schemaType: 'JSON',
    schema: JSON.stringify(schema),
    ...extra,
  })

  it('a lookup finds it as its version, under its own id, whatever its key order', async () => {
    const v1 = await eventOf(1)
    const { $schema, $id, ...rest } = v1.schema
    const reordered = { ...rest, $id, $schema }
    for (const schema of [v1.schema, reordered]) {
      const r = await call('POST', `/subjects/${subject}`, body(schema))
      expect(r.status).toBe(200)
      expect(r.body).toEqual({
        subject,
        version: 1,
        id: v1.id,
        schemaType: 'JSON',
        schema: JSON.stringify(v1.schema),
      })
    }
    // The subject's version 1 itself keeps its own id.
    expect(((await get(`/subjects/${subject}/versions/1`)).body as Json).id).not.toBe(v1.id)
  })

  it('registering it answers its id and version, and adds no version', async () => {
    const v2 = await eventOf(2)
    const r = await call('POST', `/subjects/${subject}/versions`, body(v2.schema))
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ id: v2.id, version: 2, schemaType: 'JSON' })
    expect((await get(`/subjects/${subject}/versions`)).body).toEqual([1, 2])
    expect((await register(subject, v2.schema, {}, { 'content-type': CT })).status).toBe(401)
  })

  it('an edited event schema, or one of another resource, is not found (40403) nor registered (42201)', async () => {
    const v1 = await eventOf(1)
    const edited = { ...v1.schema, title: 'edited' }
    expect((await call('POST', `/subjects/${subject}`, body(edited))).body.error_code).toBe(40403)
    expect((await call('POST', `/subjects/${subject}/versions`, body(edited))).body.error_code).toBe(42201)
    expect((await call('POST', '/subjects/callisto-person-value', body(v1.schema))).body.error_code).toBe(
      40403,
    )
    expect((await get(`/subjects/${subject}/versions`)).body).toEqual([1, 2])
  })

  it('in IMPORT mode, registering it with another id is 42205; with its own, its answer', async () => {
    const v1 = await eventOf(1)
    expect((await call('PUT', `/mode/${subject}?force=true`, { mode: 'IMPORT' })).body).toEqual({
      mode: 'IMPORT',
    })
    try {
      const other = await call('POST', `/subjects/${subject}/versions`, body(v1.schema, { id: v1.id + 1000 }))
      expect(other.body.error_code).toBe(42205)
      const own = await call('POST', `/subjects/${subject}/versions`, body(v1.schema, { id: v1.id }))
      expect(own.body).toMatchObject({ id: v1.id, version: 1 })
    } finally {
      await call('DELETE', `/mode/${subject}`)
    }
  })
})

describe('compatibility', () => {
  it('POST /compatibility/subjects/{s}/versions[/{v}]: is_compatible, and messages when verbose', async () => {
    const s = unique('compat')
    const v1 = plain()
    await register(s, v1)
    const ok = await call('POST', `/compatibility/subjects/${s}/versions`, {
      schema: JSON.stringify(plain({}, { b: { type: 'string' } })),
    })
    expect(ok.body).toEqual({ is_compatible: true })
    const breaking = { schema: JSON.stringify(plain({ required: ['id'] })) }
    const latest = await call('POST', `/compatibility/subjects/${s}/versions/latest?verbose=true`, breaking)
    expect(latest.body.is_compatible).toBe(false)
    expect(latest.body.messages).toEqual(
      expect.arrayContaining([expect.stringMatching(/incompatible.*\/required.*against version 1/)]),
    )
    expect((await call('POST', `/compatibility/subjects/${s}/versions/1`, breaking)).body).toEqual({
      is_compatible: false,
    })
    expect((await call('POST', `/compatibility/subjects/${unique('none')}/versions`, breaking)).body).toEqual(
      { is_compatible: true },
    )
    expect(
      (await call('POST', `/compatibility/subjects/${unique('none')}/versions/1`, breaking)).body.error_code,
    ).toBe(40401)
    expect((await call('POST', `/compatibility/subjects/${s}/versions/5`, breaking)).body.error_code).toBe(
      40402,
    )
    expect((await call('POST', `/compatibility/subjects/${s}/versions/x`, breaking)).body.error_code).toBe(
      42202,
    )
  })

  it('a contract subject is judged by the admission rule, with our explained differences', async () => {
    const r = await call('POST', '/compatibility/subjects/callisto-person-value/versions?verbose=true', {
      schema: JSON.stringify({
        ...((await get('/subjects/callisto-person-value/versions/2/schema')).body as Json),
        $id: undefined,
        additionalProperties: true,
      }),
    })
    expect(r.status).toBe(200)
    expect(typeof r.body.is_compatible).toBe('boolean')
    expect(Array.isArray(r.body.messages)).toBe(true)
  })
})

describe('deleting', () => {
  it('versions: soft, then permanent; 40406 twice soft, 40405 permanent first, 42206 referenced', async () => {
    const s = unique('del')
    await register(s, plain())
    await register(s, plain({}, { b: { type: 'string' } }))
    expect((await call('DELETE', `/subjects/${s}/versions/1?permanent=true`)).body.error_code).toBe(40405)
    expect(await call('DELETE', `/subjects/${s}/versions/1`)).toEqual({ status: 200, body: 1 })
    expect((await call('DELETE', `/subjects/${s}/versions/1`)).body.error_code).toBe(40406)
    expect((await get(`/subjects/${s}/versions`)).body).toEqual([2])
    expect((await get(`/subjects/${s}/versions?deleted=true`)).body).toEqual([1, 2])
    expect((await get(`/subjects/${s}/versions/1?deleted=true`)).body).toMatchObject({ version: 1 })
    expect((await get(`/subjects/${s}/versions/1`)).body).toMatchObject({ error_code: 40402 })
    expect(await call('DELETE', `/subjects/${s}/versions/1?permanent=true`)).toEqual({ status: 200, body: 1 })
    expect((await get(`/subjects/${s}/versions?deleted=true`)).body).toEqual([2])
    const dep = unique('dep')
    await register(dep, plain({ $id: 'https://example.com/dep.json' }))
    await register(unique('referrer'), plain({}, { d: { $ref: 'dep.json' } }), {
      references: [{ name: 'dep.json', subject: dep, version: 1 }],
    })
    expect((await call('DELETE', `/subjects/${dep}/versions/1`)).body.error_code).toBe(42206)
    expect((await call('DELETE', `/subjects/${dep}`)).body.error_code).toBe(42206)
  })

  it('subjects: soft (listed with deleted=true, deletedOnly), 40404 twice, 40407 permanent first, then gone', async () => {
    const s = unique('subj')
    await register(s, plain())
    expect((await call('DELETE', `/subjects/${s}?permanent=true`)).body.error_code).toBe(40407)
    expect(await call('DELETE', `/subjects/${s}`)).toEqual({ status: 200, body: [1] })
    expect((await call('DELETE', `/subjects/${s}`)).body.error_code).toBe(40404)
    expect((await get('/subjects')).body).not.toContain(s)
    expect((await get('/subjects?deleted=true')).body).toContain(s)
    expect((await get('/subjects?deletedOnly=true')).body).toEqual(expect.arrayContaining([s]))
    expect((await get(`/subjects/${s}/versions`)).body).toMatchObject({ error_code: 40401 })
    expect(await call('DELETE', `/subjects/${s}?permanent=true`)).toEqual({ status: 200, body: [1] })
    expect((await get('/subjects?deleted=true')).body).not.toContain(s)
    expect((await call('DELETE', `/subjects/${s}`)).body.error_code).toBe(40401)
  })

  it('deletes need an admin token', async () => {
    expect((await call('DELETE', '/subjects/callisto-person-value', undefined, {})).status).toBe(401)
  })
})

describe('config and mode', () => {
  it('GET /config answers compatibilityLevel; PUT, DELETE; a subject 40408 unless defaultToGlobal', async () => {
    expect((await get('/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' })
    const s = unique('cfg')
    await register(s, plain())
    expect((await get(`/config/${s}`)).body).toMatchObject({ error_code: 40408 })
    expect((await get(`/config/${s}?defaultToGlobal=true`)).body).toEqual({ compatibilityLevel: 'BACKWARD' })
    expect((await call('PUT', `/config/${s}`, { compatibility: 'NONE' })).body).toEqual({
      compatibility: 'NONE',
    })
    expect((await get(`/config/${s}`)).body).toEqual({ compatibilityLevel: 'NONE' })
    // NONE: a breaking version is taken
    expect((await register(s, plain({ required: ['id'] }))).status).toBe(200)
    expect((await call('DELETE', `/config/${s}`)).body).toEqual({ compatibilityLevel: 'NONE' })
    expect((await get(`/config/${s}`)).body).toMatchObject({ error_code: 40408 })
    expect((await call('PUT', `/config/${s}`, { compatibility: 'SIDEWAYS' })).body.error_code).toBe(42203)
    expect((await call('PUT', '/config/no-such-subject', { compatibility: 'NONE' })).body.error_code).toBe(
      40401,
    )
    expect((await call('PUT', '/config', { compatibility: 'sideways' })).body.error_code).toBe(42203)
    expect(
      (await call('PUT', `/config/${s}`, { compatibility: 'NONE' }, { 'content-type': CT })).status,
    ).toBe(401)
  })

  it('PUT /config is the checked step: a history the new level refuses is 409', async () => {
    const s = unique('cfg-checked')
    await call('PUT', `/mode/${s}`, { mode: 'IMPORT' })
    await register(s, plain())
    await register(s, plain({ required: ['id'] }))
    await call('DELETE', `/mode/${s}`)
    const r = await call('PUT', `/config/${s}`, { compatibility: 'FULL_TRANSITIVE' })
    expect(r.status).toBe(409)
    expect(r.body.error_code).toBe(409)
  })

  it('modes: READONLY refuses writes with 42205; IMPORT takes given ids; 42204 for a bad mode; 40409', async () => {
    const s = unique('ro')
    await register(s, plain())
    expect((await call('PUT', `/mode/${s}`, { mode: 'READONLY' })).body).toEqual({ mode: 'READONLY' })
    expect((await get(`/mode/${s}`)).body).toEqual({ mode: 'READONLY' })
    expect((await register(s, plain({}, { b: { type: 'string' } }))).body.error_code).toBe(42205)
    expect((await call('DELETE', `/subjects/${s}/versions/1`)).body.error_code).toBe(42205)
    expect((await call('DELETE', `/mode/${s}`)).body).toEqual({ mode: 'READONLY' })
    expect((await get(`/mode/${s}`)).body).toMatchObject({ error_code: 40409 })
    expect((await get(`/mode/${s}?defaultToGlobal=true`)).body).toEqual({ mode: 'READWRITE' })
    expect((await get('/mode')).body).toEqual({ mode: 'READWRITE' })
    expect((await call('PUT', `/mode/${s}`, { mode: 'WRITEONLY' })).body.error_code).toBe(42204)
    // IMPORT: only on an empty subject (unless force); then ids may be given
    expect((await call('PUT', `/mode/${s}`, { mode: 'IMPORT' })).body.error_code).toBe(42205)
    const imp = unique('import')
    expect((await call('PUT', `/mode/${imp}`, { mode: 'IMPORT' })).body).toEqual({ mode: 'IMPORT' })
    const given = 100_000 + counter
    expect((await register(imp, plain({ title: 'imported' }), { id: given, version: 1 })).body).toMatchObject(
      { id: given, version: 1 },
    )
    expect((await get(`/schemas/ids/${given}`)).status).toBe(200)
    const taken = await register(imp, plain({ title: 'other' }), { id: given })
    expect(taken.body.error_code).toBe(42205)
    const next = await register(unique('after'), plain({ title: 'after import' }))
    expect(next.body.id).toBe(given + 1)
  })

  it('global mode READONLY refuses every write', async () => {
    const r = await testRegistry()
    try {
      const put = await r.app.request('/ccompat/mode', {
        method: 'PUT',
        headers,
        body: JSON.stringify({ mode: 'READONLY' }),
      })
      expect(put.status).toBe(200)
      const res = await r.app.request(`/ccompat/subjects/${unique('ro')}/versions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ schema: JSON.stringify(plain()) }),
      })
      expect(((await res.json()) as Json).error_code).toBe(42205)
      const imp = await r.app.request('/ccompat/mode', {
        method: 'PUT',
        headers,
        body: JSON.stringify({ mode: 'IMPORT' }),
      })
      expect(((await imp.json()) as Json).error_code).toBe(42205)
    } finally {
      await r.close()
    }
  })
})
