import { RESOURCE_NAME } from '../../core/index.ts'
import { MODES } from '../../compat/index.ts'
import { param, type JsonSchema } from '../http/route.ts'
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from '../store/audit.ts'

/**
 * What the registry's routes share: their parameters (validated at the edge, emitted into /openapi.json as they
 * are here) and the shapes of their answers (components of the document, referenced wherever these objects are
 * used).
 */

/** The largest version number (nine digits, as storage and `parseSchemaUri` accept). */
export const MAX_VERSION = 999_999_999

export const name = param({
  in: 'path',
  description: 'resource name, e.g. `time-entry`',
  schema: { type: 'string', pattern: RESOURCE_NAME.source },
})

const versionNumber = { type: 'integer', minimum: 1, maximum: MAX_VERSION } as const

/** A version number or `latest` (reads). */
export const version = param({
  in: 'path',
  description: 'a version number, or `latest`',
  schema: { anyOf: [versionNumber, { const: 'latest' }] },
})

/** A version number only (deletes). */
export const numberedVersion = param({
  in: 'path',
  description: 'a version number',
  schema: versionNumber,
})

export const ifNoneMatch = param({
  in: 'header',
  name: 'If-None-Match',
  description: 'an ETag from an earlier answer: 304 when unchanged',
  schema: { type: 'string' },
})

export const Resource = {
  type: 'object',
  required: ['name', 'latest', 'versions', 'uri', 'topic', 'key'],
  properties: {
    name: { type: 'string' },
    latest: { type: 'integer' },
    versions: { type: 'array', items: { type: 'integer' } },
    uri: { type: 'string', format: 'uri' },
    topic: { type: 'string' },
    key: { type: 'string' },
  },
} as const satisfies JsonSchema

export const Registration = {
  type: 'object',
  required: ['name', 'version', 'uri'],
  properties: {
    name: { type: 'string' },
    version: { type: 'integer' },
    uri: { type: 'string', format: 'uri' },
  },
} as const satisfies JsonSchema

/** Also the body of PUT /config, validated at the edge. */
export const Config = {
  type: 'object',
  required: ['compatibility'],
  properties: { compatibility: { enum: MODES } },
} as const satisfies JsonSchema

export const Difference = {
  type: 'object',
  required: ['kind', 'path', 'message', 'breaking'],
  properties: {
    kind: { type: 'string' },
    path: { type: 'string' },
    message: { type: 'string' },
    previous: {},
    next: {},
    breaking: { type: 'boolean' },
    direction: { enum: ['BACKWARD', 'FORWARD'] },
    against: { type: 'integer' },
  },
} as const satisfies JsonSchema

export const CompatReport = {
  type: 'object',
  required: ['compatible', 'mode', 'differences'],
  properties: {
    compatible: { type: 'boolean' },
    mode: { enum: MODES },
    differences: { type: 'array', items: Difference },
  },
} as const satisfies JsonSchema

export const AuditEntry = {
  type: 'object',
  required: ['id', 'at', 'principal', 'action', 'resource', 'version', 'outcome', 'detail'],
  properties: {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    principal: { type: 'string', description: "the token's name; `seed` for start-up seeding" },
    action: { enum: AUDIT_ACTIONS },
    resource: { type: ['string', 'null'], description: 'null: the default mode' },
    version: { type: ['integer', 'null'] },
    outcome: { enum: AUDIT_OUTCOMES },
    detail: { type: ['string', 'null'], description: 'the mode set, or the refusal (code: message)' },
  },
} as const satisfies JsonSchema

export const AuditPage = {
  type: 'object',
  required: ['entries', 'next'],
  properties: {
    entries: { type: 'array', items: AuditEntry },
    next: { type: ['string', 'null'], description: 'the next (older) page, null on the last' },
  },
} as const satisfies JsonSchema

/** The named schemas of /openapi.json. */
export const COMPONENTS: Record<string, JsonSchema> = {
  Resource,
  Registration,
  Config,
  Difference,
  CompatReport,
  AuditEntry,
  AuditPage,
}

export const json = (schema: JsonSchema, example?: unknown) => ({
  'application/json': example === undefined ? { schema } : { schema, example },
})
