/**
 * The Redis Streams runner over the kernel's inbound pipeline, with a consumer group.
 *
 * At-least-once: an entry is acknowledged (XACK) only after `process` said it is done (handled, skipped or
 * dead-lettered). The loop first reads this consumer's own pending entries (`XREADGROUP … 0`: delivered before,
 * never acknowledged, e.g. before a crash), then new ones (`XREADGROUP … BLOCK ms … >`) on a connection of its own
 * (a blocking read holds its connection). With `claimIdleMs`, entries other consumers of the group took and left
 * pending that long (a consumer that died) are claimed with XAUTOCLAIM, at start and periodically, and then
 * processed as this consumer's pending ones. A Redis error (down, timeout) is waited out with backoff while the
 * client reconnects by itself; then the pending entries are read again, so an entry whose delivery reply was lost
 * is not lost.
 */
import { ErrorReply } from 'redis'
import {
  createPipeline,
  destinationsOf,
  handlerDispatcher,
  settleOnce,
  sleep,
  type Catalog,
  type Control,
  type Dispatcher,
  type EventConsumer,
  type HandlersOptions,
  type PipelineConsumerOptions,
  type HandleAllOptions,
  type HandleBatchOptions,
  topicDispatcher,
} from '../../core/index.ts'
import {
  connector,
  Deadlines,
  destroyQuietly,
  ownClient,
  reconnectDelay,
  isRetriable,
  timedCommands,
  REDIS_DEFAULTS,
  type RedisClient,
  type RedisConnection,
} from './client.ts'
import { redisDeadLetters, type DeadLetterStream } from './dead-letter.ts'
import { RedisMessage } from './message.ts'
import { checkMaxLen, type MaxLen } from './sink.ts'

/**
 * Where the group reads from. Positions other than 'backlog' are applied to an existing group with
 * `XGROUP SETID`: for the whole group, not only this consumer.
 * - 'backlog' (default): where the group left off (its last delivered id); a new group starts at the beginning.
 * - 'new': only entries added from now on (`$`).
 * - 'earliest': everything the stream still holds (`0`).
 * - `{ after: id }`: the entries after this id (replay; openedx's `last_read_msg_id`).
 */
export type RedisStart = 'new' | 'backlog' | 'earliest' | { after: string }

export type RedisCommonOptions<C extends Catalog> = RedisConnection &
  PipelineConsumerOptions<C, RedisMessage> & {
    /** The consumer group (created with MKSTREAM when missing). */
    group: string
    /** This consumer's name in the group: its pending entries are its own. Use a stable one per instance. */
    consumer: string
    start?: RedisStart
    /**
     * Claim entries pending on other consumers of the group for longer than this (XAUTOCLAIM), at start and every
     * `claimIntervalMs`. Must exceed twice the time a batch takes to handle (a batch read ahead waits while the
     * one before it is handled), or a slow consumer's entries are taken from it. Off by default.
     */
    claimIdleMs?: number
    /** How often to claim. Default `claimIdleMs`, at most 30 s. */
    claimIntervalMs?: number
    /** Entries per read. Default 100. */
    count?: number
    /** How long a read waits for new entries. Default 5 s. */
    blockMs?: number
    /** Every other call is given up after this long. Default 5 s. */
    timeoutMs?: number
    /** Default `<stream>.dlq`. */
    deadLetterStream?: DeadLetterStream
    /**
     * Approximate length dead-letter streams are trimmed to (`MAXLEN ~`): a number, a map by dead-letter stream
     * name or a function, as the publisher's `maxLen`. Default 100,000 (DEFAULT_DEAD_LETTER_MAX_LEN); `Infinity`
     * never trims.
     */
    deadLetterMaxLen?: MaxLen
    /** false: start() does nothing (a consumer switched off by configuration). Default true. */
    enabled?: boolean
    /** Redis errors the consumer waits out (Redis down, timeouts), before each retry. */
    onError?: (error: unknown) => void
  }

