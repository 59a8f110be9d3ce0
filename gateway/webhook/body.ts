/**
 * What a webhook receives. A structured CloudEvent (`application/cloudevents+json`) whose attributes are the event's
 * (`type` `<resource>.<action>`, `dataschema` the resource schema) and whose `data` is our whole envelope, as on
 * Kafka, so nothing is lost and another gateway takes it back as it is; or HDX's `{"events": [...]}` shape (its
 * forwarder to n8n), each element an envelope.
 */
import { createHash } from 'node:crypto'
import type { CloudEventAttributes, EncodedMessage } from '../../core/index.ts'
import type { WebhookMessage } from './deliver.ts'

export const SHAPES = ['cloudevent', 'hdx'] as const
export type Shape = (typeof SHAPES)[number]

const CE_JSON = 'application/cloudevents+json'

/** A structured CloudEvent around an envelope already serialised (`value`). */
export function cloudEventBody(attributes: CloudEventAttributes, value: string): string {
  return `${JSON.stringify(attributes).slice(0, -1)},"data":${value}}`
}

/** The message for one encoded event (what the gateway POSTs for a route). */
export const cloudEventMessage = (m: EncodedMessage): WebhookMessage => ({
  id: m.id,
  body: cloudEventBody(m.attributes, m.value),
  contentType: CE_JSON,
})

/** A batch's message id: the event's own for one, else derived from theirs (the same on every attempt). */
const batchId = (events: readonly { id: string }[]): string =>
  events.length === 1
    ? (events[0] as { id: string }).id
    : `batch_${createHash('sha256')
        .update(events.map((e) => e.id).join(','))
        .digest('hex')
        .slice(0, 32)}`

/** HDX's shape for envelopes already serialised. */
export function hdxMessage(events: readonly { id: string; value: string }[]): WebhookMessage {
  return {
    id: batchId(events),
    body: `{"events":[${events.map((e) => e.value).join(',')}]}`,
    contentType: 'application/json',
  }
}

/** CloudEvents' batch mode: a JSON array of structured events. */
export function cloudEventBatchMessage(
  events: readonly { id: string; attributes: CloudEventAttributes; value: string }[],
): WebhookMessage {
  return {
    id: batchId(events),
    body: `[${events.map((e) => cloudEventBody(e.attributes, e.value)).join(',')}]`,
    contentType: 'application/cloudevents-batch+json',
  }
}
