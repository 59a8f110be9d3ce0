import { describe, expect, it } from 'vitest'
import {
  allEvents,
  backoff,
  decode,
  destinationsOf,
  handlerDispatcher,
  RETRY_DEFAULTS,
  runHandler,
  sleep,
  type DecodedEvent,
  type Handlers,
  type MessageContext,
} from '../../core/index.ts'
import { catalog, type ContractCatalog } from '../../generated/index.ts'
import {
  CE_HEADER,
  deadLetterRecord,
  deadLetterTopicOf,
  DLQ_HEADERS,
  fromBeginning,
  KafkaMessage,
  planSeeks,
  type AdminPort,
} from '../../transports/kafka/index.ts'
import { eventMessage } from './events.ts'
import { CE_HEADERS } from './kafka.ts'

type Decoded = DecodedEvent<ContractCatalog>

async function decoded(
  resource: 'time-entry' | 'person' | 'accrual',
  action: 'create' | 'update' | 'delete',
): Promise<Decoded> {
  const r = await decode(catalog, { value: eventMessage(resource, action).value, attribute: () => undefined })
  if (!r.ok) throw new Error('fixture invalid')
  return r.value
}

/** A Kafka message as the runner hands it to the pipeline. */
const kafkaMessage = (offset = '0') =>
  new KafkaMessage('t', 0, { key: null, value: null, offset, timestamp: '0', headers: {} })

describe('handlerDispatcher', () => {
  const seen: string[] = []
  const handlers: Handlers<ContractCatalog> = {
    'time-entry': {
      create: (e) => void seen.push(`te.create ${e.id}`),
      delete: (e) => void seen.push(`te.delete ${e.resource.schema}`),
    },
    person: { update: () => undefined },
  }
  const d = handlerDispatcher(handlers)

  it.each<{ type: string | undefined; wanted: boolean }>([
    { type: 'time-entry.create', wanted: true },
    { type: 'time-entry.delete', wanted: true },
    { type: 'time-entry.update', wanted: false },
    { type: 'accrual.create', wanted: false },
    { type: 'person.update', wanted: true },
    { type: undefined, wanted: true }, // no header: decide after decoding
  ])('ce_type $type wanted: $wanted', ({ type, wanted }) => {
    expect(d.wants(type)).toBe(wanted)
  })

  it.each<{
    resource: 'time-entry' | 'person' | 'accrual'
    action: 'create' | 'update' | 'delete'
    found: boolean
  }>([
    { resource: 'time-entry', action: 'create', found: true },
    { resource: 'time-entry', action: 'update', found: false },
    { resource: 'time-entry', action: 'delete', found: true },
    { resource: 'person', action: 'update', found: true },
    { resource: 'accrual', action: 'create', found: false },
  ])('handler for $resource.$action: $found', async ({ resource, action, found }) => {
    expect(d.handlerFor(await decoded(resource, action)) !== undefined).toBe(found)
  })

  it('calls the handler with the envelope', async () => {
    const e = await decoded('time-entry', 'create')
    await d.handlerFor(e)?.(e, { message: kafkaMessage(), attempt: 1, version: 1 })
    expect(seen).toEqual([`te.create ${e.event.id}`])
  })
})

describe('destinationsOf', () => {
  it.each<{ handlers: Handlers<ContractCatalog>; prefix?: string; topics: string[] }>([
    { handlers: { 'time-entry': {} }, topics: ['callisto-timecard-timeentries'] },
    {
      handlers: { person: {}, accrual: {} },
      prefix: 'staging',
      topics: ['staging.callisto-person', 'staging.callisto-accruals'],
    },
    { handlers: {}, topics: [] },
  ])('$topics', ({ handlers, prefix, topics }) => {
    expect(destinationsOf(catalog, handlers, prefix)).toEqual(topics)
  })

  it('ignores names that are not resources of the catalog (a JavaScript caller), and resources without handlers', () => {
    const handlers = { constructor: {}, toString: {}, 'no-such': {}, person: undefined, accrual: {} }
    expect(destinationsOf(catalog, handlers as Handlers<ContractCatalog>)).toEqual(['callisto-accruals'])
  })

  it('uses the catalog it is given', () => {
    const renamed = {
      ...catalog,
      resources: { person: { ...catalog.resources.person, topic: 'hr-people' } },
    } as const
    expect(destinationsOf(renamed, { person: {} }, 'dev')).toEqual(['dev.hr-people'])
  })
})

