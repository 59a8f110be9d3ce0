/**
 * Confluent's own JavaScript client, `@confluentinc/schemaregistry` (1.10), against a real `contracts serve`
 * process at /ccompat, on draft 2020-12 schemas: a resource subject (`<topic>-value`, through the admission rule)
 * and a plain subject; registration with HTTP Basic credentials holding our token, reads by id, versions, latest,
 * compatibility, 409, config; its JsonSerializer writing frames our consumer handles, and its JsonDeserializer
 * reading frames our publisher wrote.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  Compatibility,
  JsonDeserializer,
  JsonSerializer,
  RestError,
  SchemaRegistryClient,
  SerdeType,
  type ClientConfig,
  type SchemaInfo,
} from '@confluentinc/schemaregistry'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { frameValue, readWire } from '../../core/index.ts'
import { serve, type Served } from '../helpers/serve.ts'
import { TOKEN } from '../registry/helpers.ts'
import {
  consume,
  EVENT_SCHEMA_URI,
  ourFrame,
  plainSchemas,
  resourceSchemas,
  TE2,
  TIME_ENTRIES,
  timeEntryEvent,
} from './helpers.ts'

/** The version under test, recorded in docs/ccompat.md. */
const VERSION = (
  createRequire(import.meta.url)('@confluentinc/schemaregistry/package.json') as { version: string }
).version

let served: Served
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'confluent-js-'))
  served = await serve({ DATA_DIR: dir, REGISTRY_TOKENS: TOKEN })
}, 120_000)
afterAll(async () => {
  expect(await served?.stop()).toBe(0)
  await rm(dir, { recursive: true, force: true })
})

/** A client of its own (its caches empty); no retries, so that an error is the registry's first answer. */
const client = (auth = true) => {
  const config: ClientConfig = { baseURLs: [`${served.url}/ccompat`], maxRetries: 0 }
  if (auth) config.basicAuthCredentials = { credentialsSource: 'USER_INFO', userInfo: `ci:${TOKEN}` }
  return new SchemaRegistryClient(config)
}
const json = (schema: object): SchemaInfo => ({ schemaType: 'JSON', schema: JSON.stringify(schema) })
/** What a promise rejected with (undefined when it resolved). */
const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  )
/**
 * Its validators are ajv's, strict by default, which throws on our `x-` keywords and on the `format`s it has no
 * plugin for (uuid, date-time): any registry's schemas with those need `strict: false` (docs/ccompat.md). Ajv's
 * warnings about those formats go nowhere.
 */
const VALIDATE = { validate: true, strict: false, logger: false } as const

const topic = `interop-js-${process.pid}`
const resource = resourceSchemas(topic)
const plain = plainSchemas(`js-${process.pid}`)
const subjects = { resource: `${topic}-value`, plain: `interop-js-address-${process.pid}` }

