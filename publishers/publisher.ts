import { randomUUID } from 'node:crypto'
import type {
  IHeaders,
  Kafka,
  Message,
  Producer,
  ProducerConfig,
  RecordMetadata,
  TopicMessages,
} from 'kafkajs'
import {
  buildEnvelope,
  catalog,
  check,
  checkEvent,
  ContractError,
  referenceValidator,
  type Action,
  type Catalog,
  type ContentOf,
  type Issue,
  type LatestOf,
  type ResourceName,
  type ResourceReference,
  type ValidateFn,
  type VersionOf,
} from '../core/index.ts'
import { cloudEventHeaders } from './headers.ts'
import { checkTopicPrefix, topicOf } from './topics.ts'

/** All a publisher needs from a producer: easy to fake in tests, and another client can slot in. */
export type ProducerPort = Pick<Producer, 'send' | 'sendBatch'>

interface CommonOptions {
  /** `source` of every event: a URI reference naming the service, e.g. `urn:callisto:timecard-restapi`. */
  source: string
  /** Environment prefix: `staging` sends person events to `staging.callisto-person`. */
  topicPrefix?: string
  newId?: () => string
  now?: () => Date
}

export type PublisherOptions = CommonOptions &
  (
    | { /** A producer you own: you connect and disconnect it. */ producer: ProducerPort; kafka?: undefined }
    | {
        /** The publisher makes its own idempotent producer, connects on first use; call disconnect() at the end. */
        kafka: Kafka
        producer?: undefined
        producerConfig?: Omit<ProducerConfig, 'idempotent' | 'maxInFlightRequests'>
      }
  )

interface ResolvedOptions {
  source: string
  topicPrefix: string | undefined
  newId: () => string
  now: () => Date
}

/** Per-event choices; the id and time are generated when absent. */
export interface PublishOptions<V extends number = number> {
  /** The schema version the content conforms to; the latest by default. */
  version?: V
  id?: string
  time?: string
  /** Extra Kafka headers. The `ce_*` and `content-type` headers are always ours. */
  headers?: IHeaders
}

export interface ReferenceOptions<V extends number = number> extends PublishOptions<V> {
  /** Partition key; `reference.id` by default. Pass the resource's key (e.g. a time entry's ownerId) to keep order with its other events. */
  key?: string
}

export interface Published {
  topic: string
  partition: number
  offset: string
  id: string
}

type Meta = { id?: string; time?: string; headers?: IHeaders }
/**
 * A reference carries `id`, but a resource keyed by another field (a time entry by `ownerId`) must name its key, or its
 * delete would land on another partition and could overtake the entry's earlier events: the compiler asks for it.
 */
export type ReferenceKey<R extends ResourceName> = Catalog[R]['key'] extends 'id'
  ? { key?: string }
  : { key: string }
// The latest version may be left out; any other must be named, so the content type and the schema URI agree.
type VersionField<R extends ResourceName, V extends VersionOf<R>> =
  V extends LatestOf<R> ? { version?: V } : { version: V }

/** One event of a batch: content of a resource version, or a reference to one. */
export type BatchEvent = {
  [R in ResourceName]: {
    [V in VersionOf<R>]:
      | ({ resource: R; action: Action; content: ContentOf<R, V>; reference?: undefined } & VersionField<
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
        } & ReferenceKey<R> &
          Meta)
  }[VersionOf<R>]
}[ResourceName]

export interface BatchPublished {
  /** The events' ids, in the order given. */
  ids: string[]
  /** Where they went: one row per topic partition (kafkajs reports a base offset per partition, not per message). */
  partitions: { topic: string; partition: number; baseOffset: string }[]
}

