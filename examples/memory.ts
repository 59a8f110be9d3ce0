/**
 * README "In memory": the same publisher and pipeline on the in-memory transport. No broker needed:
 * `npx tsx examples/memory.ts`. test/docs/examples.test.ts runs it and checks that it prints what the comment at
 * the end says.
 */
import { createPublisher } from 'event-contracts'
import { catalog } from 'event-contracts/generated'
import { createMemoryBus } from 'event-contracts/memory'

const bus = createMemoryBus()
const publisher = createPublisher({ catalog, sink: bus.sink, source: 'urn:callisto:person-restapi' })
const sent = await publisher.publish('person', 'create', {
  id: '8d7e4c1a-2b3f-4a5d-9e6f-0a1b2c3d4e5f',
  tenantId: '7d1b4a2c-9e8f-4a6b-8c5d-1e2f3a4b5c6d',
  firstName: 'Ada',
  lastName: 'Lovelace',
  startDate: '2026-01-05',
})
console.log(`sent ${sent.id} to ${sent.destination} at offset ${sent.position.offset}`)
bus.append(sent.destination, { key: null, value: '{"action":' }) // another producer's bad bytes

const consumer = bus.consumer({
  catalog,
  group: 'rostering', // a new group starts at the earliest offset
  handlers: {
    person: {
      create(event, { message, version }) {
        const person = event.resource.content // PersonV1 | PersonV2 | ResourceReference
        console.log(
          `handled person ${person.id} (v${version}) from ${message.origin} offset ${message.offset}`,
        )
      },
    },
  },
  onDeadLetter({ code, deadLetterDestination }) {
    console.log(`dead-lettered to ${deadLetterDestination}: ${code}`)
  },
})
await consumer.start()
await consumer.idle() // everything the bus holds now is handled or dead-lettered
await consumer.stop()
console.log(bus.records('callisto-person.dlq').map((r) => r.deadLetter?.code))

// Prints:
//   sent <uuid> to callisto-person at offset 0
//   handled person 8d7e4c1a-2b3f-4a5d-9e6f-0a1b2c3d4e5f (v2) from callisto-person offset 0
//   dead-lettered to callisto-person.dlq: NOT_JSON
//   [ 'NOT_JSON' ]
