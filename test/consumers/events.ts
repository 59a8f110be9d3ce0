/** Event builders for the consumer tests: valid content per resource version, and poison of several kinds. */
import { randomUUID } from 'node:crypto'
import { schemaUri, type Action, type ResourceName } from '../../core/index.ts'

export const uuid = () => randomUUID()

const contents: Record<ResourceName, (key: string) => Record<string, unknown>> = {
  'time-entry': (ownerId) => ({
    id: uuid(),
    tenantId: uuid(),
    ownerId,
    timePeriodTypeId: uuid(),
    actualStartTime: '2026-11-20T06:00:00Z',
  }),
  person: (id) => ({ id, tenantId: uuid(), firstName: 'Ada', lastName: 'Lovelace', startDate: '2026-01-05' }),
  accrual: (personId) => ({
    id: uuid(),
    tenantId: uuid(),
    personId,
    agreementId: uuid(),
    accrualDate: '2026-11-20',
    accrualTypeId: uuid(),
    cumulativeTotal: 10,
    cumulativeTarget: 100,
  }),
}

export interface Built {
  id: string
  key: string
  value: string
  headers: Record<string, string>
}

/** A whole valid event as Kafka would carry it (value + ce_ headers), keyed like a publisher would. */
export function eventMessage(
  resource: ResourceName,
  action: Action,
  {
    version = 1,
    key = uuid(),
    extra = {},
    headers = true,
  }: { version?: number; key?: string; extra?: object; headers?: boolean } = {},
): Built {
  const id = uuid()
  const schema = schemaUri(resource, version)
  const content =
    action === 'delete'
      ? { tenantId: uuid(), id: key, version: 3, schema }
      : { ...contents[resource](key), ...extra }
  const event = {
    id,
    time: '2026-11-20T08:30:00Z',
    source: 'urn:test',
    action,
    resource: { schema, content },
  }
  return {
    id,
    key,
    value: JSON.stringify(event),
    headers: headers
      ? {
          ce_type: `${resource}.${action}`,
          ce_dataschema: schema,
          ce_id: id,
          'content-type': 'application/json',
        }
      : {},
  }
}

/** An event under any schema URI with any content (registry tests). */
export function rawEvent(schema: string, content: object, action: Action = 'create'): string {
  return JSON.stringify({
    id: uuid(),
    time: '2026-11-20T08:30:00Z',
    source: 'urn:test',
    action,
    resource: { schema, content },
  })
}

/** Poison of five kinds, cycling: not JSON, bad envelope, bad content, unknown schema, header disagreeing. */
export function poison(
  i: number,
  key: string,
): { value: string; code: string; headers: Record<string, string> } {
  const good = JSON.parse(eventMessage('time-entry', 'create', { key }).value)
  switch (i % 5) {
    case 0:
      return { value: `{"not json": ${i}`, code: 'NOT_JSON', headers: {} }
    case 1:
      return { value: JSON.stringify({ ...good, action: 'upsert' }), code: 'EVENT_INVALID', headers: {} }
    case 2:
      return {
        value: JSON.stringify({ ...good, resource: { ...good.resource, content: { ownerId: 42 } } }),
        code: 'EVENT_INVALID',
        headers: {},
      }
    case 3:
      return {
        value: JSON.stringify({
          ...good,
          resource: { ...good.resource, schema: 'https://example.org/nope/1' },
        }),
        code: 'UNKNOWN_SCHEMA',
        headers: {},
      }
    default:
      return {
        value: JSON.stringify(good),
        code: 'EVENT_INVALID',
        headers: { ce_dataschema: schemaUri('time-entry', 2) },
      }
  }
}
