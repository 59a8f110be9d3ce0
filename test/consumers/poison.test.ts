/** 1,000 valid and 100 poison messages interleaved over 10 keys and 3 partitions, on the real broker. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createConsumer, DLQ_HEADERS, type DeadLetter, type EventConsumer } from '../../consumers/index.ts'
import { isReference } from '../../core/index.ts'
import { eventMessage, poison, uuid } from './events.ts'
import { consumerConfig, TestKafka, until } from './kafka.ts'

describe('poison messages', () => {
  const t = new TestKafka('poison')
  const topic = t.topic('time-entry')
  let consumer: EventConsumer | undefined
  beforeAll(() => t.setup([topic]))
  afterAll(async () => {
    await consumer?.stop()
    await t.cleanup()
  })

  it('handles 1,000 in key order, dead-letters 100 with reasons, skips unhandled types, and is never blocked', async () => {
    const keys = Array.from({ length: 10 }, () => uuid())
    const messages: { key: string; value: string; headers?: Record<string, string> }[] = []
    const poisonCodes: Record<string, number> = {}
    for (let i = 0, valid = 0; messages.length < 1100;) {
      const key = keys[messages.length % keys.length] as string
      if (messages.length % 11 === 5) {
        const p = poison(i++, key)
        poisonCodes[p.code] = (poisonCodes[p.code] ?? 0) + 1
        messages.push({ key, value: p.value, headers: p.headers })
      } else {
        const seq = valid++
        messages.push(eventMessage('time-entry', 'create', { key, extra: { shiftType: `seq-${seq}` } }))
      }
    }
    // Events nobody here handles are skipped by their ce_type header, before parsing: garbage or not, never dead-lettered.
    const unhandled = keys.map((key) => ({
      key,
      value: 'not even JSON',
      headers: { ce_type: 'time-entry.delete' },
    }))
    await t.produce(topic, [...messages.slice(0, 550), ...unhandled, ...messages.slice(550)])

    const handled: { key: string; seq: number }[] = []
    const dead: DeadLetter[] = []
    consumer = createConsumer({
      kafka: t.kafka,
      groupId: t.group(),
      topicPrefix: t.prefix,
      consumerConfig,
      handlers: {
        'time-entry': {
          create(event) {
            const c = event.resource.content
            if (isReference(c)) throw new Error('unexpected reference')
            handled.push({ key: c.ownerId, seq: Number(c.shiftType?.slice(4)) })
          },
        },
      },
      onDeadLetter: (d) => void dead.push(d),
    })
    await consumer.start()
    await until(
      '1,000 handled and 100 dead letters',
      () => handled.length >= 1000 && dead.length >= 100,
      30_000,
    )

    expect(handled).toHaveLength(1000)
    expect(new Set(handled.map((h) => h.seq)).size).toBe(1000)
    for (const key of keys) {
      const seqs = handled.filter((h) => h.key === key).map((h) => h.seq)
      expect(seqs, `order of key ${key}`).toEqual([...seqs].sort((a, b) => a - b))
    }

    const letters = await t.read(`${topic}.dlq`, 100)
    expect(letters).toHaveLength(100)
    const codes: Record<string, number> = {}
    for (const l of letters)
      codes[l.headers[DLQ_HEADERS.code] as string] = (codes[l.headers[DLQ_HEADERS.code] as string] ?? 0) + 1
    expect(codes).toEqual(poisonCodes)
    for (const l of letters) {
      expect(l.headers[DLQ_HEADERS.topic]).toBe(topic)
      expect(Number(l.headers[DLQ_HEADERS.partition])).toBeGreaterThanOrEqual(0)
      expect(l.headers[DLQ_HEADERS.offset]).toMatch(/^\d+$/)
      expect(l.headers[DLQ_HEADERS.timestamp]).toMatch(/^\d+$/)
      expect(JSON.parse(l.headers[DLQ_HEADERS.issues] as string).length).toBeGreaterThan(0)
      expect(keys).toContain(l.key)
    }
    // The original bytes are preserved: the not-JSON ones are still exactly what was sent.
    const sentPoison = new Set(messages.filter((_, i) => i % 11 === 5).map((m) => m.value))
    for (const l of letters) expect(sentPoison.has(l.value as string)).toBe(true)
  })
})
