/** The relay's options, their defaults, and resolving them once into a fully required config. */
import type { Registry } from 'prom-client'
import type { RetryOptions, Sink } from '../core/index.ts'
import type { Database } from '../storage/database.ts'
import { tableName } from './schema.ts'

/** What happens to a row once the transport has taken its event. */
export type Acknowledge = 'delete' | 'mark'

/** Where a relay's error came from: the transport, the database, or a row that is not an event. */
export type RelayErrorPhase = 'send' | 'database' | 'row'

export interface RelayOptions {
  /** The database holding the outbox: storage's `openPostgres` (or `openPglite`, one process). */
  db: Database
  /** Where events go: `kafkaSink`, `redisSink`, a memory bus's sink, anything implementing the port. */
  sink: Sink
  /** Default `outbox`. */
  table?: string
  /** Rows claimed and sent per transaction. Default 500. */
  batchSize?: number
  /** Oldest pending rows looked at to choose which aggregates to lock. Default 4 × batchSize. */
  lookAhead?: number
  /**
   * Rounds in flight at once, each in its own transaction with aggregates of its own: one claims and acknowledges
   * while another sends. Per-aggregate order holds whatever the number; events of different aggregates may go out
   * in another order than enqueued. Default 1.
   */
  concurrency?: number
  /** Polling fallback when no NOTIFY arrives (and the pace at which another relay's held rows are retried). Default 1000. */
  pollIntervalMs?: number
  /** `delete` (default) removes a row once sent; `mark` sets `sent_at` and keeps it for `retentionMs`. */
  acknowledge?: Acknowledge
  /** `mark`: sent rows older than this are purged by the relay. Default 7 days; Infinity keeps them. */
  retentionMs?: number
  /** How often the relay purges in `mark` mode. Default 60 s. */
  purgeIntervalMs?: number
  /** Waits after a round where the transport took nothing (broker down): exponential. Default 100 ms → 5 s. */
  backoff?: Partial<Pick<RetryOptions, 'initialMs' | 'maxMs'>>
  /** Waits of one aggregate whose events the transport refused, by its head row's attempts. Default 200 ms → 30 s. */
  deferral?: Partial<Pick<RetryOptions, 'initialMs' | 'maxMs'>>
  /** Wake on NOTIFY from the outbox's insert trigger. Default true. */
  listen?: boolean
  /** The clock for deferrals, `sent_at`, retention and ages. */
  now?: () => Date
  /** Where the Prometheus metrics go; a registry of the relay's own by default. */
  registry?: Registry
  /**
   * Told about every failed send (SEND_FAILED), database error (DATABASE_UNAVAILABLE, DATABASE_FAILED,
   * OUTBOX_MISSING) and row it cannot send (ROW_INVALID); the relay retries them itself, and the rows stay pending.
   */
  onError?: (error: unknown, phase: RelayErrorPhase) => void
}

export interface RelayConfig {
  db: Database
  sink: Sink
  table: string
  batchSize: number
  lookAhead: number
  concurrency: number
  pollIntervalMs: number
  acknowledge: Acknowledge
  retentionMs: number
  purgeIntervalMs: number
  backoff: Pick<RetryOptions, 'initialMs' | 'maxMs'>
  deferral: Pick<RetryOptions, 'initialMs' | 'maxMs'>
  listen: boolean
  now: () => Date
  registry: Registry | undefined
  onError: (error: unknown, phase: RelayErrorPhase) => void
}

export const RELAY_DEFAULTS = {
  table: 'outbox',
  batchSize: 500,
  concurrency: 1,
  pollIntervalMs: 1000,
  acknowledge: 'delete',
  retentionMs: 7 * 24 * 3600_000,
  purgeIntervalMs: 60_000,
  backoff: { initialMs: 100, maxMs: 5000 },
  deferral: { initialMs: 200, maxMs: 30_000 },
  listen: true,
} as const satisfies Partial<RelayConfig>

const positive = (n: number, name: string, integer = true) => {
  if (!(n > 0) || (integer && !Number.isInteger(n)))
    throw new TypeError(`${name} must be a positive ${integer ? 'integer' : 'number'}, not ${n}`)
  return n
}

export function resolveRelayOptions(options: RelayOptions): RelayConfig {
  const batchSize = positive(options.batchSize ?? RELAY_DEFAULTS.batchSize, 'batchSize')
  const acknowledge = options.acknowledge ?? RELAY_DEFAULTS.acknowledge
  if (acknowledge !== 'delete' && acknowledge !== 'mark')
    throw new TypeError(`acknowledge must be 'delete' or 'mark', not '${String(acknowledge)}'`)
  const backoff = { ...RELAY_DEFAULTS.backoff, ...options.backoff }
  const deferral = { ...RELAY_DEFAULTS.deferral, ...options.deferral }
  for (const [name, b] of [
    ['backoff', backoff],
    ['deferral', deferral],
  ] as const) {
    positive(b.initialMs, `${name}.initialMs`, false)
    positive(b.maxMs, `${name}.maxMs`, false)
  }
  return {
    db: options.db,
    sink: options.sink,
    table: tableName(options.table ?? RELAY_DEFAULTS.table),
    batchSize,
    lookAhead: positive(options.lookAhead ?? 4 * batchSize, 'lookAhead'),
    concurrency: positive(options.concurrency ?? RELAY_DEFAULTS.concurrency, 'concurrency'),
    pollIntervalMs: positive(
      options.pollIntervalMs ?? RELAY_DEFAULTS.pollIntervalMs,
      'pollIntervalMs',
      false,
    ),
    acknowledge,
    retentionMs: positive(options.retentionMs ?? RELAY_DEFAULTS.retentionMs, 'retentionMs', false),
    purgeIntervalMs: positive(
      options.purgeIntervalMs ?? RELAY_DEFAULTS.purgeIntervalMs,
      'purgeIntervalMs',
      false,
    ),
    backoff,
    deferral,
    listen: options.listen ?? RELAY_DEFAULTS.listen,
    now: options.now ?? (() => new Date()),
    registry: options.registry,
    onError: options.onError ?? (() => undefined),
  }
}
