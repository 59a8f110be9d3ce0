/**
 * The webhook forwarder: a handler for any transport's topic consumer (Kafka, Redis Streams, memory) that POSTs
 * each valid event to one URL, signed (Standard Webhooks), as a structured CloudEvent or in HDX's `{"events": [...]}`
 * shape. It runs inside the kernel's inbound pipeline, which gives it what a forwarder needs:
 * - retries with backoff for timeouts, refused connections, 5xx, 429 and 408, waiting at least what Retry-After
 *   says (capped), while the transport keeps its session (Kafka heartbeats between slices of the wait);
 * - no retry for other answers (a 400 will not become a 200): dead-lettered at once;
 * - a dead letter (`<topic>.dlq`, the original message and the reason) after `maxAttempts`: nothing is lost;
 * - the message is committed or acknowledged only after a 2xx or its dead letter, and one partition (one key) is
 *   handled in order.
 * Usage: `createKafkaTopicConsumer({ catalog, kafka, groupId, destinations: [topic], ...forwarder })`; several events
 * per POST: `createWebhookBatchForwarder` with a transport's batch consumer (`createKafkaBatchConsumer`).
 */
import {
  cloudEventAttributes,
  RETRY_DEFAULTS,
  type BaseEnvelope,
  type Catalog,
  type BatchHandler,
  type DecodedEvent,
  type EventHandler,
  type InboundMessage,
  type MessageContext,
  type RetryOptions,
} from '../../core/index.ts'
import { cloudEventBatchMessage, cloudEventBody, hdxMessage, type Shape } from './body.ts'
import { createDelivery, DeliveryError, type WebhookMessage } from './deliver.ts'

export interface ForwarderOptions {
  readonly url: string
  /** The Standard Webhooks secret (`whsec_…`); the receiver verifies each POST with it. */
  readonly secret: string
  /** `cloudevent` (default): a structured CloudEvent (a batch: CloudEvents' batch mode); `hdx`: `{"events": [...]}`. */
  readonly shape?: Shape
  /** Per attempt. Default 10 s. */
  readonly timeoutMs?: number
  /** Attempts per event before it is dead-lettered. Default 5. */
  readonly maxAttempts?: number
  /** Exponential backoff between attempts. Default 1 s doubling up to 30 s. */
  readonly backoffMs?: { readonly initialMs: number; readonly maxMs: number }
  /** Retry-After is honoured up to this. Default 60 s. */
  readonly maxRetryAfterMs?: number
  readonly fetch?: typeof fetch
  readonly now?: () => Date
  /** Each event a webhook took, with the attempt that succeeded. */
  readonly onDelivered?: (info: { id: string; attempt: number }) => void
}

export const FORWARDER_DEFAULTS = {
  shape: 'cloudevent',
  maxAttempts: 5,
  backoffMs: { initialMs: 1_000, maxMs: 30_000 },
  maxRetryAfterMs: 60_000,
} as const

/** What a topic consumer takes: the handler and the pipeline's retry policy (attempts and backoff). */
export interface Forwarder<C extends Catalog> {
  readonly handle: EventHandler<C, InboundMessage>
  readonly retry: RetryOptions
}

/** What a batch consumer takes: the batch handler, the batch size and the pipeline's retry policy. */
export interface BatchForwarder<C extends Catalog> {
  readonly handleBatch: BatchHandler<C, InboundMessage>
  readonly batchSize: number
  readonly retry: RetryOptions
}

const serialised = (event: DecodedEvent<Catalog>) => {
  const envelope = event.event as BaseEnvelope
  return {
    id: envelope.id,
    value: JSON.stringify(envelope),
    attributes: cloudEventAttributes(envelope, event.name ?? envelope.resource.schema),
  }
}

/** The body of one event in the shape asked for. */
export function webhookMessage(event: DecodedEvent<Catalog>, shape: Shape): WebhookMessage {
  const e = serialised(event)
  if (shape === 'hdx') return hdxMessage([e])
  return {
    id: e.id,
    body: cloudEventBody(e.attributes, e.value),
    contentType: 'application/cloudevents+json',
  }
}

