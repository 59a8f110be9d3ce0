import {
  indexCatalog,
  type Action,
  type BaseEnvelope,
  type Catalog,
  type EnvelopeOf,
  type ResourceReference,
  type ValidEvent,
} from './catalog.ts'
import { ContractError, type EventIssueKeyword, type Issue } from './errors.ts'
import { parseSchemaUri } from './uri.ts'
import { check, type Checked, type ValidateFn } from './validate.ts'

const REFERENCE_KEYS = new Set(['tenantId', 'id', 'version', 'schema'])

/** The envelope's rule: content whose property names are all ResourceReference fields is a reference. */
export function isReference(content: object): content is ResourceReference {
  for (const k in content) if (!REFERENCE_KEYS.has(k)) return false
  return true
}

/** How to find the validator for a schema URI that is not in the catalog; undefined: nobody knows it. */
export type ResolveValidator = (uri: string) => ValidateFn<unknown> | undefined

const none: ResolveValidator = () => undefined

/** The issue for a schema URI nobody knows (keyword `known-schema`). */
export const unknownSchema = (uri: string): Issue<'known-schema'> => ({
  path: '/resource/schema',
  keyword: 'known-schema',
  message: `unknown schema URI '${uri}'`,
  params: { uri },
})

/**
 * Validates a whole event against a catalog: the envelope first, then the content against the schema its
 * `resource.schema` names (a ResourceReference is checked by the envelope itself). Never throws. A valid event
 * narrows on `resource`, `version` and `reference`; a schema found by `resolve` (a registry) gives `resource`
 * undefined.
 */
export function checkEvent<C extends Catalog>(
  catalog: C,
  data: unknown,
  resolve: ResolveValidator = none,
): Checked<ValidEvent<C>, EventIssueKeyword> {
  const env = check(catalog.envelope.validate, data)
  if (!env.ok) return env
  const event = env.value
  const uri = event.resource.schema
  const hit = indexCatalog(catalog).byUri.get(uri)
  const validate = hit ? hit.validate : resolve(uri)
  if (!validate) return { ok: false, issues: [unknownSchema(uri)] }
  const content = event.resource.content
  // The common case first: the content is the resource. Only when it is not do we look at whether it is a
  // ResourceReference (the envelope has validated it as one already); scanning keys first costs more than
  // the whole content validation on a freshly parsed event.
  const contentValid = validate(content)
  if (!contentValid && !isReference(content)) {
    const c = check(validate, content, '/resource/content')
    return { ok: false, issues: c.ok ? [] : c.issues }
  }
  const reference = !contentValid
  if (reference) {
    const ref = content as ResourceReference
    if (ref.schema !== undefined && ref.schema !== uri)
      return {
        ok: false,
        issues: [
          {
            path: '/resource/content/schema',
            keyword: 'const',
            message: `must equal resource.schema '${uri}'`,
            params: { allowedValue: uri },
          },
        ],
      }
  }
  const value = hit
    ? { event, resource: hit.resource, version: hit.version, reference }
    : { event, resource: undefined, version: parseSchemaUri(uri)?.version, reference }
  return { ok: true, value: value as ValidEvent<C> }
}

/** Like checkEvent, but throws a ContractError: EVENT_INVALID, or UNKNOWN_SCHEMA for an unknown URI. */
export function parseEvent<C extends Catalog>(
  catalog: C,
  data: unknown,
  resolve?: ResolveValidator,
): ValidEvent<C> {
  const r = checkEvent(catalog, data, resolve)
  if (r.ok) return r.value
  const unknown = r.issues.length === 1 && r.issues[0]?.keyword === 'known-schema'
  throw new ContractError(
    unknown ? 'UNKNOWN_SCHEMA' : 'EVENT_INVALID',
    unknown ? (r.issues[0] as Issue).message : 'event does not match its schema',
    r.issues,
  )
}

/** Parses JSON text or bytes without throwing. */
export function parseJson(bytes: string | Uint8Array): Checked<unknown, 'json'> {
  try {
    // A Buffer (what kafkajs hands over) is decoded as it is: wrapping it in another costs an allocation per message.
    const text =
      typeof bytes === 'string'
        ? bytes
        : Buffer.isBuffer(bytes)
          ? bytes.toString('utf8')
          : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
    return { ok: true, value: JSON.parse(text) }
  } catch (e) {
    return {
      ok: false,
      issues: [{ path: '', keyword: 'json', message: `not JSON: ${(e as Error).message}` }],
    }
  }
}

/** What an envelope needs besides action and resource, with injectable id and clock. */
export interface EnvelopeOptions {
  source: string
  newId?: () => string
  now?: () => Date
}

// The default clock's ISO string, made once per millisecond: toISOString costs more than the rest of an envelope,
// and a publisher sends many events within one millisecond.
let isoMs = Number.NaN
let isoText = ''
function isoNow(): string {
  const ms = Date.now()
  if (ms !== isoMs) {
    isoMs = ms
    isoText = new Date(ms).toISOString()
  }
  return isoText
}

/** Builds an envelope (not yet validated). */
export function buildEnvelope<C extends Catalog = Catalog>(
  action: Action,
  schema: string,
  content: object,
  options: EnvelopeOptions,
  extra?: { id?: string | undefined; time?: string | undefined },
): EnvelopeOf<C> {
  // No default parameters or destructuring here: this runs once per published event.
  const id = extra?.id ?? (options.newId ? options.newId() : crypto.randomUUID())
  const time = extra?.time ?? (options.now ? options.now().toISOString() : isoNow())
  const envelope: BaseEnvelope = {
    id,
    time,
    source: options.source,
    action,
    resource: { schema, content: content as BaseEnvelope['resource']['content'] },
  }
  return envelope as EnvelopeOf<C>
}
