import { indexCatalog, type BaseValidEvent, type Catalog, type ValidEvent } from './catalog.ts'
import { isEventType } from './cloudevents.ts'
import { checkEvent, parseJson, unknownSchema } from './envelope.ts'
import type { ContractErrorCode, EventIssueKeyword, Issue as AnyIssue } from './errors.ts'

/** Every issue decode reports has one of the event rules' keywords. */
type Issue = AnyIssue<EventIssueKeyword>
import type { InboundMessage } from './ports.ts'
import type { IdLookup, SchemaIdSource } from './schema-ids.ts'
import type { SchemaSource } from './schema-source.ts'
import { eventSchemaUri, parseSchemaUri } from './uri.ts'
import { check, type ValidateFn } from './validate.ts'
import { readWire } from './wire.ts'

/** A checked event and what the consumer routes it by. */
export type DecodedEvent<C extends Catalog> = ValidEvent<C> & {
  /** The resource name: from the catalog, else from a canonical schema URI (`…/schemas/<name>/<version>`). */
  name: string | undefined
}

/** Never throws for bad data: `ok: false` carries the dead-letter code and the issues. */
export type Decoded<C extends Catalog> =
  { ok: true; value: DecodedEvent<C> } | { ok: false; code: ContractErrorCode; issues: Issue[] }

export interface DecodeOptions {
  /** Schemas outside the catalog, from the registry. Without it such a URI is unknown. */
  schemas?: SchemaSource | undefined
  /**
   * The schemas of Confluent frames' ids. With it, a framed event must agree with its id's schema; without it, the
   * id is not looked at (the envelope's `resource.schema` decides, as for unframed values).
   */
  schemaIds?: SchemaIdSource | undefined
  /** Whether a resource's version is accepted (see accept.ts); default: all. */
  accepts?: ((name: string | undefined, version: number | undefined) => boolean) | undefined
}

type Message = Pick<InboundMessage, 'value' | 'attribute'>

const fail = <C extends Catalog>(code: ContractErrorCode, issues: Issue[]): Decoded<C> => ({
  ok: false,
  code,
  issues,
})

/** The metadata Callisto's own envelope lacks; a transport's CloudEvents attributes may carry it. */
const METADATA = ['id', 'time', 'source'] as const

/**
 * bytes → JSON → metadata from the transport where the event lacks it → envelope → content (against the schema
 * `resource.schema` names) → attributes agree → accepted version. Returns a promise only for a registry look-up
 * (every catalog URI is decided synchronously: no promise per message). Throws only when it cannot decide now: a
 * registry that is down (a retriable ContractError).
 */
export function decode<C extends Catalog>(
  catalog: C,
  message: Message,
  options: DecodeOptions = {},
): Decoded<C> | Promise<Decoded<C>> {
  const bytes = message.value
  if (bytes === null || bytes.length === 0)
    return fail('NOT_JSON', [
      { path: '', keyword: 'json', message: 'empty value (a tombstone is not an event)' },
    ])
  // JSON starts with '{' (0x7b) or whitespace; a control byte is a Confluent frame (or a broken one).
  const first = typeof bytes === 'string' ? bytes.charCodeAt(0) : (bytes[0] as number)
  if (first >= 0x20) return decodeJson(catalog, message, bytes, options)
  const wire = readWire(bytes)
  if (!wire.ok) return fail('BAD_FRAME', wire.issues)
  if (!wire.value.framed) return decodeJson(catalog, message, bytes, options)
  const { schemaId, json } = wire.value
  const decoded = decodeJson(catalog, message, json, options)
  const ids = options.schemaIds
  if (!ids) return decoded
  return decoded instanceof Promise
    ? decoded.then((d) => agree(d, schemaId, ids))
    : agree(decoded, schemaId, ids)
}

