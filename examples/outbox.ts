/**
 * README "Publishing from a database transaction". Needs PostgreSQL (DATABASE_URL) and Kafka (KAFKA_BROKERS), so
 * test/docs/examples.test.ts only checks that the README's block is in this file and leaves it to tsc. By hand:
 * `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test KAFKA_BROKERS=127.0.0.1:19092 npx tsx examples/outbox.ts`.
 */
import { Kafka } from 'kafkajs'
import pg from 'pg'
import { catalog, type PersonV2 } from 'event-contracts/generated'
import { kafkaSink } from 'event-contracts/kafka'
import { createOutbox, createRelay, migrateOutbox } from 'event-contracts/outbox'
import { openPostgres } from 'event-contracts/postgres'

const url = process.env.DATABASE_URL ?? 'postgres://localhost:5432/app'
const db = await openPostgres({ url, schema: 'public' }) // transactions, LISTEN/NOTIFY
await migrateOutbox(db) // the outbox table; `contracts relay` migrates at start too
await db.query('CREATE TABLE IF NOT EXISTS people (id uuid PRIMARY KEY, last_name text NOT NULL)') // yours
const outbox = createOutbox({ catalog, source: 'urn:callisto:person-restapi', topicPrefix: 'staging' })

const person: PersonV2 = {
  id: '3c9e1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
  tenantId: '7d1b4a2c-9e8f-4a6b-8c5d-1e2f3a4b5c6d',
  firstName: 'Ada',
  lastName: 'Okafor',
  startDate: '2024-02-29',
}
const pool = new pg.Pool({ connectionString: url })
const client = await pool.connect() // your service's own client: the outbox writes in its transaction
try {
  await client.query('BEGIN')
  await client.query('UPDATE people SET last_name = $2 WHERE id = $1', [person.id, person.lastName])
  await outbox.enqueue(client, 'person', 'update', person) // validated: an invalid event throws, nothing written
  await client.query('COMMIT') // the change and its event, or neither
} catch (e) {
  await client.query('ROLLBACK')
  throw e
} finally {
  client.release()
}

// The relay: in the service, or `contracts relay` as a process of its own (several may run at once).
const kafka = new Kafka({ clientId: 'person-relay', brokers: [process.env.KAFKA_BROKERS ?? 'kafka:9092'] })
const relay = createRelay({ db, sink: kafkaSink({ kafka }) })
await relay.start()

// For this example only: wait until the event is sent, then stop and close.
await relay.idle()
await relay.stop()
await relay.config.sink.close?.()
await Promise.all([db.close(), pool.end()])
