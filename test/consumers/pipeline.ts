/**
 * The inbound pipeline's behaviour, once, as a table of cases that every transport runs: Kafka on the real broker
 * (test/consumers/*.test.ts, each group with its own topics and consumer groups) and the in-memory bus
 * (test/memory/pipeline.test.ts). A transport only provides a small harness: where a resource's events go, raw
 * appends, a publisher, a consumer, and its dead letters read back in a common shape.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { createRegistryClient } from '../../client/index.ts'
import {
  ACTIONS,
  isContractError,
  isReference,
  schemaUri,
  type Action,
  type AnyEventOf,
  type ContentOf,
  type DeadLetter,
  type EventConsumer,
  type Handlers,
  type InboundMessage,
  type Issue,
  type PipelineConsumerOptions,
  type Publisher,
  type RetryInfo,
  type WireFormatOptions,
} from '../../core/index.ts'
import { catalog, type ContractCatalog, type ResourceName } from '../../generated/index.ts'
import {
  callistoEvent,
  contentOf,
  eventMessage,
  pause,
  poison,
  rawEvent,
  until,
  uuid,
  type Attributes,
} from './events.ts'

export const RESOURCES = Object.keys(catalog.resources) as ResourceName[]

/** A raw message for a destination: bytes, key, CloudEvents attributes and other headers. */
export interface RawMessage {
  key?: string
  /** JSON text, or bytes (a Confluent frame). */
  value: string | Uint8Array
  attributes?: Attributes
  headers?: Record<string, string>
}

/** A dead letter as read back from a transport, in one shape for all of them. */
export interface Letter {
  key: string | null
  value: string | null
  code: string
  message: string
  issues: Issue[]
  attempts: number | undefined
  /** Where the original was: its destination, its position there, and the group that gave up on it. */
  origin: string
  offset: string
  group: string
  /** The transport's own record of it. */
  raw: unknown
}

/** What a case asks of a consumer: the pipeline's options, a group and typed handlers. */
export type ConsumerSpec = Omit<PipelineConsumerOptions<ContractCatalog, InboundMessage>, 'catalog'> & {
  group: string
  handlers: Handlers<ContractCatalog, InboundMessage>
}

/** One transport, set up for one group of cases: its own destinations (a prefix) and group names. */
export interface Harness {
  readonly transport: string
  /** The environment prefix of this group's destinations. */
  readonly prefix: string
  /** A resource's destination with the prefix. */
  destination(resource: ResourceName): string
  /** A consumer group name of its own. */
  group(name?: string): string
  /** Creates the destinations of these resources and their dead-letter destinations. */
  setup(resources: readonly ResourceName[]): Promise<void>
  /** Appends raw messages (poison, another producer's bytes), in order. */
  produce(destination: string, messages: readonly RawMessage[]): Promise<void>
  /** A typed publisher on this transport, with the prefix (and a wire format). disconnect() it when done. */
  publisher(source: string, wire?: WireFormatOptions): Publisher<ContractCatalog>
  /** A consumer on this transport; cleanup() stops it if the case did not. */
  consumer(spec: ConsumerSpec): EventConsumer
  /** The first `count` dead letters of a destination (waits for them, and a moment for any extra). */
  deadLetters(destination: string, count: number): Promise<Letter[]>
  /** What this transport records of where a dead letter came from, beyond `origin`, `offset` and `group`. */
  expectOrigin(letter: Letter, destination: string): void
  cleanup(): Promise<void>
}

export interface PipelineCase {
  name: string
  run(h: Harness): Promise<void>
}

export interface PipelineGroup {
  /** The resources whose destinations the cases use. */
  resources: readonly ResourceName[]
  cases: readonly PipelineCase[]
}

/** Runs the cases of the named groups (all by default), one harness per group. */
export function describePipeline(
  transport: string,
  makeHarness: (group: string) => Harness,
  groups: readonly (keyof typeof PIPELINE)[] = Object.keys(PIPELINE) as (keyof typeof PIPELINE)[],
): void {
  for (const name of groups) {
    const group = PIPELINE[name]
    describe(`${name} (${transport})`, () => {
      const h = makeHarness(name)
      beforeAll(() => h.setup(group.resources))
      afterAll(() => h.cleanup())
      for (const c of group.cases) it(c.name, () => c.run(h))
    })
  }
}

