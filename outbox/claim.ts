/**
 * One relay round, in one transaction: lock aggregates, claim their oldest rows, send them, acknowledge them.
 *
 * Order: an aggregate is its destination and key (`lock_key`). A round first try-locks (never waits for) the
 * aggregates of the oldest pending rows with transaction-scoped advisory locks, then claims the pending rows of the
 * aggregates it holds with FOR UPDATE SKIP LOCKED, oldest first. Another relay skips those aggregates and takes
 * others, so a slow aggregate holds back only itself. The locks and the claim end with the transaction: a crash
 * rolls back, the rows are pending again in their order, and whoever locks the aggregate next starts from its
 * oldest row. Every send happens before its acknowledgement commits, so a crash between them re-sends (at least
 * once), never skips and never reorders.
 */
import {
  backoff,
  isContractError,
  sendFailed,
  type ContractError,
  type OutboundMessage,
  type Sink,
} from '../core/index.ts'
import type { TransactionSql } from '../storage/database.ts'
import type { RelayConfig } from './options.ts'
import { CLAIM_COLUMNS, messageOf, rowError, type OutboxRow } from './rows.ts'

/** A claimed row, with what the round decides on. */
export interface ClaimedRow extends OutboxRow {
  /**
   * Rows of its aggregate the round picked (pending in its snapshot): more than it claimed means `SKIP LOCKED`
   * passed one (something else holds it) or one was acknowledged since the snapshot.
   */
  pending: number
  /** Its aggregate waits after a refusal (`available_at` in the future). */
  deferred: boolean
  attempts: number
}

export interface ClaimValues {
  at: Date
  lookAhead: number
  namespace: number
  batchSize: number
}

const integer = (n: number, what: string): string => {
  if (!Number.isSafeInteger(n)) throw new TypeError(`${what} must be an integer, not ${n}`)
  return String(n)
}

/**
 * Its values (now, the look-ahead, the lock namespace, the batch size) are written into the text as literals: the
 * statement runs as a script, with the round's BEGIN in one round trip (storage's TransactionSql).
 *
 * `oldest` is the look-ahead: the oldest pending rows of aggregates not deferred (a deferred aggregate's newer
 * rows would otherwise fill it and hold back everyone behind them). Within it, an aggregate's rows are that
 * aggregate's oldest (any older row is older still, so in it too), and the round claims only those: its cost
 * follows the look-ahead, never the backlog. `picked` walks the look-ahead's rows aggregate by aggregate (in the order of each one's
 * oldest row, each one's rows in enqueue order) and try-locks each row's aggregate (a lock this transaction holds
 * is granted again at once; one another round holds is refused at once, never waited for) until it has a batch of
 * rows whose aggregates it holds. The limit stops the walk, so a round holds only the aggregates it sends, with
 * all their look-ahead rows, and leaves the next ones to other rounds. OFFSET 0 keeps the volatile lock call
 * above the sort, so it runs only for the rows the limit pulls.
 */
export const claimSql = (t: string, v: ClaimValues) => {
  const now = `'${v.at.toISOString()}'::timestamptz`
  const lookAhead = integer(v.lookAhead, 'lookAhead')
  const namespace = integer(v.namespace, 'the lock namespace')
  const batchSize = integer(v.batchSize, 'batchSize')
  return `
  WITH oldest AS MATERIALIZED (
    SELECT seq, lock_key FROM ${t} o WHERE sent_at IS NULL AND NOT EXISTS (
      SELECT 1 FROM ${t} d
      WHERE d.lock_key = o.lock_key AND d.sent_at IS NULL AND d.available_at > '-infinity' AND d.available_at > ${now}
    )
    ORDER BY seq LIMIT ${lookAhead}
  ), picked AS MATERIALIZED (
    SELECT seq AS s, lock_key AS k FROM (
      SELECT seq, lock_key, min(seq) OVER (PARTITION BY lock_key) AS first FROM oldest
      ORDER BY first, seq OFFSET 0
    ) w
    WHERE pg_try_advisory_xact_lock(${namespace}, w.lock_key)
    LIMIT ${batchSize}
  ), claimed AS (
    SELECT ${CLAIM_COLUMNS}, attempts, o.seq, available_at > ${now} AS deferred
    FROM ${t} o JOIN picked p ON o.seq = p.s
    WHERE o.sent_at IS NULL
    ORDER BY o.seq
    FOR UPDATE OF o SKIP LOCKED
  ), counted AS (
    SELECT k AS lock_key, count(*)::int AS pending FROM picked GROUP BY k
  )
  SELECT c.*, k.pending FROM claimed c JOIN counted k USING (lock_key)
  -- Once per statement: the acknowledgement's commit need not wait for the WAL flush (runRound).
  WHERE (SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL
  ORDER BY c.seq`
}

