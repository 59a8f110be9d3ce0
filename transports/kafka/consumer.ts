/**
 * The Kafka runner: batches, heartbeats, commits, seeks and start positions, over the kernel's inbound pipeline.
 * At-least-once with kafkajs eachBatch: autoCommit on, auto-resolve off. An offset is resolved only after its
 * message was handled, skipped or dead-lettered, and kafkajs commits only resolved offsets (every 5 s, at the end
 * of each batch and when stopping). Leaving the batch early leaves the rest unresolved, so kafkajs fetches them
 * again: that is how a message waiting on the registry is retried without being committed.
 */
import type { ConsumerConfig } from 'kafkajs'
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
import { kafkaDeadLetters, type DeadLetterTopic } from './dead-letter.ts'
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

function createRunner<C extends Catalog>(
  options: KafkaCommonOptions<C>,
  topics: string[],
  dispatcher: Dispatcher<C, KafkaMessage>,
): EventConsumer {
  const { kafka, groupId } = options
  const start = options.start ?? { from: 'committed' }

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
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload
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
        await commitOffsetsIfNecessary()
        await heartbeat()
        if (done < records.length) return
      }
      return
    }
    for (const record of batch.messages) {
      if (abort.signal.aborted || !isRunning() || isStale()) return
      if (!(await pipeline.process(new KafkaMessage(topic, partition, record), control))) return
      resolveOffset(record.offset)
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
  throw new TypeError(`createKafkaConsumer: ${message}`)
}
