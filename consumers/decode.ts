import {
  byUri,
  catalog,
  check,
  checkEvent,
  envelope,
  parseJson,
  parseSchemaUri,
  type ContractErrorCode,
  type Issue,
  type ResourceName,
  type ValidEvent,
  type ValidateFn,
} from '../core/index.ts'
import { headerText, type InboundMessage } from './ports.ts'
import type { SchemaSource } from './schemas.ts'

/** A checked event and what the consumer routes it by. */
export interface DecodedEvent extends ValidEvent {
  /** The resource name: from the catalog, else from a canonical schema URI (`…/schemas/<name>/<version>`). */
  name: string | undefined
}

/** Never throws for bad data: `ok: false` carries the dead-letter code and the issues. */
export type Decoded =
  { ok: true; value: DecodedEvent } | { ok: false; code: ContractErrorCode; issues: Issue[] }

export interface DecodeOptions {
  /** Schemas outside the catalog, from the registry. Without it such a URI is unknown. */
  schemas?: SchemaSource
  /** Whether a resource's version is accepted (see accept.ts); default: all. */
  accepts?: (name: string | undefined, version: number | undefined) => boolean
}

/** Headers publishers set; when present they must agree with the body. */
export const CE_TYPE = 'ce_type'
export const CE_DATASCHEMA = 'ce_dataschema'

const fail = (code: ContractErrorCode, issues: Issue[]): Decoded => ({ ok: false, code, issues })

/**
 * bytes → JSON → envelope → content (against the schema `resource.schema` names) → headers → accepted version.
 * Throws only when it cannot decide now: a registry that is down (a retriable ContractError).
 */
export async function decode(
  message: Pick<InboundMessage, 'value' | 'headers'>,
  options: DecodeOptions = {},
): Promise<Decoded> {
  return decodeNow(message, options)
}

/**
 * decode() without a promise when none is needed (every catalog URI): what the consumer calls per message.
 * Returns a promise only for a registry look-up.
 */
export function decodeNow(
  message: Pick<InboundMessage, 'value' | 'headers'>,
  options: DecodeOptions,
): Decoded | Promise<Decoded> {
  if (message.value === null || message.value.length === 0)
    return fail('NOT_JSON', [
      { path: '', keyword: 'json', message: 'empty value (a tombstone is not an event)' },
    ])
  // Decode the Buffer kafkajs gives us directly: wrapping it in another Buffer first costs an allocation per message.
  const json = parseJson(message.value.toString('utf8'))
  if (!json.ok) return fail('NOT_JSON', json.issues)
  const data = json.value
  const uri = schemaOf(data)
  if (uri === undefined || byUri.has(uri) || !options.schemas)
    return finish(message, data, undefined, options)
  // Check the envelope before asking the registry: a malformed event costs no request.
  const env = check(envelope.validate, data)
  if (!env.ok) return fail('EVENT_INVALID', env.issues)
  return options.schemas.lookup(uri).then((hit) => {
    if (hit.kind === 'invalid') return fail(hit.code, hit.issues)
    return finish(message, data, hit.kind === 'found' ? hit.validate : undefined, options)
  })
}

function finish(
  message: Pick<InboundMessage, 'headers'>,
  data: unknown,
  resolved: ValidateFn<unknown> | undefined,
  options: DecodeOptions,
): Decoded {
  const r = checkEvent(data, () => resolved)
  if (!r.ok) {
    const unknown = r.issues.length === 1 && r.issues[0]?.keyword === 'known-schema'
    return fail(unknown ? 'UNKNOWN_SCHEMA' : 'EVENT_INVALID', r.issues)
  }
  const event = named(r.value)

  const headerIssues = checkHeaders(message.headers, event)
  if (headerIssues.length) return fail('EVENT_INVALID', headerIssues)

  if (options.accepts && !options.accepts(event.name, event.version))
    return fail('VERSION_NOT_ACCEPTED', [
      {
        path: '/resource/schema',
        keyword: 'accepted-version',
        message: `version ${event.version ?? '?'} of '${event.name ?? event.event.resource.schema}' is not accepted by this consumer`,
        params: { resource: event.name, version: event.version },
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
function named(v: ValidEvent): DecodedEvent {
  const e = v as DecodedEvent
  if (v.resource !== undefined) {
    e.name = v.resource
    return e
  }
  const parsed = parseSchemaUri(v.event.resource.schema)
  e.name = parsed?.name
  if (parsed) {
    e.resource = parsed.name in catalog ? (parsed.name as ResourceName) : undefined
    e.version = parsed.version
  }
  return e
}

/** `ce_type` (`<resource>.<action>`) and `ce_dataschema`, when present, must say what the body says. */
function checkHeaders(headers: InboundMessage['headers'], e: DecodedEvent): Issue[] {
  const type = headerText(headers, CE_TYPE)
  const schema = headerText(headers, CE_DATASCHEMA)
  const action = e.event.action
  const typeAgrees =
    type === undefined ||
    (e.name === undefined
      ? type.endsWith(`.${action}`)
      : type.length === e.name.length + 1 + action.length &&
        type.startsWith(e.name) &&
        type.endsWith(action) &&
        type[e.name.length] === '.')
  const schemaAgrees = schema === undefined || schema === e.event.resource.schema
  if (typeAgrees && schemaAgrees) return NO_ISSUES
  const issues: Issue[] = []
  if (!typeAgrees)
    issues.push({
      path: '/action',
      keyword: 'header',
      message: `header ${CE_TYPE} '${type}' disagrees with the event (${e.name === undefined ? action : `${e.name}.${action}`})`,
      params: { header: CE_TYPE, value: type },
    })
  if (!schemaAgrees)
    issues.push({
      path: '/resource/schema',
      keyword: 'header',
      message: `header ${CE_DATASCHEMA} '${schema}' disagrees with resource.schema`,
      params: { header: CE_DATASCHEMA, value: schema },
    })
  return issues
}

const NO_ISSUES: Issue[] = []
