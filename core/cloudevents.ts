/**
 * CloudEvents 1.0 attributes of an event, transport-neutral. Each transport writes them its own way (Kafka binary
 * mode: `ce_` headers; Redis Streams: entry fields; HTTP: `ce-` headers) and reads them back by these names.
 */
import type { Action, BaseEnvelope } from './catalog.ts'

export interface CloudEventAttributes {
  specversion: '1.0'
  id: string
  source: string
  /** `<resource>.<action>`, e.g. `time-entry.create`. */
  type: string
  time: string
  /** The resource schema version's URI (`resource.schema`). */
  dataschema: string
  datacontenttype: 'application/json'
}

/** The attribute names a transport may carry, in the order they are written. */
export const CE_ATTRIBUTES = [
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'dataschema',
  'datacontenttype',
] as const
export type CloudEventAttribute = (typeof CE_ATTRIBUTES)[number]

/** `time-entry` + `create` → `time-entry.create`. */
export const eventType = (resource: string, action: string): string => `${resource}.${action}`

/** `time-entry.create` → `{ resource: 'time-entry', action: 'create' }`; undefined when it has no dot. */
export function parseEventType(type: string): { resource: string; action: string } | undefined {
  const dot = type.lastIndexOf('.')
  if (dot <= 0 || dot === type.length - 1) return undefined
  return { resource: type.slice(0, dot), action: type.slice(dot + 1) }
}

/** True when `type` is exactly `<resource>.<action>` (without building the string: called per message). */
export function isEventType(type: string, resource: string, action: Action | string): boolean {
  return (
    type.length === resource.length + 1 + action.length &&
    type.startsWith(resource) &&
    type.endsWith(action) &&
    type.charCodeAt(resource.length) === 46 // '.'
  )
}

export function cloudEventAttributes(event: BaseEnvelope, resource: string): CloudEventAttributes {
  return {
    specversion: '1.0',
    id: event.id,
    source: event.source,
    type: eventType(resource, event.action),
    time: event.time,
    dataschema: event.resource.schema,
    datacontenttype: 'application/json',
  }
}
