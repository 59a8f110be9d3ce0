/**
 * Error codes, per domain. Callers branch on `code`, never on `message`; a new code is added to its domain's list.
 */

/** Events: validating, publishing and consuming them (the kernel and the transports). */
export const EVENT_ERROR_CODES = [
  'EVENT_INVALID', // an event (envelope or content) breaks its schema
  'NOT_JSON', // bytes that do not parse as JSON
  'BAD_FRAME', // a value that starts as a Confluent frame but is none: truncated, or an unknown magic byte (wire.ts)
  'UNKNOWN_SCHEMA', // an event names a schema URI nobody knows
  'UNKNOWN_RESOURCE', // a resource name that is not in the catalog (or the registry)
  'VERSION_NOT_ACCEPTED', // a consumer's accepted range excludes the event's schema version
  'HANDLER_FAILED', // a consumer handler kept failing
  'TOO_MANY_ERRORS', // a consumer stopped after maxConsecutiveErrors
  'SEND_FAILED', // the transport refused or failed to take a message
] as const
export type EventErrorCode = (typeof EVENT_ERROR_CODES)[number]

/** Schemas: whether a version may join a resource's history (generator, `contracts check`, registry). */
export const SCHEMA_ERROR_CODES = [
  'SCHEMA_INVALID', // not a valid JSON Schema, a remote $ref, over the size/nesting limits
  'SCHEMA_CONFLICT', // a stored version differs from its file, an $id that is not the canonical one, topic/key changed
  'INCOMPATIBLE_SCHEMA', // refused by the compatibility engine under the resource's mode
] as const
export type SchemaErrorCode = (typeof SCHEMA_ERROR_CODES)[number]

/** The registry service and its HTTP API (and the client that talks to it). */
export const REGISTRY_ERROR_CODES = [
  ...SCHEMA_ERROR_CODES,
  'UNKNOWN_RESOURCE', // no such resource registered
  'SCHEMA_NOT_FOUND', // a lookup for a name/version/URI that does not exist
  'NOT_JSON', // a request body that does not parse as JSON
  'BAD_REQUEST', // malformed request: a bad parameter, a body of the wrong shape
  'PAYLOAD_TOO_LARGE', // request body over the limit
  'UNAUTHORIZED', // write without a token
  'FORBIDDEN', // write with a wrong token, or writes disabled
  'PRECONDITION_FAILED', // e.g. permanent delete before a soft delete
  'REGISTRY_UNAVAILABLE', // the registry (or its database) did not answer (retriable)
  'TOO_COMPLEX', // checking or compiling the input took longer than the registry's time budget
  'TOO_MANY_REQUESTS', // a client has too many expensive requests in flight, or the work queue is full (retriable)
] as const
export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number]

/** The tools around the library: the CLI, its configuration, the optional packages a feature needs. */
export const TOOLING_ERROR_CODES = [
  'MISSING_PACKAGE', // an optional peer dependency the feature needs is not installed (the message names it)
  'CONFIG_INVALID', // contracts.config.json (or package.json "contracts") is not what the CLI reads
] as const
export type ToolingErrorCode = (typeof TOOLING_ERROR_CODES)[number]

/** The HTTP gateway: CloudEvents in, webhooks out, change events (and the webhook forwarder). */
export const GATEWAY_ERROR_CODES = [
  'EVENT_INVALID', // an event breaks its contract (unknown resources and schemas included): nothing is published
  'NOT_JSON', // a body that does not parse as JSON
  'SEND_FAILED', // the transport did not take the events (retriable: the broker is down)
  'BAD_REQUEST', // not a CloudEvent (a required attribute missing), a body of the wrong shape
  'PAYLOAD_TOO_LARGE', // a body or a batch over its limit
  'UNAUTHORIZED', // no token
  'FORBIDDEN', // a token that may not write the event's resource
  'UNSUPPORTED_MEDIA_TYPE', // a Content-Type that is neither CloudEvents nor JSON
  'NO_ROUTE', // no route matches the event's source and type, and unmatched events are refused
  'WEBHOOK_FAILED', // a webhook did not take an event (timeouts, 5xx, 429, refused connections, other 4xx)
] as const
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number]

