/**
 * The one outbound step every sink shares: envelope, validation, serialised value, attributes, destination and key.
 * Pure: it returns the message or the issues, and sends nothing.
 */
import {
  indexCatalog,
  type Action,
  type BaseEnvelope,
  type BaseValidEvent,
  type Catalog,
  type CatalogIndex,
  type ResourceReference,
} from './catalog.ts'
import { cloudEventAttributes } from './cloudevents.ts'
import { buildEnvelope, checkEvent, unknownSchema, type EnvelopeOptions } from './envelope.ts'
import { ContractError, type Issue } from './errors.ts'
import type { EncodedMessage } from './ports.ts'
import { prefixed } from './topics.ts'
import { check, type Checked } from './validate.ts'

/** Per-event choices; the id and time are generated when absent. */
export interface EncodeMeta {
  version?: number | undefined
  id?: string | undefined
  time?: string | undefined
  /** Partition key for a reference (the resource's own `x-key` value); `reference.id` by default. */
  key?: string | undefined
  headers?: Readonly<Record<string, string>> | undefined
}

/** One publish request: content or a reference, of a resource (any string: JavaScript callers exist). */
export interface EncodeInput {
  resource: string
  action: Action | string
  body: unknown
  asReference: boolean
  /** The caller's options object, read and never copied. */
  meta: EncodeMeta
}

export interface EncoderOptions extends EnvelopeOptions {
  topicPrefix?: string | undefined
}

const fail = (path: string, keyword: string, message: string): Checked<EncodedMessage> => ({
  ok: false,
  issues: [{ path, keyword, message }],
})

/** An encoder bound to a catalog and a source; every publisher and sink uses one. */
export interface Encoder {
  /** Builds the envelope for content or a reference, validates it and encodes it. */
  encode(input: EncodeInput): Checked<EncodedMessage>
  /** Encodes a whole event built elsewhere (a file, an outbox row), extra envelope fields included. */
  encodeEvent(event: unknown, meta?: EncodeMeta, asReference?: boolean): Checked<EncodedMessage>
}

export function createEncoder(catalog: Catalog, options: EncoderOptions): Encoder {
  const index: CatalogIndex = indexCatalog(catalog)
  const prefix = options.topicPrefix || undefined
  // The JSON of what every event of this encoder, or of one version, shares: written once, not per event.
  const sourceJson = ',"source":' + jsonString(options.source) + ',"action":'
  const schemaJson = new Map<string, string>()
  // Built by encode(): its id and time came from this encoder (crypto.randomUUID, the ISO clock), not the caller.
  const ownId = options.newId === undefined
  const ownTime = options.now === undefined
  function envelopeJson(e: BaseEnvelope, content: string, own: number): string {
    let schema = schemaJson.get(e.resource.schema)
    if (schema === undefined)
      schemaJson.set(
        e.resource.schema,
        (schema = ',"resource":{"schema":' + jsonString(e.resource.schema) + ',"content":'),
      )
    return (
      // A UUID and an ISO time we made have nothing to escape: no scan for it.
      (own & OWN_ID ? '{"id":"' + e.id + '","time":' : '{"id":' + jsonString(e.id) + ',"time":') +
      (own & OWN_TIME ? '"' + e.time + '"' : jsonString(e.time)) +
      (e.source === options.source ? sourceJson : ',"source":' + jsonString(e.source) + ',"action":') +
      (ACTION_JSON.get(e.action) ?? jsonString(e.action)) +
      schema +
      content +
      '}}'
    )
  }

  function encodeEvent(
    event: unknown,
    meta: EncodeMeta = {},
    asReference?: boolean,
    built = 0,
  ): Checked<EncodedMessage> {
    const r = checkEvent(catalog, event)
    if (!r.ok) return r
    const { event: valid, resource, version, reference } = r.value as BaseValidEvent
    const v = resource === undefined ? undefined : index.version(resource, version)
    if (!v) return { ok: false, issues: [unknownSchema(valid.resource.schema)] }
    const content = valid.resource.content
    if (asReference !== undefined && reference !== asReference) {
      // The envelope tells content from reference by its property names; hold each method to what it promised.
      const own = check(asReference ? catalog.reference : v.validate, content, '/resource/content')
      return own.ok
        ? fail(
            '/resource/content',
            'reference',
            asReference ? 'must be a ResourceReference' : 'must be the resource, not a reference',
          )
        : own
    }
    const key = reference
      ? (meta.key ?? String((content as ResourceReference).id))
      : String((content as Record<string, unknown>)[v.key])
    const attributes = cloudEventAttributes(valid, v.resource)
    return {
      ok: true,
      value: {
        destination: prefixed(v.topic, prefix),
        key,
        // An envelope we built has exactly its five fields: write it with the version's compiled serializer.
        value:
          built && !reference && v.serialize
            ? envelopeJson(valid, v.serialize(content as never), built)
            : JSON.stringify(valid),
        attributes,
        headers: meta.headers,
        id: valid.id,
      },
    }
  }

  return {
    // Not the function itself: its fourth parameter is this encoder's own (what it built), not a caller's.
    encodeEvent: (event, meta, asReference) => encodeEvent(event, meta, asReference),
    encode({ resource, action, body, asReference, meta }) {
      const entry = index.resource(resource)
      if (!entry) return fail('/resource', 'known-resource', `unknown resource '${resource}'`)
      const v = index.version(resource, meta.version)
      if (!v)
        return fail('/resource/schema', 'known-schema', `${resource} has no version ${String(meta.version)}`)
      const event = buildEnvelope(action as Action, v.uri, body as object, options, meta)
      const own =
        BUILT |
        (ownId && meta.id === undefined ? OWN_ID : 0) |
        (ownTime && meta.time === undefined ? OWN_TIME : 0)
      return encodeEvent(event, meta, asReference, own)
    },
  }
}

