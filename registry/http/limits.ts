import type { Context } from 'hono'
import { ContractError } from '../../core/index.ts'

/** How many requests of a route one client may have in flight; the edge enters before reading the body. */
export interface ClientLimit {
  readonly perClient: number
  /** Counts the request in, or throws 429 TOO_MANY_REQUESTS; call the returned function when it is done. */
  enter(c: Context): () => void
}

/**
 * The client behind a request: the socket's remote address (@hono/node-server puts the Node request in
 * `c.env.incoming`). A proxy in front makes every client one: the limit then applies to the proxy. Requests
 * without a socket (`app.request` in tests) are one client, `local`.
 */
export function clientOf(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  return env?.incoming?.socket?.remoteAddress ?? 'local'
}

/** A per-client concurrency limit. Only clients with requests in flight are remembered: the map stays bounded. */
export function clientLimit(perClient: number, what: string): ClientLimit {
  const inFlight = new Map<string, number>()
  return {
    perClient,
    enter(c) {
      const client = clientOf(c)
      const n = inFlight.get(client) ?? 0
      if (n >= perClient)
        throw new ContractError(
          'TOO_MANY_REQUESTS',
          `${n} ${what} requests of this client are still running: at most ${perClient} at once`,
          [
            {
              path: '',
              keyword: 'concurrency',
              message: `at most ${perClient} ${what} requests in flight per client`,
              params: { limit: perClient, retryAfterSeconds: 1 },
            },
          ],
          { retriable: true },
        )
      inFlight.set(client, n + 1)
      let left = false
      return () => {
        if (left) return
        left = true
        const m = (inFlight.get(client) ?? 1) - 1
        if (m === 0) inFlight.delete(client)
        else inFlight.set(client, m)
      }
    },
  }
}
