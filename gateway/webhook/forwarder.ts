/**
 * The webhook forwarder: a handler for any transport's topic consumer (Kafka, Redis Streams, memory) that POSTs
 * each valid event to one URL, signed (Standard Webhooks), as a structured CloudEvent or in HDX's `{"events": [...]}`
 * shape. It runs inside the kernel's inbound pipeline, which gives it what a forwarder needs:
 * - retries with backoff for timeouts, refused connections, 5xx, 429 and 408, waiting at least what Retry-After
 *   says (capped), while the transport keeps its session (Kafka heartbeats between slices of the wait);
 * - no retry for other answers (a 400 will not become a 200): dead-lettered at once;
 * - a dead letter (`<topic>.dlq`, the original message and the reason) after `maxAttempts`: nothing is lost;
 * - the message is committed or acknowledged only after a 2xx or its dead letter, and one partition (one key) is
 *   handled in order, one event at a time.
 * Usage: `createKafkaTopicConsumer({ catalog, kafka, groupId, destinations: [topic], ...forwarder })`.
 */
import {
  cloudEventAttributes,
  RETRY_DEFAULTS,
  type BaseEnvelope,
  type Catalog,
  type DecodedEvent,
  type EventHandler,
  type InboundMessage,
  type MessageContext,
  type RetryOptions,
} from '../../core/index.ts'
import { cloudEventBody, hdxMessage, type Shape } from './body.ts'
import { createDelivery, DeliveryError, type WebhookMessage } from './deliver.ts'

export interface ForwarderOptions {
  readonly url: string
  /** The Standard Webhooks secret (`whsec_…`); the receiver verifies each POST with it. */
  readonly secret: string
  /** `cloudevent` (default): one structured CloudEvent per POST; `hdx`: `{"events": [envelope]}`. */
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

/** The body of one event in the shape asked for. */
export function webhookMessage(event: DecodedEvent<Catalog>, shape: Shape): WebhookMessage {
  const envelope = event.event as BaseEnvelope
  const value = JSON.stringify(envelope)
  if (shape === 'hdx') return hdxMessage([{ id: envelope.id, value }])
  const attributes = cloudEventAttributes(envelope, event.name ?? envelope.resource.schema)
  return {
    id: envelope.id,
    body: cloudEventBody(attributes, value),
    contentType: 'application/cloudevents+json',
  }
}

export function createWebhookForwarder<C extends Catalog = Catalog>(options: ForwarderOptions): Forwarder<C> {
  const shape = options.shape ?? FORWARDER_DEFAULTS.shape
  const maxAttempts = options.maxAttempts ?? FORWARDER_DEFAULTS.maxAttempts
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1))
    throw new TypeError('maxAttempts must be at least 1')
  const maxRetryAfterMs = options.maxRetryAfterMs ?? FORWARDER_DEFAULTS.maxRetryAfterMs
  const backoff = options.backoffMs ?? FORWARDER_DEFAULTS.backoffMs
  const deliver = createDelivery({
    url: options.url,
    secret: options.secret,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
  })
  const handle = async (event: DecodedEvent<C>, context: MessageContext<InboundMessage>) => {
    const message = webhookMessage(event as DecodedEvent<Catalog>, shape)
    try {
      await deliver(message)
    } catch (e) {
      if (!(e instanceof DeliveryError)) throw e
      throw new DeliveryError(`attempt ${context.attempt} of ${maxAttempts}: ${e.message}`, {
        ...(e.status === undefined ? {} : { status: e.status }),
        ...(e.retryAfterMs === undefined ? {} : { retryAfterMs: Math.min(e.retryAfterMs, maxRetryAfterMs) }),
        permanent: e.permanent,
        cause: e,
      })
    }
    options.onDelivered?.({ id: message.id, attempt: context.attempt })
  }
  return {
    handle,
    retry: {
      ...RETRY_DEFAULTS,
      retries: maxAttempts - 1,
      initialMs: backoff.initialMs,
      maxMs: backoff.maxMs,
    },
  }
}
