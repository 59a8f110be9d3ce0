import { LRUCache } from 'lru-cache'
import { compileSchema } from './compile.ts'
import { ContractError, isContractError, type ContractErrorCode, type Issue } from './errors.ts'
import type { SchemaLookupPort } from './ports.ts'
import type { ValidateFn } from './validate.ts'

/** What the registry says about a schema URI that is not in the catalog. */
export type Lookup =
  | { kind: 'found'; validate: ValidateFn<unknown> }
  | { kind: 'unknown' }
  | { kind: 'invalid'; code: ContractErrorCode; issues: Issue<'registry' | 'schema'>[] }

export interface SchemaSource {
  /** Throws a retriable ContractError (REGISTRY_UNAVAILABLE) when the registry cannot answer now. */
  lookup(uri: string): Promise<Lookup>
}

/**
 * Validators for schemas fetched from the registry, compiled once with compileSchema and kept in a bounded LRU.
 * Only answers are cached: a registry that is down is asked again next time, and an unknown URI too (it may be
 * registered meanwhile). Concurrent look-ups of one URI share one request.
 */
export function createSchemaSource(
  registry: SchemaLookupPort,
  { max = 100 }: { max?: number } = {},
): SchemaSource {
  const cache = new LRUCache<string, Lookup>({ max })
  const pending = new Map<string, Promise<Lookup>>()

  const remember = (uri: string, hit: Lookup) => {
    cache.set(uri, hit)
    return hit
  }

  async function fetchAndCompile(uri: string): Promise<Lookup> {
    let schema: unknown
    try {
      schema = await registry.getByUri(uri)
    } catch (cause) {
      if (isContractError(cause) && !cause.retriable) {
        // The registry answered, and the answer is final: the event names a schema we cannot use.
        if (cause.code === 'SCHEMA_NOT_FOUND') return { kind: 'unknown' }
        // The registry's own issues (about its request) go in params: the event's issue is that it refused.
        const issue: Issue<'registry'> = {
          path: '/resource/schema',
          keyword: 'registry',
          message: cause.message,
          ...(cause.issues.length ? { params: { uri, issues: cause.issues } } : { params: { uri } }),
        }
        return { kind: 'invalid', code: cause.code, issues: [issue] }
      }
      // Anything else (a network error from a client that does not wrap it) counts as "down": never drop an event.
      throw isContractError(cause)
        ? cause
        : new ContractError(
            'REGISTRY_UNAVAILABLE',
            `registry lookup failed: ${(cause as Error).message}`,
            [],
            { cause, retriable: true },
          )
    }
    if (schema === undefined || schema === null) return { kind: 'unknown' }
    try {
      return remember(uri, { kind: 'found', validate: compileSchema(schema) })
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e)
      return remember(uri, {
        kind: 'invalid',
        code: 'SCHEMA_INVALID',
        issues: [{ path: '/resource/schema', keyword: 'schema' as const, message, params: { uri } }],
      })
    }
  }

  return {
    lookup(uri) {
      const hit = cache.get(uri)
      if (hit) return Promise.resolve(hit)
      let p = pending.get(uri)
      if (!p) {
        p = fetchAndCompile(uri).finally(() => pending.delete(uri))
        pending.set(uri, p)
      }
      return p
    },
  }
}