/** The transactional outbox: its writer, its relay and its inbox. */
export const OUTBOX_ERROR_CODES = [
  'EVENT_INVALID', // enqueue: an event breaks its contract; nothing is written, the caller's transaction rolls back
  'UNKNOWN_RESOURCE', // enqueue: a resource that is not in the catalog
  'SEND_FAILED', // the transport did not take a round's events (retriable: they stay pending)
  'ROW_INVALID', // a claimed row is not an event the relay can send (written by hand or by another writer): it stays pending
  'OUTBOX_MISSING', // the outbox table does not exist: run migrateOutbox (or `contracts relay`, which does)
  'DATABASE_UNAVAILABLE', // the database did not answer: refused, dropped, shutting down, out of connections (retriable)
  'DATABASE_FAILED', // the database answered with an error (a statement refused, a permission missing)
  'RELAY_STATE', // a call the relay's state does not allow: start() after stop(), idle() before start()
] as const
export type OutboxErrorCode = (typeof OUTBOX_ERROR_CODES)[number]

/** Every failure the library reports has one of these codes. */
export type ContractErrorCode =
  EventErrorCode | RegistryErrorCode | GatewayErrorCode | OutboxErrorCode | ToolingErrorCode

/**
 * The rules an event can break, closed: JSON Schema's keywords as the validators name them, and the kernel's own.
 * (The registry's admission rule and the compatibility engine declare theirs beside their rules.)
 */
export const SCHEMA_RULE_KEYWORDS = [
  'type',
  'required',
  'enum',
  'const',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'items',
  'additionalItems',
  'contains',
  'minProperties',
  'maxProperties',
  'additionalProperties',
  'propertyNames',
  'dependentRequired',
  'dependencies',
  'unevaluatedProperties',
  'unevaluatedItems',
  'anyOf',
  'oneOf',
  'not',
  'false schema',
] as const
export const EVENT_RULE_KEYWORDS = [
  'json', // the bytes are not JSON (envelope.ts parseJson)
  'frame', // a truncated Confluent frame or an unknown magic byte (wire.ts)
  'schema-id', // a frame's schema id is unknown, or names a schema that does not describe the event (decode.ts)
  'known-schema', // resource.schema names no schema the catalog or the registry knows (envelope.ts)
  'known-resource', // a publish names no resource of the catalog (encode.ts)
  'reference', // content where a reference was promised, or the other way round (encode.ts)
  'header', // a transport attribute (ce_type, ce_dataschema) disagrees with the body (decode.ts)
  'accepted-version', // the consumer does not accept this version (decode.ts)
  'registry', // the registry refused to give the schema (schema-source.ts)
  'schema', // the registry's schema does not compile (schema-source.ts)
] as const
export type EventIssueKeyword = (typeof SCHEMA_RULE_KEYWORDS)[number] | (typeof EVENT_RULE_KEYWORDS)[number]

/** One problem; `path` is a JSON Pointer into the checked value, `keyword` the rule it broke. */
export interface Issue<K extends string = string> {
  readonly path: string
  readonly keyword: K
  readonly message: string
  readonly params?: Readonly<Record<string, unknown>>
}

export interface ContractErrorOptions {
  cause?: unknown
  /** True when trying again later may succeed (network, broker, registry down). */
  retriable?: boolean
}

export class ContractError extends Error {
  override readonly name = 'ContractError'
  readonly retriable: boolean
  constructor(
    readonly code: ContractErrorCode,
    message: string,
    readonly issues: readonly Issue[] = [],
    options: ContractErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.retriable = options.retriable ?? false
  }
}

export const isContractError = (e: unknown, code?: ContractErrorCode): e is ContractError =>
  e instanceof ContractError && (code === undefined || e.code === code)

/** One line per issue, for people: `/resource/content/ownerId: must be string (type)`. */
export function formatIssues(issues: readonly Issue[], indent = ''): string {
  return issues.map((i) => `${indent}${i.path || '/'}: ${i.message} (${i.keyword})`).join('\n')
}
