/**
 * A consumer in a child process, for the crash test: `node --import tsx child-consumer.ts URL STREAM GROUP NAME`.
 * Prints `handled <event id>` per event (before its entry is acknowledged), slowly, until it is killed.
 */
import { catalog } from '../../generated/index.ts'
import { createRedisTopicConsumer } from '../../transports/redis/index.ts'

const [url, stream, group, consumer] = process.argv.slice(2) as [string, string, string, string]
const c = createRedisTopicConsumer({
  catalog,
  url,
  destinations: [stream],
  group,
  consumer,
  count: 20,
  blockMs: 200,
  async handle(e) {
    process.stdout.write(`handled ${e.event.id}\n`)
    await new Promise((r) => setTimeout(r, 5))
  },
})
await c.start()
process.stdout.write('started\n')
await c.closed