/** The JSON of a value, framed or not, decoded and checked. */
function decodeJson<C extends Catalog>(
  catalog: C,
  message: Message,
  bytes: Uint8Array | string,
  options: DecodeOptions,
): Decoded<C> | Promise<Decoded<C>> {
  if (bytes.length === 0)
    return fail('NOT_JSON', [{ path: '', keyword: 'json', message: 'empty value after the frame header' }])
  const json = parseJson(bytes)
  if (!json.ok) return fail('NOT_JSON', json.issues)
  const data = json.value
  const missing = fillMetadata(data, message)
  if (missing) return fail('EVENT_INVALID', withEnvelopeIssues(catalog, data, missing))
  const uri = schemaOf(data)
  if (uri === undefined || !options.schemas || indexCatalog(catalog).byUri.has(uri))
    return finish(catalog, message, data, undefined, options)
  // Check the envelope before asking the registry: a malformed event costs no request.
  const env = check(catalog.envelope.validate, data)
  if (!env.ok) return fail('EVENT_INVALID', env.issues)
  return options.schemas.lookup(uri).then((hit) => {
    if (hit.kind === 'invalid') return fail<C>(hit.code, hit.issues)
    return finish(catalog, message, data, hit.kind === 'found' ? hit.validate : undefined, options)
  })
}

/** A framed event, valid by the schema its envelope names, must also agree with the schema its frame's id names. */
function agree<C extends Catalog>(
  decoded: Decoded<C>,
  schemaId: number,
  ids: SchemaIdSource,
): Decoded<C> | Promise<Decoded<C>> {
  if (!decoded.ok) return decoded
  const hit = ids.lookup(schemaId)
  return hit instanceof Promise
    ? hit.then((h) => judgeFrame(decoded, h, schemaId))
    : judgeFrame(decoded, hit, schemaId)
}

/**
 * The id's schema agrees when it is the event schema of the version `resource.schema` names (`$id`
 * `<resource.schema>/event`: what our publishers frame with; the event was just validated against its envelope and
 * content, so not again), or that version's content schema itself (frames written before event schemas), or when
 * the whole event is valid against it (a producer that registered a schema for its whole value).
 */
function judgeFrame<C extends Catalog>(
  decoded: Decoded<C> & { ok: true },
  hit: IdLookup,
  schemaId: number,
): Decoded<C> {
  if (hit.kind === 'invalid') return fail(hit.code, hit.issues)
  if (hit.kind === 'unknown')
    return fail('UNKNOWN_SCHEMA', [
      {
        path: '',
        keyword: 'schema-id',
        message: `the frame's schema id ${schemaId} is unknown to the registry`,
        params: { schemaId },
      },
    ])
  const event = (decoded.value as unknown as BaseValidEvent).event
  const uri = event.resource.schema
  if (hit.uri === uri || hit.uri === eventSchemaUri(uri)) return decoded
  let validate: ValidateFn<unknown>
  try {
    validate = hit.validator()
  } catch (e) {
    return fail('SCHEMA_INVALID', [
      {
        path: '',
        keyword: 'schema-id',
        message: `the schema of the frame's id ${schemaId} does not compile: ${(e as Error).message}`,
        params: { schemaId },
      },
    ])
  }
  const r = check(validate, event)
  if (r.ok) return decoded
  return fail('EVENT_INVALID', [
    {
      path: '',
      keyword: 'schema-id',
      message: `the frame's schema id ${schemaId} names ${hit.uri === undefined ? 'a schema without $id' : `'${hit.uri}'`}, which does not describe this event of '${uri}'`,
      params: { schemaId, schemaUri: hit.uri, uri, issues: r.issues.slice(0, 10) },
    },
  ])
}

/**
 * Callisto's envelope has only `action` and `resource`: the transport's CloudEvents attributes (`ce_id`,
 * `ce_time`, `ce_source` on Kafka) fill in what the event lacks. Issues name what neither carries.
 */