const byType = (a: { type: string }, b: { type: string }) => a.type.localeCompare(b.type)

// ---------------------------------------------------------------------------------------------------------------
// Typed round trip: every resource and action, published with the publisher, handled by type.

const roundTrip: PipelineCase = {
  name: 'every resource and action reaches its own handler, typed and validated',
  async run(h) {
    const seen: { type: string; id: string; version: number | undefined; reference: boolean }[] = []
    const record =
      (resource: ResourceName, action: Action) =>
      (e: { id: string; resource: { content: object } }, ctx: { version: number | undefined }) =>
        void seen.push({
          type: `${resource}.${action}`,
          id: e.id,
          version: ctx.version,
          reference: isReference(e.resource.content),
        })
    const handlers = {
      'time-entry': {
        create(event) {
          expectTypeOf(event).toEqualTypeOf<AnyEventOf<ContractCatalog, 'time-entry', 'create'>>()
          expectTypeOf(event.action).toEqualTypeOf<'create'>()
          record('time-entry', 'create')(event, { version: undefined })
        },
        update: (e, ctx) => record('time-entry', 'update')(e, ctx),
        delete: (e, ctx) => record('time-entry', 'delete')(e, ctx),
      },
      person: {
        create: (e, c) => record('person', 'create')(e, c),
        update: (e, c) => record('person', 'update')(e, c),
        delete: (e, c) => record('person', 'delete')(e, c),
      },
      accrual: {
        create: (e, c) => record('accrual', 'create')(e, c),
        update: (e, c) => record('accrual', 'update')(e, c),
        delete: (e, c) => record('accrual', 'delete')(e, c),
      },
      dataset: {
        create: (e, c) => record('dataset', 'create')(e, c),
        update: (e, c) => record('dataset', 'update')(e, c),
        delete: (e, c) => record('dataset', 'delete')(e, c),
      },
    } satisfies Handlers<ContractCatalog, InboundMessage>

    const consumer = h.consumer({ group: h.group(), handlers })
    expect([...consumer.destinations].sort()).toEqual(RESOURCES.map((r) => h.destination(r)).sort())
    await consumer.start()

    const publisher = h.publisher('urn:test:roundtrip')
    const expected: { type: string; id: string }[] = []
    try {
      for (const resource of RESOURCES)
        for (const action of ACTIONS) {
          const key = uuid()
          const p =
            action === 'delete'
              ? await publisher.publishReference(
                  resource,
                  action,
                  { tenantId: uuid(), id: key, version: 1 },
                  { key },
                )
              : await publisher.publish(
                  resource,
                  action,
                  contentOf(resource, key) as unknown as ContentOf<ContractCatalog, typeof resource>,
                )
          expect(p.destination).toBe(h.destination(resource))
          expected.push({ type: `${resource}.${action}`, id: p.id })
        }
    } finally {
      await publisher.disconnect()
    }

    await until('every event handled', () => seen.length >= expected.length)
    await pause(300) // anything beyond them is a bug: give it a moment to show
    expect(seen.map(({ type, id }) => ({ type, id })).sort(byType)).toEqual(expected.sort(byType))
    expect(
      seen
        .filter((s) => s.reference)
        .map((s) => s.type)
        .sort(),
    ).toEqual(['accrual.delete', 'dataset.delete', 'person.delete', 'time-entry.delete'])
    // Each resource's latest version (dataset has one); undefined where the test's typed handler passes none.
    expect(new Set(seen.map((s) => s.version))).toEqual(new Set([2, 1, undefined]))
    await consumer.stop()
  },
}

// ---------------------------------------------------------------------------------------------------------------
// 1,000 valid and 100 poison messages interleaved over 10 keys (and, on Kafka, 3 partitions).

