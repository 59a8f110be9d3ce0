import type { ConsumerConfig } from 'kafkajs'
import { ContractError, type Issue } from '../core/index.ts'
import { acceptsVersion, type Accept } from './accept.ts'
import {
  deadLetterMessage,
  deadLetterTopicOf,
  sendDeadLetter,
  type DeadLetter,
  type DeadLetterReason,
  type DeadLetterTopic,
} from './dead-letter.ts'
import { CE_TYPE, decodeNow, type Decoded, type DecodeOptions } from './decode.ts'
import {
  allEvents,
  handlerDispatcher,
  retryHandler,
  topicsOf,
  type Dispatcher,
  type EventHandler,
  type HandlerOutcome,
  type Handlers,
  type MessageContext,
  type RetryHooks,
} from './dispatch.ts'
import {
  headerText,
  type AdminPort,
  type BatchPayload,
  type ConsumerPort,
  type InboundMessage,
  type KafkaPort,
  type ProducerPort,
  type RegistryPort,
} from './ports.ts'
import { backoff, RETRY_DEFAULTS, sleep, type RetryOptions } from './retry.ts'
import { createSchemaSource } from './schemas.ts'
import { fromBeginning, needsAdmin, planSeeks, type StartPosition } from './start.ts'

/** Something went wrong and is being tried again: a handler, the registry, or sending a dead letter. */
export interface RetryInfo {
  reason: 'handler' | 'registry' | 'dead-letter'
  topic: string
  partition: number
  offset: string
  attempt: number
  delayMs: number
  error: unknown
}

export interface CommonOptions {
  /** A kafkajs `Kafka` (or anything shaped like it): the consumer, producer and admin are made from it. */
  kafka?: KafkaPort
  /** Or bring your own clients. A producer is needed for dead letters; an admin for 'earliest'/'latest'/timestamp. */
  consumer?: ConsumerPort
  producer?: ProducerPort
  admin?: AdminPort
  groupId: string
  /** Settings for the consumer made from `kafka` (session timeout, heartbeat interval, …). */
  consumerConfig?: Partial<Omit<ConsumerConfig, 'groupId'>>
  /** Resolves schema URIs that are not in the generated catalog. Without it they are unknown (dead letter). */
  registry?: RegistryPort
  /** Validators compiled from registry schemas kept in memory. Default 100. */
  schemaCacheSize?: number
  /** Default `<topic>.dlq`. */
  deadLetterTopic?: DeadLetterTopic
  /** Handler retries; the same backoff paces retries of a registry that is down and of dead-letter sends. */
  retry?: Partial<RetryOptions>
  /**
   * Handler failures in a row (each after its retries, each dead-lettered) after which the consumer stops, and
   * `closed` rejects with ContractError TOO_MANY_ERRORS: something is wrong beyond one message (a database
   * down), and a supervisor restarting the process is better than dead-lettering everything. Default 10;
   * Infinity never stops. Invalid messages do not count: they are the producer's fault, not this consumer's.
   */
  maxConsecutiveErrors?: number
  start?: StartPosition
  /** Accepted schema versions per resource; others are dead-lettered with VERSION_NOT_ACCEPTED. */
  accept?: Accept
  /** kafkajs `partitionsConsumedConcurrently`. Default 1. Order per partition (so per key) holds either way. */
  partitionsConsumedConcurrently?: number
  onDeadLetter?: (deadLetter: DeadLetter) => void
  onRetry?: (info: RetryInfo) => void
}

export interface ConsumerOptions extends CommonOptions {
  handlers: Handlers
  /** Environment prefix, as the publishers': `staging` consumes `staging.callisto-person`. */
  topicPrefix?: string
}

export interface TopicConsumerOptions extends CommonOptions {
  topics: readonly string[]
  /** Called with every valid event, whatever its resource and action. */
  handle: EventHandler
}

export interface EventConsumer {
  readonly topics: readonly string[]
  /** Connects, subscribes, joins the group and applies the start position. Resolves once consuming. */
  start(): Promise<void>
  /**
   * Lets the running handler call finish, commits what is done, leaves the group and disconnects. Safe to call
   * more than once. From inside a handler, call it without awaiting (it waits for that handler).
   */
  stop(): Promise<void>
  /** Settles once stopped: resolves after stop(), rejects with ContractError TOO_MANY_ERRORS or a client crash. */
  readonly closed: Promise<void>
}

/** A consumer with typed handlers per resource and action, on the catalog topics of those resources. */
export function createConsumer(options: ConsumerOptions): EventConsumer {
  const topics = topicsOf(options.handlers, options.topicPrefix)
  if (topics.length === 0) throw new TypeError('createConsumer: no handlers for any resource in the catalog')
  return createLoop(options, topics, handlerDispatcher(options.handlers))
}

