/**
 * The kernel's ports: what a transport adapter implements so that the publisher and the inbound pipeline can run
 * on it. Narrow on purpose: a Kafka producer, a Redis client or an in-memory array fits behind them.
 */
import type { CloudEventAttributes } from './cloudevents.ts'

/** One encoded event, ready for any transport: where it goes, its key, its bytes and its attributes. */
export interface OutboundMessage {
  /** The topic or stream, environment prefix included. */
  readonly destination: string
  /** The partition key (the resource's `x-key` value): one resource's events stay in order. */
  readonly key: string
  /** The whole envelope as JSON. */
  readonly value: string
  readonly attributes: CloudEventAttributes
  /** The caller's own headers; the CloudEvents attributes always win over them. */
  readonly headers: Readonly<Record<string, string>> | undefined
  /** The event id (`attributes.id`). */
  readonly id: string
}

/**
 * Where a publisher's events go. `P` is the transport's own position of one message (Kafka: partition and
 * offset; Redis: the entry id), `B` what a batch reports. A failure is a ContractError SEND_FAILED whose
 * `retriable` says whether trying again may succeed.
 */
export interface Sink<P = unknown, B = unknown> {
  send(message: OutboundMessage): Promise<P>
  /** All or nothing as far as the transport allows: one request where it can. */
  sendBatch(messages: readonly OutboundMessage[]): Promise<B>
  connect?(): Promise<void>
  close?(): Promise<void>
}

/** The position type of a sink. */
export type PositionOf<S> = S extends Sink<infer P, unknown> ? P : never
export type BatchPositionOf<S> = S extends Sink<unknown, infer B> ? B : never

/**
 * A message as a transport delivers it to the inbound pipeline. The transport keeps its own record behind it
 * (for dead letters and commits); the pipeline reads only these.
 */
export interface InboundMessage {
  /** The topic or stream it came from. */
  readonly origin: string
  /** The value bytes; null or empty is not an event (a Kafka tombstone). */
  readonly value: Uint8Array | string | null
  /** A CloudEvents attribute as the transport carries it (`type` is Kafka's `ce_type` header), or undefined. */
  attribute(name: keyof CloudEventAttributes): string | undefined
}

/** The schema registry as the pipeline sees it: undefined when it does not know the URI; throws (retriable) when down. */
export interface SchemaLookupPort {
  getByUri(uri: string): Promise<unknown>
}
