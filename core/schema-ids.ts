/**
 * Caches around a SchemaIdPort, for Confluent's wire format: the publisher's id per schema version, the consumer's
 * schema per id. Both answer synchronously once they know (no promise per message), share one request between
 * concurrent look-ups, and never keep a failure: the next look-up asks again.
 */
import { LRUCache } from 'lru-cache'
import { compileSchema } from './compile.ts'
import { ContractError, isContractError, type ContractErrorCode, type Issue } from './errors.ts'
import type { SchemaIdPort, SchemaVersionRef } from './ports.ts'
import type { ValidateFn } from './validate.ts'

/** The id of each schema version, asked once per version (per URI). */
export interface SchemaIdCache {
  idOf(ref: SchemaVersionRef): number | Promise<number>
}

export function createSchemaIdCache(port: SchemaIdPort): SchemaIdCache {
  const ids = new Map<string, number>()
  const pending = new Map<string, Promise<number>>()
  return {
    idOf(ref) {
      const hit = ids.get(ref.uri)
      if (hit !== undefined) return hit
      let p = pending.get(ref.uri)
      if (!p) {
        p = port
          .idOf(ref)
          .then((id) => {
            ids.set(ref.uri, id)
            return id
          })
          .finally(() => pending.delete(ref.uri))
        pending.set(ref.uri, p)
      }
      return p
    },
  }
}

/** What the registry says about a frame's schema id. */
export type IdLookup =
  | {
      kind: 'found'
      /** The schema's `$id`, when it has one. */
      uri: string | undefined
      /** Compiled on first need (only when the id's schema is not the one the envelope names). */
      validator(): ValidateFn<unknown>
    }
  | { kind: 'unknown' }
  | { kind: 'invalid'; code: ContractErrorCode; issues: Issue<'schema-id'>[] }

export interface SchemaIdSource {
  /** Throws (or rejects with) a retriable ContractError when the registry cannot answer now. */
  lookup(id: number): IdLookup | Promise<IdLookup>
}

/** The consumer's side: the schema of each id met in a frame, in a bounded LRU. Unknown ids are asked again. */
export function createSchemaIdSource(
  port: SchemaIdPort,
  { max = 100 }: { max?: number } = {},
): SchemaIdSource {
  const cache = new LRUCache<number, IdLookup>({ max })
  const pending = new Map<number, Promise<IdLookup>>()

  async function load(id: number): Promise<IdLookup> {
    let schema: unknown
    try {
      schema = await port.schemaOf(id)
    } catch (cause) {
      if (isContractError(cause) && !cause.retriable) {
        if (cause.code === 'SCHEMA_NOT_FOUND') return { kind: 'unknown' }
        return {
          kind: 'invalid',
          code: cause.code,
          issues: [{ path: '', keyword: 'schema-id', message: cause.message, params: { schemaId: id } }],
        }
      }
      throw isContractError(cause)
        ? cause
        : new ContractError(
            'REGISTRY_UNAVAILABLE',
            `schema id lookup failed: ${(cause as Error).message}`,
            [],
            { cause, retriable: true },
          )
    }
    if (schema === undefined || schema === null) return { kind: 'unknown' }
    const $id = typeof schema === 'object' ? (schema as { $id?: unknown }).$id : undefined
    let compiled: ValidateFn<unknown> | undefined
    const found: IdLookup = {
      kind: 'found',
      uri: typeof $id === 'string' ? $id : undefined,
      // A schema that does not compile throws SCHEMA_INVALID here, each time it is needed (decode reports it).
      validator: () => (compiled ??= compileSchema(schema)),
    }
    cache.set(id, found)
    return found
  }

  return {
    lookup(id) {
      const hit = cache.get(id)
      if (hit) return hit
      let p = pending.get(id)
      if (!p) {
        p = load(id).finally(() => pending.delete(id))
        pending.set(id, p)
      }
      return p
    },
  }
}