/** A consumer of raw topics that hands every valid event to one function (the CLI, tools). */
export function createTopicConsumer(options: TopicConsumerOptions): EventConsumer {
  if (options.topics.length === 0) throw new TypeError('createTopicConsumer: no topics')
  return createLoop(options, [...options.topics], allEvents(options.handle))
}

/** How long a single sleep may last before we heartbeat again. */
const HEARTBEAT_SLICE_MS = 1000

/**
 * At-least-once with kafkajs eachBatch: autoCommit on, auto-resolve off. An offset is resolved only after its
 * message was handled, skipped or dead-lettered, and kafkajs commits only resolved offsets (every 5 s, at the
 * end of each batch and when stopping). Leaving the batch early leaves the rest unresolved, so kafkajs fetches
 * them again: that is how a message waiting on the registry is retried without being committed.
 */
function createLoop(options: CommonOptions, topics: string[], dispatcher: Dispatcher): EventConsumer {
  const { kafka, groupId } = options
  const retry: RetryOptions = { ...RETRY_DEFAULTS, ...options.retry }
  const maxConsecutiveErrors = options.maxConsecutiveErrors ?? 10
  const start = options.start ?? { from: 'committed' }
  if (!(maxConsecutiveErrors >= 1)) throw new TypeError('maxConsecutiveErrors must be at least 1')

  const consumer: ConsumerPort =
    options.consumer ??
    kafka?.consumer({ ...options.consumerConfig, groupId }) ??
    misuse('pass kafka or consumer')
  const ownsProducer = options.producer === undefined
  const producer: ProducerPort =
    options.producer ??
    kafka?.producer({ allowAutoTopicCreation: true }) ??
    misuse('dead letters need a producer (pass kafka or producer)')
  const ownsAdmin = options.admin === undefined
  const admin = options.admin ?? (needsAdmin(start) ? kafka?.admin() : undefined)

  const decodeOptions: DecodeOptions = {
    schemas:
      options.registry && createSchemaSource(options.registry, { max: options.schemaCacheSize ?? 100 }),
    accepts: options.accept && acceptsVersion(options.accept),
  }
  const abort = new AbortController()
  let consecutiveErrors = 0
  let started = false
  let stopping: Promise<void> | undefined
  let settle!: { resolve: () => void; reject: (e: unknown) => void }
  const closed = new Promise<void>((resolve, reject) => (settle = { resolve, reject }))
  closed.catch(() => undefined) // the caller may never look; an unobserved rejection must not crash the process

  /** Sleeps in slices, heartbeating between them; false when stop() interrupts. */
  async function pause(ms: number, heartbeat: () => Promise<void>): Promise<boolean> {
    for (let left = ms; left > 0; left -= HEARTBEAT_SLICE_MS) {
      if (!(await sleep(Math.min(left, HEARTBEAT_SLICE_MS), abort.signal))) return false
      await heartbeat()
    }
    return !abort.signal.aborted
  }

  /**
   * After infrastructure (registry, dead-letter producer) failed once: waits with backoff and tries again until it
   * answers. Undefined when stop() comes first. The first try is the caller's, outside this loop: no closure and
   * no extra await on the happy path.
   */
  async function retryUntilAvailable<T>(
    reason: 'registry' | 'dead-letter',
    where: { topic: string; partition: number; offset: string },
    fn: () => Promise<T>,
    heartbeat: () => Promise<void>,
    firstError: unknown,
  ): Promise<T | undefined> {
    let error = firstError
    for (let attempt = 1; ; attempt++) {
      const delayMs = backoff(attempt, retry)
      options.onRetry?.({ reason, ...where, attempt, delayMs, error })
      if (!(await pause(delayMs, heartbeat))) return undefined
      try {
        return await fn()
      } catch (e) {
        error = e
      }
    }
  }

  async function deadLetter(
    topic: string,
    partition: number,
    message: InboundMessage,
    reason: DeadLetterReason,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    const deadLetterTopic = deadLetterTopicOf(options.deadLetterTopic, topic)
    const out = deadLetterMessage({ topic, partition, message }, reason, groupId)
    const where = { topic, partition, offset: message.offset }
    const send = () => sendDeadLetter(producer, deadLetterTopic, out).then(() => true)
    let sent: boolean | undefined
    try {
      sent = await send()
    } catch (e) {
      sent = await retryUntilAvailable('dead-letter', where, send, heartbeat, e)
    }
    if (!sent) return false
    options.onDeadLetter?.({ ...reason, ...where, deadLetterTopic })
    return true
  }

  /** True when the message is done with (handled, skipped or dead-lettered), false to leave it uncommitted. */
  async function processOne(
    topic: string,
    partition: number,
    message: InboundMessage,
    heartbeat: () => Promise<void>,
    hooks: RetryHooks,
  ): Promise<boolean> {
    if (!dispatcher.wants(headerText(message.headers, CE_TYPE))) return true
    let decoded: Decoded | undefined
    try {
      const d = decodeNow(message, decodeOptions)
      decoded = d instanceof Promise ? await d : d
    } catch (e) {
      // Only infrastructure throws here (a registry that is down): ask again until it answers or we stop.
      const where = { topic, partition, offset: message.offset }
      decoded = await retryUntilAvailable(
        'registry',
        where,
        async () => decodeNow(message, decodeOptions),
        heartbeat,
        e,
      )
    }
    if (decoded === undefined) return false
    if (!decoded.ok) {
      const reason = { code: decoded.code, message: summary(decoded.issues), issues: decoded.issues }
      return deadLetter(topic, partition, message, reason, heartbeat)
    }

    const handle = dispatcher.handlerFor(decoded.value)
    if (!handle) return true
    const context: MessageContext = {
      topic,
      partition,
      offset: message.offset,
      key: message.key,
      timestamp: message.timestamp,
      headers: message.headers ?? {},
      attempt: 1,
      version: decoded.value.version,
    }
    let outcome: HandlerOutcome
    try {
      const r = handle(decoded.value, context)
      if (r !== undefined) await r
      consecutiveErrors = 0
      return true
    } catch (error) {
      outcome = await retryHandler(handle, decoded.value, context, retry, hooks, error)
    }
    if (outcome.ok) {
      consecutiveErrors = 0
      return true
    }
    if (outcome.aborted) return false
    const error = outcome.error
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    const reason: DeadLetterReason = {
      code: 'HANDLER_FAILED',
      message: text,
      issues: [],
      attempts: outcome.attempts,
    }
    if (!(await deadLetter(topic, partition, message, reason, heartbeat))) return false
    if (++consecutiveErrors >= maxConsecutiveErrors) {
      const tooMany = `${consecutiveErrors} handler failures in a row; last: ${text}`
      void shutdown(new ContractError('TOO_MANY_ERRORS', tooMany, [], { cause: error }))
    }
    return true
  }

  async function eachBatch(payload: BatchPayload) {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload
    const { topic, partition } = batch
    const hooks: RetryHooks = {
      signal: abort.signal,
      wait: (ms) => pause(ms, heartbeat),
      onRetry: ({ offset, attempt }, delayMs, error) =>
        options.onRetry?.({ reason: 'handler', topic, partition, offset, attempt, delayMs, error }),
    }
    for (const message of batch.messages) {
      if (abort.signal.aborted || !isRunning() || isStale()) return
      if (!(await processOne(topic, partition, message, heartbeat, hooks))) return
      resolveOffset(message.offset)
      await commitOffsetsIfNecessary()
      await heartbeat()
    }
  }

  function shutdown(error?: unknown): Promise<void> {
    stopping ??= (async () => {
      abort.abort()
      let failure = error
      try {
        await consumer.stop()
        await consumer.disconnect()
      } catch (e) {
        failure ??= e
      }
      if (ownsProducer) await producer.disconnect().catch(() => undefined)
      if (failure === undefined) settle.resolve()
      else settle.reject(failure)
    })()
    return stopping
  }

  return {
    topics,
    closed,
    async start() {
      if (started) throw new TypeError('start() may be called once')
      started = true
      try {
        if (ownsProducer) await producer.connect()
        let seeks
        if (admin && ownsAdmin) {
          await admin.connect()
          seeks = await planSeeks(start, topics, admin).finally(() => admin.disconnect())
        } else seeks = await planSeeks(start, topics, admin)
        await consumer.connect()
        consumer.on?.('consumer.crash', ({ payload }) => {
          if (!payload.restart) void shutdown(payload.error)
        })
        await consumer.subscribe({ topics, fromBeginning: fromBeginning(start) })
        await consumer.run({
          eachBatch,
          eachBatchAutoResolve: false,
          autoCommit: true,
          autoCommitInterval: 5000,
          partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        })
        // kafkajs takes seeks only once run() has joined the group; batches fetched before are discarded (isStale).
        for (const s of seeks) consumer.seek(s)
      } catch (e) {
        await shutdown(e)
        throw e
      }
    },
    stop: () => shutdown(),
  }
}

function misuse(message: string): never {
  throw new TypeError(`createConsumer: ${message}`)
}

function summary(issues: readonly Issue[]): string {
  const first = issues[0]
  if (!first) return 'invalid'
  const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : ''
  return `${first.path || '/'}: ${first.message}${more}`
}