function fillMetadata(data: unknown, message: Message): Issue[] | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined
  const event = data as Record<string, unknown>
  if (event.id !== undefined && event.time !== undefined && event.source !== undefined) return undefined
  let issues: Issue[] | undefined
  for (const field of METADATA) {
    if (event[field] !== undefined) continue
    const carried = message.attribute(field)
    if (carried !== undefined) event[field] = carried
    else
      (issues ??= []).push({
        path: `/${field}`,
        keyword: 'required',
        message: `must have required property '${field}': neither the event nor the transport's CloudEvents '${field}' attribute carries it`,
        params: { missingProperty: field },
      })
  }
  return issues
}

/** The missing-metadata issues, and whatever else is wrong with the envelope (its own `required` for them aside). */
function withEnvelopeIssues(catalog: Catalog, data: unknown, missing: Issue[]): Issue[] {
  const env = check(catalog.envelope.validate, data)
  if (env.ok) return missing
  const named = new Set(missing.map((i) => i.path))
  return [...missing, ...env.issues.filter((i) => !(i.keyword === 'required' && named.has(i.path)))]
}

function finish<C extends Catalog>(
  catalog: C,
  message: Message,
  data: unknown,
  resolved: ValidateFn<unknown> | undefined,
  options: DecodeOptions,
): Decoded<C> {
  const r = checkEvent(catalog, data, resolved && (() => resolved))
  if (!r.ok) {
    const unknown = r.issues.length === 1 && r.issues[0]?.keyword === 'known-schema'
    return fail(unknown ? 'UNKNOWN_SCHEMA' : 'EVENT_INVALID', r.issues)
  }
  const event = named(r.value)

  const base = event as unknown as BaseValidEvent & { name: string | undefined }
  const attributeIssues = checkAttributes(message, base)
  if (attributeIssues.length) return fail('EVENT_INVALID', attributeIssues)

  if (options.accepts && !options.accepts(base.name, base.version))
    return fail('VERSION_NOT_ACCEPTED', [
      {
        path: '/resource/schema',
        keyword: 'accepted-version',
        message: `version ${base.version ?? '?'} of '${base.name ?? base.event.resource.schema}' is not accepted by this consumer`,
        params: { resource: base.name, version: base.version },
      },
    ])
  return { ok: true, value: event }
}

function schemaOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const resource = (data as { resource?: unknown }).resource
  if (typeof resource !== 'object' || resource === null) return undefined
  const schema = (resource as { schema?: unknown }).schema
  return typeof schema === 'string' ? schema : undefined
}

/** Adds the name (on the fresh object checkEvent made: no copy per message). */
function named<C extends Catalog>(v: ValidEvent<C>): DecodedEvent<C> {
  const e = v as unknown as BaseValidEvent & { name: string | undefined }
  e.name = e.resource ?? parseSchemaUri(e.event.resource.schema)?.name
  return e as DecodedEvent<C>
}

/** The `type` (`<resource>.<action>`) and `dataschema` attributes, when present, must say what the body says. */
function checkAttributes(message: Message, e: BaseValidEvent & { name: string | undefined }): Issue[] {
  const type = message.attribute('type')
  const schema = message.attribute('dataschema')
  const action = e.event.action
  const typeAgrees =
    type === undefined ||
    (e.name === undefined ? type.endsWith(`.${action}`) : isEventType(type, e.name, action))
  const schemaAgrees = schema === undefined || schema === e.event.resource.schema
  if (typeAgrees && schemaAgrees) return NO_ISSUES
  const issues: Issue[] = []
  if (!typeAgrees)
    issues.push({
      path: '/action',
      keyword: 'header',
      message: `attribute type '${type}' disagrees with the event (${e.name === undefined ? action : `${e.name}.${action}`})`,
      params: { attribute: 'type', value: type },
    })
  if (!schemaAgrees)
    issues.push({
      path: '/resource/schema',
      keyword: 'header',
      message: `attribute dataschema '${schema}' disagrees with resource.schema`,
      params: { attribute: 'dataschema', value: schema },
    })
  return issues
}

const NO_ISSUES: Issue[] = []

export { unknownSchema }