export interface Publisher {
  publish<R extends ResourceName, V extends VersionOf<R> = LatestOf<R>>(
    resource: R,
    action: Action,
    content: ContentOf<R, V>,
    options?: PublishOptions<V>,
  ): Promise<Published>
  /** For deletes and to save bandwidth (Callisto): the content is a ResourceReference. */
  publishReference<R extends ResourceName, V extends VersionOf<R> = LatestOf<R>>(
    resource: R,
    action: Action,
    reference: ResourceReference,
    ...options: ReferenceKey<R> extends { key: string }
      ? [ReferenceOptions<V> & ReferenceKey<R>]
      : [(ReferenceOptions<V> & ReferenceKey<R>)?]
  ): Promise<Published>
  /**
   * Sends a whole event built elsewhere (read from a file, relayed from an outbox) as it is, extra envelope fields
   * included, once it validates; its topic comes from `resource.schema`. Unknown URI: UNKNOWN_SCHEMA.
   */
  publishEvent(event: unknown, options?: { headers?: IHeaders }): Promise<Published>
  /** Validates every event first; sends nothing unless all are valid, then sends them in one request. */
  publishBatch(events: readonly BatchEvent[]): Promise<BatchPublished>
  /** Connects the publisher's own producer now (it also connects on first send); a no-op for a given producer. */
  connect(): Promise<void>
  disconnect(): Promise<void>
}

// The catalog seen at run time, where a JavaScript caller may pass any string: the one cast.
interface CatalogEntry {
  latest: number
  key: string
  versions: Record<number, { uri: string; validate: ValidateFn<unknown> } | undefined>
}
const entries = catalog as unknown as Record<string, CatalogEntry | undefined>

/** What one publish call asks for; `meta` is the caller's options object, read and never copied. */
interface Item {
  resource: string
  action: string
  body: unknown
  asReference: boolean
  meta: Meta & { version?: number | undefined; key?: string | undefined }
}

interface Prepared {
  topic: string
  message: Message
  id: string
}

type Outcome = { ok: true; value: Prepared } | { ok: false; issues: Issue[] }

const fail = (path: string, keyword: string, message: string): Outcome => ({
  ok: false,
  issues: [{ path, keyword, message }],
})