export type RedisConsumerOptions<C extends Catalog> = RedisCommonOptions<C> & HandlersOptions<C, RedisMessage>
export type RedisTopicConsumerOptions<C extends Catalog> = RedisCommonOptions<C> &
  HandleAllOptions<C, RedisMessage>

/** A topic consumer whose valid events go to `handleBatch`, up to `batchSize` at a time. */
export type RedisBatchConsumerOptions<C extends Catalog> = RedisCommonOptions<C> &
  HandleBatchOptions<C, RedisMessage>

export const REDIS_CONSUMER_DEFAULTS = { count: 100, blockMs: 5_000, maxClaimIntervalMs: 30_000 } as const

/** A consumer with typed handlers per resource and action, on the catalog streams of those resources. */
export function createRedisConsumer<C extends Catalog>(options: RedisConsumerOptions<C>): EventConsumer {
  const streams = destinationsOf(options.catalog, options.handlers, options.topicPrefix)
  if (streams.length === 0)
    throw new TypeError('createRedisConsumer: no handlers for any resource in the catalog')
  return createRunner(options, streams, handlerDispatcher(options.handlers))
}

/**
 * A consumer of raw streams that hands every valid event to one function (the CLI, tools), or up to `batchSize`
 * consecutive entries of a stream at a time to `handleBatch`.
 */
export function createRedisTopicConsumer<C extends Catalog>(
  options: RedisTopicConsumerOptions<C>,
): EventConsumer {
  if (options.destinations.length === 0) throw new TypeError('createRedisTopicConsumer: no streams')
  return createRunner(options, [...options.destinations], topicDispatcher(options))
}

/**
 * A consumer of raw streams whose valid events go to `handleBatch`, up to `batchSize` consecutive ones of a stream at a
 * time (what the transport delivered together: no waiting to fill a batch). A batch is retried as one; messages are
 * committed only once it succeeded or its events were dead-lettered.
 */
export function createRedisBatchConsumer<C extends Catalog>(
  options: RedisBatchConsumerOptions<C>,
): EventConsumer {
  if (options.destinations.length === 0) throw new TypeError('createRedisBatchConsumer: no streams')
  return createRunner(options, [...options.destinations], topicDispatcher(options))
}

const isReply = (e: unknown, code: string) => e instanceof ErrorReply && e.message.startsWith(code)

/** The id a missing group is created at. */
const createAt = (start: RedisStart): string =>
  start === 'new' ? '$' : start === 'earliest' || start === 'backlog' ? '0' : start.after

