/**
 * The typed publisher, over any sink: validates before anything is handed to the transport, so no invalid event
 * is ever sent. The types come from the catalog it is given.
 */
import {
  indexCatalog,
  type Action,
  type Catalog,
  type ContentOf,
  type KeyOf,
  type LatestOf,
  type ResourceOf,
  type ResourceReference,
  type VersionOf,
} from './catalog.ts'
import {
  createEncoder,
  encodeBatch,
  encodeError,
  encodeOrThrow,
  type BatchInput,
  type EncodeMeta,
} from './encode.ts'
import { ContractError, isContractError } from './errors.ts'
import type { OutboundMessage, SchemaIdPort, Sink } from './ports.ts'
import { createSchemaIdCache } from './schema-ids.ts'
import { backoff, sleep } from './retry.ts'
import { checkTopicPrefix } from './topics.ts'
import { frameValue } from './wire.ts'

/**
 * Tries a retriable SEND_FAILED again, with exponential backoff, until `maxElapsedMs` have passed since the first
 * attempt; then the last failure reaches the caller (still retriable). A retry is a new send: an event whose first
 * send was written but not acknowledged (a timeout) is written twice, with the same id. Events published one at a
 * time keep their order; events in flight at once may land in another order when one of them is retried.
 */
export interface PublishRetry {
  maxElapsedMs: number
  /** First wait; doubles each attempt up to `maxMs`. Defaults 100 and 2,000. */
  initialMs?: number
  maxMs?: number
}

const NO_RETRY: Required<PublishRetry> = { maxElapsedMs: 0, initialMs: 100, maxMs: 2000 }

export function resolvePublishRetry(retry: PublishRetry | undefined): Required<PublishRetry> {
  const r = { ...NO_RETRY, ...retry }
  for (const [name, value] of Object.entries(r))
    if (!Number.isFinite(value) || value < 0)
      throw new TypeError(`retry.${name} must be a finite number >= 0, got ${String(value)}`)
  return r
}

/**
 * How values are written: `json` (the default), the envelope's JSON; `confluent`, Confluent's wire format (magic
 * byte 0, the schema id of the resource version, then the same JSON), the id asked of `schemaIds` once per version.
 */
export type WireFormatOptions =
  | { wireFormat?: 'json'; schemaIds?: undefined }
  | {
      wireFormat: 'confluent'
      /** Where ids come from: the registry client's `schemaIds()` (Confluent's API under `/ccompat`). */
      schemaIds: SchemaIdPort
    }

export type PublisherOptions<C extends Catalog, S extends Sink> = PublisherBaseOptions<C, S> &
  WireFormatOptions

export interface PublisherBaseOptions<C extends Catalog, S extends Sink> {
  catalog: C
  /** The transport: Kafka (`kafkaSink`), Redis, in memory, an outbox… */
  sink: S
  /** `source` of every event: a URI reference naming the service, e.g. `urn:callisto:timecard-restapi`. */
  source: string
  /** Environment prefix: `staging` sends person events to `staging.callisto-person`. */
  topicPrefix?: string
  newId?: () => string
  now?: () => Date
  /** Retry retriable send failures for up to `maxElapsedMs` before rejecting. Off by default. */
  retry?: PublishRetry
}

/** Per-event choices; the id and time are generated when absent. */
export interface PublishOptions<V extends number = number> {
  /** The schema version the content conforms to; the latest by default. */
  version?: V
  id?: string
  time?: string
  /** Extra transport headers. The CloudEvents attributes are always ours. */
  headers?: Readonly<Record<string, string>>
}

export interface ReferenceOptions<V extends number = number> extends PublishOptions<V> {
  /** Partition key; `reference.id` by default. Pass the resource's key (e.g. a time entry's ownerId) to keep order with its other events. */
  key?: string
}

/** Where one event went: the destination, its id, and the transport's own position (Kafka: partition, offset). */
export interface Published<P> {
  destination: string
  id: string
  position: P
}

export interface BatchPublished<B> {
  /** The events' ids, in the order given. */
  ids: string[]
  /** What the transport reports for the batch (Kafka: a base offset per topic partition). */
  positions: B
}

type Meta = { id?: string; time?: string; headers?: Readonly<Record<string, string>> }

/**
 * A reference carries `id`, but a resource keyed by another field (a time entry by `ownerId`) must name its key, or
 * its delete would land on another partition and could overtake the entry's earlier events: the compiler asks.
 */