export function createPublisher(options: PublisherOptions): Publisher {
  const o = resolveOptions(options)
  const own = options.kafka
    ? options.kafka.producer({ ...options.producerConfig, idempotent: true, maxInFlightRequests: 1 })
    : undefined
  const port: ProducerPort | undefined = options.producer
  let connecting: Promise<ProducerPort> | undefined

  function ready(): Promise<ProducerPort> {
    if (port) return Promise.resolve(port)
    const p = own as Producer
    connecting ??= p.connect().then(
      () => p,
      (e: unknown) => {
        connecting = undefined // the next send tries again
        throw sendFailed(e, 'cannot connect to Kafka')
      },
    )
    return connecting
  }

  function prepare(item: Item): Outcome {
    const entry = entries[item.resource]
    if (!entry) return fail('/resource', 'known-resource', `unknown resource '${item.resource}'`)
    const { meta } = item
    const version = meta.version ?? entry.latest
    const v = entry.versions[version]
    if (!v)
      return fail('/resource/schema', 'known-schema', `${item.resource} has no version ${String(version)}`)
    const event = buildEnvelope(item.action as Action, v.uri, item.body as object, o, meta)
    return prepareEvent(event, meta, item.asReference)
  }

  /** Validates a whole event (envelope, then content), then works out its topic, key and headers. */
  function prepareEvent(event: unknown, meta: Item['meta'], asReference?: boolean): Outcome {
    const r = checkEvent(event)
    if (!r.ok) return r
    const { event: valid, resource, version, reference } = r.value
    const entry = resource && entries[resource]
    const v = entry && version !== undefined ? entry.versions[version] : undefined
    if (!entry || !v)
      return fail('/resource/schema', 'known-schema', `unknown schema URI '${valid.resource.schema}'`)
    const content = valid.resource.content
    if (asReference !== undefined && reference !== asReference) {
      // The envelope tells content from reference by its property names; hold each method to what it promised.
      const own = check(asReference ? referenceValidator : v.validate, content, '/resource/content')
      return own.ok
        ? fail(
            '/resource/content',
            'reference',
            asReference ? 'must be a ResourceReference' : 'must be the resource, not a reference',
          )
        : own
    }
    const key = reference
      ? (meta.key ?? String((content as ResourceReference).id))
      : String((content as Record<string, unknown>)[entry.key])
    const headers = cloudEventHeaders(valid, resource)
    return {
      ok: true,
      value: {
        topic: topicOf(resource, o.topicPrefix),
        id: valid.id,
        message: {
          key,
          value: JSON.stringify(valid),
          headers: meta.headers ? { ...meta.headers, ...headers } : headers,
        },
      },
    }
  }

  function prepareOne(item: Item): Prepared {
    const r = prepare(item)
    if (r.ok) return r.value
    throw invalid(r.issues, `${item.resource} ${item.action} event does not match its schema`)
  }

  async function sendOne({ topic, message, id }: Prepared): Promise<Published> {
    const p = await ready()
    let meta: RecordMetadata[]
    try {
      meta = await p.send({ topic, messages: [message], acks: -1 })
    } catch (e) {
      throw sendFailed(e, `Kafka did not take event ${id} for ${topic}`)
    }
    const m = meta[0]
    if (!m) throw new ContractError('SEND_FAILED', `Kafka sent no record metadata for event ${id}`)
    return { topic: m.topicName, partition: m.partition, offset: m.baseOffset ?? m.offset ?? '', id }
  }

  return {
    // async: an invalid event rejects the promise rather than throwing before one exists
    async publish(resource, action, content, options = {}) {
      return sendOne(prepareOne({ resource, action, body: content, asReference: false, meta: options }))
    },
    async publishReference(resource, action, reference, ...rest) {
      const options: ReferenceOptions = rest[0] ?? {}
      return sendOne(prepareOne({ resource, action, body: reference, asReference: true, meta: options }))
    },
    async publishEvent(event, options = {}) {
      const r = prepareEvent(event, options)
      if (!r.ok) throw invalid(r.issues, 'event does not match its schema')
      return sendOne(r.value)
    },
    async publishBatch(events) {
      const issues: Issue[] = []
      const byTopic = new Map<string, TopicMessages>()
      const ids: string[] = []
      for (let i = 0; i < events.length; i++) {
        const e = events[i] as BatchEvent
        const asReference = e.reference !== undefined
        const r = prepare({
          resource: e.resource,
          action: e.action,
          body: asReference ? e.reference : e.content,
          asReference,
          meta: e,
        })
        if (!r.ok) {
          for (const x of r.issues) issues.push({ ...x, path: `/${i}${x.path}` })
          continue
        }
        ids.push(r.value.id)
        let t = byTopic.get(r.value.topic)
        if (!t) byTopic.set(r.value.topic, (t = { topic: r.value.topic, messages: [] }))
        t.messages.push(r.value.message)
      }
      if (issues.length)
        throw invalid(
          issues,
          `${events.length - ids.length} of ${events.length} events do not match their schemas`,
        )
      if (ids.length === 0) return { ids, partitions: [] }
      const p = await ready()
      let meta: RecordMetadata[]
      try {
        meta = await p.sendBatch({ topicMessages: [...byTopic.values()], acks: -1 })
      } catch (e) {
        throw sendFailed(e, `Kafka did not take the batch of ${ids.length} events`)
      }
      return {
        ids,
        partitions: meta.map((m) => ({
          topic: m.topicName,
          partition: m.partition,
          baseOffset: m.baseOffset ?? m.offset ?? '',
        })),
      }
    },
    async connect() {
      await ready()
    },
    async disconnect() {
      if (!own || !connecting) return
      connecting = undefined
      await own.disconnect()
    },
  }
}

function resolveOptions({
  source,
  topicPrefix,
  newId = randomUUID,
  now = () => new Date(),
}: PublisherOptions): ResolvedOptions {
  checkTopicPrefix(topicPrefix)
  return { source, topicPrefix: topicPrefix || undefined, newId, now } satisfies ResolvedOptions
}

function invalid(issues: Issue[], message: string): ContractError {
  const only = (keyword: string) => issues.every((i) => i.keyword === keyword)
  const code = only('known-resource')
    ? 'UNKNOWN_RESOURCE'
    : only('known-schema')
      ? 'UNKNOWN_SCHEMA'
      : 'EVENT_INVALID'
  return new ContractError(code, code === 'EVENT_INVALID' ? message : (issues[0]?.message ?? message), issues)
}

function sendFailed(cause: unknown, message: string): ContractError {
  const retriable =
    typeof cause === 'object' && cause !== null && 'retriable' in cause && cause.retriable === true
  const reason = cause instanceof Error ? `: ${cause.message}` : ''
  return new ContractError('SEND_FAILED', message + reason, [], { cause, retriable })
}
