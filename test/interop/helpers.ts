/**
 * What the Confluent client tests share: draft 2020-12 schemas for a resource subject (`<topic>-value`, through
 * the admission rule) and a plain subject, frames our publisher writes, and our consumer reading frames a
 * Confluent serializer wrote (the in-memory bus: the same pipeline as Kafka, the frame's id checked against the
 * registry).
 */
import { randomUUID } from 'node:crypto'
import { createRegistryClient } from '../../client/index.ts'
import {
  createPublisher,
  eventSchemaUri,
  schemaUri,
  type DeadLetter,
  type OutboundMessage,
} from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createMemoryBus, type MemoryMessage } from '../../transports/memory/index.ts'
import { timeEntry } from '../publishers/fixtures.ts'

type Json = Record<string, unknown>
const D2020 = 'https://json-schema.org/draft/2020-12/schema'

export const TE2 = schemaUri('time-entry', 2)
export const TIME_ENTRIES = catalog.resources['time-entry'].topic

/** A new resource's first version and the next versions a client tries: one compatible, one breaking. */
export function resourceSchemas(topic: string) {
  const v1 = {
    $schema: D2020,
    title: 'Order',
    'x-topic': topic,
    'x-key': 'id',
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string' }, total: { type: 'number' } },
    additionalProperties: false,
  }
  return {
    v1,
    // An optional property added to a closed model: compatible under BACKWARD (docs/compatibility.md).
    compatible: { ...v1, properties: { ...v1.properties, note: { type: 'string' } } },
    breaking: { ...v1, required: ['id', 'total'] },
  }
}

/** A plain schema (no x-topic, x-key), its `$id` its own. */
export function plainSchemas(tag: string) {
  const v1 = {
    $schema: D2020,
    $id: `https://example.com/interop/${tag}/address`,
    title: 'Address',
    type: 'object',
    properties: { city: { type: 'string' }, zip: { type: 'string' } },
    additionalProperties: false,
  }
  return {
    v1,
    compatible: { ...v1, properties: { ...v1.properties, country: { type: 'string' } } },
    breaking: { ...v1, required: ['city'] },
  }
}

/** One event our publisher framed (`wireFormat: 'confluent'`), with the event schema id it carries. */
export async function ourFrame(registryUrl: string) {
  const sent: OutboundMessage[] = []
  const schemaIds = createRegistryClient({ baseUrl: registryUrl })
  const publisher = createPublisher({
    catalog,
    source: 'urn:test:interop',
    sink: { send: async (m) => void sent.push(m), sendBatch: async (ms) => void sent.push(...ms) },
    wireFormat: 'confluent',
    schemaIds,
  })
  await publisher.publish('time-entry', 'update', timeEntry)
  const bytes = Buffer.from(sent[0]?.value as Uint8Array)
  const event = JSON.parse(bytes.subarray(5).toString()) as Json & { id: string }
  const eventSchemaId = await schemaIds.idOf({
    resource: 'time-entry',
    version: 2,
    uri: TE2,
    topic: TIME_ENTRIES,
  })
  return { bytes, event, eventSchemaId }
}

/** A whole time-entry v2 event, as anyone would build it; `content` overrides fields of the content. */
export function timeEntryEvent(content: Json = {}): Json & { id: string } {
  return {
    id: randomUUID(),
    time: '2026-11-20T08:30:00Z',
    source: 'urn:test:confluent',
    action: 'create',
    resource: { schema: TE2, content: { ...timeEntry, ...content } },
  }
}

export const EVENT_SCHEMA_URI = eventSchemaUri(TE2)

/**
 * Our consumer (the memory bus's, with the registry client as its schema-id port) over values another producer
 * wrote to the time-entry topic, without CloudEvents headers (Confluent's serializers write none): the ids of the
 * events it handled and the dead letters.
 */
export async function consume(
  registryUrl: string,
  values: readonly Uint8Array[],
): Promise<{ handled: string[]; dead: DeadLetter<MemoryMessage>[] }> {
  const bus = createMemoryBus()
  for (const value of values) bus.append(TIME_ENTRIES, { key: null, value })
  const handled: string[] = []
  const dead: DeadLetter<MemoryMessage>[] = []
  const consumer = bus.consumer({
    catalog,
    group: `interop-${randomUUID()}`,
    schemaIds: createRegistryClient({ baseUrl: registryUrl }),
    onDeadLetter: (d) => void dead.push(d),
    handlers: {
      'time-entry': {
        create: (e) => void handled.push(e.id),
        update: (e) => void handled.push(e.id),
      },
    },
  })
  await consumer.start()
  try {
    await consumer.idle()
  } finally {
    await consumer.stop()
  }
  return { handled, dead }
}
