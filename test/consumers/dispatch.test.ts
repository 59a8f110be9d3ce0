import { describe, expect, it } from 'vitest'
import {
  backoff,
  deadLetterMessage,
  deadLetterTopicOf,
  decode,
  DLQ_HEADERS,
  fromBeginning,
  handlerDispatcher,
  planSeeks,
  runHandler,
  topicsOf,
  type AdminPort,
  type DecodedEvent,
  type Handlers,
} from '../../consumers/index.ts'
import { eventMessage } from './events.ts'

async function decoded(
  resource: 'time-entry' | 'person' | 'accrual',
  action: 'create' | 'update' | 'delete',
): Promise<DecodedEvent> {
  const r = await decode({ value: Buffer.from(eventMessage(resource, action).value), headers: {} })
  if (!r.ok) throw new Error('fixture invalid')
  return r.value
}

describe('handlerDispatcher', () => {
  const seen: string[] = []
  const handlers: Handlers = {
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
    await d.handlerFor(e)?.(e, {
      topic: 't',
      partition: 0,
      offset: '0',
      key: null,
      timestamp: '0',
      headers: {},
      attempt: 1,
      version: 1,
    })
    expect(seen).toEqual([`te.create ${e.event.id}`])
  })
})

describe('topicsOf', () => {
  it.each<{ handlers: Handlers; prefix?: string; topics: string[] }>([
    { handlers: { 'time-entry': {} }, topics: ['callisto-timecard-timeentries'] },
    {
      handlers: { person: {}, accrual: {} },
      prefix: 'staging',
      topics: ['staging.callisto-person', 'staging.callisto-accruals'],
    },
    { handlers: {}, topics: [] },
  ])('$topics', ({ handlers, prefix, topics }) => {
    expect(topicsOf(handlers, prefix)).toEqual(topics)
  })
})

describe('runHandler', () => {
  const retry = { retries: 3, initialMs: 100, maxMs: 250 }
  const ctx = {
    topic: 't',
    partition: 0,
    offset: '5',
    key: null,
    timestamp: '0',
    headers: {},
    attempt: 1,
    version: 1,
  }
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

  it('passes the attempt number to the handler', async () => {
    const e = await decoded('time-entry', 'create')
    const attempts: number[] = []
    const handle = (_e: DecodedEvent, c: { attempt: number }) => {
      attempts.push(c.attempt)
      if (c.attempt < 3) throw new Error('x')
    }
    await runHandler(handle, e, ctx, retry, { wait: async () => true })
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
    const out = deadLetterMessage(
      { topic: 'orders', partition: 2, message },
      { code: 'NOT_JSON', message: 'not JSON', issues: [{ path: '', keyword: 'json', message: 'not JSON' }] },
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
