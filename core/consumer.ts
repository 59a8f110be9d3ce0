/** What every transport's consumer shares: its lifecycle, and the options that shape the inbound pipeline. */
import type { Accept } from './accept.ts'
import type { Catalog } from './catalog.ts'
import {
  allEvents,
  batchEvents,
  type BatchHandler,
  type Dispatcher,
  type EventHandler,
  type Handlers,
} from './dispatch.ts'
import type { DeadLetter, RetryInfo } from './pipeline.ts'
import type { InboundMessage, SchemaIdPort, SchemaLookupPort } from './ports.ts'
import type { RetryOptions } from './retry.ts'

export interface EventConsumer {
  /** The topics or streams it reads. */
  readonly destinations: readonly string[]
  /** Connects, subscribes or joins the group, and applies the start position. Resolves once consuming. */
  start(): Promise<void>
  /**
   * Lets the running handler call finish, commits or acknowledges what is done, and disconnects. Safe to call more
   * than once. From inside a handler, call it without awaiting (it waits for that handler).
   */
  stop(): Promise<void>
  /** Settles once stopped: resolves after stop(), rejects with ContractError TOO_MANY_ERRORS or a client crash. */
  readonly closed: Promise<void>
}

/** The pipeline's options, the same on every transport. */
export interface PipelineConsumerOptions<C extends Catalog, M extends InboundMessage> {
  catalog: C
  /** Resolves schema URIs that are not in the catalog (a registry client). Without it they are unknown. */
  registry?: SchemaLookupPort
  /** Resolves the schema ids of Confluent-framed values (a registry client's `schemaIds()`); see docs/wire-format.md. */
  schemaIds?: SchemaIdPort
  /** Validators compiled from registry schemas kept in memory. Default 100. */
  schemaCacheSize?: number
  /** Handler retries; the same backoff paces retries of a registry that is down and of dead-letter sends. */
  retry?: Partial<RetryOptions>
  /** Handler failures in a row after which the consumer stops with TOO_MANY_ERRORS. Default 10. */
  maxConsecutiveErrors?: number
  /** Accepted schema versions per resource; others are dead-lettered with VERSION_NOT_ACCEPTED. */
  accept?: Accept<C>
  onDeadLetter?: (deadLetter: DeadLetter<M>) => void
  onRetry?: (info: RetryInfo<M>) => void
}

/** Typed handlers per resource and action, on the destinations of those resources. */
export interface HandlersOptions<C extends Catalog, M extends InboundMessage> {
  handlers: Handlers<C, M>
  /** Environment prefix, as the publishers': `staging` consumes `staging.callisto-person`. */
  topicPrefix?: string
}

/** Raw destinations, every valid event to one function (the CLI, tools). */
export interface HandleAllOptions<C extends Catalog, M extends InboundMessage> {
  destinations: readonly string[]
  handle: EventHandler<C, M>
  handleBatch?: undefined
}

/**
 * Raw destinations, the valid events to one function several at a time: up to `batchSize` consecutive messages of
 * one partition or stream, as the transport delivered them (no waiting to fill a batch). A batch is retried as a
 * whole and, when it keeps failing, each of its events is dead-lettered; messages are committed only then.
 */
export interface HandleBatchOptions<C extends Catalog, M extends InboundMessage> {
  destinations: readonly string[]
  handleBatch: BatchHandler<C, M>
  batchSize: number
  handle?: undefined
}

/** Whichever of the two a topic consumer was given, as its dispatcher. */
export type TopicHandling<C extends Catalog, M extends InboundMessage> =
  HandleAllOptions<C, M> | HandleBatchOptions<C, M>

/** A lifecycle helper for runners: one `closed` promise, settled once. */
export function settleOnce(): {
  closed: Promise<void>
  resolve: () => void
  reject: (e: unknown) => void
} {
  let settle!: { resolve: () => void; reject: (e: unknown) => void }
  const closed = new Promise<void>((resolve, reject) => (settle = { resolve, reject }))
  closed.catch(() => undefined) // the caller may never look; an unobserved rejection must not crash the process
  return { closed, ...settle }
}

/** The dispatcher of a topic consumer: one handler per event, or a batch handler. */
export function topicDispatcher<C extends Catalog, M extends InboundMessage>(
  options: TopicHandling<C, M>,
): Dispatcher<C, M> {
  return options.handleBatch
    ? batchEvents(options.handleBatch, options.batchSize)
    : allEvents(options.handle as EventHandler<C, M>)
}