export type ReferenceKey<C extends Catalog, R extends ResourceOf<C>> =
  KeyOf<C, R> extends 'id' ? { key?: string } : { key: string }
// The latest version may be left out; any other must be named, so the content type and the schema URI agree.
type VersionField<C extends Catalog, R extends ResourceOf<C>, V extends VersionOf<C, R>> =
  V extends LatestOf<C, R> ? { version?: V } : { version: V }

/** One event of a batch: content of a resource version, or a reference to one. */
export type BatchEvent<C extends Catalog> = {
  [R in ResourceOf<C>]: {
    [V in VersionOf<C, R>]:
      | ({ resource: R; action: Action; content: ContentOf<C, R, V>; reference?: undefined } & VersionField<
          C,
          R,
          V
        > &
          Meta)
      | ({
          resource: R
          action: Action
          reference: ResourceReference
          content?: undefined
          version?: V
        } & ReferenceKey<C, R> &
          Meta)
  }[VersionOf<C, R>]
}[ResourceOf<C>]

export interface Publisher<C extends Catalog, P = unknown, B = unknown> {
  publish<R extends ResourceOf<C>, V extends VersionOf<C, R> = LatestOf<C, R>>(
    resource: R,
    action: Action,
    content: ContentOf<C, R, V>,
    options?: PublishOptions<V>,
  ): Promise<Published<P>>
  /** For deletes and to save bandwidth (Callisto): the content is a ResourceReference. */
  publishReference<R extends ResourceOf<C>, V extends VersionOf<C, R> = LatestOf<C, R>>(
    resource: R,
    action: Action,
    reference: ResourceReference,
    ...options: ReferenceKey<C, R> extends { key: string }
      ? [ReferenceOptions<V> & ReferenceKey<C, R>]
      : [(ReferenceOptions<V> & ReferenceKey<C, R>)?]
  ): Promise<Published<P>>
  /**
   * Sends a whole event built elsewhere (read from a file, relayed from an outbox) as it is, extra envelope fields
   * included, once it validates; its destination comes from `resource.schema`. Unknown URI: UNKNOWN_SCHEMA.
   */
  publishEvent(
    event: unknown,
    options?: { headers?: Readonly<Record<string, string>> },
  ): Promise<Published<P>>
  /** Validates every event first; sends nothing unless all are valid, then sends them in one request. */
  publishBatch(events: readonly BatchEvent<C>[]): Promise<BatchPublished<B>>
  /** Connects the sink now (it also connects on first send where it needs to). */
  connect(): Promise<void>
  disconnect(): Promise<void>
}

/** A failure from the sink as SEND_FAILED, keeping its `retriable` when it has one. */
export function sendFailed(cause: unknown, message: string): ContractError {
  if (isContractError(cause, 'SEND_FAILED')) return cause
  const retriable =
    typeof cause === 'object' && cause !== null && 'retriable' in cause && cause.retriable === true
  const reason = cause instanceof Error ? `: ${cause.message}` : ''
  return new ContractError('SEND_FAILED', message + reason, [], { cause, retriable })
}

