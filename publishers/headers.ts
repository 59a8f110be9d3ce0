import type { Envelope } from '../core/index.ts'

/**
 * CloudEvents 1.0 Kafka protocol binding, binary mode: the metadata as `ce_` headers, so brokers' tools and
 * consumers can filter without parsing. The value stays our whole envelope (JSON), so nothing is lost without them.
 */
export type CloudEventHeaders = {
  ce_specversion: '1.0'
  ce_id: string
  ce_source: string
  /** `<resource>.<action>`, e.g. `time-entry.create`. */
  ce_type: string
  ce_time: string
  /** The resource schema version's URI (`resource.schema`). */
  ce_dataschema: string
  'content-type': 'application/json'
}

export function cloudEventHeaders(event: Envelope, resource: string): CloudEventHeaders {
  return {
    ce_specversion: '1.0',
    ce_id: event.id,
    ce_source: event.source,
    ce_type: `${resource}.${event.action}`,
    ce_time: event.time,
    ce_dataschema: event.resource.schema,
    'content-type': 'application/json',
  }
}