/** encodeEvent's `built`: the envelope was built by encode(), and which of its fields the encoder made itself. */
const BUILT = 1
const OWN_ID = 2
const OWN_TIME = 4

// Control characters are exactly what JSON must escape: the point of this pattern.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/
/** A JSON string literal: as it is when nothing needs escaping, else JSON.stringify's. */
const jsonString = (s: string): string =>
  s.length > 4096 || NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"'

const ACTION_JSON: ReadonlyMap<string, string> = new Map(
  ['create', 'update', 'delete'].map((a) => [a, `"${a}"`]),
)

/** One event of a batch as `publishBatch` and an outbox's `enqueueBatch` take it: content or a reference, and its meta. */
export interface BatchInput extends EncodeMeta {
  resource: string
  action: Action | string
  content?: unknown
  reference?: unknown
}

/** Encodes one request, or throws its ContractError (UNKNOWN_RESOURCE, UNKNOWN_SCHEMA or EVENT_INVALID). */
export function encodeOrThrow(encoder: Encoder, input: EncodeInput): EncodedMessage {
  const r = encoder.encode(input)
  if (r.ok) return r.value
  throw encodeError(r.issues, `${input.resource} ${input.action} event does not match its schema`)
}

/**
 * Encodes every event of a batch, or throws one ContractError listing every issue under `/<index>`: nothing of an
 * invalid batch goes anywhere.
 */
export function encodeBatch(encoder: Encoder, events: readonly BatchInput[]): EncodedMessage[] {
  const issues: Issue[] = []
  const messages: EncodedMessage[] = []
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as BatchInput
    const asReference = e.reference !== undefined
    const r = encoder.encode({
      resource: e.resource,
      action: e.action,
      body: asReference ? e.reference : e.content,
      asReference,
      meta: e,
    })
    if (r.ok) messages.push(r.value)
    else for (const x of r.issues) issues.push({ ...x, path: `/${i}${x.path}` })
  }
  if (issues.length)
    throw encodeError(
      issues,
      `${events.length - messages.length} of ${events.length} events do not match their schemas`,
    )
  return messages
}

/** The ContractError for issues of an encode: UNKNOWN_RESOURCE, UNKNOWN_SCHEMA or EVENT_INVALID. */
export function encodeError(issues: Issue[], message: string): ContractError {
  const only = (keyword: string) => issues.every((i) => i.keyword === keyword)
  const code = only('known-resource')
    ? 'UNKNOWN_RESOURCE'
    : only('known-schema')
      ? 'UNKNOWN_SCHEMA'
      : 'EVENT_INVALID'
  return new ContractError(code, code === 'EVENT_INVALID' ? message : (issues[0]?.message ?? message), issues)
}
