/**
 * Confluent's wire format across clients, on the real broker and a real `contracts serve` process (its Confluent API
 * at /ccompat): `@kafkajs/confluent-schema-registry` (3.9.0, the newest that runs on Node 20; 4.x needs Node 22)
 * encodes a message that our consumer handles, and frames our publisher writes (with the id of the version's event
 * schema) are decoded by it.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import Ajv2020 from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRegistryClient } from '../../client/index.ts'
import { eventSchemaUri, frameValue, schemaUri, unframe, type DeadLetter } from '../../core/index.ts'
import { catalog, schemas } from '../../generated/index.ts'
import { createKafkaConsumer, createKafkaPublisher } from '../../transports/kafka/index.ts'
import { eventMessage, until } from '../consumers/events.ts'
import { consumerConfig, TestKafka } from '../consumers/kafka.ts'
import { serve, type Served } from '../helpers/serve.ts'
import { TOKEN } from '../registry/helpers.ts'

type JsonOptions = NonNullable<
  Extract<
    NonNullable<ConstructorParameters<typeof SchemaRegistry>[1]>,
    { [SchemaType.JSON]?: unknown }
  >[SchemaType.JSON]
>
/** The client compiles each schema itself: draft 2020-12 with ajv's 2020 class (our x- keywords: not strict). */
const ajv2020 = () => ({ ajvInstance: new Ajv2020.default({ strict: false }) }) as unknown as JsonOptions

const TE2 = schemaUri('time-entry', 2)
const TOPIC = catalog.resources['time-entry'].topic

let served: Served
let dir: string
const t = new TestKafka('ccwire')

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ccompat-wire-'))
  served = await serve({ DATA_DIR: dir, REGISTRY_TOKENS: TOKEN })
  await t.setup([t.topic('time-entry')], 1)
}, 120_000)
afterAll(async () => {
  await t.cleanup()
  expect(await served?.stop()).toBe(0)
  await rm(dir, { recursive: true, force: true })
})

describe('Confluent wire format: @kafkajs/confluent-schema-registry and our clients on one broker and registry', () => {
  it("the registry gives our resource version's event schema an id, and that id gives back the event schema", async () => {
    const registry = createRegistryClient({ baseUrl: served.url })
    const id = await registry.idOf({ resource: 'time-entry', version: 2, uri: TE2, topic: TOPIC })
    expect(id).toBeGreaterThan(0)
    expect(await registry.schemaOf(id)).toMatchObject({ $id: eventSchemaUri(TE2) })
    // The subject `<x-topic>-value` holds the content schema, under an id of its own.
    const theirs = new SchemaRegistry({ host: `${served.url}/ccompat` }, { [SchemaType.JSON]: ajv2020() })
    const contentId = await theirs.getRegistryIdBySchema(`${TOPIC}-value`, {
      type: SchemaType.JSON,
      schema: JSON.stringify(schemas[TE2]),
    })
    expect(contentId).toBeGreaterThan(0)
    expect(contentId).not.toBe(id)
  })

  it('a message it encodes (its own schema for our whole event) is handled by our consumer', async () => {
    const theirs = new SchemaRegistry(
      { host: `${served.url}/ccompat`, auth: { username: 'ci', password: TOKEN } },
      { [SchemaType.JSON]: ajv2020() },
    )
    // A producer that describes its whole value (our envelope) in a plain subject of its own.
    const eventSchema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: `TimeEntryEvent${t.id}`,
      type: 'object',
      required: ['id', 'time', 'source', 'action', 'resource'],
      properties: {
        id: { type: 'string' },
        time: { type: 'string' },
        source: { type: 'string' },
        action: { enum: ['create', 'update', 'delete'] },
        resource: { type: 'object' },
      },
    }
    const { id } = await theirs.register(
      { type: SchemaType.JSON, schema: JSON.stringify(eventSchema) },
      { subject: `${t.prefix}-time-entry-event` },
    )
    const event = eventMessage('time-entry', 'create', { version: 2 })
    const framed = await theirs.encode(id, JSON.parse(event.value))
    const topic = t.topic('time-entry')
    await t.produce(topic, [{ key: event.key, value: framed, attributes: event.attributes }])

    const seen: string[] = []
    const dead: DeadLetter[] = []
    const consumer = createKafkaConsumer({
      catalog,
      kafka: t.kafka,
      groupId: t.group('theirs'),
      topicPrefix: t.prefix,
      consumerConfig,
      schemaIds: createRegistryClient({ baseUrl: served.url }),
      onDeadLetter: (d) => void dead.push(d),
      handlers: { 'time-entry': { create: (e) => void seen.push(e.id) } },
    })
    try {
      await consumer.start()
      await until('their event handled', () => seen.length + dead.length >= 1, 30_000)
      expect(dead.map((d) => d.summary)).toEqual([])
      expect(seen).toEqual([event.id])
    } finally {
      await consumer.stop()
    }
  })

  it("a value our publisher frames carries its event schema's id, and its decode returns our event", async () => {
    const registry = createRegistryClient({ baseUrl: served.url })
    const publisher = createKafkaPublisher({
      catalog,
      kafka: t.kafka,
      source: 'urn:test',
      topicPrefix: t.prefix,
      wireFormat: 'confluent',
      schemaIds: registry,
    })
    const content = JSON.parse(eventMessage('time-entry', 'update', { version: 2 }).value).resource.content
    const published = await publisher.publish('time-entry', 'update', content)
    await publisher.disconnect()
    const id = await registry.idOf({ resource: 'time-entry', version: 2, uri: TE2, topic: TOPIC })

    const read = await t.read(t.topic('time-entry'), 2)
    const ours = read.find((r) => r.headers.ce_id === published.id)
    expect(ours?.bytes).toBeDefined()
    const bytes = ours?.bytes as Buffer
    const frame = unframe(bytes)
    expect(frame).toMatchObject({ framed: true, schemaId: id })
    const event = JSON.parse(Buffer.from(frame.json as Uint8Array).toString()) as unknown
    expect(event).toMatchObject({ id: published.id, resource: { schema: TE2, content } })
    // Its JSON deserializer validates the whole value against the id's schema: the version's event schema
    // (docs/wire-format.md), which describes the envelope and the content both.
    const theirs = new SchemaRegistry({ host: `${served.url}/ccompat` }, { [SchemaType.JSON]: ajv2020() })
    expect(await theirs.decode(bytes)).toEqual(event)
  })

  it('its decode refuses a frame with our event schema id whose content is not valid for that version', async () => {
    const registry = createRegistryClient({ baseUrl: served.url })
    const id = await registry.idOf({ resource: 'time-entry', version: 2, uri: TE2, topic: TOPIC })
    const event = JSON.parse(eventMessage('time-entry', 'update', { version: 2 }).value) as {
      resource: { content: Record<string, unknown> }
    }
    event.resource.content.unknownField = 1
    const theirs = new SchemaRegistry({ host: `${served.url}/ccompat` }, { [SchemaType.JSON]: ajv2020() })
    await expect(theirs.decode(frameValue(id, JSON.stringify(event)))).rejects.toMatchObject({
      name: 'ConfluentSchemaRegistryValidationError',
    })
  })
})
