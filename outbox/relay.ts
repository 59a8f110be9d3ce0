/**
 * The relay: publishes the outbox's rows through a transport's sink, round after round (claim.ts), woken by the
 * insert trigger's NOTIFY with polling as the fallback; backs off while the transport takes nothing; stops
 * gracefully (the round in flight is sent and acknowledged first). Several relays may run on one table.
 */
import { backoff, ContractError, sleep } from '../core/index.ts'
import { errorText, runRound, type RoundResult } from './claim.ts'
import { databaseError, inDatabase } from './errors.ts'
import {
  createRelayMetrics,
  formatStatus,
  type Backlog,
  type RelayState,
  type RelayStatus,
} from './metrics.ts'
import { resolveRelayOptions, type RelayConfig, type RelayOptions } from './options.ts'
import { OUTBOX_CHANNEL, tableName } from './schema.ts'
import type { Database } from '../storage/database.ts'
import type { Registry } from 'prom-client'

export interface DrainResult {
  /** Events sent by this drain. */
  sent: number
  /** What is left: rows of aggregates deferred after a refusal (0 pending means nothing at all). */
  backlog: Backlog
}

export interface Relay {
  readonly config: RelayConfig
  /** Starts the loop (after LISTEN is in place); resolves once it runs. Once stopped, a relay stays stopped. */
  start(): Promise<void>
  /** Lets the round in flight finish (sent and acknowledged), then stops. Safe to call more than once. */
  stop(): Promise<void>
  /** Settles once stopped. */
  readonly closed: Promise<void>
  /** One round, whether or not the loop runs: claim, send, acknowledge. */
  runOnce(): Promise<RoundResult>
  /**
   * Sends until nothing is left but aggregates deferred after a refusal (rows another relay holds are waited
   * for), backing off while the transport takes nothing. Works whether or not the loop runs.
   */
  drain(options?: { signal?: AbortSignal }): Promise<DrainResult>
  /** Wakes the running loop and resolves after its next round that found nothing to send. */
  idle(): Promise<void>
  /** Deletes rows sent (`mark`) before `now - olderThanMs` (default: the retention); returns how many. */
  purge(olderThanMs?: number): Promise<number>
  /** The table's backlog now. */
  backlog(): Promise<Backlog>
  /** The last known status; `refreshStatus` reads the backlog first. */
  status(): RelayStatus
  refreshStatus(): Promise<RelayStatus>
  /** One line for people (`formatStatus`). */
  statusLine(): string
  readonly metrics: Registry
}

