/**
 * The publisher's sink on Redis Streams: one `XADD <stream> MAXLEN ~ N *` per event, the CloudEvents attributes
 * as entry fields next to `key` and `data` (the envelope JSON). A batch is one MULTI/EXEC.
 */
import type { OutboundMessage, Sink } from '../../core/index.ts'
import {
  connector,
  Deadlines,
  destroyQuietly,
  ownClient,
  REDIS_DEFAULTS,
  redisSendFailed,
  type RedisClient,
  timedCommands,
  type RedisConnection,
} from './client.ts'
import { ContractError } from '../../core/index.ts'
import { DATA_FIELD, KEY_FIELD } from './message.ts'

/** Where one event went: the entry id Redis gave it (`1700000000000-0`). */
export type RedisPosition = string

/**
 * Approximate length each stream is trimmed to (`MAXLEN ~`): one number for all, a map by stream name (others get
 * the default), or a function (undefined: the default). `Infinity` never trims.
 */
export type MaxLen = number | Readonly<Record<string, number>> | ((stream: string) => number | undefined)

export const DEFAULT_MAX_LEN = 10_000

export type RedisSinkOptions = RedisConnection & {
  maxLen?: MaxLen
  /** Every call is given up after this long (a retriable SEND_FAILED). Default 5 s. */
  timeoutMs?: number
}

export type RedisSink = Sink<RedisPosition, RedisPosition[]> & {
  connect(): Promise<void>
  close(): Promise<void>
  readonly client: RedisClient
}

/** A stream entry's data is JSON text: Confluent's framing (bytes) is for Kafka. */
function textOf(m: OutboundMessage): string {
  if (typeof m.value === 'string') return m.value
  throw new ContractError(
    'SEND_FAILED',
    `event ${m.id}: the Redis sink writes JSON text, not framed bytes (use wireFormat 'json' on Redis)`,
  )
}

/** The entry's fields: the caller's headers, then ours (the attributes, `key`, `data`), which always win. */
export function entryFields(m: OutboundMessage): Record<string, string> {
  const a = m.attributes
  const ours = {
    specversion: a.specversion,
    id: a.id,
    source: a.source,
    type: a.type,
    time: a.time,
    dataschema: a.dataschema,
    datacontenttype: a.datacontenttype,
    [KEY_FIELD]: m.key,
    [DATA_FIELD]: textOf(m),
  }
  return m.headers ? { ...m.headers, ...ours } : ours
}

export function maxLenOf(option: MaxLen | undefined, stream: string, fallback = DEFAULT_MAX_LEN): number {
  if (option === undefined) return fallback
  if (typeof option === 'number') return option
  const n = typeof option === 'function' ? option(stream) : option[stream]
  return n ?? fallback
}

type Trim = { TRIM: { strategy: 'MAXLEN'; strategyModifier: '~'; threshold: number } } | undefined

/** XADD's options for a stream: `MAXLEN ~ n`, or none for Infinity (`fallback`: the default length). */
export function trimOf(option: MaxLen | undefined, stream: string, fallback = DEFAULT_MAX_LEN): Trim {
  const n = maxLenOf(option, stream, fallback)
  if (!(n >= 0)) throw new TypeError(`maxLen of ${stream} must be a number >= 0, not ${n}`)
  return n === Infinity
    ? undefined
    : { TRIM: { strategy: 'MAXLEN' as const, strategyModifier: '~' as const, threshold: n } }
}

/**
 * trimOf, made once per stream; a function's answers are asked on every send (it may change them), and a bad
 * answer is never kept.
 */
export function trims(option: MaxLen | undefined, fallback = DEFAULT_MAX_LEN): (stream: string) => Trim {
  if (typeof option === 'function') return (stream) => trimOf(option, stream, fallback)
  const made = new Map<string, Trim>()
  return (stream) => {
    let trim = made.get(stream)
    if (trim === undefined && !made.has(stream)) made.set(stream, (trim = trimOf(option, stream, fallback)))
    return trim
  }
}

/** Refuses a bad number up front (TypeError); a function's answers are checked on each send. */
export function checkMaxLen(option: MaxLen | undefined): void {
  if (option === undefined || typeof option === 'function') return
  const entries = typeof option === 'number' ? [['every stream', option] as const] : Object.entries(option)
  for (const [stream, n] of entries)
    if (!(n >= 0)) throw new TypeError(`maxLen of ${stream} must be a number >= 0, not ${n}`)
}

export function redisSink(options: RedisSinkOptions): RedisSink {
  const timeoutMs = options.timeoutMs ?? REDIS_DEFAULTS.timeoutMs
  const owned = options.client === undefined
  const client: RedisClient = options.client
    ? options.client
    : ownClient(options.url, timeoutMs, options.clientOptions)
  const deadlines = new Deadlines()
  const ready = connector(client, owned, timeoutMs, deadlines)
  const trimFor = trims(options.maxLen)
  // A client you bring gets our timeout too, on this sink's calls only.
  const commands = timedCommands(client, deadlines)

  return {
    client,
    async send(m) {
      try {
        const trim = trimFor(m.destination) // a bad maxLen fails before any I/O
        const connecting = ready()
        if (connecting) await connecting
        const id = await deadlines.race(
          commands().xAdd(m.destination, '*', entryFields(m), trim),
          timeoutMs,
          'XADD',
        )
        return String(id)
      } catch (e) {
        throw redisSendFailed(e, `Redis did not take event ${m.id} for ${m.destination}`)
      }
    },
    async sendBatch(messages) {
      if (messages.length === 0) return []
      try {
        const trim = messages.map((m) => trimFor(m.destination))
        const connecting = ready()
        if (connecting) await connecting
        const multi = client.multi()
        for (let i = 0; i < messages.length; i++) {
          const m = messages[i] as OutboundMessage
          multi.xAdd(m.destination, '*', entryFields(m), trim[i])
        }
        const replies = await deadlines.race(multi.exec(), timeoutMs, 'MULTI/EXEC')
        return replies.map(String)
      } catch (e) {
        throw redisSendFailed(e, `Redis did not take the batch of ${messages.length} events`)
      }
    },
    connect: async () => {
      try {
        await ready()
      } catch (e) {
        throw redisSendFailed(e, 'cannot connect to Redis')
      }
    },
    async close() {
      // destroy() also ends a connection still being retried in the background (Redis was down).
      if (owned) destroyQuietly(client)
    },
  }
}
