/**
 * The narrow slices of a Kafka client the consumer uses. kafkajs' `Kafka`, `Consumer`, `Producer` and `Admin`
 * satisfy them as they are; a fake or another client only has to provide these few methods.
 */
import type { ConsumerConfig, IHeaders } from 'kafkajs'

export type Headers = IHeaders

/** A record as it comes off the broker. */
export interface InboundMessage {
  key: Buffer | null
  value: Buffer | null
  timestamp: string
  offset: string
  headers?: Headers
}

/** A record to send (a dead letter). */
export interface OutboundMessage {
  key: Buffer | string | null
  value: Buffer | string | null
  headers: Headers
}

/** What kafkajs hands `eachBatch`; only the parts used here. */
export interface BatchPayload {
  batch: { topic: string; partition: number; messages: InboundMessage[] }
  resolveOffset(offset: string): void
  heartbeat(): Promise<void>
  commitOffsetsIfNecessary(): Promise<void>
  isRunning(): boolean
  isStale(): boolean
}

export interface RunConfig {
  eachBatch: (payload: BatchPayload) => Promise<void>
  eachBatchAutoResolve: false
  autoCommit: true
  autoCommitInterval: number
  partitionsConsumedConcurrently: number
}

export interface CrashEvent {
  payload: { error: Error; restart: boolean }
}

export interface ConsumerPort {
  connect(): Promise<void>
  disconnect(): Promise<void>
  subscribe(subscription: { topics: string[]; fromBeginning?: boolean }): Promise<void>
  run(config: RunConfig): Promise<void>
  stop(): Promise<void>
  seek(position: { topic: string; partition: number; offset: string }): void
  /** kafkajs' instrumentation: used to learn that the client gave up (a crash it will not restart from). */
  on?(event: 'consumer.crash', listener: (event: CrashEvent) => void): unknown
}

export interface ProducerPort {
  connect(): Promise<void>
  disconnect(): Promise<void>
  send(record: { topic: string; acks?: number; messages: OutboundMessage[] }): Promise<unknown>
}

export interface AdminPort {
  connect(): Promise<void>
  disconnect(): Promise<void>
  fetchTopicOffsets(
    topic: string,
  ): Promise<Array<{ partition: number; offset: string; high: string; low: string }>>
  fetchTopicOffsetsByTimestamp(
    topic: string,
    timestamp?: number,
  ): Promise<Array<{ partition: number; offset: string }>>
}

export interface KafkaPort {
  consumer(config: ConsumerConfig): ConsumerPort
  producer(config?: { allowAutoTopicCreation?: boolean }): ProducerPort
  admin(): AdminPort
}

/** The schema registry as the consumer sees it: undefined when it does not know the URI; throws (retriable) when down. */
export interface RegistryPort {
  getByUri(uri: string): Promise<unknown | undefined>
}

/** The first value of a header as text, or undefined. */
export function headerText(headers: Headers | undefined, name: string): string | undefined {
  const v = headers?.[name]
  const first = Array.isArray(v) ? v[0] : v
  return first === undefined ? undefined : typeof first === 'string' ? first : first.toString('utf8')
}
