/**
 * Outbox test plumbing: a PostgreSQL schema of the test's own (dropped after) or an in-memory PGlite, both with the
 * outbox and inbox tables migrated; a sink that records or fails on demand; order and duplicate checks.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { OutboundMessage, Sink } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createOutbox, migrateInbox, migrateOutbox, type Database } from '../../outbox/index.ts'
import { IN_MEMORY, openPglite } from '../../storage/pglite.ts'
import { openPostgres } from '../../storage/postgres.ts'
import { pgUrl } from '../registry/helpers.ts'

export type Kind = 'postgres' | 'pglite'

export interface TestDb {
  kind: Kind
  db: Database
  /** `postgres` only: the URL and schema, for a second connection (a raw pg client, a child process). */
  url: string | undefined
  schema: string | undefined
  /** Closes the database and drops the schema. */
  drop(): Promise<void>
}

/** A migrated outbox and inbox on PostgreSQL (a schema of its own) or PGlite (in memory). */
export async function testDb(kind: Kind): Promise<TestDb> {
  if (kind === 'pglite') {
    const db = await openPglite(IN_MEMORY)
    await migrateOutbox(db)
    await migrateInbox(db)
    return { kind, db, url: undefined, schema: undefined, drop: () => db.close() }
  }
  const url = pgUrl()
  const schema = `outbox_${randomBytes(6).toString('hex')}`
  const db = await openPostgres({ url, schema, max: 8 })
  await migrateOutbox(db)
  await migrateInbox(db)
  return {
    kind,
    db,
    url,
    schema,
    async drop() {
      await db.close()
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await c.end()
    },
  }
}

/** A pg client on the test's schema, outside the pool: what a service's own code would hold. */
export async function rawClient(t: TestDb): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: t.url, options: `-c search_path=${t.schema}` })
  await c.connect()
  return c
}

export const outboxFor = (prefix?: string) =>
  createOutbox({ catalog, source: 'urn:test:outbox', ...(prefix ? { topicPrefix: prefix } : {}) })

/** A sink that records what it takes; `refuse` decides per batch whether it throws instead. */
export interface RecordingSink extends Sink {
  readonly messages: OutboundMessage[]
  readonly batches: OutboundMessage[][]
  /** sendBatch calls begun, refused and gated ones included. */
  calls: number
  refuse: ((batch: readonly OutboundMessage[]) => boolean) | undefined
  /** Resolves each send after this promise (a slow transport). */
  gate: Promise<void> | undefined
}

export function recordingSink(): RecordingSink {
  const sink: RecordingSink = {
    messages: [],
    batches: [],
    calls: 0,
    refuse: undefined,
    gate: undefined,
    async send(m) {
      await sink.sendBatch([m])
    },
    async sendBatch(batch) {
      sink.calls++
      if (sink.gate) await sink.gate
      if (sink.refuse?.(batch))
        throw Object.assign(new Error('refused by the test sink'), { retriable: true })
      sink.batches.push([...batch])
      sink.messages.push(...batch)
    },
  }
  return sink
}

/** Rows of the outbox now, oldest first. */
export const pendingRows = (db: Database) =>
  db.query<{ id: string; attempts: number; sent_at: Date | null; last_error: string | null }>(
    'SELECT id, attempts, sent_at, last_error FROM outbox ORDER BY seq',
  )

/**
 * Per key, whether the first deliveries came in the order given (re-sends after a crash may repeat earlier events;
 * a consumer de-duplicating by id sees the first ones). Returns the keys out of order, and the duplicates.
 */
export function checkOrder(
  expected: ReadonlyMap<string, readonly string[]>,
  delivered: readonly { key: string; id: string }[],
): { outOfOrder: string[]; duplicates: number; missing: number } {
  const firsts = new Map<string, string[]>()
  const seen = new Set<string>()
  let duplicates = 0
  for (const d of delivered) {
    if (seen.has(d.id)) {
      duplicates++
      continue
    }
    seen.add(d.id)
    let list = firsts.get(d.key)
    if (!list) firsts.set(d.key, (list = []))
    list.push(d.id)
  }
  const outOfOrder: string[] = []
  let missing = 0
  for (const [key, ids] of expected) {
    const mine = new Set(ids)
    const got = (firsts.get(key) ?? []).filter((id) => mine.has(id))
    const want = ids.filter((id) => seen.has(id))
    missing += ids.length - want.length
    if (got.some((id, i) => id !== want[i])) outOfOrder.push(key)
  }
  return { outOfOrder, duplicates, missing }
}
