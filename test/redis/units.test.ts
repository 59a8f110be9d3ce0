/** The Redis adapter's pure parts: entry fields, MAXLEN per stream, which errors are retriable, the message class. */
import { AbortError, ErrorReply } from 'redis'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { isContractError, type OutboundMessage } from '../../core/index.ts'
import {
  DEFAULT_MAX_LEN,
  deadLetterFields,
  entryFields,
  isRetriable,
  maxLenOf,
  RedisMessage,
  RedisTimeoutError,
  redisSink,
} from '../../transports/redis/index.ts'
import { Deadlines } from '../../transports/redis/deadlines.ts'
import { trims } from '../../transports/redis/sink.ts'

const message = (headers?: Record<string, string>): OutboundMessage => ({
  destination: 's',
  key: 'k',
  value: '{"a":1}',
  id: 'e1',
  headers,
  attributes: {
    specversion: '1.0',
    id: 'e1',
    source: 'urn:x',
    type: 'person.update',
    time: '2026-11-20T08:30:00Z',
    dataschema: 'https://schemas/person/1',
    datacontenttype: 'application/json',
  },
})

describe('redis adapter, pure parts', () => {
  it('entry fields: attributes, key and data; headers kept but never override ours', () => {
    expect(entryFields(message({ key: 'forged', id: 'forged', x: '1' }))).toEqual({
      x: '1',
      key: 'k',
      id: 'e1',
      data: '{"a":1}',
      specversion: '1.0',
      source: 'urn:x',
      type: 'person.update',
      time: '2026-11-20T08:30:00Z',
      dataschema: 'https://schemas/person/1',
      datacontenttype: 'application/json',
    })
  })

  it('maxLen: default, number, map with fallback, function with fallback', () => {
    expect(maxLenOf(undefined, 's')).toBe(DEFAULT_MAX_LEN)
    expect(maxLenOf(5, 's')).toBe(5)
    expect(maxLenOf({ a: 7 }, 'a')).toBe(7)
    expect(maxLenOf({ a: 7 }, 'b')).toBe(DEFAULT_MAX_LEN)
    expect(maxLenOf((s) => (s === 'a' ? 1 : undefined), 'b')).toBe(DEFAULT_MAX_LEN)
  })

  it('trims: MAXLEN made once per stream from a number or a map; a function asked on every send', () => {
    const fixed = trims({ a: 7 })
    expect(fixed('a')).toEqual({ TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: 7 } })
    expect(fixed('a')).toBe(fixed('a'))
    expect(fixed('b')?.TRIM.threshold).toBe(DEFAULT_MAX_LEN)
    expect(trims(Infinity)('a')).toBeUndefined()
    let n = 1
    const asked = trims(() => n++)
    expect([asked('a')?.TRIM.threshold, asked('a')?.TRIM.threshold]).toEqual([1, 2])
    const bad = trims(-1)
    expect(() => bad('a')).toThrow(/maxLen of a/)
    expect(() => bad('a')).toThrow(/maxLen of a/) // not kept as if it were an answer
  })

  it('retriable: connections, timeouts and busy servers; not a wrong command', () => {
    expect(isRetriable(new RedisTimeoutError('XACK', 5))).toBe(true)
    expect(isRetriable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true)
    expect(isRetriable(new ErrorReply('LOADING Redis is loading the dataset in memory'))).toBe(true)
    expect(isRetriable(new ErrorReply('READONLY You cannot write against a read only replica.'))).toBe(true)
    expect(
      isRetriable(new ErrorReply('WRONGTYPE Operation against a key holding the wrong kind of value')),
    ).toBe(false)
    expect(isRetriable('nope')).toBe(false)
  })

  it('a sink with a bad maxLen refuses the send as SEND_FAILED, not retriable', async () => {
    const sink = redisSink({ url: 'redis://127.0.0.1:1', maxLen: -1, timeoutMs: 50 })
    const e = await sink.send(message()).catch((x: unknown) => x)
    expect(isContractError(e, 'SEND_FAILED')).toBe(true)
    expect((e as { retriable: boolean }).retriable).toBe(false)
    expect((e as Error).message).toMatch(/maxLen/)
    await sink.close()
  })

  it('RedisMessage reads data, key and attributes from fields; dead letters add the reason', () => {
    const m = new RedisMessage('s', '1-0', entryFields(message()))
    expect([m.origin, m.id, m.key, m.value, m.attribute('type'), m.attribute('dataschema')]).toEqual([
      's',
      '1-0',
      'k',
      '{"a":1}',
      'person.update',
      'https://schemas/person/1',
    ])
    expect(new RedisMessage('s', '1-0', {}).value).toBeNull()
    const f = deadLetterFields(
      m,
      { code: 'HANDLER_FAILED', summary: 'Error: x', issues: [], attempts: 3 },
      'g',
    )
    expect(f).toMatchObject({
      data: '{"a":1}',
      dlq_error_code: 'HANDLER_FAILED',
      dlq_error_message: 'Error: x',
      dlq_issues: '[]',
      dlq_original_stream: 's',
      dlq_original_id: '1-0',
      dlq_consumer_group: 'g',
      dlq_attempts: '3',
    })
  })
})

