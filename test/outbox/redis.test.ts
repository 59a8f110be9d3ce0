/**
 * The same relay on Redis Streams (the shared server, streams of this test's own): only the sink differs. Entries
 * carry what the Redis publisher writes (attributes, key, data), each key in order; a consumer group reads them
 * back through the kernel's pipeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { topicOf } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createInbox, createRelay } from '../../outbox/index.ts'
import { createRedisTopicConsumer, redisSink, type RedisSink } from '../../transports/redis/index.ts'
import { person } from '../publishers/fixtures.ts'
import { until, uuid } from '../consumers/events.ts'
import { TestRedis } from '../redis/redis.ts'
import { checkOrder, outboxFor, testDb, type TestDb } from './helpers.ts'

describe('the relay on Redis Streams', () => {
  const redis = new TestRedis('outbox')
  const outbox = outboxFor(redis.prefix)
  const stream = redis.track(topicOf(catalog, 'person', redis.prefix))
  let t: TestDb
  let sink: RedisSink

  beforeAll(async () => {
    await redis.connect()
    t = await testDb('postgres')
    sink = redisSink({ url: redis.url })
  })
  afterAll(async () => {
    await sink?.close()
    await redis.cleanup()
    await t?.drop()
  })

  it('publishes every committed event, in order per key, as the Redis publisher would; the inbox skips a re-sent one', async () => {
    const keys = Array.from({ length: 8 }, uuid)
    const expected = new Map<string, string[]>(keys.map((k) => [k, []]))
    for (let i = 0; i < 400; i += 40) {
      const events = Array.from({ length: 40 }, (_, j) => ({
        resource: 'person' as const,
        action: 'update' as const,
        content: { ...person, id: keys[(i + j) % keys.length] as string },
      }))
      for (const d of await t.db.transaction((tx) => outbox.enqueueBatch(tx, events)))
        expected.get(d.key)?.push(d.id)
    }
    const relay = createRelay({ db: t.db, sink, batchSize: 64 })
    expect((await relay.drain()).sent).toBe(400)

    const entries = await redis.range(stream)
    expect(entries).toHaveLength(400)
    const delivered = entries.map((e) => ({ key: e.fields.key as string, id: e.fields.id as string }))
    expect(checkOrder(expected, delivered)).toEqual({ outOfOrder: [], duplicates: 0, missing: 0 })
    const first = entries[0]?.fields ?? {}
    expect(first).toMatchObject({
      specversion: '1.0',
      type: 'person.update',
      source: 'urn:test:outbox',
      dataschema: catalog.resources.person.versions[2].uri,
      datacontenttype: 'application/json',
    })
    expect(JSON.parse(first.data as string)).toMatchObject({
      id: first.id,
      resource: { content: { id: first.key } },
    })

    // The first event again (a relay that crashed before acknowledging re-sends it): the inbox skips it.
    await sink.sendBatch([resend(first, stream)])
    let effects = 0
    let skipped = 0
    const inbox = createInbox({ db: t.db, consumer: 'redis-people', onDuplicate: () => void skipped++ })
    const consumer = createRedisTopicConsumer({
      catalog,
      url: redis.url,
      destinations: [stream],
      group: redis.group(),
      consumer: 'c1',
      start: 'earliest',
      blockMs: 100,
      handle: inbox.wrap(async (e, _ctx, tx) => {
        await tx.query('SELECT 1')
        effects++
      }),
    })
    await consumer.start()
    await until('401 entries handled or skipped', () => effects + skipped >= 401)
    await consumer.stop()
    expect({ effects, skipped }).toEqual({ effects: 400, skipped: 1 })
  })
})

/** An entry's event as the sink takes it again. */
function resend(fields: Record<string, string>, destination: string) {
  return {
    destination,
    key: fields.key as string,
    value: fields.data as string,
    attributes: {
      specversion: '1.0' as const,
      id: fields.id as string,
      source: fields.source as string,
      type: fields.type as string,
      time: fields.time as string,
      dataschema: fields.dataschema as string,
      datacontenttype: 'application/json' as const,
    },
    headers: undefined,
    id: fields.id as string,
  }
}
