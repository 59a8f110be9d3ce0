/**
 * De-duplication of retried events: an event whose `source` + `id` was taken in the last `windowMs` is answered 200
 * without being published again. What was done is remembered per event (published, which webhooks took it), so that
 * a retry after a partial failure (published, a webhook down) does only what is left. A bounded LRU with a TTL;
 * requests carrying the same event wait for each other instead of both publishing it.
 */
import { LRUCache } from 'lru-cache'

export interface DedupOptions {
  /** How long an accepted event is remembered; 0 turns de-duplication off. */
  readonly windowMs: number
  /** At most this many events are remembered (the least recently used go first). */
  readonly maxEntries: number
}

/** What was done with one event. */
export interface Done {
  published: boolean
  /** The names of the routes whose webhook took it. */
  readonly webhooks: Set<string>
  /** Everything its plan asked for was done. */
  complete: boolean
}

export interface Dedup {
  /** What was done with the event under this key; a fresh record when nothing is remembered. */
  get(key: string): Done
  /** Remembers what was done (also a partial result). */
  remember(key: string, done: Done): void
  /** Runs `fn` once no other request holds any of `keys`, holding them meanwhile. */
  exclusive<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T>
}

/** The key of an event: `source` and `id` together identify it (CloudEvents). */
export const eventKey = (source: string, id: string): string => `${source}\n${id}`

const fresh = (): Done => ({ published: false, webhooks: new Set(), complete: false })

export function createDedup({ windowMs, maxEntries }: DedupOptions): Dedup {
  const cache = windowMs > 0 ? new LRUCache<string, Done>({ max: maxEntries, ttl: windowMs }) : undefined
  const held = new Map<string, Promise<unknown>>()
  return {
    get: (key) => cache?.get(key) ?? fresh(),
    remember: (key, done) => void cache?.set(key, done),
    async exclusive(keys, fn) {
      if (!cache) return fn()
      for (;;) {
        const busy = keys.map((k) => held.get(k)).filter((p) => p !== undefined)
        if (busy.length === 0) break
        await Promise.allSettled(busy)
      }
      const run = fn()
      for (const k of keys) held.set(k, run)
      try {
        return await run
      } finally {
        for (const k of keys) if (held.get(k) === run) held.delete(k)
      }
    },
  }
}