function createRunner<C extends Catalog>(
  options: RedisCommonOptions<C>,
  streams: string[],
  dispatcher: Dispatcher<C, RedisMessage>,
): EventConsumer {
  const { group, consumer: name } = options
  if (!group) throw new TypeError('Redis consumer: group is required')
  if (!name) throw new TypeError('Redis consumer: consumer (a name of its own in the group) is required')
  const start = options.start ?? 'backlog'
  if (typeof start === 'object' && !/^\d+(-\d+)?$/.test(start.after))
    throw new TypeError(
      `Redis consumer: start.after must be an entry id like 1700000000000-0, not '${start.after}'`,
    )
  const enabled = options.enabled ?? true
  const timeoutMs = options.timeoutMs ?? REDIS_DEFAULTS.timeoutMs
  const count = options.count ?? REDIS_CONSUMER_DEFAULTS.count
  const blockMs = options.blockMs ?? REDIS_CONSUMER_DEFAULTS.blockMs
  if (!(blockMs >= 1))
    throw new TypeError('Redis consumer: blockMs must be at least 1 (BLOCK 0 waits forever)')
  checkMaxLen(options.deadLetterMaxLen)
  const claimIdleMs = options.claimIdleMs
  const claimIntervalMs =
    options.claimIntervalMs ?? Math.min(claimIdleMs ?? Infinity, REDIS_CONSUMER_DEFAULTS.maxClaimIntervalMs)

  const owned = options.client === undefined
  // Made only when started: a disabled consumer opens nothing.
  let client: RedisClient | undefined = options.client
  let commands!: () => RedisClient
  let reader: RedisClient | undefined
  let blocking!: () => RedisClient

  const deadlines = new Deadlines()
  const abort = new AbortController()
  const lifecycle = settleOnce()
  let started = false
  let loop: Promise<void> | undefined
  let stopping: Promise<void> | undefined
  let fatal: unknown

  let pipeline: ReturnType<typeof createPipeline<C, RedisMessage>>
  const control: Control = { signal: abort.signal, wait: (ms) => sleep(ms, abort.signal) }

  /** Streams whose own pending entries are being read, and the id to read after. */
  const pendingAfter = new Map<string, string>()
  /**
   * Counts the restarts from '0': a read of pending entries still in flight when one happens (its XACK partner
   * failed first) must not move the positions on past entries nobody will handle.
   */
  let pendingEpoch = 0
  const readPendingAgain = () => {
    pendingEpoch++
    streams.forEach((s) => pendingAfter.set(s, '0'))
  }
  /** Entries done with, not yet acknowledged (acknowledged before the next read). */
  const toAck = new Map<string, string[]>()
  let nextClaim = claimIdleMs === undefined ? Infinity : 0
  let groupsReady = false

  async function ensureGroups(applyStart: boolean): Promise<void> {
    const id = createAt(start)
    for (const s of streams) {
      try {
        await deadlines.race(
          commands().xGroupCreate(s, group, id, { MKSTREAM: true }),
          timeoutMs,
          'XGROUP CREATE',
        )
      } catch (e) {
        if (!isReply(e, 'BUSYGROUP')) throw e
        if (applyStart && start !== 'backlog')
          await deadlines.race(commands().xGroupSetId(s, group, id), timeoutMs, 'XGROUP SETID')
      }
    }
    groupsReady = true
  }

  let opened = false
  let startApplied = false
  let readerConnecting: Promise<unknown> | undefined
  /** Connects both connections and makes the groups (applying `start`); again after a failure, until it works. */
  async function open(): Promise<void> {
    const c = client as RedisClient
    await connector(c, owned, timeoutMs, deadlines)()
    if (!owned && !c.isReady)
      throw new TypeError('Redis consumer: connect the client you pass before start()')
    // `start` is applied once: an XGROUP SETID '$' repeated after a failed attempt would skip entries.
    if (!startApplied) await ensureGroups(true)
    startApplied = true
    if (!reader) {
      reader = c.duplicate()
      reader.on('error', () => undefined)
      blocking = timedCommands(reader, deadlines)
    }
    readerConnecting ??= reader.connect()
    await deadlines.race(readerConnecting, timeoutMs, 'connecting to Redis')
    readPendingAgain()
    opened = true
  }

  /** One XACK per stream, all sent at once (in order on the connection, before whatever is called next). */
  async function flushAcks(): Promise<void> {
    const sends: Promise<unknown>[] = []
    for (const [stream, ids] of toAck) {
      toAck.delete(stream)
      // When Redis does not take them, they go with the next flush.
      const retake = (e: unknown) => {
        for (const id of ids) acked(stream, id)
        throw e
      }
      sends.push(deadlines.race(commands().xAck(stream, group, ids), timeoutMs, 'XACK').catch(retake))
    }
    await Promise.all(sends)
  }

  function acked(stream: string, id: string) {
    let ids = toAck.get(stream)
    if (!ids) toAck.set(stream, (ids = []))
    ids.push(id)
  }

  async function claim(): Promise<void> {
    for (const s of streams) {
      let cursor = '0-0'
      do {
        const r = await deadlines.race(
          commands().xAutoClaimJustId(s, group, name, claimIdleMs as number, cursor, { COUNT: count }),
          timeoutMs,
          'XAUTOCLAIM',
        )
        if (r.messages.length) pendingAfter.set(s, pendingAfter.get(s) ?? '0')
        cursor = String(r.nextId)
      } while (cursor !== '0-0' && !abort.signal.aborted)
    }
    nextClaim = Date.now() + claimIntervalMs
  }

  type Batch = { name: string; messages: { id: string; message: Record<string, string> | null }[] }[]

  async function read(): Promise<Batch | null> {
    if (pendingAfter.size) {
      const keys = [...pendingAfter].map(([key, id]) => ({ key, id }))
      const epoch = pendingEpoch
      const r = (await deadlines.race(
        commands().xReadGroup(group, name, keys, { COUNT: count }),
        timeoutMs,
        'XREADGROUP',
      )) as Batch | null
      if (epoch !== pendingEpoch) return null // read again from '0': what this read delivered comes again
      const seen = new Set<string>()
      for (const { name: stream, messages } of r ?? []) {
        seen.add(stream)
        const last = messages[messages.length - 1]
        if (last) pendingAfter.set(stream, last.id)
        else pendingAfter.delete(stream)
      }
      for (const s of keys) if (!seen.has(s.key)) pendingAfter.delete(s.key)
      return r
    }
    const block = Math.max(1, Math.min(blockMs, nextClaim - Date.now()))
    // The server answers a blocking read after `block` ms at the latest: then it gets timeoutMs more.
    const reply = blocking().xReadGroup(
      group,
      name,
      streams.map((key) => ({ key, id: '>' })),
      { COUNT: count, BLOCK: block },
    )
    return (await deadlines.race(reply, block + timeoutMs, 'XREADGROUP BLOCK')) as Batch | null
  }

  /** A batch consumer's entries of one stream, `size` at a time; false when stop() came first. */
  async function processInBatches(
    stream: string,
    entries: Batch[number]['messages'],
    size: number,
  ): Promise<boolean> {
    const live: RedisMessage[] = []
    for (const { id, message } of entries)
      if (message == null)
        acked(stream, id) // deleted since (trimmed): nothing to handle
      else live.push(new RedisMessage(stream, id, message))
    for (let i = 0; i < live.length; i += size) {
      if (abort.signal.aborted) return false
      const chunk = live.slice(i, i + size)
      const done = await pipeline.processMany(chunk, control)
      for (const m of chunk.slice(0, done)) acked(stream, m.id)
      if (done < chunk.length) return false
    }
    return true
  }

  /**
   * The read's batch once the acknowledgements sent with it are settled too. A failed XACK does not throw the read
   * away (what it delivered is ours now, and a blocking read's entries would not come again): its ids are retaken
   * for the next flush and the failure goes to onError (so does a failed read, by throwing).
   */
  async function bothOf(acking: Promise<void>, reading: Promise<Batch | null>): Promise<Batch | null> {
    const [acks, read] = await Promise.allSettled([acking, reading])
    if (acks.status === 'rejected') options.onError?.(acks.reason)
    if (read.status === 'rejected') throw read.reason
    return read.value
  }

  async function run(): Promise<void> {
    let failures = 0
    /** The next read, asked for as soon as a batch came (its round trip overlaps handling that batch). */
    let ahead: Promise<Batch | null> | undefined
    try {
      while (!abort.signal.aborted) {
        let batch: Batch | null
        try {
          if (!opened) await open()
          if (ahead) {
            // The acknowledgements of the batch just handled go out now, while the read asked for earlier is
            // answered (on its own connection when it blocks; after it on this one when it reads pending entries,
            // which start after the last entry it delivered, so it never sees what is acknowledged here).
            const reading = ahead
            ahead = undefined
            batch = await bothOf(flushAcks(), reading)
          } else if (!groupsReady || Date.now() >= nextClaim) {
            await flushAcks()
            if (!groupsReady) await ensureGroups(false)
            if (Date.now() >= nextClaim) await claim()
            batch = await read()
          } else {
            // The acknowledgements and the next read go out together (one round trip, not two). XACK is sent
            // first on its connection, so a read of our own pending entries there no longer sees what it acks.
            const acking = flushAcks()
            batch = await bothOf(acking, read())
          }
          failures = 0
        } catch (e) {
          ahead = undefined
          if (abort.signal.aborted) return
          options.onError?.(e)
          if (isReply(e, 'NOGROUP')) groupsReady = false // the stream or group went away (a Redis without its data)
          readPendingAgain() // a read whose reply was lost delivered its entries to us: they are pending now
          await sleep(reconnectDelay(failures++), abort.signal)
          continue
        }
        // Read ahead while this batch is handled, unless a claim is due first. What it delivers is this consumer's
        // pending entries whatever happens next: handled after this batch, or, after a stop or a crash, read first
        // by the next consumer of this name (or claimed by another one after claimIdleMs).
        if (batch?.length && Date.now() < nextClaim) {
          ahead = read()
          ahead.catch(() => undefined) // its failure is met where it is awaited; after a stop, nowhere
        }
        const size = dispatcher.batch?.size
        for (const { name: stream, messages } of batch ?? []) {
          if (size !== undefined) {
            if (!(await processInBatches(stream, messages, size))) return
            continue
          }
          for (const { id, message } of messages) {
            if (abort.signal.aborted) return
            // A pending entry deleted since (trimmed): nothing to handle.
            if (message == null) {
              acked(stream, id)
              continue
            }
            const done = pipeline.process(new RedisMessage(stream, id, message), control)
            if (done !== true && !(await done)) return
            acked(stream, id)
          }
        }
      }
    } finally {
      // What is done is acknowledged; if Redis does not answer, those entries stay pending and come again.
      await deadlines.race(flushAcks(), timeoutMs, 'XACK').catch((e: unknown) => options.onError?.(e))
    }
  }

  function shutdown(error?: unknown): Promise<void> {
    fatal ??= error
    stopping ??= (async () => {
      abort.abort()
      // Interrupts a blocking read; what it had taken stays pending for this consumer name.
      if (reader) destroyQuietly(reader)
      if (loop) await loop.catch((e: unknown) => (fatal ??= e))
      if (owned && client) {
        const c = client
        if (c.isReady) await deadlines.race(c.close(), timeoutMs, 'closing').catch(() => destroyQuietly(c))
        else destroyQuietly(c)
      }
      if (fatal === undefined) lifecycle.resolve()
      else lifecycle.reject(fatal)
    })()
    return stopping
  }

  return {
    destinations: streams,
    closed: lifecycle.closed,
    async start() {
      if (started) throw new TypeError('start() may be called once')
      if (abort.signal.aborted) throw new TypeError('start() after stop()')
      started = true
      if (!enabled) return
      try {
        client ??= ownClient(options.url as string, timeoutMs, options.clientOptions)
        commands = timedCommands(client, deadlines)
        pipeline = createPipeline({
          ...options,
          dispatcher,
          deadLetters: redisDeadLetters(client, group, {
            stream: options.deadLetterStream,
            maxLen: options.deadLetterMaxLen,
            timeoutMs,
            deadlines,
          }),
          onFatal: (e) => void shutdown(e),
        })
        try {
          await open()
        } catch (e) {
          // Redis down or not answering: the loop keeps trying (with backoff) while the client reconnects.
          if (!isRetriable(e)) throw e
          options.onError?.(e)
        }
        loop = run()
        void loop.then(
          () => void shutdown(),
          (e: unknown) => void shutdown(e),
        )
      } catch (e) {
        await shutdown(e)
        throw e
      }
    },
    stop: () => shutdown(),
  }
}
