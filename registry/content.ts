import { createHash } from 'node:crypto'
import { canonicalJson } from '../core/json.ts'

/**
 * How the registry stores a schema's content. What may be stored is the admission rule's to decide
 * (admission/: document, references, limits, topic and key, mode, compatibility).
 */
export type JsonObject = Record<string, unknown>

/** The identity of a schema's content: its canonical JSON without `$id` (which the registry assigns). */
export function contentHash(schema: JsonObject): string {
  const { $id: _id, ...rest } = schema
  return createHash('sha256').update(canonicalJson(rest)).digest('hex')
}

/** `$schema` first, then the canonical `$id`, then the rest in the author's order. */
export function withId(schema: JsonObject, uri: string): JsonObject {
  const { $schema, $id: _id, ...rest } = schema
  return $schema === undefined ? { $id: uri, ...rest } : { $schema, $id: uri, ...rest }
}

/**
 * The identity of a schema id: the canonical JSON of the body as served (`$id` included), so that the same content
 * in two subjects is one id, and a resource version (whose `$id` is its own) is its own.
 */
export function schemaIdHash(body: string): string {
  return createHash('sha256')
    .update(canonicalJson(JSON.parse(body) as unknown))
    .digest('hex')
}
