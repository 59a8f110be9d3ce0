import { byUri, catalog, envelope, resourceReference, type ResourceName } from '../generated/index.ts'
import { ContractError, type Issue } from './errors.ts'
import type { Action, Envelope, ResourceReference } from './types.ts'
import { check, type Checked, type ValidateFn } from './validate.ts'

const REFERENCE_KEYS = new Set(['tenantId', 'id', 'version', 'schema'])

/** The envelope's rule: content whose property names are all ResourceReference fields is a reference. */
export function isReference(content: object): content is ResourceReference {
  for (const k in content) if (!REFERENCE_KEYS.has(k)) return false
  return true
}

/** An event whose envelope and content both validated. */
export interface ValidEvent {
  event: Envelope
  /** The catalog resource, or undefined when the schema came from elsewhere (a registry). */
  resource: ResourceName | undefined
  version: number | undefined
  reference: boolean
}

/** How to find the validator for a schema URI that is not in the catalog; undefined: nobody knows it. */
export type ResolveValidator = (uri: string) => ValidateFn<unknown> | undefined

const fromCatalog: ResolveValidator = (uri) => {
  const hit = byUri.get(uri)
  if (!hit) return undefined
  const versions = catalog[hit.resource].versions as Record<number, { validate: ValidateFn<unknown> }>
  return versions[hit.version]?.validate
}

/**
 * Validates a whole event: the envelope first, then the content against the schema its `resource.schema` names
 * (a ResourceReference is checked by the envelope itself). Never throws.
 */
export function checkEvent(data: unknown, resolve: ResolveValidator = fromCatalog): Checked<ValidEvent> {
  const env = check(envelope.validate, data)
  if (!env.ok) return env
  const event = env.value
  const uri = event.resource.schema
  const hit = byUri.get(uri)
  const content = event.resource.content
  const reference = isReference(content)
  const issues: Issue[] = []
  const validate = hit ? fromCatalog(uri) : resolve(uri)
  if (!validate)
    return {
      ok: false,
      issues: [{ path: '/resource/schema', keyword: 'known-schema', message: `unknown schema URI '${uri}'`, params: { uri } }],
    }
  if (reference) {
    const ref = content as ResourceReference
    if (ref.schema !== undefined && ref.schema !== uri)
      issues.push({
        path: '/resource/content/schema',
        keyword: 'const',
        message: `must equal resource.schema '${uri}'`,
        params: { allowedValue: uri },
      })
  } else {
    const c = check(validate, content, '/resource/content')
    if (!c.ok) issues.push(...c.issues)
  }
  if (issues.length) return { ok: false, issues }
  return { ok: true, value: { event, resource: hit?.resource, version: hit?.version, reference } }
}

/** Like checkEvent, but throws a ContractError: EVENT_INVALID, or UNKNOWN_SCHEMA for an unknown URI. */
export function parseEvent(data: unknown, resolve?: ResolveValidator): ValidEvent {
  const r = checkEvent(data, resolve)
  if (r.ok) return r.value
  const unknown = r.issues.length === 1 && r.issues[0]?.keyword === 'known-schema'
  throw new ContractError(unknown ? 'UNKNOWN_SCHEMA' : 'EVENT_INVALID', unknown ? (r.issues[0] as Issue).message : 'event does not match its schema', r.issues)
}

/** Parses JSON text or bytes without throwing. */
export function parseJson(bytes: string | Uint8Array): Checked<unknown> {
  try {
    const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
    return { ok: true, value: JSON.parse(text) }
  } catch (e) {
    return { ok: false, issues: [{ path: '', keyword: 'json', message: `not JSON: ${(e as Error).message}` }] }
  }
}

/** What an envelope needs besides action and resource, with injectable id and clock. */
export interface EnvelopeOptions {
  source: string
  newId?: () => string
  now?: () => Date
}

/** Builds an envelope (not yet validated). */
export function buildEnvelope(
  action: Action,
  schema: string,
  content: object,
  { source, newId = () => crypto.randomUUID(), now = () => new Date() }: EnvelopeOptions,
  extra: { id?: string; time?: string } = {},
): Envelope {
  return {
    id: extra.id ?? newId(),
    time: extra.time ?? now().toISOString(),
    source,
    action,
    resource: { schema, content: content as Envelope['resource']['content'] },
  }
}

export const referenceValidator = resourceReference.validate