describe('allEvents', () => {
  it('wants every type and hands every event to the one function', async () => {
    const seen: string[] = []
    const d = allEvents<ContractCatalog, KafkaMessage>((e, ctx) => void seen.push(`${e.name} ${ctx.attempt}`))
    expect(['time-entry.update', 'nobody.knows', undefined].map((t) => d.wants(t))).toEqual([
      true,
      true,
      true,
    ])
    const e = await decoded('accrual', 'delete')
    await d.handlerFor(e)?.(e, { message: kafkaMessage(), attempt: 1, version: 1 })
    expect(seen).toEqual(['accrual 1'])
  })
})

describe('runHandler', () => {
  const retry = { retries: 3, initialMs: 100, maxMs: 250 }
  const ctx: MessageContext<KafkaMessage> = { message: kafkaMessage('5'), attempt: 1, version: 1 }
  const failing = (times: number) => {
    let calls = 0
    const handle = async () => {
      if (++calls <= times) throw new Error(`boom ${calls}`)
    }
    return { handle, calls: () => calls }
  }

  it.each<{ failures: number; ok: boolean; attempts: number; waits: number[] }>([
    { failures: 0, ok: true, attempts: 1, waits: [] },
    { failures: 2, ok: true, attempts: 3, waits: [100, 200] },
    { failures: 3, ok: true, attempts: 4, waits: [100, 200, 250] },
    { failures: 4, ok: false, attempts: 4, waits: [100, 200, 250] },
  ])('$failures failures → ok $ok after $attempts calls', async ({ failures, ok, attempts, waits }) => {
    const e = await decoded('time-entry', 'create')
    const slept: number[] = []
    let calls = 0
    const outcome = await runHandler(
      () => {
        calls++
        if (calls <= failures) throw new Error(`boom ${calls}`)
      },
      e,
      ctx,
      retry,
      { wait: async (ms) => (slept.push(ms), true) },
    )
    expect(outcome.ok).toBe(ok)
    expect(calls).toBe(attempts)
    expect(slept).toEqual(waits)
    if (!outcome.ok)
      expect(outcome).toMatchObject({
        attempts,
        aborted: false,
        error: expect.objectContaining({ message: `boom ${attempts}` }),
      })
  })

  it('stops retrying when aborted, and says so (the message stays uncommitted)', async () => {
    const e = await decoded('time-entry', 'create')
    const f = failing(10)
    const ac = new AbortController()
    const outcome = await runHandler(f.handle, e, ctx, retry, {
      signal: ac.signal,
      wait: async () => (ac.abort(), false),
    })
    expect(outcome).toMatchObject({ ok: false, aborted: true, attempts: 1 })
    expect(f.calls()).toBe(1)
  })

  it.each<{ name: string; advice: object; ok: boolean; calls: number; waits: number[] }>([
    { name: 'permanent: no further attempt', advice: { permanent: true }, ok: false, calls: 1, waits: [] },
    {
      name: 'retryAfterMs above the backoff: waited',
      advice: { retryAfterMs: 1500 },
      ok: true,
      calls: 3,
      waits: [1500, 1500],
    },
    {
      name: 'retryAfterMs below the backoff: the backoff',
      advice: { retryAfterMs: 50 },
      ok: true,
      calls: 3,
      waits: [100, 200],
    },
    {
      name: 'a negative retryAfterMs: ignored',
      advice: { retryAfterMs: -5 },
      ok: true,
      calls: 3,
      waits: [100, 200],
    },
    {
      name: 'permanent: false retries as usual',
      advice: { permanent: false },
      ok: true,
      calls: 3,
      waits: [100, 200],
    },
  ])('an error may advise the retry (RetryAdvice): $name', async ({ advice, ok, calls, waits }) => {
    const e = await decoded('time-entry', 'create')
    const slept: number[] = []
    let n = 0
    const outcome = await runHandler(
      () => {
        if (++n <= 2) throw Object.assign(new Error(`boom ${n}`), advice)
      },
      e,
      ctx,
      retry,
      { wait: async (ms) => (slept.push(ms), true) },
    )
    expect(outcome.ok).toBe(ok)
    expect(n).toBe(calls)
    expect(slept).toEqual(waits)
    if (!outcome.ok) expect(outcome).toMatchObject({ attempts: 1, aborted: false })
  })

  it('passes the attempt number to the handler', async () => {
    const e = await decoded('time-entry', 'create')
    const attempts: number[] = []
    const handle = (_e: Decoded, c: { attempt: number }) => {
      attempts.push(c.attempt)
      if (c.attempt < 3) throw new Error('x')
    }
    await runHandler<ContractCatalog, KafkaMessage>(handle, e, ctx, retry, { wait: async () => true })
    expect(attempts).toEqual([1, 2, 3])
  })

  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [7, 5000],
  ])('backoff(%i) = %i ms', (attempt, ms) => {
    expect(backoff(attempt, { initialMs: 100, maxMs: 5000 })).toBe(ms)
  })

  it('backs off from the defaults: 3 retries, 100 ms doubling up to 5 s', () => {
    expect(RETRY_DEFAULTS).toEqual({ retries: 3, initialMs: 100, maxMs: 5000 })
  })

  it('sleep resolves true after the time, false at once when aborted', async () => {
    expect(await sleep(1)).toBe(true)
    const ac = new AbortController()
    const started = Date.now()
    const p = sleep(10_000, ac.signal)
    ac.abort()
    expect(await p).toBe(false)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(await sleep(10_000, ac.signal)).toBe(false)
  })
})