describe('redis adapter, timeouts: one timer for every call in flight', () => {
  afterEach(() => void vi.useRealTimers())
  const never = () => new Promise<never>(() => undefined)
  const outcome = (p: Promise<unknown>) => {
    const seen: { value?: unknown; error?: unknown } = {}
    p.then(
      (value) => (seen.value = value),
      (error: unknown) => (seen.error = error),
    )
    return seen
  }

  it('a call not answered within its time rejects with RedisTimeoutError naming it; answered and failed ones leave', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    const deadlines = new Deadlines()
    const answered = outcome(deadlines.race(Promise.resolve('1-0'), 100, 'XADD'))
    const refused = outcome(deadlines.race(Promise.reject(new Error('WRONGTYPE')), 100, 'XADD'))
    const hung = outcome(deadlines.race(never(), 100, 'XACK'))
    await vi.advanceTimersByTimeAsync(99)
    expect(answered.value).toBe('1-0')
    expect((refused.error as Error).message).toBe('WRONGTYPE')
    expect(hung).toEqual({})
    expect(deadlines.size).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(hung.error).toBeInstanceOf(RedisTimeoutError)
    expect(hung.error).toMatchObject({ call: 'XACK', timeoutMs: 100 })
    expect(deadlines.size).toBe(0)
  })

  it('each call keeps its own time: a short one made after a long one, and one made after others settled', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    const deadlines = new Deadlines()
    const long = outcome(deadlines.race(never(), 1_000, 'XREADGROUP BLOCK'))
    await vi.advanceTimersByTimeAsync(10)
    const short = outcome(deadlines.race(never(), 50, 'XACK'))
    await vi.advanceTimersByTimeAsync(49)
    expect(short).toEqual({})
    await vi.advanceTimersByTimeAsync(1)
    expect(short.error).toMatchObject({ call: 'XACK' }) // at 60 ms, not when the long one's time is up
    expect(long).toEqual({})
    await vi.advanceTimersByTimeAsync(500)
    const later = outcome(deadlines.race(never(), 100, 'XADD'))
    await vi.advanceTimersByTimeAsync(99)
    expect(later).toEqual({})
    await vi.advanceTimersByTimeAsync(1)
    expect(later.error).toMatchObject({ call: 'XADD' })
    expect(long).toEqual({})
    await vi.advanceTimersByTimeAsync(390)
    expect(long.error).toMatchObject({ call: 'XREADGROUP BLOCK', timeoutMs: 1_000 })
  })

  it('a timeout aborts the signal commands were made with (dropping the unwritten ones); later calls get a new one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    const deadlines = new Deadlines()
    const before = deadlines.signal
    // What node-redis does with a command still unwritten when its abortSignal fires.
    const unwritten = (signal: AbortSignal) =>
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new AbortError())))
    const hung = outcome(deadlines.race(never(), 100, 'XACK'))
    await vi.advanceTimersByTimeAsync(50)
    const queued = outcome(deadlines.race(unwritten(deadlines.signal), 1_000, 'XADD'))
    const written = outcome(deadlines.race(never(), 1_000, 'XREADGROUP BLOCK'))
    let lose!: (e: Error) => void
    const lost = outcome(deadlines.race(new Promise((_, reject) => (lose = reject)), 1_000, 'XAUTOCLAIM'))
    await vi.advanceTimersByTimeAsync(50)
    expect(hung.error).toMatchObject({ call: 'XACK', after: undefined })
    expect(before.aborted).toBe(true)
    expect(before.reason).toBe(hung.error)
    expect(queued.error).toBeInstanceOf(RedisTimeoutError)
    expect(queued.error).toMatchObject({ call: 'XADD', timeoutMs: 1_000, after: hung.error })
    expect((queued.error as Error).message).toBe('XADD: not sent, given up with XACK: no answer in 100 ms')
    expect(written).toEqual({}) // a command already written waits for its own time
    expect(deadlines.signal).not.toBe(before)
    expect(deadlines.signal.aborted).toBe(false)
    // Any other failure of a command made with the aborted signal stays what it was.
    lose(new Error('connection lost'))
    await vi.advanceTimersByTimeAsync(0)
    expect((lost.error as Error).message).toBe('connection lost')
  })

  it('the signal takes a listener per unwritten command, any number of them, without a leak warning, before and after an abort', async () => {
    const warnings: Error[] = []
    const seen = (w: Error) => void warnings.push(w)
    process.on('warning', seen)
    try {
      const deadlines = new Deadlines()
      const listen = () => {
        for (let i = 0; i < 50; i++)
          deadlines.signal.addEventListener('abort', () => undefined, { once: true })
      }
      listen()
      await deadlines.race(never(), 1, 'XADD').catch(() => undefined) // aborts it: a new signal
      listen()
      await new Promise((r) => setImmediate(r))
    } finally {
      process.off('warning', seen)
    }
    expect(warnings.map((w) => w.name)).toEqual([])
  })

  it('an answer after the timeout is dropped, and a failure after it is not left unhandled', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    const deadlines = new Deadlines()
    let answer!: (id: string) => void
    let fail!: (e: Error) => void
    const late = outcome(deadlines.race(new Promise<string>((resolve) => (answer = resolve)), 10, 'XADD'))
    const lateFailure = new Promise<string>((_, reject) => (fail = reject))
    const failed = outcome(deadlines.race(lateFailure, 10, 'XACK'))
    await vi.advanceTimersByTimeAsync(10)
    answer('1-0')
    fail(new Error('connection lost'))
    await vi.advanceTimersByTimeAsync(0)
    expect(late.value).toBeUndefined()
    expect(late.error).toBeInstanceOf(RedisTimeoutError)
    expect(failed.error).toBeInstanceOf(RedisTimeoutError)
    expect(deadlines.size).toBe(0)
  })
})
