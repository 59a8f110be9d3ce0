/** The Redis adapter's pure parts: entry fields, MAXLEN per stream, which errors are retriable, the message class. */
import { ErrorReply } from 'redis'
import { describe, expect, it } from 'vitest'
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
