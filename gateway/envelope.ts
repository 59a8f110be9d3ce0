/**
 * A CloudEvent → our envelope, before validation. `type` is `<resource>.<action>`, `dataschema` (optional) a schema
 * URI of that resource (the latest version when absent), `data` the content or a ResourceReference; or `data` is a
 * whole envelope of ours (what the forwarder POSTs), whose fields must then agree with the attributes. Issues point
 * into the event in its structured form, so a producer finds the field it sent: an envelope's `/resource/content/x`
 * is the event's `/data/x`.
 */
import { parseEventType, parseSchemaUri, type CatalogIndex, type Checked, type Issue } from '../core/index.ts'
import type { IncomingEvent } from './cloudevents.ts'

/** An event mapped onto the envelope (not yet validated). */
export interface Mapped {
  readonly envelope: Record<string, unknown>
  /** Envelope pointer → the event's pointer (structured form, under `at`). */
  readonly pointer: (path: string) => string
  /** The CloudEvent's extension attributes (and `subject`), as `ce_<name>` transport headers. */
  readonly headers: Readonly<Record<string, string>> | undefined
}

/** Attributes that are not extensions (the SDK keeps the rest as properties of the event). */
const KNOWN = new Set([
  'id',
  'type',
  'source',
  'specversion',
  'datacontenttype',
  'dataschema',
  'time',
  'data',
  'data_base64',
  'schemaurl',
  'datacontentencoding',
])

/** The envelope fields whose pointer is an attribute's when the data is the content. */
const ATTRIBUTE_OF: Readonly<Record<string, string>> = {
  '/id': '/id',
  '/time': '/time',
  '/source': '/source',
  '/action': '/type',
  '/resource/schema': '/dataschema',
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Data that is one of our envelopes: it has an action and a resource with a schema. */
export function isEnvelope(
  data: unknown,
): data is Record<string, unknown> & { resource: { schema: unknown } } {
  return isObject(data) && 'action' in data && isObject(data.resource) && 'schema' in data.resource
}

/** The resource the event writes, for the token's scope: judged before validation, from the type or the envelope. */
export function resourceOf(event: IncomingEvent, index: CatalogIndex): string {
  const data = event.data
  if (isEnvelope(data) && typeof data.resource.schema === 'string') {
    const uri = data.resource.schema
    return index.byUri.get(uri)?.resource ?? parseSchemaUri(uri)?.name ?? uri
  }
  return parseEventType(event.type)?.resource ?? event.type
}

function extensionHeaders(event: IncomingEvent): Record<string, string> | undefined {
  let headers: Record<string, string> | undefined
  for (const [k, v] of Object.entries(event)) {
    if (KNOWN.has(k) || v === undefined || v === null) continue
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      (headers ??= {})[`ce_${k}`] = String(v)
  }
  return headers
}

const issue = (path: string, keyword: string, message: string, params?: Record<string, unknown>): Issue => ({
  path,
  keyword,
  message,
  ...(params ? { params } : {}),
})

/** Maps one event (at `at` in the request) onto an envelope; `now` fills a missing `time`. */
export function toEnvelope(
  event: IncomingEvent,
  index: CatalogIndex,
  at: string,
  now: () => Date,
): Checked<Mapped> {
  const headers = extensionHeaders(event)
  const time = event.time ?? now().toISOString()
  const data = event.data
  if (isEnvelope(data)) return ownEnvelope(event, data, index, at, time, headers)

  const issues: Issue[] = []
  const parsed = parseEventType(event.type)
  if (!parsed)
    issues.push(
      issue(`${at}/type`, 'pattern', `type '${event.type}' must be <resource>.<action>, e.g. dataset.update`),
    )
  else if (!index.resource(parsed.resource))
    issues.push(
      issue(
        `${at}/type`,
        'known-resource',
        `type '${event.type}' names no resource of the catalog: '${parsed.resource}'`,
        {
          resource: parsed.resource,
          resources: index.resources,
        },
      ),
    )
  let schema: string | undefined
  if (parsed && index.resource(parsed.resource)) {
    if (event.dataschema === undefined) schema = index.version(parsed.resource)?.uri
    else {
      const hit = index.byUri.get(event.dataschema)
      if (hit?.resource === parsed.resource) schema = hit.uri
      else
        issues.push(
          issue(
            `${at}/dataschema`,
            'known-schema',
            hit
              ? `dataschema '${event.dataschema}' is a schema of '${hit.resource}', not of '${parsed.resource}'`
              : `unknown dataschema '${event.dataschema}': not a version of '${parsed.resource}'`,
            { uri: event.dataschema },
          ),
        )
    }
  }
  if (data === undefined)
    issues.push(issue(`${at}/data`, 'required', 'must have data: the resource, or a reference to it'))
  if (issues.length) return { ok: false, issues }
  const envelope = {
    id: event.id,
    time,
    source: event.source,
    action: (parsed as { action: string }).action,
    resource: { schema, content: data },
  }
  const pointer = (path: string): string => {
    const attribute = ATTRIBUTE_OF[path]
    if (attribute) return `${at}${attribute}`
    if (path.startsWith('/resource/content')) return `${at}/data${path.slice('/resource/content'.length)}`
    if (path === '/resource') return `${at}/data`
    return `${at}${path}`
  }
  return { ok: true, value: { envelope, pointer, headers } }
}

/** Data that is already an envelope: missing metadata from the attributes, and the two must agree. */
function ownEnvelope(
  event: IncomingEvent,
  data: Record<string, unknown> & { resource: { schema: unknown } },
  index: CatalogIndex,
  at: string,
  time: string,
  headers: Record<string, string> | undefined,
): Checked<Mapped> {
  const envelope: Record<string, unknown> = { ...data }
  envelope.id ??= event.id
  envelope.source ??= event.source
  envelope.time ??= time
  const issues: Issue[] = []
  const disagree = (field: string, attribute: string, value: unknown) =>
    issues.push(
      issue(
        `${at}/data/${field}`,
        'header',
        `${field} ${JSON.stringify(envelope[field])} disagrees with the CloudEvent's ${attribute} ${JSON.stringify(value)}`,
        {
          attribute,
        },
      ),
    )
  if (envelope.id !== event.id) disagree('id', 'id', event.id)
  if (envelope.source !== event.source) disagree('source', 'source', event.source)
  const uri = data.resource.schema
  if (event.dataschema !== undefined && uri !== event.dataschema)
    issues.push(
      issue(
        `${at}/dataschema`,
        'header',
        `dataschema disagrees with data.resource.schema ${JSON.stringify(uri)}`,
      ),
    )
  const name =
    typeof uri === 'string' ? (index.byUri.get(uri)?.resource ?? parseSchemaUri(uri)?.name) : undefined
  if (name !== undefined && event.type !== `${name}.${String(data.action)}`)
    issues.push(
      issue(
        `${at}/type`,
        'header',
        `type '${event.type}' disagrees with the envelope (${name}.${String(data.action)})`,
      ),
    )
  if (issues.length) return { ok: false, issues }
  return { ok: true, value: { envelope, pointer: (path) => `${at}/data${path}`, headers } }
}
