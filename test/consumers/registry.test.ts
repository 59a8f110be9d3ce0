/**
 * Schemas outside the catalog, looked up over real HTTP with core's registry client. The server is a tiny
 * node:http one serving the registry's route (`GET /resolve?uri=`: 200 with the schema, 404 when unknown), so the
 * test can take it down and bring it back on the same port.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createConsumer, DLQ_HEADERS, type EventConsumer, type RetryInfo } from '../../consumers/index.ts'
import { createRegistryClient } from '../../client/index.ts'
import { isReference, schemaUri } from '../../core/index.ts'
import { rawEvent, uuid } from './events.ts'
import { consumerConfig, TestKafka, until } from './kafka.ts'

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

describe('registry look-ups for URIs outside the catalog', () => {
  const t = new TestKafka('reg')
  const topic = t.topic('time-entry')
  let server: Server
  let port = 0
  const requests: string[] = []
  let consumer: EventConsumer | undefined

  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((req, res) => {
        const uri = new URL(req.url ?? '/', 'http://x').searchParams.get('uri') ?? ''
        requests.push(uri)
        const body = known.get(uri)
        res.writeHead(body ? 200 : 404, {
          'content-type': body ? 'application/schema+json' : 'application/problem+json',
        })
        res.end(body ?? JSON.stringify({ status: 404, title: 'not found' }))
      })
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port
        resolve()
      })
    })
  const down = () =>
    new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())))

  beforeAll(async () => {
    await listen()
    await t.setup([topic])
  })
  afterAll(async () => {
    await consumer?.stop()
    if (server.listening) await down()
    await t.cleanup()
  })

  it('handles a valid event under a fetched schema, dead-letters invalid and unknown, waits out a registry that is down', async () => {
    const key = uuid()
    const handled: { schema: string; hours: unknown }[] = []
    const retries: RetryInfo[] = []
    const dead: string[] = []
    consumer = createConsumer({
      kafka: t.kafka,
      groupId: t.group(),
      topicPrefix: t.prefix,
      consumerConfig,
      // No retries inside the client: the consumer's own backoff is what this test watches.
      registry: createRegistryClient({ baseUrl: `http://127.0.0.1:${port}`, retries: 0, timeoutMs: 1000 }),
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
    await t.produce(
      topic,
      [valid, invalid, unknown, again].map((value) => ({ key, value })),
    )
    await until('2 handled, 2 dead', () => handled.length >= 2 && dead.length >= 2)
    expect(handled).toEqual([
      { schema: V3, hours: 7.5 },
      { schema: V3, hours: 2 },
    ])
    expect(dead).toEqual(['EVENT_INVALID', 'UNKNOWN_SCHEMA'])
    expect(requests.filter((u) => u === V3)).toHaveLength(1) // compiled once, then cached

    // The registry goes away; an event under a schema not yet cached must wait, neither dead-lettered nor committed.
    await down()
    const later = rawEvent(V5, { id: uuid(), ownerId: key, hours: 3 })
    await t.produce(topic, [{ key, value: later }])
    await until('3 registry retries', () => retries.filter((r) => r.reason === 'registry').length >= 3)
    expect(handled).toHaveLength(2)
    await listen()
    await until('the event handled once the registry is back', () => handled.length >= 3)
    expect(handled[2]).toEqual({ schema: V5, hours: 3 })
    expect(dead).toEqual(['EVENT_INVALID', 'UNKNOWN_SCHEMA'])

    const letters = await t.read(`${topic}.dlq`, 2)
    expect(letters.map((l) => [l.value, l.headers[DLQ_HEADERS.code]])).toEqual([
      [invalid, 'EVENT_INVALID'],
      [unknown, 'UNKNOWN_SCHEMA'],
    ])
  })
})
