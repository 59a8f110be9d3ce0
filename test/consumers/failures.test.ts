/** Handler failures, the consecutive-error limit and accepted versions, on the real broker. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createConsumer, DLQ_HEADERS, type EventConsumer, type RetryInfo } from '../../consumers/index.ts'
import { isContractError, isReference } from '../../core/index.ts'
import { eventMessage, uuid } from './events.ts'
import { consumerConfig, TestKafka, until } from './kafka.ts'

describe('handler failures', () => {
  const t = new TestKafka('fail')
  const topic = t.topic('time-entry')
  const running: EventConsumer[] = []
  beforeAll(() => t.setup([topic, t.topic('person')]))
  afterAll(async () => {
    for (const c of running) await c.stop()
    await t.cleanup()
  })

  it('retries with backoff, dead-letters with the error, and stops after maxConsecutiveErrors', async () => {
    const key = uuid() // one key: one partition, in order
    const plan = ['ok', 'fail', 'ok', 'fail', 'fail', 'fail', 'ok']
    const sent = plan.map((shiftType) => eventMessage('time-entry', 'create', { key, extra: { shiftType } }))
    await t.produce(topic, sent)

    const calls: string[] = []
    const retries: RetryInfo[] = []
    const c = createConsumer({
      kafka: t.kafka,
      groupId: t.group(),
      topicPrefix: t.prefix,
      consumerConfig,
      retry: { retries: 2, initialMs: 20, maxMs: 40 },
      maxConsecutiveErrors: 3,
      onRetry: (r) => void retries.push(r),
      handlers: {
        'time-entry': {
          create(event, ctx) {
            const c = event.resource.content
            const kind = isReference(c) ? 'ref' : c.shiftType
            calls.push(`${kind}#${ctx.attempt}`)
            if (kind === 'fail') throw new Error(`cannot store ${event.id}`)
          },
        },
      },
    })
    running.push(c)
    await c.start()
    const closed = await c.closed.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isContractError(closed, 'TOO_MANY_ERRORS')).toBe(true)
    expect(calls).toEqual([
      'ok#1',
      'fail#1',
      'fail#2',
      'fail#3',
      'ok#1',
      ...Array(3).fill(['fail#1', 'fail#2', 'fail#3']).flat(),
    ])
    expect(retries.filter((r) => r.reason === 'handler').map((r) => r.delayMs)).toEqual([
      20, 40, 20, 40, 20, 40, 20, 40,
    ])

    const letters = await t.read(`${topic}.dlq`, 4)
    expect(letters).toHaveLength(4)
    const failed = sent.filter((_, i) => plan[i] === 'fail').map((m) => m.value)
    expect(letters.map((l) => l.value)).toEqual(failed)
    for (const l of letters) {
      expect(l.headers).toMatchObject({
        [DLQ_HEADERS.code]: 'HANDLER_FAILED',
        [DLQ_HEADERS.attempts]: '3',
        [DLQ_HEADERS.topic]: topic,
      })
      expect(l.headers[DLQ_HEADERS.message]).toMatch(/^Error: cannot store /)
    }
  })

  it('dead-letters a version outside the accepted range', async () => {
    const person = t.topic('person')
    const v1 = eventMessage('person', 'create', { version: 1 })
    const v2 = eventMessage('person', 'create', { version: 2 })
    await t.produce(person, [v1, v2])
    const seen: number[] = []
    const c = createConsumer({
      kafka: t.kafka,
      groupId: t.group('accept'),
      topicPrefix: t.prefix,
      consumerConfig,
      accept: { person: '^2' },
      handlers: { person: { create: (_e, ctx) => void seen.push(ctx.version ?? 0) } },
    })
    running.push(c)
    await c.start()
    const [letter] = await t.read(`${person}.dlq`, 1)
    await until('the v2 event', () => seen.length >= 1)
    expect(seen).toEqual([2])
    expect(letter?.value).toBe(v1.value)
    expect(letter?.headers[DLQ_HEADERS.code]).toBe('VERSION_NOT_ACCEPTED')
    expect(JSON.parse(letter?.headers[DLQ_HEADERS.issues] ?? '[]')[0]).toMatchObject({
      keyword: 'accepted-version',
      params: { version: 1 },
    })
  })
})
