/**
 * A Kafka consumer in a child process, for the kill -9 test:
 * `node --import tsx child-kafka-consumer.ts BROKERS TOPIC GROUP [COMMIT_EVERY_JSON]`.
 * Prints `handled <event id>` per event (before its offset is resolved), with 1 ms of work each, until killed.
 */
import { Kafka, logLevel } from 'kafkajs'
import { catalog } from '../../generated/index.ts'
import { createKafkaTopicConsumer, type CommitEvery } from '../../transports/kafka/index.ts'

const [brokers, topic, groupId, commitJson] = process.argv.slice(2) as [string, string, string, string?]
// JSON has no Infinity: null stands for "never by count".
const commitEvery = commitJson
  ? (Object.fromEntries(
      Object.entries(JSON.parse(commitJson) as Record<string, number | null>).map(([k, v]) => [
        k,
        v ?? Infinity,
      ]),
    ) as CommitEvery)
  : undefined
const kafka = new Kafka({ clientId: 'child', brokers: brokers.split(','), logLevel: logLevel.NOTHING })
const c = createKafkaTopicConsumer({
  catalog,
  kafka,
  groupId,
  destinations: [topic],
  commitEvery,
  consumerConfig: { sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 250 },
  async handle(e) {
    process.stdout.write(`handled ${e.event.id}\n`)
    await new Promise((r) => setTimeout(r, 1))
  },
})
await c.start()
process.stdout.write('started\n')
await c.closed
