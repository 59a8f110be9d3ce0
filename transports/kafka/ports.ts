/**
 * The narrow slices of a Kafka client the adapter uses. kafkajs' `Kafka`, `Consumer`, `Producer` and `Admin`
 * satisfy them as they are; a fake or another client only has to provide these few methods. kafkajs types stay
 * in this folder: nothing outside transports/kafka/ names them.
 */
import type {
  ConsumerConfig,
  IHeaders,
  Message,
  ProducerConfig,
  RecordMetadata,
  TopicMessages,
} from 'kafkajs'

export type Headers = IHeaders

/** A record as it comes off the broker. */
export interface KafkaRecord {
  key: Buffer | null
  value: Buffer | null
  timestamp: string
  offset: string
  headers?: Headers
}

/** A record to send (a dead letter). */
export interface OutboundRecord {
  key: Buffer | string | null
  value: Buffer | string | null
  headers: Headers
}

/** Offsets by topic and partition, as kafkajs commits them. */
export interface TopicOffsets {
  topics: { topic: string; partitions: { partition: number; offset: string }[] }[]
}

/** What kafkajs hands `eachBatch`; only the parts used here. */
export interface BatchPayload {
  batch: { topic: string; partition: number; messages: KafkaRecord[] }
  resolveOffset(offset: string): void
  heartbeat(): Promise<void>
  /** Without offsets: commits the resolved ones if `autoCommitInterval` has passed. With offsets: commits those. */
  commitOffsetsIfNecessary(offsets?: TopicOffsets): Promise<void>
  /** Resolved and not yet committed. */
  uncommittedOffsets(): TopicOffsets
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

/** What the sink and the dead letters need of a producer. */
export interface ProducerPort {
  connect(): Promise<void>
  disconnect(): Promise<void>
  send(record: {
    topic: string
    acks?: number
    messages: (OutboundRecord | Message)[]
  }): Promise<RecordMetadata[]>
  sendBatch?(batch: { topicMessages: TopicMessages[]; acks?: number }): Promise<RecordMetadata[]>
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
  producer(config?: ProducerConfig): ProducerPort
  admin(): AdminPort
}

/** The first value of a header as text, or undefined. */
export function headerText(headers: Headers | undefined, name: string): string | undefined {
  const v = headers?.[name]
  const first = Array.isArray(v) ? v[0] : v
  return first === undefined ? undefined : typeof first === 'string' ? first : first.toString('utf8')
}
