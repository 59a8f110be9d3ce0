/**
 * docs/publishing.md "In a service" and "Topics and the environment prefix". Needs a Kafka broker, so
 * test/docs/examples.test.ts only checks that the doc's blocks are in this file and leaves it to tsc; it does not
 * run it. By hand: `KAFKA_BROKERS=127.0.0.1:19092 npx tsx examples/publishing.ts`.
 */
import { readFile } from 'node:fs/promises'
import { Kafka } from 'kafkajs'
import { isContractError } from 'event-contracts'
import { catalog, type TimeEntryV1, type TimeEntryV2 } from 'event-contracts/generated'
import { createKafkaPublisher, ensureTopics } from 'event-contracts/kafka'

const kafka = new Kafka({
  clientId: 'timecard-restapi',
  brokers: (process.env.KAFKA_BROKERS ?? 'kafka:9092').split(','),
})
const topicPrefix = process.env.EVENT_TOPIC_PREFIX ?? 'staging'

const topics = await ensureTopics(kafka, { catalog, topicPrefix, partitions: 3, deadLetters: true })
console.log(topics) // { created: [...], existing: [...] }; safe on every start, from several instances at once

const publisher = createKafkaPublisher({
  catalog,
  kafka,
  source: 'urn:callisto:timecard-restapi',
  topicPrefix,
})
await publisher.connect() // optional: the first send connects too

const entryV1: TimeEntryV1 = {
  id: '0b6a1c8e-6f5d-4c1b-9d1e-2a3b4c5d6e7f',
  tenantId: '7d1b4a2c-9e8f-4a6b-8c5d-1e2f3a4b5c6d',
  ownerId: '3c9e1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
  timePeriodTypeId: '00000000-0000-0000-0000-000000000001',
  actualStartTime: '2026-11-20T06:00:00Z',
}
const entry: TimeEntryV2 = { ...entryV1, notes: 'Covered the front desk.' }
// content is TimeEntryV2 (the latest); a wrong shape or an unknown resource does not compile
const { destination, id, position } = await publisher.publish('time-entry', 'create', entry)
console.log(`${id} sent to ${destination} partition ${position.partition} offset ${position.offset}`)

await publisher.publish('time-entry', 'update', entryV1, { version: 1 }) // an older version, named

const person = { tenantId: entry.tenantId, id: entry.ownerId, version: 4 }
await publisher.publishReference('person', 'delete', person) // a person is keyed by its id: no key needed

const reference = { tenantId: entry.tenantId, id: entry.id, version: 2 }
const { ids, positions } = await publisher.publishBatch([
  { resource: 'time-entry', action: 'update', content: { ...entry, actualEndTime: '2026-11-20T14:00:00Z' } },
  { resource: 'time-entry', action: 'delete', reference, key: entry.ownerId }, // keyed by ownerId: key required
]) // all valid, or none sent
console.log(ids, positions) // [id, id] [{ topic, partition, baseOffset }] (one per partition written)

try {
  await publisher.publish('time-entry', 'create', { ...entry, actualStartTime: '2026-02-30T06:00:00Z' })
} catch (e) {
  if (!isContractError(e, 'EVENT_INVALID')) throw e // SEND_FAILED: Kafka did not take it (see e.retriable)
  console.log(e.issues) // [{ path: '/resource/content/actualStartTime', keyword: 'format', … }]: nothing sent
}

const file: unknown = JSON.parse(await readFile('schemas/examples/person/valid/update-v2.json', 'utf8'))
await publisher.publishEvent(file) // a whole event as it is, its own id, time and source included

await publisher.disconnect() // on shutdown