/** What one round did. */
export interface RoundResult {
  /** Rows claimed (locked), sent or not. */
  claimed: number
  /** Events the transport took (and whose rows are acknowledged). */
  sent: number
  /** Aggregates left for a later round: deferred, or a row locked by something else. */
  skipped: number
  /** Aggregates whose send failed this round, or held by an invalid row (their rows stay pending, attempts + 1). */
  failed: number
  /** Of those, aggregates held by a row that is not an event (ROW_INVALID): its earlier rows were sent. */
  invalid: number
  /** The transport took nothing this round although there was something to send: back off. */
  refused: boolean
  /** The first send error of the round (SEND_FAILED unless the sink threw another ContractError), if any. */
  error?: unknown
  /** The first invalid row's error (ROW_INVALID, issues at its columns), if any. */
  rowError?: ContractError
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Rows grouped per aggregate, in claim (seq) order. */
function byAggregate(rows: readonly ClaimedRow[]): Map<number, ClaimedRow[]> {
  const groups = new Map<number, ClaimedRow[]>()
  for (const r of rows) {
    const g = groups.get(r.lock_key)
    if (g) g.push(r)
    else groups.set(r.lock_key, [r])
  }
  return groups
}

/**
 * Sends one group of aggregates; when that fails, halves and sends the halves at once. Both halves failing stops
 * the search (the transport is down, or both hold a refused event: a later round tries again), so a broker that
 * is down costs one extra level, and one poisonous aggregate among many is isolated in log2(n) levels.
 */
async function sendBisecting(
  sink: Sink,
  groups: readonly ClaimedRow[][],
  first: unknown,
  inOrder: (groups: readonly ClaimedRow[][]) => ClaimedRow[],
): Promise<{ ok: ClaimedRow[][]; failed: ClaimedRow[][]; error: unknown }> {
  if (groups.length === 1) return { ok: [], failed: [...groups], error: first }
  const half = Math.ceil(groups.length / 2)
  const halves = [groups.slice(0, half), groups.slice(half)]
  const results = await Promise.allSettled(halves.map((h) => sink.sendBatch(inOrder(h).map(messageOf))))
  const [a, b] = results as [PromiseSettledResult<unknown>, PromiseSettledResult<unknown>]
  if (a.status === 'rejected' && b.status === 'rejected')
    return { ok: [], failed: [...groups], error: a.reason }
  const ok: ClaimedRow[][] = []
  const failed: ClaimedRow[][] = []
  let error: unknown
  for (let i = 0; i < 2; i++) {
    const r = results[i] as PromiseSettledResult<unknown>
    const h = halves[i] as ClaimedRow[][]
    if (r.status === 'fulfilled') ok.push(...h)
    else {
      const deeper = await sendBisecting(sink, h, r.reason, inOrder)
      ok.push(...deeper.ok)
      failed.push(...deeper.failed)
      error = deeper.error
    }
  }
  return { ok, failed, error }
}

export interface RoundDeps {
  config: RelayConfig
  /** The advisory-lock namespace of this outbox table (its qualified name hashed). */
  namespace: number
  /** How long the relay will wait if the transport takes nothing this round. */
  refusedDelayMs: number
}

/** One round in `tx`: claim, send, acknowledge; failures recorded on the rows. Database errors reject. */
export async function runRound(
  tx: TransactionSql,
  { config, namespace, refusedDelayMs }: RoundDeps,
): Promise<RoundResult> {
  const { table: t, sink, now } = config
  const at = now()
  const claim = claimSql(t, { at, lookAhead: config.lookAhead, namespace, batchSize: config.batchSize })
  const rows = await tx.script<ClaimedRow>(claim)
  const result: RoundResult = {
    claimed: rows.length,
    sent: 0,
    skipped: 0,
    failed: 0,
    invalid: 0,
    refused: false,
  }
  if (rows.length === 0) return result

  const ready: ClaimedRow[][] = []
  /** From an invalid row on, an aggregate's rows wait (its earlier rows go): never sent out of order. */
  const invalid: { rows: ClaimedRow[]; error: ContractError }[] = []
  let whole = true // every aggregate ready as claimed: the rows, in claim order, are the batch
  for (const group of byAggregate(rows).values()) {
    const head = group[0] as ClaimedRow
    // A gap (a row of this aggregate locked by something else, or acknowledged since our snapshot) or a deferred
    // head: sending the rest now could overtake it. The aggregate waits for a later round.
    if (head.deferred || head.pending > group.length) {
      result.skipped++
      whole = false
      continue
    }
    let bad = 0
    let error: ContractError | undefined
    for (; bad < group.length; bad++) if ((error = rowError(group[bad] as ClaimedRow))) break
    if (!error) {
      ready.push(group)
      continue
    }
    whole = false
    if (bad > 0) ready.push(group.slice(0, bad))
    invalid.push({ rows: group.slice(bad), error })
    result.rowError ??= error
  }

  // Sent in claim order (oldest first) across aggregates too, not grouped by aggregate.
  let position: Map<string, number> | undefined
  const inOrder = (groups: readonly ClaimedRow[][]) => {
    position ??= new Map(rows.map((r, i) => [r.id, i]))
    const p = position
    return groups.flat().sort((a, b) => (p.get(a.id) ?? 0) - (p.get(b.id) ?? 0))
  }
  let sent: ClaimedRow[][] = ready
  let failed: ClaimedRow[][] = []
  if (ready.length)
    try {
      await sink.sendBatch((whole ? rows : inOrder(ready)).map(messageOf))
    } catch (e) {
      const r = await sendBisecting(sink, ready, e, inOrder)
      sent = r.ok
      failed = r.failed
      result.error = isContractError(r.error)
        ? r.error
        : sendFailed(r.error, `the transport did not take the round's events`)
    }

  if (sent.length) {
    // The claim set synchronous_commit off for this transaction: an acknowledgement lost in a database crash only
    // makes the relay send those events again (at least once; lost commits are always the latest ones, so never
    // out of order), so its commit need not wait for the WAL flush.
    const ids = whole && failed.length === 0 ? rows.map((r) => r.id) : sent.flat().map((r) => r.id)
    // The ids are the uuid column's own text, checked anyway before they are written into the statement.
    for (const id of ids) if (!UUID.test(id)) throw new TypeError(`not a uuid from the outbox: ${id}`)
    const set = `'{${ids.join(',')}}'::uuid[]`
    const ack =
      config.acknowledge === 'delete'
        ? `DELETE FROM ${t} WHERE id = ANY (${set})`
        : `UPDATE ${t} SET sent_at = '${at.toISOString()}'::timestamptz WHERE id = ANY (${set})`
    result.sent = ids.length
    // Nothing failed: the acknowledgement goes with the COMMIT, in one round trip.
    if (failed.length === 0 && invalid.length === 0) {
      await tx.commitWith(ack)
      return result
    }
    await tx.script(ack)
  }
  if (failed.length || invalid.length) {
    result.failed = failed.length + invalid.length
    result.invalid = invalid.length
    result.refused = failed.length > 0 && sent.length === 0
    const sendText = failed.length ? errorText(result.error) : ''
    const ids: string[] = []
    const texts: string[] = []
    for (const g of failed)
      for (const r of g) {
        ids.push(r.id)
        texts.push(sendText)
      }
    for (const { rows: g, error } of invalid) {
      const text = errorText(error)
      for (const r of g) {
        ids.push(r.id)
        texts.push(text)
      }
    }
    await tx.query(
      `UPDATE ${t} SET attempts = attempts + 1, last_error = d.e FROM unnest($1::uuid[], $2::text[]) AS d(id, e)
       WHERE ${t}.id = d.id`,
      [ids, texts],
    )
    // A refused aggregate waits, its later rows with it (and behind it). When the transport took nothing, the
    // relay backs off as a whole and the aggregates wait just as long: a broker back up finds nothing deferred
    // for longer. When it took others, the refused ones wait by their head's attempts, up to deferral.maxMs, as
    // does an aggregate held by an invalid row.
    const heads = [...failed, ...invalid.map((i) => i.rows)].map((g) => g[0] as ClaimedRow)
    const keys = heads.map((h) => h.lock_key)
    const until = heads.map((h, i) => {
      const ms =
        result.refused && i < failed.length ? refusedDelayMs : backoff(h.attempts + 1, config.deferral)
      return new Date(at.getTime() + ms)
    })
    await tx.query(
      `UPDATE ${t} SET available_at = d.until FROM unnest($1::int[], $2::timestamptz[]) AS d(k, until)
       WHERE ${t}.lock_key = d.k AND ${t}.sent_at IS NULL`,
      [keys, until],
    )
  }
  return result
}

/** An error as `last_error` and the status line keep it: a ContractError by its code, with its issues. */
export function errorText(e: unknown): string {
  const text = isContractError(e)
    ? `${e.code}: ${e.message}${e.issues.length ? ` (${e.issues.map((i) => `${i.path}: ${i.message}`).join('; ')})` : ''}`
    : e instanceof Error
      ? `${e.name}: ${e.message}`
      : String(e)
  return text.slice(0, 2000)
}

/** The messages of claimed rows (for tests and tools). */
export const messagesOf = (rows: readonly OutboxRow[]): OutboundMessage[] => rows.map(messageOf)