describe(`@confluentinc/schemaregistry ${VERSION} against contracts serve`, () => {
  it('refuses a registration without credentials (401 40101) and takes one with our token as Basic credentials', async () => {
    expect(await failure(client(false).register(subjects.plain, json(plain.v1)))).toMatchObject({
      status: 401,
      errorCode: 40101,
    })
    expect(await failure(client(false).register(subjects.plain, json(plain.v1)))).toBeInstanceOf(RestError)
    expect(await client().register(subjects.plain, json(plain.v1))).toBeGreaterThan(0)
  })

  it('registers on <topic>-value (a resource: through the admission rule) and on a plain subject, idempotently', async () => {
    const sr = client()
    const r = await sr.registerFullResponse(subjects.resource, json(resource.v1))
    expect(r).toMatchObject({ version: 1, schemaType: 'JSON' })
    expect(r.id).toBeGreaterThan(0)
    // The registry gives a resource version its own $id.
    expect(JSON.parse(r.schema)).toMatchObject({ $id: `https://event-contracts.dev/schemas/${topic}/1` })
    expect(await client().register(subjects.resource, json(resource.v1))).toBe(r.id)

    const p = await client().registerFullResponse(subjects.plain, json(plain.v1))
    expect(p).toMatchObject({ version: 1 })
    expect(p.id).not.toBe(r.id)
    expect(JSON.parse(p.schema)).toEqual(plain.v1)

    // The admission rule: a new topic's schema must name its topic and key.
    const { 'x-key': _key, ...keyless } = resourceSchemas(`${topic}-b`).v1
    expect(await failure(sr.register(`${topic}-b-value`, json(keyless)))).toMatchObject({
      status: 422,
      errorCode: 42201,
      message: expect.stringContaining('x-key'),
    })
  })

  it.each(['resource', 'plain'] as const)(
    'reads a %s subject: by id, its versions, latest, by version, lookup, the subject list',
    async (kind) => {
      const subject = subjects[kind]
      const schemas = kind === 'resource' ? resource : plain
      const id = await client().register(subject, json(schemas.v1))
      const sr = client(false)
      const byId = await sr.getBySubjectAndId(subject, id)
      expect(byId.schemaType).toBe('JSON')
      expect(JSON.parse(byId.schema)).toMatchObject({ $schema: schemas.v1.$schema, title: schemas.v1.title })
      expect(await sr.getAllVersions(subject)).toEqual([1])
      expect(await sr.getLatestSchemaMetadata(subject)).toMatchObject({ subject, version: 1, id })
      expect(await sr.getSchemaMetadata(subject, 1)).toMatchObject({ subject, version: 1, id })
      expect(await sr.getId(subject, json(schemas.v1))).toBe(id)
      expect(await sr.getVersion(subject, json(schemas.v1))).toBe(1)
      expect(await sr.getAllSubjects()).toEqual(expect.arrayContaining([subject]))
    },
  )

  it.each(['resource', 'plain'] as const)(
    'checks compatibility on a %s subject (compatible: true, breaking: false) and answers 409 to a breaking registration',
    async (kind) => {
      const subject = subjects[kind]
      const schemas = kind === 'resource' ? resource : plain
      const sr = client()
      await sr.register(subject, json(schemas.v1))
      expect(await sr.testSubjectCompatibility(subject, json(schemas.compatible))).toBe(true)
      expect(await sr.testSubjectCompatibility(subject, json(schemas.breaking))).toBe(false)
      expect(await sr.testCompatibility(subject, 1, json(schemas.breaking))).toBe(false)
      const refused = await failure(sr.register(subject, json(schemas.breaking)))
      expect(refused).toBeInstanceOf(RestError)
      expect(refused).toMatchObject({ status: 409, errorCode: 409 })
      expect(await sr.getAllVersions(subject)).toEqual([1])
    },
  )

  it('reads and sets the compatibility level (compatibilityLevel); an unset subject level is 40408, as Confluent', async () => {
    const sr = client()
    expect(await sr.getDefaultCompatibility()).toBe(Compatibility.BACKWARD)
    expect(await sr.getDefaultConfig()).toMatchObject({ compatibilityLevel: 'BACKWARD' })
    await sr.register(subjects.plain, json(plain.v1))
    expect(await failure(sr.getCompatibility(subjects.plain))).toMatchObject({
      status: 404,
      errorCode: 40408,
    })
    expect(await sr.updateCompatibility(subjects.plain, Compatibility.BACKWARD_TRANSITIVE)).toBe(
      Compatibility.BACKWARD_TRANSITIVE,
    )
    expect(await sr.getCompatibility(subjects.plain)).toBe(Compatibility.BACKWARD_TRANSITIVE)
    expect(await sr.getConfig(subjects.plain)).toMatchObject({ compatibilityLevel: 'BACKWARD_TRANSITIVE' })
  })

  it('JsonSerializer (autoRegisterSchemas false, useLatestVersion) frames a value with the latest id, validating it', async () => {
    const id = await client().register(subjects.resource, json(resource.v1))
    const serializer = new JsonSerializer(client(false), SerdeType.VALUE, {
      autoRegisterSchemas: false,
      useLatestVersion: true,
      ...VALIDATE,
    })
    const bytes = await serializer.serialize(topic, { id: 'o-1', total: 3 })
    const frame = readWire(bytes)
    expect(frame).toMatchObject({ ok: true, value: { framed: true, schemaId: id } })
    expect(await failure(serializer.serialize(topic, { id: 1 }))).toMatchObject({
      message: expect.stringContaining('must be string'),
    })
  })

  it("JsonSerializer with useSchemaId (the version's event schema id) frames our events, validating them; our consumer handles them", async () => {
    const { eventSchemaId } = await ourFrame(served.url)
    const serializer = new JsonSerializer(client(false), SerdeType.VALUE, {
      autoRegisterSchemas: false,
      useSchemaId: eventSchemaId,
      ...VALIDATE,
    })
    const events = [timeEntryEvent(), timeEntryEvent({ notes: 'second' })]
    const framed = await Promise.all(events.map((e) => serializer.serialize(TIME_ENTRIES, e)))
    for (const f of framed)
      expect(readWire(f)).toMatchObject({ ok: true, value: { schemaId: eventSchemaId } })
    // Its validation is against the event schema: the content must be a time-entry v2.
    expect(
      await failure(serializer.serialize(TIME_ENTRIES, timeEntryEvent({ unknownField: 1 }))),
    ).toMatchObject({
      message: expect.stringContaining('additional properties'),
    })
    const { handled, dead } = await consume(served.url, framed)
    expect(dead.map((d) => d.summary)).toEqual([])
    expect(handled).toEqual(events.map((e) => e.id))
  })

  it("finds a version's event schema in <topic>-value as that version: a lookup, and a registration answering its id", async () => {
    const { eventSchemaId } = await ourFrame(served.url)
    const subject = `${TIME_ENTRIES}-value`
    const eventSchema = await client(false).getBySubjectAndId(subject, eventSchemaId)
    expect(JSON.parse(eventSchema.schema)).toMatchObject({ $id: EVENT_SCHEMA_URI })
    const versions = await client(false).getAllVersions(subject)
    expect(await client(false).getIdFullResponse(subject, eventSchema)).toMatchObject({
      subject,
      id: eventSchemaId,
      version: 2,
    })
    expect(await client().registerFullResponse(subject, eventSchema)).toMatchObject({
      id: eventSchemaId,
      version: 2,
    })
    expect(await client(false).getAllVersions(subject)).toEqual(versions)
  })

  it("JsonSerializer with useLatestVersion on our resource's topic frames our event with the content schema's id (validation off), which our consumer takes", async () => {
    const latest = await client(false).getLatestSchemaMetadata(`${TIME_ENTRIES}-value`)
    expect(JSON.parse(latest.schema)).toMatchObject({ $id: TE2 })
    const serializer = new JsonSerializer(client(false), SerdeType.VALUE, {
      autoRegisterSchemas: false,
      useLatestVersion: true,
    })
    const event = timeEntryEvent()
    const bytes = await serializer.serialize(TIME_ENTRIES, event)
    expect(readWire(bytes)).toMatchObject({ ok: true, value: { schemaId: latest.id } })
    const { handled, dead } = await consume(served.url, [bytes])
    expect(dead.map((d) => d.summary)).toEqual([])
    expect(handled).toEqual([event.id])
  })

  it('JsonDeserializer reads a frame our publisher wrote (by its id; validating; with useLatestVersion), and refuses invalid content', async () => {
    const { bytes, event, eventSchemaId } = await ourFrame(served.url)
    expect(readWire(bytes)).toMatchObject({ ok: true, value: { schemaId: eventSchemaId } })
    const deserializer = (conf: object) => new JsonDeserializer(client(false), SerdeType.VALUE, conf)
    expect(await deserializer({}).deserialize(TIME_ENTRIES, bytes)).toEqual(event)
    expect(await deserializer(VALIDATE).deserialize(TIME_ENTRIES, bytes)).toEqual(event)
    // useLatestVersion looks the writer's schema up in <topic>-value: the event schema is found as its version.
    expect(
      await deserializer({ ...VALIDATE, useLatestVersion: true }).deserialize(TIME_ENTRIES, bytes),
    ).toEqual(event)
    const invalid = frameValue(eventSchemaId, JSON.stringify(timeEntryEvent({ unknownField: 1 })))
    expect(
      await failure(deserializer(VALIDATE).deserialize(TIME_ENTRIES, Buffer.from(invalid))),
    ).toMatchObject({
      message: expect.stringContaining('additional properties'),
    })
  })
})
