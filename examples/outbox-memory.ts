/**
 * docs/outbox.md: the outbox, the relay and the inbox on an embedded PostgreSQL (PGlite) and the in-memory bus. No
 * server needed: `npx tsx examples/outbox-memory.ts`. test/docs/examples.test.ts runs it and checks that it prints
 * what the comment at the end says.
 */
import { createPublisher, isContractError } from 'event-contracts'
import { catalog, type PersonV2 } from 'event-contracts/generated'
import { createMemoryBus } from 'event-contracts/memory'
import { createInbox, createOutbox, createRelay, migrateInbox, migrateOutbox } from 'event-contracts/outbox'
import { IN_MEMORY, openPglite } from 'event-contracts/pglite'

const db = await openPglite(IN_MEMORY) // openPostgres({ url, schema }) in production
await migrateOutbox(db)
await db.query('CREATE TABLE people (id uuid PRIMARY KEY, last_name text NOT NULL)')
const person: PersonV2 = {
  id: '3c9e1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
  tenantId: '7d1b4a2c-9e8f-4a6b-8c5d-1e2f3a4b5c6d',
  firstName: 'Ada',
  lastName: 'Okafor',
  startDate: '2024-02-29',
}

const outbox = createOutbox({ catalog, source: 'urn:callisto:person-restapi' })
// Committed: the row and its event.
await db.transaction(async (tx) => {
  await tx.query('INSERT INTO people (id, last_name) VALUES ($1, $2)', [person.id, person.lastName])
  await outbox.enqueue(tx, 'person', 'create', person)
})
// Invalid: enqueue throws, the transaction rolls back, the change is not stored either.
try {
  await db.transaction(async (tx) => {
    await tx.query('UPDATE people SET last_name = $2 WHERE id = $1', [person.id, ''])
    await outbox.enqueue(tx, 'person', 'update', { ...person, lastName: '' })
  })
} catch (e) {
  if (!isContractError(e)) throw e
  console.log(`not stored: ${e.code} at ${e.issues[0]?.path} (${e.issues[0]?.keyword})`)
}

const bus = createMemoryBus()
const relay = createRelay({ db, sink: bus.sink })
const { sent } = await relay.drain() // or relay.start(): runs until relay.stop()
console.log(`relayed ${sent}; ${relay.statusLine()}`)
// The same event again, as a relay that crashed between publishing and acknowledging would send it.
const [record] = bus.records('callisto-person')
await createPublisher({ catalog, sink: bus.sink, source: 'urn:test' }).publishEvent(
  JSON.parse(String(record?.value ?? '')),
)

await migrateInbox(db)
await db.query('CREATE TABLE rostered (person_id uuid PRIMARY KEY)')
const inbox = createInbox({ db, consumer: 'rostering', onDuplicate: (id) => console.log(`skipped ${id}`) })
const consumer = bus.consumer({
  catalog,
  group: 'rostering',
  handlers: {
    person: {
      create: inbox.wrap(async (event, _context, tx) => {
        // The handler's own writes, in the transaction that records the event id: both or neither.
        await tx.query('INSERT INTO rostered (person_id) VALUES ($1)', [event.resource.content.id])
        console.log(`handled ${event.id}`)
      }),
    },
  },
})
await consumer.start()
await consumer.idle()
await consumer.stop()
await db.close()

// Prints:
//   not stored: EVENT_INVALID at /resource/content/lastName (minLength)
//   relayed 1; outbox relay stopped: 1 sent, 0 pending, 0 deferred, 0 failed sends
//   handled <uuid>
//   skipped <uuid>
