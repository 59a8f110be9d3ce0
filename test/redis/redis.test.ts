/** The Redis Streams transport on the real server: what the shared pipeline suite does not cover. */
import { spawn, type ChildProcess } from 'node:child_process'
import { createClient } from 'redis'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isContractError, type EventConsumer } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import {
  createRedisPublisher,
  createRedisTopicConsumer,
  DEFAULT_DEAD_LETTER_MAX_LEN,
  DLQ_FIELDS,
  RedisTimeoutError,
  redisSink,
  type RedisClient,
  type RedisTopicConsumerOptions,
} from '../../transports/redis/index.ts'
import { eventMessage, pause, until, uuid } from '../consumers/events.ts'
import { TestRedis, untilAsync } from './redis.ts'

type Options = Omit<RedisTopicConsumerOptions<typeof catalog>, 'catalog' | 'url' | 'client'>

const event = (key = uuid()) => JSON.parse(eventMessage('person', 'update', { key }).value) as { id: string }

describe('redis transport', () => {
  const t = new TestRedis('transport')
  const consumers: EventConsumer[] = []
  const consumer = (options: Options) => {
    const c = createRedisTopicConsumer({ catalog, url: t.url, blockMs: 200, ...options })
    consumers.push(c)
    return c
  }
  const publisher = (options: { maxLen?: number | Record<string, number> } = {}) =>
    createRedisPublisher({ catalog, url: t.url, source: 'urn:test:redis', topicPrefix: t.prefix, ...options })
  const personStream = () => t.track(`${t.prefix}.${catalog.resources.person.topic}`)

  beforeAll(() => t.connect())
  afterAll(async () => {
    for (const c of consumers) await c.stop()
    await t.cleanup()
  })

  it('writes the CloudEvents attributes, key and data as fields; headers never override them', async () => {
    const p = publisher()
    const e = event()
    const sent = await p.publishEvent(e, { headers: { traceparent: 'abc', type: 'forged', data: 'forged' } })
    await p.disconnect()
    expect(sent.destination).toBe(personStream())
    expect(sent.position).toMatch(/^\d+-\d+$/)
    const [entry] = await t.range(sent.destination)
    expect(entry?.id).toBe(sent.position)
    expect(entry?.fields).toEqual({
      traceparent: 'abc',
      type: 'person.update',
      data: JSON.stringify(e),
      specversion: '1.0',
      id: e.id,
      source: 'urn:test',
      time: '2026-11-20T08:30:00Z',
      dataschema: expect.stringMatching(/person/),
      datacontenttype: 'application/json',
      key: expect.any(String),
    })
  })

  it('never sends an invalid event: XLEN unchanged', async () => {
    const p = publisher()
    const stream = personStream()
    const before = await t.xlen(stream)
    const bad = { ...event(), action: 'upsert' }
    await expect(p.publishEvent(bad)).rejects.toSatisfy((e) => isContractError(e, 'EVENT_INVALID'))
    const batch = [
      { resource: 'person' as const, action: 'create' as const, content: { id: 'not-a-uuid' } as never },
    ]
    await expect(p.publishBatch(batch)).rejects.toSatisfy((e) => isContractError(e, 'EVENT_INVALID'))
    await p.disconnect()
    expect(await t.xlen(stream)).toBe(before)
  })

  it('sends a batch in one MULTI/EXEC, ids in order', async () => {
    const sink = redisSink({ url: t.url })
    const stream = t.stream('batch')
    const messages = Array.from({ length: 5 }, (_, i) => ({
      destination: stream,
      key: `k${i}`,
      value: `{"n":${i}}`,
      id: `id-${i}`,
      headers: undefined,
      attributes: {
        specversion: '1.0' as const,
        id: `id-${i}`,
        source: 'urn:x',
        type: 'person.update',
        time: 't',
        dataschema: 's',
        datacontenttype: 'application/json' as const,
      },
    }))
    const ids = await sink.sendBatch(messages)
    await sink.close()
    const entries = await t.range(stream)
    expect(entries.map((e) => e.id)).toEqual(ids)
    expect(entries.map((e) => e.fields.key)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4'])
  })

  it('trims with MAXLEN ~: the default per stream, or an override', async () => {
    const stream = personStream()
    await t.client.del(stream)
    const p = publisher({ maxLen: { [stream]: 50 } })
    for (let i = 0; i < 600; i++) await p.publishEvent(event())
    await p.disconnect()
    const len = await t.xlen(stream)
    // `~` trims whole nodes (100 entries each by default): at least 50 kept, far fewer than 600.
    expect(len).toBeGreaterThanOrEqual(50)
    expect(len).toBeLessThan(250)
    const q = publisher({ maxLen: 10_000 })
    for (let i = 0; i < 300; i++) await q.publishEvent(event())
    await q.disconnect()
    expect(await t.xlen(stream)).toBe(len + 300)
  })

  it('trims dead-letter streams with their own MAXLEN ~ (deadLetterMaxLen), and refuses a bad one', async () => {
    const stream = t.stream('dlq-trim')
    const dlq = `${stream}.dlq`
    const poison = Array.from({ length: 600 }, (_, i) => ({ key: `p${i}`, value: `not json ${i}` }))
    await t.produce(stream, poison)
    const group = t.group('dlq-trim')
    const c = consumer({
      destinations: [stream],
      group,
      consumer: 'c',
      deadLetterMaxLen: { [dlq]: 50 },
      handle: () => undefined,
    })
    await c.start()
    await untilAsync(
      'all 600 done',
      async () => (await t.client.xInfoGroups(stream))[0]?.['entries-read'] === 600,
    )
    await untilAsync('nothing pending', async () => (await t.client.xPending(stream, group)).pending === 0)
    await c.stop()
    const letters = await t.range(dlq)
    // `~` trims whole nodes (100 entries each by default): at least 50 kept, far fewer than 600; the newest kept.
    expect(letters.length).toBeGreaterThanOrEqual(50)
    expect(letters.length).toBeLessThan(250)
    expect(letters.at(-1)?.fields.key).toBe('p599')
    expect(letters.every((l) => l.fields[DLQ_FIELDS.code] === 'NOT_JSON')).toBe(true)

    const base = {
      catalog,
      url: t.url,
      destinations: [stream],
      group,
      consumer: 'c',
      handle: () => undefined,
    }
    expect(() => createRedisTopicConsumer({ ...base, deadLetterMaxLen: -1 })).toThrow(/maxLen/)
    expect(() => createRedisTopicConsumer({ ...base, deadLetterMaxLen: { [dlq]: Number.NaN } })).toThrow(
      /maxLen/,
    )
    expect(DEFAULT_DEAD_LETTER_MAX_LEN).toBe(100_000)
  })

  it('reports SEND_FAILED, retriable, when Redis does not answer (timeout on every call)', async () => {
    const sink = redisSink({ url: 'redis://127.0.0.1:1', timeoutMs: 300 })
    const error = await sink.connect().catch((e: unknown) => e)
    expect(isContractError(error, 'SEND_FAILED')).toBe(true)
    expect((error as { retriable: boolean }).retriable).toBe(true)
    // Given up by the timeout (node-redis would keep reconnecting forever), not by a refused connection.
    expect((error as Error).cause).toBeInstanceOf(RedisTimeoutError)
    expect(((error as Error).cause as RedisTimeoutError).call).toBe('connecting to Redis')
    await sink.close()
  })

  it('replays from an entry id (group-wide XGROUP SETID), resumes with "backlog", starts over with "earliest", and at new entries with "new"', async () => {
    const stream = t.stream('replay')
    const sent = Array.from({ length: 10 }, () => eventMessage('person', 'update'))
    const ids = await t.produce(stream, sent)
    const group = t.group('replay')
    const seen: string[] = []
    const first = consumer({
      destinations: [stream],
      group,
      consumer: 'c1',
      handle: (e) => void seen.push(e.event.id),
    })
    await first.start()
    await until('10 handled', () => seen.length >= 10)
    await first.stop()
    expect(seen).toEqual(sent.map((m) => m.id))

    seen.length = 0
    const replay = consumer({
      destinations: [stream],
      group,
      consumer: 'c1',
      start: { after: ids[5] as string },
      handle: (e) => void seen.push(e.event.id),
    })
    await replay.start()
    await until('4 replayed', () => seen.length >= 4)
    await pause(300)
    await replay.stop()
    expect(seen).toEqual(sent.slice(6).map((m) => m.id))

    // 'backlog' (the default) goes on where the group left off: nothing is left; 'earliest' starts it over.
    seen.length = 0
    const resumed = consumer({
      destinations: [stream],
      group,
      consumer: 'c2',
      handle: (e) => void seen.push(e.event.id),
    })
    await resumed.start()
    const marker = eventMessage('person', 'update')
    await t.produce(stream, [marker])
    await until('the entry added after', () => seen.length >= 1)
    await pause(200)
    await resumed.stop()
    expect(seen).toEqual([marker.id])
    seen.length = 0
    const again = consumer({
      destinations: [stream],
      group,
      consumer: 'c2',
      start: 'earliest',
      handle: (e) => void seen.push(e.event.id),
    })
    await again.start()
    await until('all 11 again', () => seen.length >= 11)
    await pause(200)
    await again.stop()
    expect(seen).toEqual([...sent, marker].map((m) => m.id))

    seen.length = 0
    const fresh = consumer({
      destinations: [stream],
      group: t.group('new'),
      consumer: 'c1',
      start: 'new',
      handle: (e) => void seen.push(e.event.id),
    })
    await fresh.start()
    const later = eventMessage('person', 'update')
    await t.produce(stream, [later])
    await until('the new one', () => seen.length >= 1)
    await pause(200)
    await fresh.stop()
    expect(seen).toEqual([later.id])
  })

  it('two consumers in one group share the work, no id handled twice', async () => {
    const stream = t.stream('share')
    const sent = Array.from({ length: 400 }, () => eventMessage('person', 'update'))
    const group = t.group('share')
    const by = new Map<string, string[]>()
    const handled: string[] = []
    const make = (name: string) =>
      consumer({
        destinations: [stream],
        group,
        consumer: name,
        count: 10,
        async handle(e) {
          handled.push(e.event.id)
          by.set(name, [...(by.get(name) ?? []), e.event.id])
          await pause(1)
        },
      })
    const a = make('a')
    const b = make('b')
    await Promise.all([a.start(), b.start()])
    await t.produce(stream, sent)
    await until('400 handled', () => handled.length >= 400)
    await pause(300)
    await Promise.all([a.stop(), b.stop()])
    expect(handled).toHaveLength(400)
    expect(new Set(handled).size).toBe(400)
    expect(by.get('a')?.length).toBeGreaterThan(0)
    expect(by.get('b')?.length).toBeGreaterThan(0)
    const pending = await t.client.xPending(stream, group)
    expect(pending.pending).toBe(0)
  })

  /** A connected client of this test's whose first XACK fails at once ('injected XACK failure'); later ones go through. */
  async function failingFirstXAck(): Promise<{ own: RedisClient; xAckFailed: () => boolean }> {
    const own = createClient({ url: t.url }) as RedisClient
    own.on('error', () => undefined)
    await own.connect()
    // On the instance node-redis makes every withCommandOptions view from (`_self`), which the consumer calls.
    const self = (own as unknown as { _self: RedisClient })._self
    const xAck = self.xAck
    let failed = false
    Object.assign(self, {
      xAck(this: RedisClient, ...args: Parameters<typeof xAck>) {
        if (failed) return xAck.apply(this, args)
        failed = true
        return Promise.reject(new Error('injected XACK failure'))
      },
    })
    return { own, xAckFailed: () => failed }
  }

  /** A consumer 'c' of the stream on a client whose first XACK fails, 100 entries per read; what it handled and reported. */
  async function consumerWithFailingXAck(
    stream: string,
    group: string,
    options: { start?: 'earliest'; blockMs: number },
  ) {
    const { own, xAckFailed } = await failingFirstXAck()
    const handled = new Set<string>()
    const errors: unknown[] = []
    const c = createRedisTopicConsumer({
      catalog,
      client: own,
      destinations: [stream],
      group,
      consumer: 'c',
      ...options,
      count: 100,
      handle: (e) => void handled.add(e.event.id),
      onError: (e) => void errors.push(e),
    })
    consumers.push(c)
    return { own, xAckFailed, handled, errors, c }
  }

  it('an XACK that fails while a read of pending entries is in flight: those entries are read again, every one handled', async () => {
    const stream = t.stream('epoch')
    const group = t.group('epoch')
    const sent = Array.from({ length: 250 }, () => eventMessage('person', 'update'))
    await t.produce(stream, sent)
    // All 250 delivered to 'c' and never acknowledged: its pending entries, read 100 at a time when it starts.
    await t.client.xGroupCreate(stream, group, '0')
    await t.client.xReadGroup(group, 'c', { key: stream, id: '>' }, { COUNT: 250 })
    // The first XACK fails at once, while the read sent with it (the next 100 pending entries) is still out.
    const { own, xAckFailed, handled, errors, c } = await consumerWithFailingXAck(stream, group, {
      blockMs: 200,
    })
    try {
      await c.start()
      await until('250 handled', () => handled.size >= 250)
      await untilAsync('nothing pending', async () => (await t.client.xPending(stream, group)).pending === 0)
    } finally {
      await c.stop()
      own.destroy()
    }
    expect(xAckFailed()).toBe(true)
    expect(errors.map(String)).toContain('Error: injected XACK failure')
    expect([...handled].sort()).toEqual(sent.map((m) => (JSON.parse(m.value) as { id: string }).id).sort())
  })

  it('an XACK that fails while a blocking read is out: what that read delivers is still handled', async () => {
    const stream = t.stream('blockack')
    const group = t.group('blockack')
    const first = Array.from({ length: 100 }, () => eventMessage('person', 'update'))
    const later = eventMessage('person', 'update')
    await t.produce(stream, first)
    // The first XACK (of the first 100) fails at once, while the read sent before it blocks for new entries.
    const { own, xAckFailed, handled, errors, c } = await consumerWithFailingXAck(stream, group, {
      start: 'earliest',
      blockMs: 3_000,
    })
    try {
      await c.start()
      await until('the first 100 handled and the XACK failed', () => handled.size >= 100 && xAckFailed())
      await pause(100)
      await t.produce(stream, [later]) // taken by the blocking read that was out when the XACK failed
      const id = (JSON.parse(later.value) as { id: string }).id
      await until('the later one handled', () => handled.has(id), 10_000)
      await untilAsync('nothing pending', async () => (await t.client.xPending(stream, group)).pending === 0)
    } finally {
      await c.stop()
      own.destroy()
    }
    expect(errors.map(String)).toEqual(['Error: injected XACK failure'])
    expect(handled.size).toBe(101)
  })

  it('enabled: false makes start() a no-op', async () => {
    const stream = t.stream('off')
    await t.produce(stream, [eventMessage('person', 'update')])
    const seen: string[] = []
    const c = consumer({
      destinations: [stream],
      group: t.group('off'),
      consumer: 'c',
      enabled: false,
      handle: (e) => void seen.push(e.event.id),
    })
    await c.start()
    await pause(300)
    expect(seen).toEqual([])
    await c.stop()
    await c.closed
  })

  it('requires a group and a consumer name', () => {
    const base = { catalog, url: t.url, destinations: ['s'], handle: () => undefined }
    expect(() => createRedisTopicConsumer({ ...base, group: '', consumer: 'c' })).toThrow(/group/)
    expect(() => createRedisTopicConsumer({ ...base, group: 'g', consumer: '' })).toThrow(/consumer/)
  })

  it('a consumer killed mid-stream: another claims its pending entries (claimIdleMs), every id handled', async () => {
    const stream = t.stream('crash')
    const group = t.group('crash')
    const sent = Array.from({ length: 300 }, () => eventMessage('person', 'update'))
    await t.produce(stream, sent)
    const script = fileURLToPath(new URL('./child-consumer.ts', import.meta.url))
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', script, t.url, stream, group, 'doomed'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    const handled = new Set<string>()
    let buffer = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const l of lines) if (l.startsWith('handled ')) handled.add(l.slice(8))
    })
    const exited = new Promise((resolve) => child.once('exit', resolve))
    try {
      await until('the child handled 50', () => handled.size >= 50, 20_000)
    } finally {
      child.kill('SIGKILL')
      await exited
    }
    const byChild = handled.size
    expect(byChild).toBeLessThan(300)
    const pendingOnChild = (await t.client.xPending(stream, group)).pending
    expect(pendingOnChild).toBeGreaterThan(0) // it died holding entries

    const rescuer = consumer({
      destinations: [stream],
      group,
      consumer: 'rescuer',
      claimIdleMs: 500,
      handle: (e) => void handled.add(e.event.id),
    })
    await rescuer.start()
    await until('every id handled', () => sent.every((m) => handled.has(m.id)), 20_000)
    await pause(200)
    await rescuer.stop()
    expect((await t.client.xPending(stream, group)).pending).toBe(0)
  })
})
