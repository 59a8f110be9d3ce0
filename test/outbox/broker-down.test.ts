/**
 * The broker down for 10 s while 5,000 events are enqueued, on a Kafka node of this test's own (the shared broker
 * is never stopped): the relay backs off, the rows stay, and once the broker is back every event is delivered with
 * each key's order kept.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { topicOf } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createRelay, type Relay } from '../../outbox/index.ts'
import { ensureTopics, kafkaSink, type KafkaSink } from '../../transports/kafka/index.ts'
import { startOwnKafka, type OwnKafka } from '../helpers/own-kafka.ts'
import { person } from '../publishers/fixtures.ts'
import { readBack, uniquePrefix } from '../publishers/kafka-helpers.ts'
import { pause, until, uuid } from '../consumers/events.ts'
import { checkOrder, outboxFor, testDb, type TestDb } from './helpers.ts'

const prefix = uniquePrefix('outbox-down')
const outbox = outboxFor(prefix)
const topic = topicOf(catalog, 'person', prefix)

describe('the relay while its broker is down', () => {
  let own: OwnKafka
  let kafka: Kafka
  let t: TestDb
  let sink: KafkaSink | undefined
  let relay: Relay | undefined

  beforeAll(async () => {
    own = await startOwnKafka()
    // The producer gives up on one send within seconds (the relay itself retries for ever): the outage shows.
    kafka = new Kafka({
      clientId: prefix,
      brokers: [own.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
    })
    t = await testDb('postgres')
  }, 240_000)
  afterAll(async () => {
    await relay?.stop()
    await sink?.close().catch(() => undefined)
    await t?.drop()
    own?.destroy()
  })

  it('5,000 events enqueued during a 10 s outage: rows stay, the relay backs off, then all are delivered in order', async () => {
    const admin: Admin = kafka.admin()
    await admin.connect()
    await ensureTopics(admin, { catalog, topicPrefix: prefix, partitions: 3 })
    await admin.disconnect()
    sink = kafkaSink({ kafka })
    const errors: unknown[] = []
    relay = createRelay({
      db: t.db,
      sink,
      pollIntervalMs: 200,
      backoff: { initialMs: 100, maxMs: 2000 },
      onError: (e) => void errors.push(e),
    })
    await relay.start()
    // The relay and its producer are connected and working before the outage.
    const warmUp = await t.db.transaction((tx) => outbox.enqueue(tx, 'person', 'update', person))
    await until('the warm-up event is sent', () => relay!.status().sent >= 1)

    own.down()
    const downAt = Date.now()
    const keys = Array.from({ length: 50 }, uuid)
    const expected = new Map<string, string[]>(keys.map((k) => [k, []]))
    for (let i = 0; i < 5000; i += 100) {
      const events = Array.from({ length: 100 }, (_, j) => ({
        resource: 'person' as const,
        action: 'update' as const,
        content: { ...person, id: keys[(i + j) % keys.length] as string },
      }))
      for (const d of await t.db.transaction((tx) => outbox.enqueueBatch(tx, events)))
        expected.get(d.key)?.push(d.id)
    }
    await pause(Math.max(0, 10_000 - (Date.now() - downAt)))
    const during = await relay.backlog()
    expect(during.pending).toBe(5000) // nothing lost, nothing acknowledged while the broker is down
    expect(relay.status()).toMatchObject({ sent: 1, failedSends: expect.any(Number) })
    expect(relay.status().failedSends).toBeGreaterThan(0) // it tried, failed, and backs off
    own.up()
    const upAt = Date.now()
    await until('the backlog is sent', () => relay!.status().sent >= 5001, 120_000)
    await relay.idle()
    const recovered = Date.now() - upAt
    expect((await relay.backlog()).pending).toBe(0)

    const reader = kafka.admin()
    await reader.connect()
    const onTopic = (await reader.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0)
    const delivered = (
      await readBack(kafka, reader, [topic], onTopic, 60_000).finally(() => reader.disconnect())
    )
      .sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset))
      .map((m) => ({ key: m.key, id: String(m.value.id) }))
    const check = checkOrder(expected, delivered)
    console.log(
      `broker down ${((upAt - downAt) / 1000).toFixed(1)} s: ${relay.status().failedSends} failed sends, ` +
        `${errors.length} errors reported; backlog of 5000 sent ${(recovered / 1000).toFixed(1)} s after the ` +
        `broker was back; ${delivered.length} deliveries, ${check.duplicates} duplicates (shared machine)`,
    )
    expect(delivered.map((d) => d.id)).toContain(warmUp.id)
    expect(check).toEqual({ outOfOrder: [], duplicates: check.duplicates, missing: 0 })
    expect(errors.length).toBeGreaterThan(0)
  }, 300_000)
})