describe('dead letters', () => {
  it('keep key, value and headers, and add the reason and the origin', () => {
    const message = {
      key: Buffer.from('k1'),
      value: Buffer.from('{oops'),
      timestamp: '1700000000000',
      offset: '42',
      headers: { ce_id: 'abc' },
    }
    const out = deadLetterRecord(
      new KafkaMessage('orders', 2, message),
      { code: 'NOT_JSON', summary: 'not JSON', issues: [{ path: '', keyword: 'json', message: 'not JSON' }] },
      'group-1',
    )
    expect(out.key).toBe(message.key)
    expect(out.value).toBe(message.value)
    expect(out.headers).toMatchObject({
      ce_id: 'abc',
      [DLQ_HEADERS.code]: 'NOT_JSON',
      [DLQ_HEADERS.topic]: 'orders',
      [DLQ_HEADERS.partition]: '2',
      [DLQ_HEADERS.offset]: '42',
      [DLQ_HEADERS.timestamp]: '1700000000000',
      [DLQ_HEADERS.group]: 'group-1',
    })
    expect(JSON.parse(String(out.headers[DLQ_HEADERS.issues]))).toEqual([
      { path: '', keyword: 'json', message: 'not JSON' },
    ])
  })

  it('say how many calls a handler got, and cap the message and the issues', () => {
    const message = new KafkaMessage('orders', 0, {
      key: null,
      value: Buffer.from('{}'),
      timestamp: '1',
      offset: '7',
    })
    const issues = Array.from({ length: 150 }, (_, i) => ({ path: `/${i}`, keyword: 'k', message: 'm' }))
    const out = deadLetterRecord(
      message,
      { code: 'HANDLER_FAILED', summary: 'x'.repeat(5000), issues, attempts: 4 },
      'g',
    )
    expect(out.headers[DLQ_HEADERS.attempts]).toBe('4')
    expect(String(out.headers[DLQ_HEADERS.message])).toHaveLength(1000)
    expect(JSON.parse(String(out.headers[DLQ_HEADERS.issues]))).toHaveLength(100)
    expect(out.headers[DLQ_HEADERS.offset]).toBe('7')
    const invalid = deadLetterRecord(message, { code: 'NOT_JSON', summary: 'm', issues: [] }, 'g')
    expect(invalid.headers).not.toHaveProperty(DLQ_HEADERS.attempts)
  })

  it.each<{ option: Parameters<typeof deadLetterTopicOf>[0]; topic: string }>([
    { option: undefined, topic: 'orders.dlq' },
    { option: 'all-dead', topic: 'all-dead' },
    { option: (t: string) => `dlq-${t}`, topic: 'dlq-orders' },
  ])('dead-letter topic → $topic', ({ option, topic }) => {
    expect(deadLetterTopicOf(option, 'orders')).toBe(topic)
  })
})

