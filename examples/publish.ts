/**
 * README "Publishing events". Needs a Kafka broker, so test/docs/examples.test.ts only checks that the README's
 * block is this file and leaves it to tsc; it does not run it. By hand (`npm run kafka:up` starts a broker):
 * `KAFKA_BROKERS=127.0.0.1:19092 npx tsx examples/publish.ts`.
 */
import { Kafka } from 'kafkajs'
import { catalog, type PersonV2, type TimeEntryV2 } from 'event-contracts/generated'
import { createKafkaPublisher, ensureTopics } from 'event-contracts/kafka'

const kafka = new Kafka({
  clientId: 'timecard-restapi',
  brokers: (process.env.KAFKA_BROKERS ?? 'kafka:9092').split(','),
})

await ensureTopics(kafka, { catalog, topicPrefix: 'staging', partitions: 3, deadLetters: true }) // idempotent

const publisher = createKafkaPublisher({
  catalog,
  kafka,
  source: 'urn:callisto:timecard-restapi',
  topicPrefix: 'staging',
})

const entry: TimeEntryV2 = {
  id: '0b6a1c8e-6f5d-4c1b-9d1e-2a3b4c5d6e7f',
  tenantId: '7d1b4a2c-9e8f-4a6b-8c5d-1e2f3a4b5c6d',
  ownerId: '3c9e1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
  timePeriodTypeId: '00000000-0000-0000-0000-000000000001',
  actualStartTime: '2026-11-20T06:00:00Z',
}
const person: PersonV2 = {
  id: entry.ownerId,
  tenantId: entry.tenantId,
  firstName: 'Ada',
  lastName: 'Lovelace',
  startDate: '2026-01-05',
}

const sent = await publisher.publish('time-entry', 'create', entry) // the content type is checked by the compiler
console.log(sent) // { destination: 'staging.callisto-timecard-timeentries', id: '…', position: { partition, offset } }
const ended = { ...entry, actualEndTime: '2026-11-20T14:00:00Z' } // no v2-only field: also a TimeEntryV1
await publisher.publish('time-entry', 'update', ended, { version: 1 }) // an older version, named
const reference = { tenantId: entry.tenantId, id: entry.id, version: 4 }
await publisher.publishReference('time-entry', 'delete', reference, { key: entry.ownerId }) // keyed by ownerId
const batch = await publisher.publishBatch([{ resource: 'person', action: 'update', content: person }]) // all or none
console.log(batch) // { ids: ['…'], positions: [{ topic: 'staging.callisto-person', partition, baseOffset }] }
await publisher.disconnect()