const poisonMessages: PipelineCase = {
  name: 'handles 1,000 in key order, dead-letters 100 with reasons, skips unhandled types, and is never blocked',
  async run(h) {
    const destination = h.destination('time-entry')
    const keys = Array.from({ length: 10 }, () => uuid())
    const messages: RawMessage[] = []
    const poisonCodes: Record<string, number> = {}
    for (let i = 0, valid = 0; messages.length < 1100;) {
      const key = keys[messages.length % keys.length] as string
      if (messages.length % 11 === 5) {
        const p = poison(i++, key)
        poisonCodes[p.code] = (poisonCodes[p.code] ?? 0) + 1
        messages.push({ key, value: p.value, attributes: p.attributes })
      } else {
        const seq = valid++
        messages.push(eventMessage('time-entry', 'create', { key, extra: { shiftType: `seq-${seq}` } }))
      }
    }
    // Events nobody here handles are skipped by their type attribute, before parsing: garbage or not, never dead-lettered.
    const unhandled = keys.map((key) => ({
      key,
      value: 'not even JSON',
      attributes: { type: 'time-entry.delete' },
    }))
    await h.produce(destination, [...messages.slice(0, 550), ...unhandled, ...messages.slice(550)])

    const handled: { key: string; seq: number }[] = []
    const dead: DeadLetter[] = []
    const group = h.group()
    const consumer = h.consumer({
      group,
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
    expect(new Set(handled.map((x) => x.seq)).size).toBe(1000)
    for (const key of keys) {
      const seqs = handled.filter((x) => x.key === key).map((x) => x.seq)
      expect(seqs, `order of key ${key}`).toEqual([...seqs].sort((a, b) => a - b))
    }

    const letters = await h.deadLetters(`${destination}.dlq`, 100)
    expect(letters).toHaveLength(100)
    const codes: Record<string, number> = {}
    for (const l of letters) codes[l.code] = (codes[l.code] ?? 0) + 1
    expect(codes).toEqual(poisonCodes)
    for (const l of letters) {
      expect(l.origin).toBe(destination)
      expect(l.offset).toMatch(/^\d+$/)
      expect(l.group).toBe(group)
      expect(l.issues.length).toBeGreaterThan(0)
      expect(l.message.length).toBeGreaterThan(0)
      expect(keys).toContain(l.key)
      h.expectOrigin(l, destination)
    }
    // The original bytes are preserved: the not-JSON ones are still exactly what was sent.
    const sentPoison = new Set(messages.filter((_, i) => i % 11 === 5).map((m) => m.value))
    for (const l of letters) expect(sentPoison.has(l.value as string)).toBe(true)
    // onDeadLetter saw the same reasons, with the message as the transport delivered it.
    expect(dead.map((d) => d.deadLetterDestination)).toEqual(Array(100).fill(`${destination}.dlq`))
    for (const d of dead) expect(d.message.origin).toBe(destination)
    await consumer.stop()
  },
}

// ---------------------------------------------------------------------------------------------------------------
// Handler failures, the consecutive-error limit and accepted versions.

const handlerFailures: PipelineCase = {
  name: 'retries with backoff, dead-letters with the error, and stops after maxConsecutiveErrors',
  async run(h) {
    const destination = h.destination('time-entry')
    const key = uuid() // one key: one partition, in order
    const plan = ['ok', 'fail', 'ok', 'fail', 'fail', 'fail', 'ok']
    const sent = plan.map((shiftType) => eventMessage('time-entry', 'create', { key, extra: { shiftType } }))
    await h.produce(destination, sent)

    const calls: string[] = []
    const retries: RetryInfo[] = []
    const c = h.consumer({
      group: h.group(),
      retry: { retries: 2, initialMs: 20, maxMs: 40 },
      maxConsecutiveErrors: 3,
      onRetry: (r) => void retries.push(r),
      handlers: {
        'time-entry': {
          create(event, ctx) {
            const content = event.resource.content
            const kind = isReference(content) ? 'ref' : content.shiftType
            calls.push(`${kind}#${ctx.attempt}`)
            if (kind === 'fail') throw new Error(`cannot store ${event.id}`)
          },
        },
      },
    })
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
    const handlerRetries = retries.filter((r) => r.reason === 'handler')
    expect(handlerRetries.map((r) => r.delayMs)).toEqual([20, 40, 20, 40, 20, 40, 20, 40])
    expect(handlerRetries.map((r) => r.attempt)).toEqual([1, 2, 1, 2, 1, 2, 1, 2])
    for (const r of handlerRetries) {
      expect(r.message.origin).toBe(destination)
      expect(r.error).toBeInstanceOf(Error)
    }

    const letters = await h.deadLetters(`${destination}.dlq`, 4)
    expect(letters).toHaveLength(4)
    const failed = sent.filter((_, i) => plan[i] === 'fail').map((m) => m.value)
    expect(letters.map((l) => l.value)).toEqual(failed)
    for (const l of letters) {
      expect(l).toMatchObject({ code: 'HANDLER_FAILED', attempts: 3, origin: destination, issues: [] })
      expect(l.message).toMatch(/^Error: cannot store /)
    }
  },
}

const acceptedVersions: PipelineCase = {
  name: 'dead-letters a version outside the accepted range',
  async run(h) {
    const person = h.destination('person')
    const v1 = eventMessage('person', 'create', { version: 1 })
    const v2 = eventMessage('person', 'create', { version: 2 })
    await h.produce(person, [v1, v2])
    const seen: number[] = []
    const c = h.consumer({
      group: h.group('accept'),
      accept: { person: '^2' },
      handlers: { person: { create: (_e, ctx) => void seen.push(ctx.version ?? 0) } },
    })
    await c.start()
    const [letter] = await h.deadLetters(`${person}.dlq`, 1)
    await until('the v2 event', () => seen.length >= 1)
    expect(seen).toEqual([2])
    expect(letter?.value).toBe(v1.value)
    expect(letter?.code).toBe('VERSION_NOT_ACCEPTED')
    expect(letter?.issues[0]).toMatchObject({ keyword: 'accepted-version', params: { version: 1 } })
    await c.stop()
  },
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas outside the catalog, looked up over real HTTP with the registry client. The server is a tiny node:http
// one serving the registry's route (`GET /resolve?uri=`: 200 with the schema, 404 when unknown), so the case can
// take it down and bring it back on the same port.

const V3 = schemaUri('time-entry', 3)
const V4 = schemaUri('time-entry', 4) // the registry has never heard of it
const V5 = schemaUri('time-entry', 5)
const schemaFor = (uri: string) => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: uri,
  type: 'object',
  required: ['id', 'ownerId', 'hours'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    ownerId: { type: 'string', format: 'uuid' },
    hours: { type: 'number', minimum: 0 },
  },
  additionalProperties: false,
})
const known = new Map([V3, V5].map((u) => [u, JSON.stringify(schemaFor(u))]))

function fakeRegistryServer() {
  let server: Server | undefined
  let port = 0
  const requests: string[] = []
  const listen = () =>
    new Promise<void>((resolve) => {
      const s = createServer((req, res) => {
        const uri = new URL(req.url ?? '/', 'http://x').searchParams.get('uri') ?? ''
        requests.push(uri)
        const body = known.get(uri)
        res.writeHead(body ? 200 : 404, {
          'content-type': body ? 'application/schema+json' : 'application/problem+json',
        })
        res.end(body ?? JSON.stringify({ status: 404, title: 'not found' }))
      })
      server = s
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as AddressInfo).port
        resolve()
      })
    })
  const down = () =>
    new Promise<void>((resolve) => {
      const s = server
      if (!s?.listening) return resolve()
      s.closeAllConnections()
      s.close(() => resolve())
    })
  return { listen, down, requests, url: () => `http://127.0.0.1:${port}` }
}

