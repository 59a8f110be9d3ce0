/**
 * Event builders for the consumer tests: valid content per resource version, and poison of several kinds. They
 * are transport-neutral: the CloudEvents attributes are given by name (`type`, `dataschema`, …); each transport's
 * harness writes them its own way (Kafka: `ce_` headers, see kafka.ts).
 */
import { randomUUID } from 'node:crypto'
import { schemaUri, type Action, type CloudEventAttribute } from '../../core/index.ts'
import type { ResourceName } from '../../generated/index.ts'

export const uuid = () => randomUUID()

/** CloudEvents attributes by their neutral names. */
export type Attributes = Partial<Record<CloudEventAttribute, string>>

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
  dataset: (id) => ({
    id,
    name: `dataset-${id.slice(0, 8)}`,
    title: 'A dataset',
    private: false,
    state: 'active',
    organization: { id: uuid(), name: 'an-organisation' },
    resources: [],
  }),
}

/** Valid content of a resource (version 1, which every later version accepts), keyed by `key`. */
export const contentOf = (resource: ResourceName, key: string = uuid()): Record<string, unknown> =>
  contents[resource](key)

export interface Built {
  id: string
  key: string
  value: string
  /** What a publisher would set; none with `headers: false`. */
  attributes: Attributes
}

/** A whole valid event as a transport would carry it (value + CloudEvents attributes), keyed like a publisher would. */
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
    attributes: headers
      ? { type: `${resource}.${action}`, dataschema: schema, id, datacontenttype: 'application/json' }
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

/** Callisto's own envelope: only `action` and `resource`, plus whatever of `id`, `time`, `source` is given. */
export function callistoEvent(
  resource: ResourceName,
  action: Action,
  { key = uuid(), own = {} }: { key?: string; own?: { id?: string; time?: string; source?: string } } = {},
): string {
  const schema = schemaUri(resource, 1)
  const content =
    action === 'delete' ? { tenantId: uuid(), id: key, version: 3, schema } : contents[resource](key)
  return JSON.stringify({ ...own, action, resource: { schema, content } })
}

/** Poison of five kinds, cycling: not JSON, bad envelope, bad content, unknown schema, attribute disagreeing. */
export function poison(i: number, key: string): { value: string; code: string; attributes: Attributes } {
  const good = JSON.parse(eventMessage('time-entry', 'create', { key }).value)
  switch (i % 5) {
    case 0:
      return { value: `{"not json": ${i}`, code: 'NOT_JSON', attributes: {} }
    case 1:
      return { value: JSON.stringify({ ...good, action: 'upsert' }), code: 'EVENT_INVALID', attributes: {} }
    case 2:
      return {
        value: JSON.stringify({ ...good, resource: { ...good.resource, content: { ownerId: 42 } } }),
        code: 'EVENT_INVALID',
        attributes: {},
      }
    case 3:
      return {
        value: JSON.stringify({
          ...good,
          resource: { ...good.resource, schema: 'https://example.org/nope/1' },
        }),
        code: 'UNKNOWN_SCHEMA',
        attributes: {},
      }
    default:
      return {
        value: JSON.stringify(good),
        code: 'EVENT_INVALID',
        attributes: { dataschema: schemaUri('time-entry', 2) },
      }
  }
}

export async function until(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))
