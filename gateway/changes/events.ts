/**
 * Change events from two versions of a resource, HDX's `/api/create-change-events` on our contracts: both versions
 * are validated against the resource's schema, then
 * - no old version: `create` (the new content);
 * - no new version, or one its schema marks deleted (`x-deleted`) when the old was not: `delete` (the last content);
 * - both, and the schema-aware diff finds changes: `update` with the new content and the changes in the envelope's
 *   `changes` extension (core/changes.ts), who made them in `actor`;
 * - both, and nothing changed (formatting-only Markdown edits, ignored fields): nothing, and an outcome saying why.
 * Every event is validated (envelope, content, extension) before it is handed to the sink.
 */
import {
  buildEnvelope,
  check,
  checkChanges,
  ContractError,
  createEncoder,
  indexCatalog,
  sendFailed,
  type Action,
  type Catalog,
  type Change,
  type Checked,
  type Issue,
  type Sink,
} from '../../core/index.ts'
import { deletedMarker, diffContent, type DiffOptions } from './diff.ts'

/** Two versions of a resource's content; either may be absent (null or left out). */
export interface ChangeInput {
  readonly resource: string
  readonly old?: unknown
  readonly new?: unknown
  /** Who made the change (HDX's `username`). */
  readonly actor?: string
  /** The schema version both are judged by; the latest by default. */
  readonly version?: number
  /** The event's id (a UUID); generated when absent. */
  readonly id?: string
}

/** What two versions amount to. */
export type ChangeOutcome =
  | {
      readonly publish: true
      readonly action: Action
      readonly content: Record<string, unknown>
      readonly changes: readonly Change[]
    }
  | {
      readonly publish: false
      readonly reason: 'no changes' | 'already deleted'
      readonly changes: readonly Change[]
    }

export interface ChangeEventsOptions {
  readonly catalog: Catalog
  /** The resource schemas by URI (the generated `schemas`, or a tree's): the diff reads their keywords. */
  readonly schemas: Readonly<Record<string, unknown>>
  readonly sink: Sink
  /** `source` of the events. */
  readonly source: string
  readonly topicPrefix?: string
  readonly newId?: () => string
  readonly now?: () => Date
  readonly diff?: DiffOptions
}

/** What `publish` did: the outcome, and where the event went when there was one. */
export interface ChangeResult {
  readonly outcome: ChangeOutcome
  readonly published?: { readonly id: string; readonly destination: string; readonly action: Action }
}

export interface ChangeEvents {
  /** The outcome of two versions, or the issues (`/old/…`, `/new/…`, `/resource`) when they are not valid. Pure. */
  derive(input: ChangeInput): Checked<ChangeOutcome>
  /** Derives, then publishes the event if there is one. EVENT_INVALID for bad input, SEND_FAILED (retriable). */
  publish(input: ChangeInput): Promise<ChangeResult>
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const absent = (v: unknown) => v === undefined || v === null

export function createChangeEvents(options: ChangeEventsOptions): ChangeEvents {
  const { catalog, schemas, sink } = options
  const index = indexCatalog(catalog)
  const now = options.now ?? (() => new Date())
  const newId = options.newId ?? (() => crypto.randomUUID())
  const encoder = createEncoder(catalog, {
    source: options.source,
    topicPrefix: options.topicPrefix,
    newId,
    now,
  })

  function derive(input: ChangeInput): Checked<ChangeOutcome> {
    const issues: Issue[] = []
    const v = index.version(input.resource, input.version)
    if (!index.resource(input.resource))
      return fail('/resource', 'known-resource', `'${input.resource}' is not a resource of the catalog`)
    if (!v)
      return fail('/version', 'known-schema', `'${input.resource}' has no version ${String(input.version)}`)
    const schema = schemas[v.uri]
    if (!isObject(schema)) throw new TypeError(`change events: no schema document for ${v.uri}`)
    const before = input.old
    const after = input.new
    if (absent(before) && absent(after))
      return fail('', 'required', "give 'old', 'new' or both: two absent versions are no change")
    for (const [field, value] of [
      ['old', before],
      ['new', after],
    ] as const) {
      if (absent(value)) continue
      const r = check(v.validate, value, `/${field}`)
      if (!r.ok) issues.push(...r.issues)
    }
    if (issues.length) return { ok: false, issues }
    const marker = deletedMarker(schema)
    const deleted = (c: unknown) => marker !== undefined && isObject(c) && c[marker.property] === marker.value
    const none: readonly Change[] = []
    if (absent(before))
      return ok({ publish: true, action: 'create', content: after as Record<string, unknown>, changes: none })
    if (absent(after))
      return ok({
        publish: true,
        action: 'delete',
        content: before as Record<string, unknown>,
        changes: none,
      })
    if (deleted(after))
      return ok(
        deleted(before)
          ? { publish: false, reason: 'already deleted', changes: none }
          : { publish: true, action: 'delete', content: after as Record<string, unknown>, changes: none },
      )
    // A deleted resource coming back is created again.
    if (deleted(before))
      return ok({ publish: true, action: 'create', content: after as Record<string, unknown>, changes: none })
    const changes = diffContent(schema, before, after, options.diff)
    return ok(
      changes.length
        ? { publish: true, action: 'update', content: after as Record<string, unknown>, changes }
        : { publish: false, reason: 'no changes', changes },
    )
  }

  return {
    derive,
    async publish(input) {
      const derived = derive(input)
      if (!derived.ok)
        throw new ContractError('EVENT_INVALID', 'the versions do not match their schema', derived.issues)
      const outcome = derived.value
      if (!outcome.publish) return { outcome }
      const uri = index.version(input.resource, input.version)?.uri as string
      const envelope: Record<string, unknown> = {
        ...buildEnvelope(
          outcome.action,
          uri,
          outcome.content,
          { source: options.source, newId, now },
          { id: input.id },
        ),
      }
      if (outcome.action === 'update') envelope.changes = outcome.changes
      if (input.actor !== undefined) envelope.actor = input.actor
      const extension = checkChanges(envelope)
      if (!extension.ok)
        throw new ContractError(
          'EVENT_INVALID',
          'the change event does not match its extension schema',
          extension.issues,
        )
      const encoded = encoder.encodeEvent(envelope)
      if (!encoded.ok)
        throw new ContractError('EVENT_INVALID', 'the change event does not match its schema', encoded.issues)
      const m = encoded.value
      try {
        await sink.send(m)
      } catch (e) {
        const failure = sendFailed(e, `the transport did not take change event ${m.id}`)
        throw new ContractError('SEND_FAILED', failure.message, [], { cause: e, retriable: true })
      }
      return { outcome, published: { id: m.id, destination: m.destination, action: outcome.action } }
    },
  }
}

const ok = (value: ChangeOutcome): Checked<ChangeOutcome> => ({ ok: true, value })
const fail = (path: string, keyword: string, message: string): Checked<ChangeOutcome> => ({
  ok: false,
  issues: [{ path, keyword, message }],
})