const registryLookups: PipelineCase = {
  name: 'handles a valid event under a fetched schema, dead-letters invalid and unknown, waits out a registry that is down',
  async run(h) {
    const destination = h.destination('time-entry')
    const registry = fakeRegistryServer()
    await registry.listen()
    try {
      const key = uuid()
      const handled: { schema: string; hours: unknown }[] = []
      const retries: RetryInfo[] = []
      const dead: string[] = []
      const consumer = h.consumer({
        group: h.group(),
        // No retries inside the client: the consumer's own backoff is what this case watches.
        registry: createRegistryClient({ baseUrl: registry.url(), retries: 0, timeoutMs: 1000 }),
        retry: { initialMs: 50, maxMs: 200 },
        onRetry: (r) => void retries.push(r),
        onDeadLetter: (d) => void dead.push(d.code),
        handlers: {
          'time-entry': {
            create(event) {
              const c = event.resource.content as object
              handled.push({
                schema: event.resource.schema,
                hours: isReference(c) ? undefined : (c as { hours?: unknown }).hours,
              })
            },
          },
        },
      })
      await consumer.start()

      const valid = rawEvent(V3, { id: uuid(), ownerId: key, hours: 7.5 })
      const invalid = rawEvent(V3, { id: uuid(), ownerId: key, hours: -1 })
      const unknown = rawEvent(V4, { id: uuid(), ownerId: key, hours: 1 })
      const again = rawEvent(V3, { id: uuid(), ownerId: key, hours: 2 })
      await h.produce(
        destination,
        [valid, invalid, unknown, again].map((value) => ({ key, value })),
      )
      await until('2 handled, 2 dead', () => handled.length >= 2 && dead.length >= 2)
      expect(handled).toEqual([
        { schema: V3, hours: 7.5 },
        { schema: V3, hours: 2 },
      ])
      expect(dead).toEqual(['EVENT_INVALID', 'UNKNOWN_SCHEMA'])
      expect(registry.requests.filter((u) => u === V3)).toHaveLength(1) // compiled once, then cached

      // The registry goes away; an event under a schema not yet cached must wait, neither dead-lettered nor committed.
      await registry.down()
      const later = rawEvent(V5, { id: uuid(), ownerId: key, hours: 3 })
      await h.produce(destination, [{ key, value: later }])
      await until('3 registry retries', () => retries.filter((r) => r.reason === 'registry').length >= 3)
      expect(handled).toHaveLength(2)
      for (const r of retries.filter((x) => x.reason === 'registry')) {
        expect(r.message.origin).toBe(destination)
        expect(isContractError(r.error, 'REGISTRY_UNAVAILABLE')).toBe(true)
      }
      await registry.listen()
      await until('the event handled once the registry is back', () => handled.length >= 3)
      expect(handled[2]).toEqual({ schema: V5, hours: 3 })
      expect(dead).toEqual(['EVENT_INVALID', 'UNKNOWN_SCHEMA'])

      const letters = await h.deadLetters(`${destination}.dlq`, 2)
      expect(letters.map((l) => [l.value, l.code])).toEqual([
        [invalid, 'EVENT_INVALID'],
        [unknown, 'UNKNOWN_SCHEMA'],
      ])
      await consumer.stop()
    } finally {
      await registry.down()
    }
  },
}

