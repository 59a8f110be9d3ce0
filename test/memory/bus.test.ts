/**
 * The in-memory bus itself: what it commits and when (the memory counterpart of test/consumers/loop.test.ts),
 * its dead-letter records, start positions and groups. The pipeline's behaviour is in pipeline.test.ts.
 */
import { describe, expect, it } from 'vitest'
import {
  ContractError,
  createPublisher,
  schemaUri,
  type DeadLetter,
  type SchemaLookupPort,
} from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createMemoryBus, MemoryMessage, type MemoryBus } from '../../transports/memory/index.ts'
import { contentOf, eventMessage, pause, rawEvent, until, uuid } from '../consumers/events.ts'

const TOPIC = catalog.resources['time-entry'].topic
const PEOPLE = catalog.resources.person.topic
const ok = () => eventMessage('time-entry', 'create')
const put = (bus: MemoryBus, destination: string, values: (string | null)[]) =>
  values.map((value) => bus.append(destination, { key: 'k', value }))

describe('memory bus', () => {
  it('commits handled, skipped and dead-lettered messages, in order, and goes on from there', async () => {
    const bus = createMemoryBus()
    put(bus, TOPIC, [ok().value, '{bad', null, ok().value])
    bus.append(TOPIC, { key: 'k', value: 'garbage', attributes: { type: 'time-entry.delete' } })
    const seen: number[] = []
    const c = bus.consumer({
      catalog,
      group: 'g',
      handlers: { 'time-entry': { create: (_e, ctx) => void seen.push(ctx.message.offset) } },
    })
    expect(c.destinations).toEqual([TOPIC])
    await c.start()
    await until('5 done', () => bus.committed('g', TOPIC) === 5)
    expect(seen).toEqual([0, 3])
    expect(bus.records(`${TOPIC}.dlq`).map((r) => r.deadLetter?.code)).toEqual(['NOT_JSON', 'NOT_JSON'])

    put(bus, TOPIC, [ok().value]) // an idle consumer wakes up for a new message
    await until('the new one', () => seen.length === 3)
    expect(bus.committed('g', TOPIC)).toBe(6)
    await c.stop()
    await c.closed
    expect(bus.committed('other', TOPIC)).toBeUndefined()
  })

  it('keeps the original key, value, attributes and headers in a dead letter, with the reason and origin', async () => {
    const bus = createMemoryBus()
    bus.append(TOPIC, { key: 'k0', value: ok().value })
    bus.append(TOPIC, {
      key: 'k1',
      value: '{oops',
      attributes: { id: 'abc' },
      headers: { trace: 't-1' },
    })
    const dead: DeadLetter<MemoryMessage>[] = []
    const c = bus.topicConsumer({
      catalog,
      group: 'g1',
      destinations: [TOPIC],
      handle: () => undefined,
      onDeadLetter: (d) => void dead.push(d),
    })
    await c.start()
    await until('the dead letter', () => dead.length === 1)
    await c.stop()
    const [letter, ...more] = bus.records(`${TOPIC}.dlq`)
    expect(more).toEqual([])
    expect(letter).toMatchObject({
      destination: `${TOPIC}.dlq`,
      offset: 0,
      key: 'k1',
      value: '{oops',
      attributes: { id: 'abc' },
      headers: { trace: 't-1' },
      deadLetter: { code: 'NOT_JSON', origin: TOPIC, offset: 1, group: 'g1', issues: [{ keyword: 'json' }] },
    })
    expect(letter?.deadLetter?.summary).toMatch(/^\/: not JSON/)
    expect(dead[0]).toMatchObject({ code: 'NOT_JSON', deadLetterDestination: `${TOPIC}.dlq` })
    expect(dead[0]?.message).toBeInstanceOf(MemoryMessage)
    expect({
      origin: dead[0]?.message.origin,
      offset: dead[0]?.message.offset,
      key: dead[0]?.message.key,
    }).toEqual({
      origin: TOPIC,
      offset: 1,
      key: 'k1',
    })
  })

  it('leaves a message waiting on a registry that is down uncommitted when stopped, and everything after it', async () => {
    const bus = createMemoryBus()
    const registry: SchemaLookupPort = {
      getByUri: () =>
        Promise.reject(new ContractError('REGISTRY_UNAVAILABLE', 'down', [], { retriable: true })),
    }
    put(bus, TOPIC, [ok().value, rawEvent(schemaUri('time-entry', 3), { hours: 1 }), ok().value])
    let retries = 0
    const seen: number[] = []
    const c = bus.topicConsumer({
      catalog,
      group: 'g',
      destinations: [TOPIC],
      registry,
      retry: { initialMs: 1, maxMs: 5 },
      handle: (_e, ctx) => void seen.push(ctx.message.offset),
      onRetry: (r) => {
        expect(r).toMatchObject({ reason: 'registry', message: { offset: 1 } })
        if (++retries === 3) void c.stop()
      },
    })
    await c.start()
    await c.closed
    expect(retries).toBe(3)
    expect(seen).toEqual([0])
    expect(bus.committed('g', TOPIC)).toBe(1)
    expect(bus.records(`${TOPIC}.dlq`)).toEqual([]) // not dead-lettered either: the event may be fine
  })

  it('leaves a failing handler uncommitted when stopped during its retries (redelivered, not dead-lettered)', async () => {
    const bus = createMemoryBus()
    put(bus, TOPIC, [ok().value, ok().value])
    const calls: number[] = []
    const c = bus.topicConsumer({
      catalog,
      group: 'g',
      destinations: [TOPIC],
      handle: (_e, ctx) => {
        calls.push(ctx.attempt)
        void c.stop()
        throw new Error('db down')
      },
    })
    await c.start()
    await c.closed
    expect(calls).toEqual([1])
    expect(bus.committed('g', TOPIC)).toBe(0)
    expect(bus.records(`${TOPIC}.dlq`)).toEqual([])

    // The next consumer of the group gets it again.
    const again: number[] = []
    const d = bus.topicConsumer({
      catalog,
      group: 'g',
      destinations: [TOPIC],
      handle: (_e, ctx) => void again.push(ctx.message.offset),
    })
    await d.start()
    await until('both', () => again.length === 2)
    await d.stop()
    expect(again).toEqual([0, 1])
  })

  it('lets a handler stop the consumer without awaiting: that message is committed, no later one is handled', async () => {
    const bus = createMemoryBus()
    put(bus, TOPIC, [ok().value, ok().value, ok().value])
    const seen: number[] = []
    const c = bus.topicConsumer({
      catalog,
      group: 'g',
      destinations: [TOPIC],
      handle: (_e, ctx) => {
        seen.push(ctx.message.offset)
        void c.stop()
      },
    })
    await c.start()
    await c.closed
    expect(seen).toEqual([0])
    expect(bus.committed('g', TOPIC)).toBe(1)
  })

  it.each<{
    name: string
    start: 'committed' | 'earliest' | 'latest' | { offsets: Record<string, number> }
    seen: number[]
  }>([
    { name: 'committed (the group is at 2)', start: 'committed', seen: [2, 3] },
    { name: 'earliest', start: 'earliest', seen: [0, 1, 2, 3] },
    { name: 'latest', start: 'latest', seen: [4] },
    { name: 'offsets', start: { offsets: { [TOPIC]: 1 } }, seen: [1, 2, 3] },
  ])('starts at $name', async ({ start, seen: expected }) => {
    const bus = createMemoryBus()
    put(bus, TOPIC, [ok().value, ok().value])
    const first = bus.topicConsumer({ catalog, group: 'g', destinations: [TOPIC], handle: () => undefined })
    await first.start()
    await until('2 committed', () => bus.committed('g', TOPIC) === 2)
    await first.stop()
    put(bus, TOPIC, [ok().value, ok().value])

    const seen: number[] = []
    const c = bus.topicConsumer({
      catalog,
      group: 'g',
      destinations: [TOPIC],
      start,
      handle: (_e, ctx) => void seen.push(ctx.message.offset),
    })
    await c.start()
    await pause(50)
    put(bus, TOPIC, [ok().value])
    await until('offset 4', () => seen.includes(4))
    await c.stop()
    expect(seen).toEqual([...expected, ...(expected.includes(4) ? [] : [4])])
  })

  it('gives each group every message, and keeps order per destination over several', async () => {
    const bus = createMemoryBus()
    const te = [ok(), ok(), ok()]
    const people = [eventMessage('person', 'create'), eventMessage('person', 'create')]
    for (const m of te) bus.append(TOPIC, { key: m.key, value: m.value })
    for (const m of people) bus.append(PEOPLE, { key: m.key, value: m.value })
    const seen = { a: [] as string[], b: [] as string[] }
    const consumers = (['a', 'b'] as const).map((g) =>
      bus.consumer({
        catalog,
        group: g,
        handlers: {
          'time-entry': { create: (e) => void seen[g].push(e.id) },
          person: { create: (e) => void seen[g].push(e.id) },
        },
      }),
    )
    for (const c of consumers) await c.start()
    await until('5 each', () => seen.a.length === 5 && seen.b.length === 5)
    for (const c of consumers) await c.stop()
    for (const ids of [seen.a, seen.b]) {
      expect(ids.filter((id) => te.some((m) => m.id === id))).toEqual(te.map((m) => m.id))
      expect(ids.filter((id) => people.some((m) => m.id === id))).toEqual(people.map((m) => m.id))
    }
    expect([...(consumers[0]?.destinations ?? [])].sort()).toEqual([PEOPLE, TOPIC].sort())
  })

  it('is a sink for the publisher: one record per event, a batch in order, with the CloudEvents attributes', async () => {
    const bus = createMemoryBus()
    const publisher = createPublisher({ catalog, sink: bus.sink, source: 'urn:test', topicPrefix: 'dev' })
    const ownerId = uuid()
    const content = JSON.parse(eventMessage('time-entry', 'create', { key: ownerId }).value).resource.content
    const one = await publisher.publish('time-entry', 'create', content, {
      version: 1,
      headers: { trace: 'x' },
    })
    expect(one).toEqual({ destination: `dev.${TOPIC}`, id: one.id, position: { offset: 0 } })
    const batch = await publisher.publishBatch([
      { resource: 'time-entry', action: 'update', content, version: 1 },
      { resource: 'person', action: 'delete', reference: { tenantId: uuid(), id: uuid(), version: 1 } },
    ])
    expect(batch.positions).toEqual([{ offset: 1 }, { offset: 0 }])
    const [first, second] = bus.records(`dev.${TOPIC}`)
    expect(first).toMatchObject({
      key: ownerId,
      headers: { trace: 'x' },
      attributes: {
        specversion: '1.0',
        id: one.id,
        source: 'urn:test',
        type: 'time-entry.create',
        dataschema: schemaUri('time-entry', 1),
        datacontenttype: 'application/json',
      },
    })
    expect(JSON.parse(String(first?.value ?? ''))).toMatchObject({
      id: one.id,
      action: 'create',
      source: 'urn:test',
    })
    expect(second?.attributes.type).toBe('time-entry.update')
    expect(bus.records(`dev.${PEOPLE}`).map((r) => r.attributes.type)).toEqual(['person.delete'])
  })

  it('stops with TOO_MANY_ERRORS after maxConsecutiveErrors, leaving the rest uncommitted', async () => {
    const bus = createMemoryBus()
    put(bus, TOPIC, [ok().value, ok().value, ok().value])
    const c = bus.topicConsumer({
      catalog,
      group: 'g',
      destinations: [TOPIC],
      retry: { retries: 0 },
      maxConsecutiveErrors: 2,
      handle: () => {
        throw new Error('no')
      },
    })
    await c.start()
    await expect(c.closed).rejects.toMatchObject({ code: 'TOO_MANY_ERRORS' })
    expect(bus.committed('g', TOPIC)).toBe(2)
    expect(bus.records(`${TOPIC}.dlq`).map((r) => r.deadLetter?.attempts)).toEqual([1, 1])
    await c.stop() // harmless after the fact
  })

  it('refuses a consumer of nothing, and a second start()', async () => {
    const bus = createMemoryBus()
    expect(() => bus.consumer({ catalog, group: 'g', handlers: {} })).toThrow(TypeError)
    expect(() =>
      bus.topicConsumer({ catalog, group: 'g', destinations: [], handle: () => undefined }),
    ).toThrow(TypeError)
    const c = bus.topicConsumer({ catalog, group: 'g', destinations: [TOPIC], handle: () => undefined })
    await c.start()
    await expect(c.start()).rejects.toThrow(TypeError)
    await c.stop()
    await c.closed
  })

  // LIBRARY BUG (transports/memory/bus.ts, stop()): stop() before start() resolves, but `closed` never settles:
  // `lifecycle.resolve()` is only called from the promise chain that start() builds on `loop`, and `loop` is
  // undefined here. The Kafka runner resolves `closed` from shutdown() in the same situation (loop.test.ts).
  it('settles closed when stopped before it was started (as the Kafka consumer does)', async () => {
    const c = createMemoryBus().topicConsumer({
      catalog,
      group: 'g',
      destinations: [TOPIC],
      handle: () => undefined,
    })
    await c.stop()
    const settled = await Promise.race([c.closed.then(() => 'resolved'), pause(500).then(() => 'pending')])
    expect(settled).toBe('resolved')
  })
})

describe('memory consumer: idle()', () => {
  it('resolves once everything published so far is handled, and again after more arrives', async () => {
    const bus = createMemoryBus()
    const seen: string[] = []
    const c = bus.topicConsumer({
      catalog,
      group: 'idle',
      destinations: ['t'],
      handle: async (e) => {
        await new Promise((r) => setTimeout(r, 5))
        seen.push(e.event.id)
      },
    })
    const event = (id: string) =>
      JSON.stringify({ ...JSON.parse(rawEvent(schemaUri('person', 1), contentOf('person'))), id })
    const ids = [uuid(), uuid(), uuid()]
    for (const id of ids.slice(0, 2)) bus.append('t', { key: null, value: event(id) })
    await c.start()
    await c.idle()
    expect(seen).toEqual(ids.slice(0, 2))
    bus.append('t', { key: null, value: event(ids[2] as string) })
    await c.idle()
    expect(seen).toEqual(ids)
    await c.stop()
    await c.idle() // stopped: resolves at once
  })
})
