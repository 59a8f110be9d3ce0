/**
 * The Kafka runner: batches, heartbeats, commits, seeks and start positions, over the kernel's inbound pipeline.
 * At-least-once with kafkajs eachBatch: autoCommit on, auto-resolve off. An offset is resolved only after its
 * message was handled, skipped or dead-lettered, and only resolved offsets are committed: every `commitEvery.ms`
 * (kafkajs' autoCommitInterval) or `commitEvery.messages` messages (ours), at the end of each batch and when
 * stopping. What a crash redelivers is what was handled since the last commit. Leaving the batch early leaves the
 * rest unresolved, so kafkajs fetches them again: that is how a message waiting on the registry is retried without
 * being committed.
 */
import type { ConsumerConfig } from 'kafkajs'
import {
  backoff,
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
import { kafkaDeadLetters, type DeadLetterTopic } from './dead-letter.ts'
import { isRetriableKafkaError } from './errors.ts'
import { KafkaMessage } from './message.ts'
import type { AdminPort, BatchPayload, ConsumerPort, KafkaPort, ProducerPort } from './ports.ts'
import { fromBeginning, needsAdmin, planSeeks, type StartPosition } from './start.ts'

export interface KafkaCommonOptions<C extends Catalog> extends PipelineConsumerOptions<C, KafkaMessage> {
  /** A kafkajs `Kafka` (or anything shaped like it): the consumer, producer and admin are made from it. */
  kafka?: KafkaPort
  /** Or bring your own clients. A producer is needed for dead letters; an admin for 'earliest'/'latest'/timestamp. */
  consumer?: ConsumerPort
  producer?: ProducerPort
  admin?: AdminPort
  groupId: string
  /** Settings for the consumer made from `kafka` (session timeout, heartbeat interval, …). */
  consumerConfig?: Partial<Omit<ConsumerConfig, 'groupId'>>
  /** Default `<topic>.dlq`. */
  deadLetterTopic?: DeadLetterTopic
  start?: StartPosition
  /** kafkajs `partitionsConsumedConcurrently`. Default 1. Order per partition (so per key) holds either way. */
  partitionsConsumedConcurrently?: number
  /**
   * Commit handled offsets at least this often, so that a consumer killed without stopping redelivers at most
   * about this much. Default `{ messages: 5000, ms: 1000 }`: about a second of traffic or 5,000 messages, whichever
   * comes first (a commit is one round trip to the group coordinator). Batch ends and stop() commit too.
   */
  commitEvery?: CommitEvery
}

export interface CommitEvery {
  messages?: number
  ms?: number
}

export const COMMIT_EVERY_DEFAULTS: Required<CommitEvery> = { messages: 5000, ms: 1000 }

export function resolveCommitEvery(commitEvery: CommitEvery | undefined): Required<CommitEvery> {
  const r = { ...COMMIT_EVERY_DEFAULTS, ...commitEvery }
  for (const [name, value] of Object.entries(r))
    if (!(value >= 1) || Number.isNaN(value))
      throw new TypeError(`commitEvery.${name} must be a number >= 1, got ${String(value)}`)
  return r
}

export type KafkaConsumerOptions<C extends Catalog> = KafkaCommonOptions<C> & HandlersOptions<C, KafkaMessage>

export type KafkaTopicConsumerOptions<C extends Catalog> = KafkaCommonOptions<C> &
  HandleAllOptions<C, KafkaMessage>

/** A topic consumer whose valid events go to `handleBatch`, up to `batchSize` at a time. */
export type KafkaBatchConsumerOptions<C extends Catalog> = KafkaCommonOptions<C> &
  HandleBatchOptions<C, KafkaMessage>

/** A consumer with typed handlers per resource and action, on the catalog topics of those resources. */
export function createKafkaConsumer<C extends Catalog>(options: KafkaConsumerOptions<C>): EventConsumer {
  const topics = destinationsOf(options.catalog, options.handlers, options.topicPrefix)
  if (topics.length === 0)
    throw new TypeError('createKafkaConsumer: no handlers for any resource in the catalog')
  return createRunner(options, topics, handlerDispatcher(options.handlers))
}

/**
 * A consumer of raw topics that hands every valid event to one function (the CLI, tools), or up to `batchSize`
 * consecutive events of a partition at a time to `handleBatch`.
 */
export function createKafkaTopicConsumer<C extends Catalog>(
  options: KafkaTopicConsumerOptions<C>,
): EventConsumer {
  if (options.destinations.length === 0) throw new TypeError('createKafkaTopicConsumer: no topics')
  return createRunner(options, [...options.destinations], topicDispatcher(options))
}

/**
 * A consumer of raw topics whose valid events go to `handleBatch`, up to `batchSize` consecutive ones of a partition at a
 * time (what the transport delivered together: no waiting to fill a batch). A batch is retried as one; messages are
 * committed only once it succeeded or its events were dead-lettered.
 */
export function createKafkaBatchConsumer<C extends Catalog>(
  options: KafkaBatchConsumerOptions<C>,
): EventConsumer {
  if (options.destinations.length === 0) throw new TypeError('createKafkaBatchConsumer: no topics')
  return createRunner(options, [...options.destinations], topicDispatcher(options))
}

/** How long a single sleep may last before we heartbeat again. */
const HEARTBEAT_SLICE_MS = 1000
/**
 * How often, at most, a run of messages handled without waiting asks kafkajs for a commit and a heartbeat (each an
 * async call that mostly finds nothing due): a commit or heartbeat comes at most this much later than it would.
 */
const HOUSEKEEPING_MS = 50

function createRunner<C extends Catalog>(
  options: KafkaCommonOptions<C>,
  topics: string[],
  dispatcher: Dispatcher<C, KafkaMessage>,
): EventConsumer {
  const { kafka, groupId } = options
  const start = options.start ?? { from: 'committed' }
  const commitEvery = resolveCommitEvery(options.commitEvery)
  // Resolved since the last commit we asked for or the last batch end (kafkajs commits everything resolved there).
  let sinceCommit = 0
  // When to next ask kafkajs whether a commit or a heartbeat is due, after messages handled without waiting.
  const housekeepingMs = Math.min(HOUSEKEEPING_MS, commitEvery.ms)
  let nextHousekeeping = 0

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

  const abort = new AbortController()
  const lifecycle = settleOnce()
  let started = false
  let stopping: Promise<void> | undefined

  const pipeline = createPipeline({
    ...options,
    dispatcher,
    deadLetters: kafkaDeadLetters(producer, groupId, options.deadLetterTopic),
    onFatal: (error) => void shutdown(error),
  })

  /** Sleeps in slices, heartbeating between them; false when stop() interrupts. */
  async function pause(ms: number, heartbeat: () => Promise<void>): Promise<boolean> {
    for (let left = ms; left > 0; left -= HEARTBEAT_SLICE_MS) {
      if (!(await sleep(Math.min(left, HEARTBEAT_SLICE_MS), abort.signal))) return false
      await heartbeat()
    }
    return !abort.signal.aborted
  }

  async function eachBatch(payload: BatchPayload) {
    try {
      await handleBatch(payload)
    } finally {
      sinceCommit = 0
    }
  }

  async function handleBatch(payload: BatchPayload) {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, uncommittedOffsets } = payload
    const { isRunning, isStale } = payload
    const { topic, partition } = batch
    const control: Control = { signal: abort.signal, wait: (ms) => pause(ms, heartbeat) }
    const size = dispatcher.batch?.size
    if (size !== undefined) {
      // A batch consumer: up to `size` records at a time; the offset of the last one done is resolved.
      for (let i = 0; i < batch.messages.length; i += size) {
        if (abort.signal.aborted || !isRunning() || isStale()) return
        const records = batch.messages.slice(i, i + size)
        const done = await pipeline.processMany(
          records.map((r) => new KafkaMessage(topic, partition, r)),
          control,
        )
        if (done > 0) resolveOffset((records[done - 1] as (typeof records)[number]).offset)
        sinceCommit += done
        if (sinceCommit >= commitEvery.messages) {
          sinceCommit = 0
          await commitOffsetsIfNecessary(uncommittedOffsets())
        } else await commitOffsetsIfNecessary() // kafkajs commits if commitEvery.ms has passed
        await heartbeat()
        if (done < records.length) return
      }
      return
    }
    // Per message, only what can change without an await is checked: stop() from a handler aborts at once, while a
    // seek or kafkajs stopping can only happen while we wait, so isRunning/isStale (a JSON key per call in kafkajs)
    // are asked after each await. The offset of the last message done is resolved before each await and on return
    // (kafkajs commits only what was resolved, and parses each offset it is given).
    let awaited = true
    let done: string | undefined
    try {
      for (const record of batch.messages) {
        if (abort.signal.aborted) return
        if (awaited) {
          if (!isRunning() || isStale()) return
          awaited = false
        }
        const handled = pipeline.process(new KafkaMessage(topic, partition, record), control)
        if (handled !== true) {
          if (done !== undefined) resolveOffset(done)
          done = undefined
          awaited = true
          if (!(await handled)) return
        }
        done = record.offset
        if (++sinceCommit >= commitEvery.messages) {
          sinceCommit = 0
          resolveOffset(done)
          done = undefined
          awaited = true
          await commitOffsetsIfNecessary(uncommittedOffsets())
          await heartbeat()
          nextHousekeeping = Date.now() + housekeepingMs
        } else if (handled !== true || Date.now() >= nextHousekeeping) {
          // kafkajs commits if commitEvery.ms has passed, and heartbeats if its interval has. Both only look at the
          // clock unless one is due: after a message that waited, and otherwise every few ms rather than per message.
          resolveOffset(done)
          done = undefined
          awaited = true
          await commitOffsetsIfNecessary()
          await heartbeat()
          nextHousekeeping = Date.now() + housekeepingMs
        }
      }
    } finally {
      if (done !== undefined) resolveOffset(done)
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
      if (failure === undefined) lifecycle.resolve()
      else lifecycle.reject(failure)
    })()
    return stopping
  }

  return {
    destinations: topics,
    closed: lifecycle.closed,
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
        await subscribe(consumer, { topics, fromBeginning: fromBeginning(start) }, abort.signal)
        await consumer.run({
          eachBatch,
          eachBatchAutoResolve: false,
          autoCommit: true,
          autoCommitInterval: commitEvery.ms,
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

/** How long start() keeps asking for the topics' metadata before it gives up. */
const SUBSCRIBE_WITHIN_MS = 30_000

/**
 * kafkajs' subscribe asks one broker for the topics' metadata and fails on UNKNOWN_TOPIC_OR_PARTITION, which a
 * cluster answers for a moment after a topic was created (on another broker): asked again, with backoff.
 */
async function subscribe(
  consumer: ConsumerPort,
  subscription: { topics: string[]; fromBeginning: boolean },
  signal: AbortSignal,
): Promise<void> {
  const started = Date.now()
  for (let attempt = 1; ; attempt++) {
    try {
      return await consumer.subscribe(subscription)
    } catch (e) {
      if (!isRetriableKafkaError(e) || Date.now() - started > SUBSCRIBE_WITHIN_MS) throw e
      if (!(await sleep(backoff(attempt, { initialMs: 100, maxMs: 2000 }), signal))) throw e
    }
  }
}

function misuse(message: string): never {
  throw new TypeError(`createKafkaConsumer: ${message}`)
}