// ---------------------------------------------------------------------------------------------------------------
// A consumer stopped mid-stream and another started in its group lose nothing (at-least-once).

const stopAndRestart: PipelineCase = {
  name: 'every id is seen at least once across a stop and a restart',
  async run(h) {
    const destination = h.destination('person')
    const group = h.group()
    const batch = () => Array.from({ length: 300 }, () => eventMessage('person', 'update', { key: uuid() }))
    const first = batch()
    await h.produce(destination, first)

    const seen = new Map<string, number>()
    let inFlight = 0
    const handlers = (delayMs: number): Handlers<ContractCatalog, InboundMessage> => ({
      person: {
        async update(event) {
          inFlight++
          await pause(delayMs)
          seen.set(event.id, (seen.get(event.id) ?? 0) + 1)
          inFlight--
        },
      },
    })
    const a = h.consumer({ group, handlers: handlers(3) })
    await a.start()
    await until('100 handled by the first consumer', () => seen.size >= 100)
    await a.stop()
    await a.closed
    expect(inFlight).toBe(0) // stop() let the running handler finish
    const byFirst = seen.size
    expect(byFirst).toBeLessThan(300)

    const second = batch()
    await h.produce(destination, second)
    const b = h.consumer({ group, handlers: handlers(0) })
    await b.start()
    const all = [...first, ...second].map((m) => m.id)
    await until('all 600 ids', () => all.every((id) => seen.has(id)))
    const redelivered = [...seen.values()].filter((n) => n > 1).length
    // stop() committed what was done: at most the batch in flight comes again, not the whole stream.
    expect(redelivered).toBeLessThan(byFirst)
    expect(seen.size).toBe(600)
    await b.stop()
  },
}

// ---------------------------------------------------------------------------------------------------------------
// Callisto's own envelope has only `action` and `resource`: the transport's CloudEvents attributes fill in `id`,
// `time` and `source`; without them the event is invalid, one issue per missing field.

const META = { id: uuid(), time: '2026-11-20T08:30:00Z', source: 'urn:callisto:timecard-restapi' }

