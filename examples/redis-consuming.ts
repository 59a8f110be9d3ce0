/**
 * docs/redis.md "Consuming". Needs a Redis server, so test/docs/examples.test.ts only checks that the doc's block
 * is in this file and leaves it to tsc; it does not run it. By hand: `REDIS_URL=redis://127.0.0.1:6379 npx tsx
 * examples/redis-consuming.ts`, then examples/redis-publishing.ts in another shell; Ctrl-C stops it.
 */
import { catalog, type PersonV1, type PersonV2 } from 'event-contracts/generated'
import { createRedisConsumer } from 'event-contracts/redis'

const people = new Map<string, PersonV1 | PersonV2>() // your own store

const consumer = createRedisConsumer({
  catalog,
  url: process.env.REDIS_URL ?? 'redis://localhost:6379',
  group: 'timecard-restapi',
  consumer: process.env.HOSTNAME ?? 'timecard-restapi-1', // stable per instance
  topicPrefix: 'staging',
  claimIdleMs: 10 * 60_000, // take over entries a dead instance left pending for 10 minutes
  deadLetterMaxLen: 100_000, // <stream>.dlq is trimmed too (MAXLEN ~); this is the default
  handlers: {
    person: {
      update(event) {
        const p = event.resource.content // PersonV1 | PersonV2 | ResourceReference
        if ('firstName' in p) people.set(p.id, p)
        console.log(`update ${event.id}`)
      },
    },
  },
  // Redis down or not answering (at start too): reported here, and retried with backoff.
  onError: (e) => console.warn('Redis unavailable, retrying:', e),
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void consumer.stop())
await consumer.start()
await consumer.closed // rejects with TOO_MANY_ERRORS after maxConsecutiveErrors handler failures in a row
