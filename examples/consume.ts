/**
 * README "Consuming events". Needs a Kafka broker, so test/docs/examples.test.ts only checks that the README's
 * block is this file and leaves it to tsc; it does not run it. By hand: `KAFKA_BROKERS=127.0.0.1:19092 npx tsx
 * examples/consume.ts`, then `examples/publish.ts` in another shell; Ctrl-C stops it.
 */
import { Kafka } from 'kafkajs'
import { isReference } from 'event-contracts'
import { createRegistryClient } from 'event-contracts/client'
import { catalog } from 'event-contracts/generated'
import { createKafkaConsumer } from 'event-contracts/kafka'

const kafka = new Kafka({
  clientId: 'rostering',
  brokers: (process.env.KAFKA_BROKERS ?? 'kafka:9092').split(','),
})
const rostered = new Map<string, string>() // your own store: time entry id → owner

const consumer = createKafkaConsumer({
  catalog,
  kafka,
  groupId: 'rostering',
  topicPrefix: 'staging',
  registry: createRegistryClient({ baseUrl: 'http://registry:8080' }), // for schema URIs not in the catalog
  accept: { 'time-entry': '^1 || ^2' },
  handlers: {
    'time-entry': {
      create(event, { message }) {
        const c = event.resource.content // TimeEntryV1 | TimeEntryV2 | ResourceReference
        if (!isReference(c)) rostered.set(c.id, c.ownerId)
        console.log(`create ${event.id} from ${message.topic}[${message.partition}]@${message.offset}`)
      },
      delete(event) {
        rostered.delete(String(event.resource.content.id)) // a reference's id may be a number (Callisto)
        console.log(`delete ${event.id}`)
      },
    },
  },
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void consumer.stop())
await consumer.start()
await consumer.closed // stop() lets the running handler finish, commits, leaves the group