const callistoFilled: PipelineCase = {
  name: "fills a Callisto envelope's id, time and source from the transport's attributes",
  async run(h) {
    const destination = h.destination('time-entry')
    const key = uuid()
    const own = { id: uuid(), time: '2026-11-21T09:00:00+01:00', source: 'urn:callisto:own' }
    await h.produce(destination, [
      {
        key,
        value: callistoEvent('time-entry', 'create', { key }),
        attributes: { ...META, type: 'time-entry.create', dataschema: schemaUri('time-entry', 1) },
      },
      // Without a type attribute too: only the metadata comes from the transport.
      { key, value: callistoEvent('time-entry', 'delete', { key }), attributes: { ...META, id: own.id } },
      // What the event carries itself wins over the attributes.
      { key, value: callistoEvent('time-entry', 'update', { key, own }), attributes: META },
      // Partly in the event, the rest from the attributes.
      {
        key,
        value: callistoEvent('time-entry', 'update', { key, own: { id: own.id } }),
        attributes: { time: META.time, source: META.source },
      },
    ])
    const seen: { action: string; id: string; time: string; source: string; version: number | undefined }[] =
      []
    const dead: DeadLetter[] = []
    const handle = (
      e: { action: string; id: string; time: string; source: string },
      ctx: { version: number | undefined },
    ) => void seen.push({ action: e.action, id: e.id, time: e.time, source: e.source, version: ctx.version })
    const c = h.consumer({
      group: h.group(),
      onDeadLetter: (d) => void dead.push(d),
      handlers: { 'time-entry': { create: handle, update: handle, delete: handle } },
    })
    await c.start()
    await until('4 Callisto events handled', () => seen.length >= 4)
    await pause(300)
    expect(seen).toEqual([
      { action: 'create', ...META, version: 1 },
      { action: 'delete', ...META, id: own.id, version: 1 },
      { action: 'update', ...own, version: 1 },
      { action: 'update', ...META, id: own.id, version: 1 },
    ])
    expect(dead).toEqual([])
    await c.stop()
  },
}

const callistoMissing: PipelineCase = {
  name: 'dead-letters a Callisto envelope whose transport lacks the attributes, one issue per missing field',
  async run(h) {
    const destination = h.destination('person')
    const key = uuid()
    const none = callistoEvent('person', 'create', { key })
    const onlyTime = callistoEvent('person', 'update', { key, own: { source: META.source } })
    const valid = callistoEvent('person', 'create', { key })
    await h.produce(destination, [
      { key, value: none, attributes: { type: 'person.create' } },
      { key, value: onlyTime, attributes: { time: META.time } },
      { key, value: valid, attributes: META },
    ])
    const seen: string[] = []
    const dead: DeadLetter[] = []
    const c = h.consumer({
      group: h.group(),
      onDeadLetter: (d) => void dead.push(d),
      handlers: { person: { create: (e) => void seen.push(e.id), update: (e) => void seen.push(e.id) } },
    })
    await c.start()
    const letters = await h.deadLetters(`${destination}.dlq`, 2)
    await until('the valid one', () => seen.length >= 1)
    expect(seen).toEqual([META.id])

    const required = (field: string) => ({
      path: `/${field}`,
      keyword: 'required',
      message: expect.stringMatching(new RegExp(`'${field}'.*attribute|attribute.*'${field}'`)),
    })
    expect(letters.map((l) => [l.value, l.code])).toEqual([
      [none, 'EVENT_INVALID'],
      [onlyTime, 'EVENT_INVALID'],
    ])
    expect(letters[0]?.issues).toEqual([required('id'), required('time'), required('source')].map(withParams))
    expect(letters[1]?.issues).toEqual([required('id')].map(withParams))
    expect(letters[0]?.message).toMatch(/^\/id: .*\(\+2 more\)$/)
    expect(dead.map((d) => d.issues.map((i) => i.path))).toEqual([['/id', '/time', '/source'], ['/id']])
    await c.stop()
  },
}

const withParams = (i: { path: string }) => ({ ...i, params: { missingProperty: i.path.slice(1) } })

/** The cases, by group; each group runs on one harness (one set of destinations). */
export const PIPELINE = {
  roundtrip: { resources: RESOURCES, cases: [roundTrip] },
  poison: { resources: ['time-entry'], cases: [poisonMessages] },
  failures: { resources: ['time-entry', 'person'], cases: [handlerFailures, acceptedVersions] },
  registry: { resources: ['time-entry'], cases: [registryLookups] },
  restart: { resources: ['person'], cases: [stopAndRestart] },
  callisto: { resources: ['time-entry', 'person'], cases: [callistoFilled, callistoMissing] },
} as const satisfies Record<string, PipelineGroup>
