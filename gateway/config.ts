import type { Catalog, Sink } from '../core/index.ts'
import { resolveTokens, type Tokens } from '../http/tokens.ts'
import type { DiffOptions } from './changes/diff.ts'
import type { CoalesceOptions } from './coalesce.ts'
import { PUBLISH_ALL, type RoutesConfig } from './routes.ts'

/** What the gateway logs through: pino's methods (any logger with them fits). */
export interface GatewayLogger {
  error(obj: object, message: string): void
  warn(obj: object, message: string): void
  info(obj: object, message: string): void
}

export interface GatewayOptions {
  readonly catalog: Catalog
  /** The transport the events go to (Kafka's `kafkaSink`, Redis's `redisSink`, the memory bus…). */
  readonly sink: Sink
  /** The resource schemas by URI: given, `POST /change-events` is served (the diff reads their keywords). */
  readonly schemas?: Readonly<Record<string, unknown>>
  /** Who may write which resource (http/tokens.ts `resolveTokens`); none: every write is refused (403). */
  readonly tokens?: Tokens
  /** Routes (routes.ts `resolveRoutes`); none: every event is published. */
  readonly routes?: RoutesConfig
  /** `source` of the change events the gateway makes. */
  readonly source?: string
  /** Environment prefix of destinations, as the publishers'. */
  readonly topicPrefix?: string
  /**
   * Group commit (coalesce.ts): what concurrent requests publish while a send is in flight goes in the next single
   * `sendBatch`. On by default; `false` sends each request on its own.
   */
  readonly coalesce?: CoalesceOptions | false
  /** Request body limit (413 beyond). */
  readonly maxBodyBytes?: number
  /** Events per batch (413 beyond). */
  readonly maxBatchEvents?: number
  /** An event whose source and id were taken this recently is answered 200 and not published again; 0: off. */
  readonly dedupWindowMs?: number
  /** Events remembered for de-duplication, at most. */
  readonly dedupMaxEntries?: number
  /** Per webhook attempt, unless the route says otherwise. */
  readonly webhookTimeoutMs?: number
  /** Attempts per webhook within a request, unless the route says otherwise. */
  readonly webhookAttempts?: number
  /** Backoff between those attempts. */
  readonly webhookBackoffMs?: { readonly initialMs: number; readonly maxMs: number }
  /** A webhook's Retry-After longer than this fails the request at once (502) rather than holding it. */
  readonly maxRetryAfterMs?: number
  readonly diff?: DiffOptions
  readonly fetch?: typeof fetch
  readonly logger?: GatewayLogger
  readonly now?: () => Date
  readonly newId?: () => string
}

export interface GatewayConfig {
  readonly catalog: Catalog
  readonly sink: Sink
  readonly schemas: Readonly<Record<string, unknown>> | undefined
  readonly tokens: Tokens
  readonly routes: RoutesConfig
  readonly source: string
  readonly topicPrefix: string | undefined
  readonly coalesce: CoalesceOptions | false
  readonly maxBodyBytes: number
  readonly maxBatchEvents: number
  readonly dedupWindowMs: number
  readonly dedupMaxEntries: number
  readonly webhookTimeoutMs: number
  readonly webhookAttempts: number
  readonly webhookBackoffMs: { readonly initialMs: number; readonly maxMs: number }
  readonly maxRetryAfterMs: number
  readonly diff: DiffOptions
  readonly fetch: typeof fetch | undefined
  readonly logger: GatewayLogger | undefined
  readonly now: () => Date
  readonly newId: () => string
}

export const GATEWAY_DEFAULTS = {
  tokens: resolveTokens(),
  routes: PUBLISH_ALL,
  source: 'urn:event-contracts:gateway',
  topicPrefix: undefined,
  coalesce: {},
  maxBodyBytes: 1024 * 1024,
  maxBatchEvents: 100,
  dedupWindowMs: 10 * 60_000,
  dedupMaxEntries: 100_000,
  webhookTimeoutMs: 10_000,
  webhookAttempts: 3,
  webhookBackoffMs: { initialMs: 200, maxMs: 2_000 },
  maxRetryAfterMs: 5_000,
  diff: {},
} as const

const positive = (n: number, what: string) => {
  if (!(Number.isInteger(n) && n > 0)) throw new TypeError(`${what} must be a positive integer, got ${n}`)
}

/** Fills every default once; the rest of the gateway sees only a fully required config. */
export function resolveGatewayConfig(options: GatewayOptions): GatewayConfig {
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as GatewayOptions
  const config: GatewayConfig = {
    ...GATEWAY_DEFAULTS,
    schemas: undefined,
    fetch: undefined,
    logger: undefined,
    now: () => new Date(),
    newId: () => crypto.randomUUID(),
    ...defined,
  }
  positive(config.maxBodyBytes, 'maxBodyBytes')
  positive(config.maxBatchEvents, 'maxBatchEvents')
  positive(config.dedupMaxEntries, 'dedupMaxEntries')
  positive(config.webhookTimeoutMs, 'webhookTimeoutMs')
  positive(config.webhookAttempts, 'webhookAttempts')
  if (!(config.dedupWindowMs >= 0)) throw new TypeError('dedupWindowMs must be 0 (off) or more')
  return config
}