/** The body of several events: HDX's `{"events": [...]}`, or CloudEvents' batch mode (a JSON array). */
export function webhookBatchMessage(events: readonly DecodedEvent<Catalog>[], shape: Shape): WebhookMessage {
  const all = events.map(serialised)
  return shape === 'hdx' ? hdxMessage(all) : cloudEventBatchMessage(all)
}

/** The pipeline's retry policy for the forwarder's options. */
function retryOf(options: ForwarderOptions): RetryOptions {
  const maxAttempts = options.maxAttempts ?? FORWARDER_DEFAULTS.maxAttempts
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1))
    throw new TypeError('maxAttempts must be at least 1')
  const backoff = options.backoffMs ?? FORWARDER_DEFAULTS.backoffMs
  return { ...RETRY_DEFAULTS, retries: maxAttempts - 1, initialMs: backoff.initialMs, maxMs: backoff.maxMs }
}

/** One POST, its failure saying which attempt it was, a Retry-After capped (the kernel waits at least that). */
function deliveryFor(options: ForwarderOptions): (message: WebhookMessage, attempt: number) => Promise<void> {
  const maxAttempts = options.maxAttempts ?? FORWARDER_DEFAULTS.maxAttempts
  const maxRetryAfterMs = options.maxRetryAfterMs ?? FORWARDER_DEFAULTS.maxRetryAfterMs
  const deliver = createDelivery({
    url: options.url,
    secret: options.secret,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
  })
  return async (message, attempt) => {
    try {
      await deliver(message)
    } catch (e) {
      if (!(e instanceof DeliveryError)) throw e
      throw new DeliveryError(`attempt ${attempt} of ${maxAttempts}: ${e.message}`, {
        ...(e.status === undefined ? {} : { status: e.status }),
        ...(e.retryAfterMs === undefined ? {} : { retryAfterMs: Math.min(e.retryAfterMs, maxRetryAfterMs) }),
        permanent: e.permanent,
        cause: e,
      })
    }
  }
}

export function createWebhookForwarder<C extends Catalog = Catalog>(options: ForwarderOptions): Forwarder<C> {
  const shape = options.shape ?? FORWARDER_DEFAULTS.shape
  const retry = retryOf(options)
  const send = deliveryFor(options)
  const handle = async (event: DecodedEvent<C>, context: MessageContext<InboundMessage>) => {
    const message = webhookMessage(event as DecodedEvent<Catalog>, shape)
    await send(message, context.attempt)
    options.onDelivered?.({ id: message.id, attempt: context.attempt })
  }
  return { handle, retry }
}

/**
 * The forwarder POSTing up to `batchSize` events at a time (those the transport delivered together, in order): HDX's
 * `{"events": [...]}` shape, or a CloudEvents batch (`application/cloudevents-batch+json`). A batch is delivered or
 * retried as one; when it keeps failing, each of its events is dead-lettered.
 */
export function createWebhookBatchForwarder<C extends Catalog = Catalog>(
  options: ForwarderOptions & { readonly batchSize: number },
): BatchForwarder<C> {
  const { batchSize } = options
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new TypeError('batchSize must be at least 1')
  const shape = options.shape ?? FORWARDER_DEFAULTS.shape
  const retry = retryOf(options)
  const send = deliveryFor(options)
  const handleBatch = async (
    events: readonly DecodedEvent<C>[],
    contexts: readonly MessageContext<InboundMessage>[],
  ) => {
    const attempt = contexts[0]?.attempt ?? 1
    await send(webhookBatchMessage(events as readonly DecodedEvent<Catalog>[], shape), attempt)
    for (const e of events) options.onDelivered?.({ id: (e.event as BaseEnvelope).id, attempt })
  }
  return { handleBatch, batchSize, retry }
}
