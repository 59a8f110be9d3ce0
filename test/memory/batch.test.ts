/**
 * Batch consumers (the pipeline's processMany) on the in-memory bus: consecutive messages of a destination go to the
 * batch handler together, invalid ones to the dead-letter destination, a batch is retried as one, and nothing is
 * committed before its batch is done. Kafka's and Redis's runners call the same processMany (test/gateway/).
 */
import { describe, expect, it } from 'vitest'
import type { DecodedEvent, MessageContext } from '../../core/index.ts'
import { catalog, type ContractCatalog } from '../../generated/index.ts'
import { createMemoryBus, type MemoryBus, type MemoryMessage } from '../../transports/memory/index.ts'
import { eventMessage, until } from '../consumers/events.ts'

const TOPIC = catalog.resources['time-entry'].topic
const put = (bus: MemoryBus, values: string[]) =>
  values.map((value) => bus.append(TOPIC, { key: 'k', value }))
const valid = () => eventMessage('time-entry', 'create')
const idsOf = (events: readonly DecodedEvent<ContractCatalog>[]) => events.map((e) => e.event.id)
const retry = { retries: 2, initialMs: 1, maxMs: 2 }

describe('batch consumers', () => {
  it('up to batchSize consecutive events per call, in order; invalid ones dead-lettered; all committed', async () => {
    const bus = createMemoryBus()
    const events = Array.from({ length: 5 }, valid)
    put(bus, [
      events[0]!.value,
      events[1]!.value,
      '{bad',
      events[2]!.value,
      events[3]!.value,
      events[4]!.value,
    ])
    const calls: string[][] = []
    const c = bus.batchConsumer({
      catalog,
      group: 'g',
      destinations: [TOPIC],
      batchSize: 4,
      retry,
      handleBatch: (batch) => void calls.push(idsOf(batch)),
    })
    await c.start()
    await until('all committed', () => bus.committed('g', TOPIC) === 6)
    await c.stop()
    expect(calls).toEqual([
      [events[0]!.id, events[1]!.id, events[2]!.id],
      [events[3]!.id, events[4]!.id],
    ])
    expect(bus.records(`${TOPIC}.dlq`).map((r) => [r.deadLetter?.code, r.deadLetter?.offset])).toEqual([
      ['NOT_JSON', 2],
    ])
  })

  it('a failing batch is retried as one, each context with its attempt', async () => {
    const bus = createMemoryBus()
    const events = [valid(), valid()]
    put(
      bus,
      events.map((e) => e.value),
    )
    const attempts: number[][] = []
    const c = bus.batchConsumer({
      catalog,
      group: 'g',
      destinations: [TOPIC],
      batchSize: 10,
      retry,
      handleBatch: (batch, contexts: readonly MessageContext<MemoryMessage>[]) => {
        attempts.push(contexts.map((x) => x.attempt))
        expect(idsOf(batch)).toEqual(events.map((e) => e.id))
        if (contexts[0]!.attempt < 3) throw new Error('receiver down')
      },
    })
    await c.start()
    await until('committed', () => bus.committed('g', TOPIC) === 2)
    await c.stop()
    expect(attempts).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ])
    expect(bus.records(`${TOPIC}.dlq`)).toEqual([])
  })

  it('a batch that keeps failing: each of its events dead-lettered with the attempts, then committed', async () => {
    const bus = createMemoryBus()
    const events = [valid(), valid()]
    put(
      bus,
      events.map((e) => e.value),
    )
    const c = bus.batchConsumer({
      catalog,
      group: 'g',
      destinations: [TOPIC],
      batchSize: 10,
      retry,
      maxConsecutiveErrors: 100,
      handleBatch: () => {
        throw new Error('receiver down')
      },
    })
    await c.start()
    await until('committed', () => bus.committed('g', TOPIC) === 2)
    await c.stop()
    const letters = bus.records(`${TOPIC}.dlq`)
    expect(letters.map((r) => JSON.parse(r.value as string).id)).toEqual(events.map((e) => e.id))
    expect(letters.map((r) => [r.deadLetter?.code, r.deadLetter?.attempts])).toEqual([
      ['HANDLER_FAILED', 3],
      ['HANDLER_FAILED', 3],
    ])
  })

  it('a permanent failure is not retried', async () => {
    const bus = createMemoryBus()
    put(bus, [valid().value])
    let calls = 0
    const c = bus.batchConsumer({
      catalog,
      group: 'g',
      destinations: [TOPIC],
      batchSize: 10,
      retry,
      handleBatch: () => {
        calls++
        throw Object.assign(new Error('422 from the receiver'), { permanent: true })
      },
    })
    await c.start()
    await until('committed', () => bus.committed('g', TOPIC) === 1)
    await c.stop()
    expect(calls).toBe(1)
    expect(bus.records(`${TOPIC}.dlq`)[0]?.deadLetter).toMatchObject({ code: 'HANDLER_FAILED', attempts: 1 })
  })

  it('stopped while a batch is being retried: nothing of it is committed', async () => {
    const bus = createMemoryBus()
    put(bus, [valid().value, valid().value])
    let calls = 0
    const c = bus.batchConsumer({
      catalog,
      group: 'g',
      destinations: [TOPIC],
      batchSize: 10,
      retry: { retries: 5, initialMs: 60_000, maxMs: 60_000 },
      handleBatch: () => {
        calls++
        throw new Error('receiver down')
      },
    })
    await c.start()
    await until('the first attempt', () => calls === 1)
    await c.stop()
    expect(bus.committed('g', TOPIC)).toBe(0)
    expect(bus.records(`${TOPIC}.dlq`)).toEqual([])
  })

  it('a batch size below 1 is refused', () => {
    const bus = createMemoryBus()
    expect(() =>
      bus.batchConsumer({
        catalog,
        group: 'g',
        destinations: [TOPIC],
        batchSize: 0,
        handleBatch: () => undefined,
      }),
    ).toThrow('batchSize must be at least 1')
  })
})