export function createRelay(options: RelayOptions): Relay {
  const config = resolveRelayOptions(options)
  const { db, table: t, now } = config
  let identity: Promise<{ namespace: number; qualified: string }> | undefined
  let state: RelayState = 'stopped'
  let sent = 0
  let failedSends = 0
  let lastError: string | undefined
  let lastBacklog: Backlog | undefined
  let refusals = 0 // rounds in a row where the transport took nothing
  let stopping: AbortController | undefined
  let loop: Promise<void> | undefined
  /** Each worker's wake-up: NOTIFY and idle() wake every worker; one woken while busy looks again at once. */
  const workers = new Set<{ woken: boolean; wake: (() => void) | undefined }>()
  let rounds = 0
  let inFlight = 0
  const idleWaiters: { after: number; resolve: () => void }[] = []
  let settle!: () => void
  const closed = new Promise<void>((resolve) => (settle = resolve))

  /** The table's schema-qualified name (what its trigger notifies) and its lock namespace, read once. */
  function identify() {
    identity ??= inDatabase(`reading the outbox table '${t}'`, () =>
      db.query<{ qualified: string | null; namespace: number }>(
        `SELECT n.nspname || '.' || c.relname AS qualified,
                hashtext('event-contracts:outbox:' || n.nspname || '.' || c.relname) AS namespace
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
        [t],
      ),
    ).then((rows) => {
      const row = rows[0]
      if (!row?.qualified)
        throw new ContractError(
          'OUTBOX_MISSING',
          `outbox table '${t}' does not exist: run migrateOutbox(db) or \`contracts relay\``,
          [
            {
              path: '',
              keyword: 'table',
              message: `no table '${t}' in the search_path`,
              params: { table: t },
            },
          ],
        )
      return { namespace: row.namespace, qualified: row.qualified }
    })
    identity.catch(() => (identity = undefined))
    return identity
  }

  const metrics = createRelayMetrics(config.registry, () => readBacklog())

  async function readBacklog(): Promise<Backlog> {
    const at = now()
    const [row] = await inDatabase('reading the backlog', () =>
      db.query<{ pending: number; oldest: Date | string | null; deferred: number }>(
        `SELECT count(*)::int AS pending, min(created_at) AS oldest,
                count(DISTINCT lock_key) FILTER (WHERE available_at > $1)::int AS deferred
         FROM ${t} WHERE sent_at IS NULL`,
        [at],
      ),
    )
    const oldest = row?.oldest == null ? undefined : new Date(row.oldest).getTime()
    lastBacklog = {
      pending: row?.pending ?? 0,
      oldestAgeMs: oldest === undefined ? undefined : Math.max(0, at.getTime() - oldest),
      deferred: row?.deferred ?? 0,
    }
    return lastBacklog
  }

  async function round(): Promise<RoundResult> {
    const { namespace } = await identify()
    const refusedDelayMs = backoff(refusals + 1, config.backoff)
    const r = await inDatabase('a relay round', () =>
      db.transaction((tx) => runRound(tx, { config, namespace, refusedDelayMs })),
    )
    if (r.sent) {
      sent += r.sent
      metrics.sent(r.sent)
    }
    if (r.failed > r.invalid) {
      failedSends++
      metrics.failed()
      lastError = errorText(r.error)
      config.onError(r.error, 'send')
    }
    if (r.rowError) {
      lastError = errorText(r.rowError)
      config.onError(r.rowError, 'row')
    }
    refusals = r.refused ? refusals + 1 : r.sent ? 0 : refusals
    return r
  }

  /** A round whose database errors are reported and turned into a refusal (back off, try again). */
  async function guardedRound(): Promise<RoundResult> {
    try {
      return await round()
    } catch (e) {
      const error = databaseError(e, 'a relay round')
      lastError = errorText(error)
      config.onError(error, 'database')
      refusals++
      return { claimed: 0, sent: 0, skipped: 0, failed: 0, invalid: 0, refused: true, error }
    }
  }

  /** Waits `ms`, or less when woken (NOTIFY, idle()) or stopped. */
  function pause(w: { woken: boolean; wake: (() => void) | undefined }, ms: number, signal: AbortSignal) {
    if (w.woken || signal.aborted) {
      w.woken = false
      return Promise.resolve()
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        w.wake = undefined
        w.woken = false
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal.addEventListener('abort', done, { once: true })
      w.wake = done
    })
  }

  function nudge(): void {
    for (const w of workers) {
      w.woken = true
      w.wake?.()
    }
  }

  /** Resolves the idle() calls made before `started`, once no round is in flight. */
  function heardIdle(started: number): void {
    if (inFlight > 0) return
    for (let i = idleWaiters.length - 1; i >= 0; i--) {
      const w = idleWaiters[i] as (typeof idleWaiters)[number]
      if (w.after < started) {
        idleWaiters.splice(i, 1)
        w.resolve()
      }
    }
  }

  /** One of `concurrency` loops: rounds back to back while there is work, else sleep until woken or polled. */
  async function work(index: number, signal: AbortSignal): Promise<void> {
    const me = { woken: false, wake: undefined as (() => void) | undefined }
    workers.add(me)
    let lastPurge = now().getTime()
    try {
      while (!signal.aborted) {
        const started = ++rounds
        inFlight++
        state = 'sending'
        let r: RoundResult
        try {
          r = await guardedRound()
        } finally {
          inFlight--
        }
        if (signal.aborted) break
        if (r.refused) {
          state = 'backing-off'
          await sleep(backoff(refusals, config.backoff), signal)
          continue
        }
        // Something went: look again at once (a partial batch usually means empty, but rows may have come in).
        if (r.sent > 0) continue
        heardIdle(started)
        if (
          index === 0 &&
          config.acknowledge === 'mark' &&
          now().getTime() - lastPurge >= config.purgeIntervalMs
        ) {
          lastPurge = now().getTime()
          await purge().catch((e: unknown) => config.onError(e, 'database'))
        }
        if (inFlight === 0) state = 'idle'
        await pause(me, config.pollIntervalMs, signal)
      }
    } finally {
      workers.delete(me)
    }
  }

  const purge = (olderThanMs = config.retentionMs) => purgeOutbox(db, { table: t, olderThanMs, now: now() })

  const status = (): RelayStatus => ({ state, sent, failedSends, backlog: lastBacklog, lastError })

  return {
    config,
    metrics: metrics.registry,
    async start() {
      if (stopping?.signal.aborted)
        throw new ContractError('RELAY_STATE', 'a stopped relay does not start again: create another')
      if (loop) return
      const { qualified } = await identify()
      if (config.listen)
        await db.listen(OUTBOX_CHANNEL, (payload) => {
          if (payload === qualified && stopping && !stopping.signal.aborted) nudge()
        })
      stopping = new AbortController()
      const signal = stopping.signal
      state = 'idle'
      const loops = Array.from({ length: config.concurrency }, (_, i) => work(i, signal))
      loop = Promise.all(loops).then(() => {
        state = 'stopped'
        for (const w of idleWaiters.splice(0)) w.resolve()
        settle()
      })
    },
    async stop() {
      if (!loop) {
        settle()
        return
      }
      if (stopping && !stopping.signal.aborted) {
        state = 'stopping'
        stopping.abort()
      }
      await loop
    },
    closed,
    runOnce: () => round(),
    async drain({ signal } = {}) {
      let total = 0
      let failures = 0
      // `concurrency` rounds at a time, as the loop runs them; each aggregate is in one of them at most.
      const batchOfRounds = () =>
        Promise.all(Array.from({ length: config.concurrency }, () => guardedRound()))
      for (;;) {
        if (signal?.aborted) throw signal.reason
        const results = await batchOfRounds()
        const sentNow = results.reduce((n, r) => n + r.sent, 0)
        total += sentNow
        if (sentNow === 0 && results.some((r) => r.refused)) {
          await sleep(backoff(++failures, config.backoff), signal)
          continue
        }
        failures = 0
        if (sentNow > 0) continue
        const b = await readBacklog()
        // Left: nothing, or only deferred aggregates (pending counts their rows; deferred their number).
        if (b.pending === 0 || (await readyRows()) === 0) return { sent: total, backlog: b }
        // Rows another relay holds, or rows a deferral just released: look again soon.
        await sleep(Math.min(config.pollIntervalMs, 50), signal)
      }
    },
    idle() {
      if (!loop || !stopping || stopping.signal.aborted)
        return Promise.reject(
          new ContractError('RELAY_STATE', 'the relay is not running: call start() first, or drain()'),
        )
      return new Promise<void>((resolve) => {
        idleWaiters.push({ after: rounds, resolve })
        nudge()
      })
    },
    purge,
    backlog: readBacklog,
    status,
    async refreshStatus() {
      await readBacklog()
      return status()
    },
    statusLine: () => formatStatus(status()),
  }

  /** Pending rows whose aggregate is not deferred: what a round could still send. */
  async function readyRows(): Promise<number> {
    const [row] = await inDatabase('counting the rows ready to send', () =>
      db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${t} p WHERE p.sent_at IS NULL AND NOT EXISTS (
           SELECT 1 FROM ${t} d WHERE d.lock_key = p.lock_key AND d.sent_at IS NULL
             AND d.available_at > '-infinity' AND d.available_at > $1)`,
        [now()],
      ),
    )
    return row?.n ?? 0
  }
}

/**
 * Deletes rows sent (acknowledge `mark`) before `now - olderThanMs`, in slices of 5,000 so that a large purge holds
 * no long lock and leaves room for the relays' rounds. Pending rows are never touched. Returns how many went.
 */
export async function purgeOutbox(
  db: Pick<Database, 'query'>,
  { table, olderThanMs, now = new Date() }: { table?: string; olderThanMs: number; now?: Date },
): Promise<number> {
  if (olderThanMs === Infinity) return 0
  const t = tableName(table ?? 'outbox')
  const cutoff = new Date(now.getTime() - olderThanMs)
  let total = 0
  for (;;) {
    const rows = await inDatabase('purging sent rows', () =>
      db.query<{ n: number }>(
        `WITH gone AS (
         DELETE FROM ${t} WHERE id IN (
           SELECT id FROM ${t} WHERE sent_at IS NOT NULL AND sent_at < $1 LIMIT 5000
         ) RETURNING 1
       ) SELECT count(*)::int AS n FROM gone`,
        [cutoff],
      ),
    )
    const n = rows[0]?.n ?? 0
    total += n
    if (n < 5000) return total
  }
}
