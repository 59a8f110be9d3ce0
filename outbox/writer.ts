/**
 * The outbox writer: the kernel's encoder, typed by the catalog exactly like `publish`, writing into the caller's
 * transaction instead of a transport. An invalid event throws before anything is written, so the caller's
 * transaction rolls back; a valid one is committed with the caller's own changes, or not at all.
 */
import {
  checkTopicPrefix,
  createEncoder,
  encodeBatch,
  encodeError,
  encodeOrThrow,
  type Action,
  type BatchEvent,
  type BatchInput,
  type Catalog,
  type ContentOf,
  type EncodeMeta,
  type LatestOf,
  type OutboundMessage,
  type PublishOptions,
  type ReferenceKey,
  type ReferenceOptions,
  type ResourceOf,
  type ResourceReference,
  type VersionOf,
} from '../core/index.ts'
import { columnArrays, insertMany, insertOne, rowValues, type Queryable } from './rows.ts'
import { tableName } from './schema.ts'

export interface OutboxOptions<C extends Catalog> {
  catalog: C
  /** `source` of every event: a URI reference naming the service. */
  source: string
  /** Environment prefix, as the publishers': `staging` sends person events to `staging.callisto-person`. */
  topicPrefix?: string
  /** The outbox table (in the connection's search_path). Default `outbox`. */
  table?: string
  newId?: () => string
  now?: () => Date
}

/** What was written: the event's id (final: the relay sends it as it is), where it goes and its key. */
export interface Enqueued {
  id: string
  destination: string
  key: string
}

export interface Outbox<C extends Catalog> {
  readonly table: string
  /** Validates and writes one event into `tx`'s transaction; throws (EVENT_INVALID, …) and writes nothing when invalid. */
  enqueue<R extends ResourceOf<C>, V extends VersionOf<C, R> = LatestOf<C, R>>(
    tx: Queryable,
    resource: R,
    action: Action,
    content: ContentOf<C, R, V>,
    options?: PublishOptions<V>,
  ): Promise<Enqueued>
  /** A ResourceReference as the content (deletes); a resource keyed by another field names its key. */
  enqueueReference<R extends ResourceOf<C>, V extends VersionOf<C, R> = LatestOf<C, R>>(
    tx: Queryable,
    resource: R,
    action: Action,
    reference: ResourceReference,
    ...options: ReferenceKey<C, R> extends { key: string }
      ? [ReferenceOptions<V> & ReferenceKey<C, R>]
      : [(ReferenceOptions<V> & ReferenceKey<C, R>)?]
  ): Promise<Enqueued>
  /** A whole event built elsewhere, extra envelope fields included, once it validates. */
  enqueueEvent(
    tx: Queryable,
    event: unknown,
    options?: { headers?: Readonly<Record<string, string>> },
  ): Promise<Enqueued>
  /** Validates every event first (issues under `/<index>`), then writes them all in one INSERT. */
  enqueueBatch(tx: Queryable, events: readonly BatchEvent<C>[]): Promise<Enqueued[]>
}

/**
 * UUIDs are case-insensitive, and the `uuid` column answers in lower case: an id given in upper case is lowered
 * before encoding, so the payload, the column and the relay's `ce_id` always agree.
 */
const lower = <M extends { id?: string | undefined }>(meta: M): M =>
  meta.id !== undefined && meta.id !== meta.id.toLowerCase() ? { ...meta, id: meta.id.toLowerCase() } : meta

const enqueued = (m: OutboundMessage): Enqueued => ({ id: m.id, destination: m.destination, key: m.key })

export function createOutbox<C extends Catalog>(options: OutboxOptions<C>): Outbox<C> {
  const { catalog, source, topicPrefix, newId, now } = options
  checkTopicPrefix(topicPrefix, catalog)
  const table = tableName(options.table ?? 'outbox')
  // The encoder's own id and clock unless the caller injects them (its clock makes one ISO string per millisecond).
  const encoder = createEncoder(catalog, {
    source,
    topicPrefix,
    ...(newId && { newId }),
    ...(now && { now }),
  })
  const one = insertOne(table)
  const many = insertMany(table)

  async function write(tx: Queryable, m: OutboundMessage): Promise<Enqueued> {
    await tx.query(one, rowValues(m))
    return enqueued(m)
  }
  const single = (resource: string, action: string, body: unknown, asReference: boolean, meta: EncodeMeta) =>
    encodeOrThrow(encoder, { resource, action, body, asReference, meta: lower(meta) })

  return {
    table,
    async enqueue(tx, resource, action, content, options = {}) {
      return write(tx, single(resource, action, content, false, options))
    },
    async enqueueReference(tx, resource, action, reference, ...rest) {
      const options: ReferenceOptions = rest[0] ?? {}
      return write(tx, single(resource, action, reference, true, options))
    },
    async enqueueEvent(tx, event, options = {}) {
      const e = typeof event === 'object' && event !== null && !Array.isArray(event) ? event : undefined
      const id = e && 'id' in e && typeof e.id === 'string' ? e.id : undefined
      const r = encoder.encodeEvent(id === undefined ? event : lower({ ...e, id }), options)
      if (!r.ok) throw encodeError(r.issues, 'event does not match its schema')
      return write(tx, r.value)
    },
    async enqueueBatch(tx, events) {
      const messages = encodeBatch(
        encoder,
        (events as readonly BatchInput[]).map((e) => lower(e)),
      )
      if (messages.length) await tx.query(many, columnArrays(messages))
      return messages.map(enqueued)
    },
  }
}
