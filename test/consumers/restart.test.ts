/** A consumer stopped mid-stream and another started in its group lose nothing (at-least-once), on the real broker. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createConsumer, type EventConsumer, type Handlers } from '../../consumers/index.ts'
import { eventMessage, uuid } from './events.ts'
import { consumerConfig, TestKafka, until } from './kafka.ts'

describe('stop and restart', () => {
  const t = new TestKafka('restart')
  const topic = t.topic('person')
  const consumers: EventConsumer[] = []
  beforeAll(() => t.setup([topic]))
  afterAll(async () => {
    for (const c of consumers) await c.stop()
    await t.cleanup()
  })

  it('every id is seen at least once across a stop and a restart', async () => {
    const groupId = t.group()
    const batch = () => Array.from({ length: 300 }, () => eventMessage('person', 'update', { key: uuid() }))
    const first = batch()
    await t.produce(topic, first)

    const seen = new Map<string, number>()
    let inFlight = 0
    const handlers = (delayMs: number): Handlers => ({
      person: {
        async update(event) {
          inFlight++
          await new Promise((r) => setTimeout(r, delayMs))
          seen.set(event.id, (seen.get(event.id) ?? 0) + 1)
          inFlight--
        },
      },
    })
    const a = createConsumer({
      kafka: t.kafka,
      groupId,
      handlers: handlers(3),
      topicPrefix: t.prefix,
      consumerConfig,
    })
    consumers.push(a)
    await a.start()
    await until('100 handled by the first consumer', () => seen.size >= 100)
    await a.stop()
    await a.closed
    expect(inFlight).toBe(0) // stop() let the running handler finish
    const byFirst = seen.size
    expect(byFirst).toBeLessThan(300)

    const second = batch()
    await t.produce(topic, second)
    const b = createConsumer({
      kafka: t.kafka,
      groupId,
      handlers: handlers(0),
      topicPrefix: t.prefix,
      consumerConfig,
    })
    consumers.push(b)
    await b.start()
    const all = [...first, ...second].map((m) => m.id)
    await until('all 600 ids', () => all.every((id) => seen.has(id)))
    const redelivered = [...seen.values()].filter((n) => n > 1).length
    // stop() committed what was done: at most the batch in flight comes again, not the whole stream.
    expect(redelivered).toBeLessThan(byFirst)
    expect(seen.size).toBe(600)
  })
})
