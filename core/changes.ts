/**
 * What an `update` change event carries besides the new content: the list of changes from the previous version, in
 * the envelope's extension field `changes` (the envelope is open: producers may add fields, consumers ignore what
 * they do not know), and who made them in `actor`. The content stays the resource itself, valid against its schema,
 * so a consumer that wants only the state reads it as any other event; one that wants the changes reads
 * `changesOf(event)`, checked against CHANGES_SCHEMA. Paths are JSON Pointers into the content.
 */
import { createAjv } from './ajv.ts'
import { formats } from './formats.ts'
import { check, type Checked, type ValidateFn } from './validate.ts'

/** The item of an array of objects (matched by its `x-identity` property) a change is inside, or is. */
export interface ItemRef {
  /** The item in the new content (in the old one for a removal), e.g. `/resources/2`. */
  readonly path: string
  /** Its identity value. */
  readonly id: string | number
}

/**
 * One change between two versions of a resource's content:
 * - `changed`: a value at `path` changed; `old` absent means the field was added, `new` absent that it was removed;
 * - `items`: an array of scalars gained `added` and lost `removed` (order is not a change);
 * - `item-added` / `item-removed`: an item of an array of objects with an identity, whole.
 * A change inside an identified item names that item in `item` (the innermost enclosing one).
 */
export type Change =
  | {
      readonly kind: 'changed'
      readonly path: string
      readonly old?: unknown
      readonly new?: unknown
      readonly item?: ItemRef
    }
  | {
      readonly kind: 'items'
      readonly path: string
      readonly added: readonly unknown[]
      readonly removed: readonly unknown[]
      readonly item?: ItemRef
    }
  | {
      readonly kind: 'item-added'
      readonly path: string
      readonly id: string | number
      readonly new: unknown
      readonly item?: ItemRef
    }
  | {
      readonly kind: 'item-removed'
      readonly path: string
      readonly id: string | number
      readonly old: unknown
      readonly item?: ItemRef
    }

/** The envelope extension fields of a change event. */
export interface ChangeExtension {
  readonly changes?: readonly Change[]
  /** Who made the change (HDX's `username`), when known. */
  readonly actor?: string
}

const POINTER = { type: 'string', maxLength: 2048, pattern: '^(/.*)?$' } as const
const ID = { type: ['string', 'integer'] } as const
const ITEM = {
  type: 'object',
  required: ['path', 'id'],
  properties: { path: POINTER, id: ID },
  additionalProperties: false,
} as const

/** One kind of change: its own fields, those it requires, nothing else. */
const branch = (kind: string, required: readonly string[], properties: Record<string, unknown>) =>
  ({
    type: 'object',
    required: ['kind', 'path', ...required],
    properties: { kind: { const: kind }, path: POINTER, item: ITEM, ...properties },
    additionalProperties: false,
  }) as const

/** The extension fields as JSON Schema: what every change event published carries is checked against it. */
export const CHANGES_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://event-contracts.dev/schemas/extensions/changes/1',
  title: 'ChangeExtension',
  type: 'object',
  properties: {
    actor: { type: 'string', minLength: 1, maxLength: 256 },
    changes: {
      type: 'array',
      maxItems: 10_000,
      items: {
        // anyOf: a `changed` with both old and new matches both of its branches.
        anyOf: [
          branch('changed', ['old'], { old: true, new: true }),
          branch('changed', ['new'], { old: true, new: true }),
          branch('items', ['added', 'removed'], { added: { type: 'array' }, removed: { type: 'array' } }),
          branch('item-added', ['id', 'new'], { id: ID, new: true }),
          branch('item-removed', ['id', 'old'], { id: ID, old: true }),
        ],
      },
    },
  },
} as const

let validate: ValidateFn<ChangeExtension> | undefined

/** Whether an event's extension fields (`changes`, `actor`) are well formed; other fields are not looked at. */
export function checkChanges(event: unknown): Checked<ChangeExtension> {
  validate ??= createAjv({ formats }).compile<ChangeExtension>(CHANGES_SCHEMA)
  if (typeof event !== 'object' || event === null) return check(validate, event)
  const { changes, actor } = event as Record<string, unknown>
  const extension = {
    ...(changes === undefined ? {} : { changes }),
    ...(actor === undefined ? {} : { actor }),
  }
  return check(validate, extension)
}

/** The changes an event carries (empty for a create or a delete); throws nothing, checks everything. */
export function changesOf(event: unknown): Checked<readonly Change[]> {
  const r = checkChanges(event)
  return r.ok ? { ok: true, value: r.value.changes ?? [] } : r
}