describe('start positions', () => {
  const admin: AdminPort = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    fetchTopicOffsets: async () => [
      { partition: 0, offset: '10', high: '10', low: '2' },
      { partition: 1, offset: '7', high: '7', low: '0' },
    ],
    fetchTopicOffsetsByTimestamp: async (_t, ts) => [
      { partition: 0, offset: String(ts === 1000 ? 4 : 10) },
      { partition: 1, offset: '3' },
    ],
  }

  it.each<{ name: string; start: Parameters<typeof planSeeks>[0]; seeks: string[]; beginning: boolean }>([
    { name: 'committed', start: { from: 'committed' }, seeks: [], beginning: true },
    {
      name: 'committed, else latest',
      start: { from: 'committed', otherwise: 'latest' },
      seeks: [],
      beginning: false,
    },
    { name: 'earliest', start: 'earliest', seeks: ['t:0@2', 't:1@0'], beginning: true },
    { name: 'latest', start: 'latest', seeks: ['t:0@10', 't:1@7'], beginning: false },
    { name: 'timestamp (number)', start: { timestamp: 1000 }, seeks: ['t:0@4', 't:1@3'], beginning: true },
    {
      name: 'timestamp (Date)',
      start: { timestamp: new Date(1000) },
      seeks: ['t:0@4', 't:1@3'],
      beginning: true,
    },
    {
      name: 'offsets',
      start: { offsets: [{ topic: 't', partition: 1, offset: 5n }] },
      seeks: ['t:1@5'],
      beginning: true,
    },
  ])('$name', async ({ start, seeks, beginning }) => {
    const plan = await planSeeks(start, ['t'], admin)
    expect(plan.map((s) => `${s.topic}:${s.partition}@${s.offset}`)).toEqual(seeks)
    expect(fromBeginning(start)).toBe(beginning)
  })

  it('needs an admin for positions it must look up', async () => {
    await expect(planSeeks('earliest', ['t'])).rejects.toThrow(TypeError)
  })
})

describe('KafkaMessage', () => {
  const record = {
    key: Buffer.from('k'),
    value: Buffer.from('{}'),
    timestamp: '1700000000000',
    offset: '42',
    headers: {
      ce_type: 'person.create',
      ce_id: Buffer.from('abc'),
      ce_source: ['urn:first', 'urn:second'],
      'content-type': 'application/json',
      other: 'x',
    },
  }
  const m = new KafkaMessage('orders', 3, record)

  it('is where the record came from: topic, partition, offset, key, timestamp, headers, value', () => {
    expect({
      origin: m.origin,
      topic: m.topic,
      partition: m.partition,
      offset: m.offset,
      key: m.key?.toString(),
      timestamp: m.timestamp,
      value: m.value?.toString(),
    }).toEqual({
      origin: 'orders',
      topic: 'orders',
      partition: 3,
      offset: '42',
      key: 'k',
      timestamp: '1700000000000',
      value: '{}',
    })
    expect(m.headers).toBe(record.headers)
    expect(m.record).toBe(record)
    expect(new KafkaMessage('t', 0, { ...record, headers: undefined }).headers).toEqual({})
  })

  it('reads CloudEvents attributes from the ce_ headers (text, bytes or the first of several)', () => {
    expect(m.attribute('type')).toBe('person.create')
    expect(m.attribute('id')).toBe('abc')
    expect(m.attribute('source')).toBe('urn:first')
    expect(m.attribute('datacontenttype')).toBe('application/json')
    expect(m.attribute('time')).toBeUndefined()
    expect(CE_HEADER).toEqual(CE_HEADERS)
  })
})
