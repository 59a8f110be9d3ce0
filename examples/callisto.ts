/**
 * docs/consuming.md "Callisto's own envelope": an event with only `action` and `resource`, its metadata carried by
 * the transport's CloudEvents attributes. In memory, so no broker is needed: `npx tsx examples/callisto.ts`.
 * test/docs/examples.test.ts runs it and checks that it prints what the comment at the end says.
 */
import { catalog } from 'event-contracts/generated'
import { createMemoryBus } from 'event-contracts/memory'

const bus = createMemoryBus()
const topic = catalog.resources['time-entry'].topic
const callisto = JSON.stringify({
  action: 'delete',
  resource: {
    schema: 'https://event-contracts.dev/schemas/time-entry/1',
    content: { tenantId: 42, id: 1001, version: 3 }, // a ResourceReference with Callisto's numeric ids
  },
})
// On Kafka these attributes are the ce_id, ce_time and ce_source headers of the record.
const metadata = {
  id: '1b6f0f3e-8f7a-4d2c-9c1e-5a4b3c2d1e0f',
  time: '2026-11-20T08:30:00Z',
  source: 'urn:callisto',
}
bus.append(topic, { key: '1001', value: callisto, attributes: metadata })
bus.append(topic, { key: '1001', value: callisto }) // no attributes: nothing says its id, time and source

const consumer = bus.consumer({
  catalog,
  group: 'callisto-example',
  handlers: {
    'time-entry': {
      delete: (event) =>
        console.log(`delete ${event.resource.content.id}: id ${event.id}, from ${event.source}`),
    },
  },
  onDeadLetter({ code, issues }) {
    console.log(`dead letter ${code}: ${issues.map((i) => i.path).join(' ')}`)
    void consumer.stop()
  },
})
await consumer.start()
await consumer.closed

// Prints:
//   delete 1001: id 1b6f0f3e-8f7a-4d2c-9c1e-5a4b3c2d1e0f, from urn:callisto
//   dead letter EVENT_INVALID: /id /time /source
