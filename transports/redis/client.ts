/**
 * The Redis connection as this adapter uses it: a node-redis client made from a URL (reconnecting by itself, a
 * timeout on every command) or one you bring, and how a Redis error becomes a ContractError.
 */
import { createClient, ErrorReply, type RedisClientOptions } from 'redis'
import { ContractError } from '../../core/index.ts'
import type { Deadlines } from './deadlines.ts'

export { Deadlines, RedisTimeoutError } from './deadlines.ts'

/** A node-redis client (`createClient()` of the `redis` package). */
export type RedisClient = ReturnType<typeof createClient>

/** Where to connect: a client you own (you connect and close it), or a URL the adapter connects to itself. */
export type RedisConnection =
  | { client: RedisClient; url?: undefined; clientOptions?: undefined }
  | {
      /** `redis://[[user]:password@]host[:port][/db]`; the library never reads the environment. */
      url: string
      client?: undefined
      /** More node-redis options for the client made from `url` (TLS, credentials, …). */
      clientOptions?: Omit<RedisClientOptions, 'url'>
    }

export const REDIS_DEFAULTS = {
  /** Every command not blocking on purpose is given up after this long. */
  timeoutMs: 5_000,
  connectTimeoutMs: 5_000,
  /** Reconnect backoff: 50 ms doubling up to this. */
  maxReconnectDelayMs: 2_000,
} as const

/** Waits `ms` after the n-th failed reconnect: 50, 100, 200, … up to 2 s; node-redis never gives up. */
export const reconnectDelay = (retries: number): number =>
  Math.min(50 * 2 ** Math.min(retries, 10), REDIS_DEFAULTS.maxReconnectDelayMs)

/** A client for `url`: reconnects forever with backoff, times out commands, keeps its errors from crashing. */
export function ownClient(
  url: string,
  timeoutMs: number,
  clientOptions: Omit<RedisClientOptions, 'url'> = {},
): RedisClient {
  const client = createClient({
    ...clientOptions,
    url,
    socket: {
      connectTimeout: REDIS_DEFAULTS.connectTimeoutMs,
      reconnectStrategy: reconnectDelay,
      ...clientOptions.socket,
    } as RedisClientOptions['socket'],
    commandOptions: { timeout: timeoutMs, ...clientOptions.commandOptions },
  }) as RedisClient
  // node-redis emits 'error' on every lost connection while it reconnects; unheard, it would crash the process.
  client.on('error', () => undefined)
  return client
}

/**
 * Connects once (shared by every caller), without waiting longer than `timeoutMs`: when Redis is down the
 * connection keeps trying in the background, and the caller gets a retriable error now. Returns undefined when
 * there is nothing to wait for (a client you own, or one connected already), so a send need not await it.
 */
export function connector(
  client: RedisClient,
  owned: boolean,
  timeoutMs: number,
  deadlines: Deadlines,
): () => Promise<unknown> | undefined {
  let connecting: Promise<unknown> | undefined
  return () => {
    if (!owned || client.isReady) return undefined
    connecting ??= client.isOpen ? Promise.resolve() : client.connect()
    return deadlines.race(connecting, timeoutMs, 'connecting to Redis')
  }
}

/**
 * `client` for this adapter's commands: without node-redis' own command timeout (the Deadlines' is the one that
 * counts, and costs far less) and with the Deadlines' abort signal, so that a call's timeout drops the commands
 * still waiting to be written. A getter, since the signal is a new one after each abort: call it for each command
 * (it makes a new view of the client only then).
 */
export function timedCommands(client: RedisClient, deadlines: Deadlines): () => RedisClient {
  let signal: AbortSignal | undefined
  let commands!: RedisClient
  return () => {
    if (signal !== deadlines.signal) {
      signal = deadlines.signal
      commands = client.withCommandOptions({ timeout: undefined, abortSignal: signal }) as RedisClient
    }
    return commands
  }
}

/** Server replies that say "busy, try later" rather than "you are wrong". */
const TRANSIENT_REPLIES = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|CLUSTERDOWN|READONLY|NOREPLICAS)\b/

/** Whether trying again later may succeed: the connection, a timeout, or a server that is loading. */
export function isRetriable(e: unknown): boolean {
  if (e instanceof ErrorReply) return TRANSIENT_REPLIES.test(e.message)
  if (!(e instanceof Error)) return false
  return e.name !== 'ClientClosedError' && e.name !== 'TypeError'
}

/** A Redis failure as the publisher reports it: SEND_FAILED, retriable for connections and timeouts. */
export function redisSendFailed(cause: unknown, message: string): ContractError {
  if (cause instanceof ContractError) return cause
  const reason = cause instanceof Error ? `: ${cause.message}` : ''
  return new ContractError('SEND_FAILED', message + reason, [], { cause, retriable: isRetriable(cause) })
}

/** Ends a client now, whatever state it is in (connecting, reconnecting, closed already). */
export function destroyQuietly(client: RedisClient): void {
  try {
    client.destroy()
  } catch {
    // already closed
  }
}
