/** Start positions on the real broker: replay from offsets and from a timestamp, over committed offsets. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventConsumer } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createKafkaConsumer, type StartPosition } from '../../transports/kafka/index.ts'
import { eventMessage, uuid } from './events.ts'
import { consumerConfig, TestKafka, until } from './kafka.ts'

describe('replay', () => {
  const t = new TestKafka('replay')
  const topic = t.topic('accrual')
  const groupId = t.group()
  const running: EventConsumer[] = []
  const firstIds: string[] = []
  const secondIds: string[] = []
  const where = new Map<string, { partition: number; offset: bigint }>()
  let between = 0

  /** Runs a consumer in the shared group until it has seen `count` events (and a moment more), then stops it. */
  async function consume(start: StartPosition | undefined, count: number): Promise<string[]> {
    const seen: string[] = []
    const c = createKafkaConsumer({
      catalog,
      kafka: t.kafka,
      groupId,
      topicPrefix: t.prefix,
      consumerConfig,
      start,
      handlers: {
        accrual: {
          create(event, ctx) {
            seen.push(event.id)
            where.set(event.id, { partition: ctx.message.partition, offset: BigInt(ctx.message.offset) })
          },
        },
      },
    })
    running.push(c)
    await c.start()
    await until(`${count} events`, () => seen.length >= count)
    await new Promise((r) => setTimeout(r, 500))
    await c.stop()
    return seen
  }

  beforeAll(async () => {
    await t.setup([topic])
    const batch = () => Array.from({ length: 12 }, () => eventMessage('accrual', 'create', { key: uuid() }))
    const first = batch()
    await t.produce(topic, first)
    firstIds.push(...first.map((m) => m.id))
    await new Promise((r) => setTimeout(r, 50))
    between = Date.now()
    await new Promise((r) => setTimeout(r, 50))
    const second = batch()
    await t.produce(topic, second)
    secondIds.push(...second.map((m) => m.id))
  })
  afterAll(async () => {
    for (const c of running) await c.stop()
    await t.cleanup()
  })

  it('reads everything once, then nothing more from the committed offsets', async () => {
    expect((await consume(undefined, 24)).sort()).toEqual([...firstIds, ...secondIds].sort())
    const again: string[] = []
    const c = createKafkaConsumer({
      catalog,
      kafka: t.kafka,
      groupId,
      topicPrefix: t.prefix,
      consumerConfig,
      handlers: { accrual: { create: (e) => void again.push(e.id) } },
    })
    running.push(c)
    await c.start()
    await new Promise((r) => setTimeout(r, 1000))
    await c.stop()
    expect(again).toEqual([])
  })

  it('replays from given offsets (like last_read_msg_id), over the committed ones', async () => {
    // Per partition, the offset of the first event of the second batch.
    const offsets = new Map<number, bigint>()
    for (const id of secondIds) {
      const w = where.get(id)!
      const o = offsets.get(w.partition)
      if (o === undefined || w.offset < o) offsets.set(w.partition, w.offset)
    }
    const start: StartPosition = {
      offsets: [...offsets].map(([partition, offset]) => ({ topic, partition, offset })),
    }
    expect((await consume(start, secondIds.length)).sort()).toEqual([...secondIds].sort())
  })

  it('replays from a timestamp', async () => {
    expect((await consume({ timestamp: new Date(between) }, secondIds.length)).sort()).toEqual(
      [...secondIds].sort(),
    )
    expect((await consume({ timestamp: between - 60_000 }, 24)).sort()).toEqual(
      [...firstIds, ...secondIds].sort(),
    )
  })

  it("'earliest' reads everything again, 'latest' nothing that was there before", async () => {
    expect((await consume('earliest', 24)).length).toBe(24)
    const seen: string[] = []
    const c = createKafkaConsumer({
      catalog,
      kafka: t.kafka,
      groupId: t.group('latest'),
      topicPrefix: t.prefix,
      consumerConfig,
      start: 'latest',
      handlers: { accrual: { create: (e) => void seen.push(e.id) } },
    })
    running.push(c)
    await c.start()
    const late = eventMessage('accrual', 'create')
    await t.produce(topic, [late])
    await until('the late event', () => seen.length >= 1)
    await c.stop()
    expect(seen).toEqual([late.id])
  })
})
