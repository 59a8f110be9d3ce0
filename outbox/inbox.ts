/**
 * The inbox: the ids of the events a consumer has processed, written in the same transaction as the handler's own
 * changes. A re-delivered event (at least once: a relay or consumer crash re-sends) finds its id and is skipped, so
 * the effect on the consumer's database happens once. Optional, per consumer; a small wrapper around a kernel
 * handler.
 */
import type { Database, Sql } from '../storage/database.ts'
import { rowsOf, type Queryable } from './rows.ts'
import { tableName } from './schema.ts'

/**
 * What a kernel handler receives: an envelope (typed `handlers`), or a decoded event around one (a topic consumer's
 * `handle`). Either way the inbox keys on the envelope's id.
 */
export type InboxEvent = { id: string } | { event: { id: string } }

const idOf = (e: InboxEvent): string =>
  'event' in e && typeof e.event === 'object' ? e.event.id : (e as { id: string }).id

export interface InboxOptions {
  /** The database the handlers write to; `wrap` runs each handler in one of its transactions. */
  db?: Pick<Database, 'transaction'>
  /** Names this consumer in the table: consumers sharing a database keep apart. */
  consumer: string
  /** Default `inbox`. */
  table?: string
  /** Told about each event skipped as already processed. */
  onDuplicate?: (eventId: string) => void
}

export interface Inbox {
  readonly table: string
  readonly consumer: string
  /**
   * Records `eventId` as processed in `tx`'s transaction: true the first time, false when it already was (skip the
   * work). A concurrent delivery of the same id waits for the first transaction and then sees it.
   */
  claim(tx: Queryable, eventId: string): Promise<boolean>
  /**
   * A kernel handler from one that also takes the transaction: runs it in a transaction of `db` after claiming the
   * event's id, or skips it when the id was processed. A handler that throws rolls back the claim too, so the
   * pipeline's retry finds the event unprocessed.
   */
  wrap<E extends InboxEvent, X>(
    handler: (event: E, context: X, tx: Sql) => void | Promise<void>,
  ): (event: E, context: X) => Promise<void>
  /** Removes ids processed before `now - olderThanMs` (keep them longer than any re-delivery can come). */
  purge(olderThanMs: number, now?: Date): Promise<number>
}

export function createInbox(options: InboxOptions): Inbox {
  const table = tableName(options.table ?? 'inbox')
  const { consumer, db, onDuplicate } = options
  if (!consumer) throw new TypeError('an inbox needs a consumer name')
  const insert = `INSERT INTO ${table} (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1 AS claimed`

  async function claim(tx: Queryable, eventId: string): Promise<boolean> {
    const first = rowsOf(await tx.query(insert, [consumer, eventId])).length > 0
    if (!first) onDuplicate?.(eventId)
    return first
  }

  const needDb = (): Pick<Database, 'transaction'> => {
    if (!db) throw new TypeError('inbox.wrap and inbox.purge need the inbox created with a db')
    return db
  }

  return {
    table,
    consumer,
    claim,
    wrap(handler) {
      const database = needDb()
      return (event, context) =>
        database.transaction(async (tx) => {
          if (await claim(tx, idOf(event))) await handler(event, context, tx)
        })
    },
    async purge(olderThanMs, now = new Date()) {
      const rows = await needDb().transaction((tx) =>
        tx.query<{ n: number }>(
          `WITH gone AS (DELETE FROM ${table} WHERE consumer = $1 AND processed_at < $2 RETURNING 1)
           SELECT count(*)::int AS n FROM gone`,
          [consumer, new Date(now.getTime() - olderThanMs)],
        ),
      )
      return rows[0]?.n ?? 0
    },
  }
}