export function createPublisher<C extends Catalog, P, B>(
  options: PublisherOptions<C, Sink<P, B>>,
): Publisher<C, P, B> {
  // newId and now as given: the encoder's own defaults (crypto.randomUUID, and an ISO string made once per
  // millisecond instead of a Date and toISOString per event) are cheaper than wrapping them here.
  const { catalog, sink, source, topicPrefix, newId, now } = options
  checkTopicPrefix(topicPrefix, catalog)
  const encoder = createEncoder(catalog, { source, newId, now, topicPrefix })
  const retry = resolvePublishRetry(options.retry)
  const framed = wireFraming(catalog, options)
  // disconnect() ends the waits of retries in progress: they reject with their last failure.
  let closing = new AbortController()

  /** When a send started, for the retry window (read only when retrying is on: the clock is not free). */
  const startOf = () => (retry.maxElapsedMs === 0 ? 0 : Date.now())

  /**
   * After a send started at `started` failed with `first`: SEND_FAILED, or, when it is retriable and retrying is on,
   * `call` again with backoff until one succeeds or `maxElapsedMs` have passed. Apart from the happy path, so that
   * a send that succeeds makes no closure, message or clock reading for a retry it does not need.
   */
  async function retrying<T>(
    first: unknown,
    started: number,
    call: () => Promise<T>,
    message: string,
  ): Promise<T> {
    let e = first
    for (let n = 1; ; n++) {
      const failure = sendFailed(e, message)
      if (!failure.retriable || retry.maxElapsedMs === 0) throw failure
      const left = retry.maxElapsedMs - (Date.now() - started)
      if (left <= 0 || !(await sleep(Math.min(backoff(n, retry), left), closing.signal)))
        throw new ContractError(
          'SEND_FAILED',
          `${failure.message} (gave up after ${n} attempts in ${Date.now() - started} ms)`,
          [],
          { cause: failure.cause, retriable: true },
        )
      try {
        return await call()
      } catch (next) {
        e = next
      }
    }
  }

  async function send(unframed: OutboundMessage): Promise<Published<P>> {
    const message = framed ? await framed(unframed) : unframed
    const started = startOf()
    let position: P
    try {
      position = await sink.send(message)
    } catch (e) {
      position = await retrying(
        e,
        started,
        () => sink.send(message),
        `the transport did not take event ${message.id} for ${message.destination}`,
      )
    }
    return { destination: message.destination, id: message.id, position }
  }

  /** Encodes and sends; an invalid event rejects the promise rather than throwing before one exists. */
  function publishOne(
    resource: string,
    action: string,
    body: unknown,
    asReference: boolean,
    meta: EncodeMeta,
  ): Promise<Published<P>> {
    let message: OutboundMessage
    try {
      message = encodeOrThrow(encoder, { resource, action, body, asReference, meta })
    } catch (e) {
      return Promise.reject(e as Error)
    }
    return send(message)
  }

  return {
    publish(resource, action, content, options = {}) {
      return publishOne(resource, action, content, false, options)
    },
    publishReference(resource, action, reference, ...rest) {
      const options: ReferenceOptions = rest[0] ?? {}
      return publishOne(resource, action, reference, true, options)
    },
    async publishEvent(event, options = {}) {
      const r = encoder.encodeEvent(event, options)
      if (!r.ok) throw encodeError(r.issues, 'event does not match its schema')
      return await send(r.value)
    },
    async publishBatch(events) {
      const encoded = encodeBatch(encoder, events as readonly BatchInput[])
      const messages = framed ? await Promise.all(encoded.map(framed)) : encoded
      const ids = messages.map((m) => m.id)
      if (messages.length === 0) return { ids, positions: (await sink.sendBatch([])) as B }
      const started = startOf()
      let positions: B
      try {
        positions = await sink.sendBatch(messages)
      } catch (e) {
        positions = await retrying(
          e,
          started,
          () => sink.sendBatch(messages),
          `the transport did not take the batch of ${ids.length} events`,
        )
      }
      return { ids, positions }
    },
    async connect() {
      try {
        await sink.connect?.()
      } catch (e) {
        throw sendFailed(e, 'cannot connect to the transport')
      }
    },
    async disconnect() {
      closing.abort()
      closing = new AbortController() // a publisher may be used again after disconnect()
      await sink.close?.()
    },
  }
}

/** The framing step of a publisher, or undefined for plain JSON. Id look-up failures reach the caller as they are. */
function wireFraming(
  catalog: Catalog,
  options: WireFormatOptions,
): ((m: OutboundMessage) => OutboundMessage | Promise<OutboundMessage>) | undefined {
  const format = options.wireFormat ?? 'json'
  if (format === 'json') return undefined
  if (format !== 'confluent' || !options.schemaIds)
    throw new TypeError(
      `wireFormat '${String(format)}' needs schemaIds (wireFormat is 'json' or 'confluent')`,
    )
  const index = indexCatalog(catalog)
  const ids = createSchemaIdCache(options.schemaIds)
  const withId = (m: OutboundMessage, id: number): OutboundMessage => ({
    ...m,
    value: frameValue(id, m.value as string),
  })
  return (m) => {
    const v = index.byUri.get(m.attributes.dataschema)
    if (!v) throw new ContractError('UNKNOWN_SCHEMA', `unknown schema URI '${m.attributes.dataschema}'`)
    const id = ids.idOf({ resource: v.resource, version: v.version, uri: v.uri, topic: v.topic })
    return typeof id === 'number' ? withId(m, id) : id.then((n) => withId(m, n))
  }
}
