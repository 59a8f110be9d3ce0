/**
 * Callisto's own envelope (only `action` and `resource`) on the real broker: `ce_id`, `ce_time` and `ce_source`
 * fill in its metadata; without them it is dead-lettered. The shared cases (pipeline.ts) write the attributes as
 * `ce_` headers with the harness' own table (kafka.ts); the case here spells the headers out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventConsumer } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createKafkaConsumer, DLQ_HEADERS } from '../../transports/kafka/index.ts'
import { callistoEvent, uuid } from './events.ts'
import { consumerConfig, kafkaHarness, TestKafka, until } from './kafka.ts'
import { describePipeline } from './pipeline.ts'

describePipeline('kafka', kafkaHarness, ['callisto'])

describe('Callisto envelope with ce_ headers (kafka)', () => {
  const t = new TestKafka('callisto-raw')
  const topic = t.topic('time-entry')
  let consumer: EventConsumer | undefined
  beforeAll(() => t.setup([topic]))
  afterAll(async () => {
    await consumer?.stop()
    await t.cleanup()
  })

  it('takes id, time and source from ce_id, ce_time and ce_source; dead-letters the one without', async () => {
    const key = uuid()
    const headers = {
      ce_id: uuid(),
      ce_time: '2026-11-20T08:30:00Z',
      ce_source: 'urn:callisto:timecard-restapi',
    }
    const filled = callistoEvent('time-entry', 'create', { key })
    const bare = callistoEvent('time-entry', 'create', { key })
    await t.produce(topic, [
      { key, value: bare, headers: { ce_type: 'time-entry.create' } },
      { key, value: filled, headers: { ...headers, ce_type: 'time-entry.create' } },
    ])
    const seen: { id: string; time: string; source: string; ceId: string | undefined }[] = []
    consumer = createKafkaConsumer({
      catalog,
      kafka: t.kafka,
      groupId: t.group(),
      topicPrefix: t.prefix,
      consumerConfig,
      handlers: {
        'time-entry': {
          create: (e, { message }) =>
            void seen.push({ id: e.id, time: e.time, source: e.source, ceId: message.attribute('id') }),
        },
      },
    })
    await consumer.start()
    await until('the filled event', () => seen.length >= 1)
    expect(seen).toEqual([
      { id: headers.ce_id, time: headers.ce_time, source: headers.ce_source, ceId: headers.ce_id },
    ])

    const [letter, ...more] = await t.read(`${topic}.dlq`, 1)
    expect(more).toEqual([])
    expect(letter?.value).toBe(bare)
    expect(letter?.headers).toMatchObject({
      ce_type: 'time-entry.create',
      [DLQ_HEADERS.code]: 'EVENT_INVALID',
      [DLQ_HEADERS.topic]: topic,
    })
    expect(letter?.headers[DLQ_HEADERS.message]).toMatch(
      /^\/id: must have required property 'id'.*\(\+2 more\)$/,
    )
    const issues = JSON.parse(letter?.headers[DLQ_HEADERS.issues] ?? '[]') as {
      path: string
      keyword: string
    }[]
    expect(issues.map((i) => [i.path, i.keyword])).toEqual([
      ['/id', 'required'],
      ['/time', 'required'],
      ['/source', 'required'],
    ])
  })
})
