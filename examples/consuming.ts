/**
 * docs/consuming.md "In a service". Needs a Kafka broker, so test/docs/examples.test.ts only checks that the doc's
 * block is this file and leaves it to tsc; it does not run it. By hand: `KAFKA_BROKERS=127.0.0.1:19092 npx tsx
 * examples/consuming.ts`, then `examples/publishing.ts` in another shell; Ctrl-C stops it.
 */
import { Kafka } from 'kafkajs'
import { isReference } from 'event-contracts'
import { createRegistryClient } from 'event-contracts/client'
import { catalog } from 'event-contracts/generated'
import { createKafkaConsumer } from 'event-contracts/kafka'

const entries = new Map<string, { ownerId: string; start: string }>() // your own store

const consumer = createKafkaConsumer({
  catalog,
  kafka: new Kafka({
    clientId: 'timecard-restapi',
    brokers: (process.env.KAFKA_BROKERS ?? 'kafka:9092').split(','),
  }),
  groupId: 'timecard-restapi',
  topicPrefix: process.env.EVENT_TOPIC_PREFIX ?? 'staging', // staging.callisto-timecard-timeentries, as publishers do
  registry: createRegistryClient({ baseUrl: process.env.REGISTRY_URL ?? 'http://registry:8080' }),
  accept: { 'time-entry': '^1 || ^2' }, // optional
  handlers: {
    'time-entry': {
      create(event, { message, attempt, version }) {
        // event: AnyEventOf<typeof catalog, 'time-entry', 'create'>; content: TimeEntryV1 | TimeEntryV2 | ResourceReference
        const c = event.resource.content
        if (!isReference(c)) entries.set(c.id, { ownerId: c.ownerId, start: c.actualStartTime })
        const where = `${message.topic}[${message.partition}]@${message.offset}`
        console.log(
          `create ${event.id} v${version} key ${message.key?.toString()} ${where}, attempt ${attempt}`,
        )
      },
      delete(event) {
        entries.delete(String(event.resource.content.id))
        console.log(`delete ${event.id}`)
      },
    },
  },
  onDeadLetter({ code, summary, issues, message, deadLetterDestination }) {
    const where = `${message.topic}[${message.partition}]@${message.offset}`
    console.warn(`${where}: ${code} (${issues.length} issues), sent to ${deadLetterDestination}: ${summary}`)
  },
  onRetry({ reason, message, attempt, delayMs, error }) {
    console.warn(
      `${message.topic}@${message.offset}: ${reason} failed (${String(error)}), try ${attempt + 1} in ${delayMs} ms`,
    )
  },
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void consumer.stop())
await consumer.start()
await consumer.closed // resolves after stop(); rejects with ContractError TOO_MANY_ERRORS (see below)
