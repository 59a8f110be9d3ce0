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
  /** The whole envelope as JSON; bytes when framed (Confluent's wire format: magic byte, schema id, JSON). */
  readonly value: string | Uint8Array
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

/** A message as the encoder makes it: the envelope's JSON text (framing, when asked for, comes after). */
export type EncodedMessage = OutboundMessage & { readonly value: string }

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

/** A resource version as a schema registry with global ids (Confluent's API) knows it. */
export interface SchemaVersionRef {
  readonly resource: string
  readonly version: number
  /** The schema's `$id`. */
  readonly uri: string
  /** The resource's `x-topic` (no environment prefix): Confluent's subject is `<topic>-value`. */
  readonly topic: string
  /** The schema itself, when the caller has it; the port may fetch it by `uri` otherwise. */
  readonly schema?: unknown
}

/**
 * Global schema ids, as Confluent's wire format carries them. `idOf` gives the id of a resource version's schema
 * (a ContractError SCHEMA_NOT_FOUND when the registry has no such schema; retriable REGISTRY_UNAVAILABLE when it
 * does not answer); `schemaOf` the schema registered under an id, or undefined when no schema has it (throws
 * retriable when down, SCHEMA_INVALID when the id's schema is not a JSON Schema).
 */
export interface SchemaIdPort {
  idOf(ref: SchemaVersionRef): Promise<number>
  schemaOf(id: number): Promise<unknown>
}
