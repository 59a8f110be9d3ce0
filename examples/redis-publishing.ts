/**
 * docs/redis.md "Publishing". Needs a Redis server, so test/docs/examples.test.ts only checks that the doc's block
 * is in this file and leaves it to tsc; it does not run it. By hand: `REDIS_URL=redis://127.0.0.1:6379 npx tsx
 * examples/redis-publishing.ts` (it writes to the stream `staging.callisto-person`).
 */
import { catalog, type PersonV2 } from 'event-contracts/generated'
import { createRedisPublisher } from 'event-contracts/redis'

const publisher = createRedisPublisher({
  catalog,
  url: process.env.REDIS_URL ?? 'redis://localhost:6379',
  source: 'urn:callisto:timecard-restapi',
  topicPrefix: 'staging',
  maxLen: { 'staging.callisto-person': 100_000 }, // others keep the default, 10,000
})
const person: PersonV2 = {
  id: '3c9e1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
  tenantId: '7d1b4a2c-9e8f-4a6b-8c5d-1e2f3a4b5c6d',
  firstName: 'Ada',
  lastName: 'Okafor',
  startDate: '2024-02-29',
}
const sent = await publisher.publish('person', 'update', person)
console.log(sent.destination, sent.position) // staging.callisto-person 1700000000000-0 (the entry id)
await publisher.disconnect()
