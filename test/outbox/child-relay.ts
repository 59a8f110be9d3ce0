/**
 * A relay in a child process, for the crash test: `node --import tsx child-relay.ts DATABASE_URL SCHEMA BROKERS
 * HANG_AFTER BATCH_SIZE`. Publishes through Kafka; after the HANG_AFTER-th batch the broker acknowledged, it prints
 * `hanging <ids>` and never returns from that send, so its rows are published and not acknowledged until the
 * parent kills it (SIGKILL).
 */
import { Kafka, logLevel } from 'kafkajs'
import type { Sink } from '../../core/index.ts'
import { createRelay } from '../../outbox/index.ts'
import { openPostgres } from '../../storage/postgres.ts'
import { kafkaSink } from '../../transports/kafka/index.ts'

const [url, schema, brokers, hangAfter, batchSize] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
]
const db = await openPostgres({ url, schema, max: 2 })
const kafka = new Kafka({ clientId: 'child-relay', brokers: brokers.split(','), logLevel: logLevel.NOTHING })
const real = kafkaSink({ kafka })
let batches = 0
const sink: Sink = {
  send: (m) => real.send(m),
  async sendBatch(messages) {
    const positions = await real.sendBatch(messages)
    if (++batches >= Number(hangAfter)) {
      process.stdout.write(`hanging ${messages.map((m) => m.id).join(',')}\n`)
      await new Promise(() => undefined) // published, never acknowledged
    }
    process.stdout.write(`published ${messages.length}\n`)
    return positions
  },
}
const relay = createRelay({ db, sink, batchSize: Number(batchSize) })
await relay.start()
process.stdout.write('started\n')
await relay.closed
