/** The pipeline suite's harness (test/consumers/pipeline.ts) on the real Redis: its own streams and groups. */
import { expect } from 'vitest'
import type { EventConsumer } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createRedisConsumer, createRedisPublisher, DLQ_FIELDS } from '../../transports/redis/index.ts'
import { pause } from '../consumers/events.ts'
import type { Harness } from '../consumers/pipeline.ts'
import { TestRedis, untilAsync, type Entry } from './redis.ts'

/** A dead letter read back: its entry, and the original entry it names (looked up in the original stream). */
interface Raw {
  entry: Entry
  original: Entry | undefined
}

export function redisHarness(name: string): Harness & { t: TestRedis } {
  const t = new TestRedis(name)
  const consumers: EventConsumer[] = []
  let groups = 0
  return {
    t,
    transport: 'redis',
    prefix: t.prefix,
    destination: (resource) => t.track(`${t.prefix}.${catalog.resources[resource].topic}`),
    group: (g = 'g') => `${t.prefix}-${g}-${++groups}`,
    async setup(resources) {
      await t.connect()
      for (const r of resources) t.track(`${t.prefix}.${catalog.resources[r].topic}`)
    },
    // Stream entries carry text: the wire-format cases (bytes) do not run on Redis.
    produce: async (stream, messages) =>
      void (await t.produce(
        stream,
        messages.map((m) => ({
          ...m,
          value: typeof m.value === 'string' ? m.value : Buffer.from(m.value).toString(),
        })),
      )),
    publisher: (source) => createRedisPublisher({ catalog, url: t.url, source, topicPrefix: t.prefix }),
    consumer({ group, ...options }) {
      const c = createRedisConsumer({
        ...options,
        catalog,
        url: t.url,
        group,
        // One name per group: a consumer started again in its group is the same instance coming back.
        consumer: `${group}-consumer`,
        topicPrefix: t.prefix,
        blockMs: 500,
      })
      consumers.push(c)
      return c
    },
    async deadLetters(stream, count) {
      await untilAsync(`${count} dead letters on ${stream}`, async () => (await t.xlen(stream)) >= count)
      await pause(100) // anything beyond `count` is a bug: give it a moment to show
      const letters = await t.range(stream)
      const originStream = letters[0]?.fields[DLQ_FIELDS.stream]
      const originals = originStream ? await t.range(originStream) : []
      const index = new Map(originals.map((e, i) => [e.id, i]))
      return letters.map((entry) => {
        const f = entry.fields
        const at = index.get(f[DLQ_FIELDS.id] as string)
        const raw: Raw = { entry, original: at === undefined ? undefined : originals[at] }
        return {
          key: f.key ?? null,
          value: f.data ?? null,
          code: f[DLQ_FIELDS.code] as string,
          message: f[DLQ_FIELDS.message] as string,
          issues: JSON.parse(f[DLQ_FIELDS.issues] ?? 'null'),
          attempts: f[DLQ_FIELDS.attempts] === undefined ? undefined : Number(f[DLQ_FIELDS.attempts]),
          origin: f[DLQ_FIELDS.stream] as string,
          // The suite wants a number: the original's position in its stream (its entry id is in `raw`).
          offset: String(at ?? -1),
          group: f[DLQ_FIELDS.group] as string,
          raw,
        }
      })
    },
    expectOrigin(letter, stream) {
      const { entry, original } = letter.raw as Raw
      expect(entry.fields[DLQ_FIELDS.stream]).toBe(stream)
      expect(entry.fields[DLQ_FIELDS.id]).toMatch(/^\d+-\d+$/)
      // The original entry is there under the id the dead letter names, with the same fields.
      expect(original?.id).toBe(entry.fields[DLQ_FIELDS.id])
      for (const [k, v] of Object.entries(original?.fields ?? {})) expect(entry.fields[k]).toBe(v)
    },
    async cleanup() {
      for (const c of consumers) await c.stop()
      await t.cleanup()
    },
  }
}
