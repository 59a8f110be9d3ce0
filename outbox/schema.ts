/**
 * The outbox and inbox tables: Debezium's outbox columns plus what the relay needs, created by migrations that run
 * the same on PostgreSQL and PGlite. Each migration is a list of statements (a trigger's body holds `;`), never
 * edited once released: append a new one.
 */
import type { Sql } from '../storage/database.ts'
import { inDatabase } from './errors.ts'

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,39}$/

/** A table name we put into SQL: a plain lower-case identifier (its schema comes from the search_path). */
export function tableName(name: string, what = 'table'): string {
  if (!IDENTIFIER.test(name))
    throw new TypeError(`${what} '${name}' must be a lower-case SQL identifier of at most 40 characters`)
  return name
}

/** The channel every outbox table's trigger notifies; the payload names the table (`schema.table`). */
export const OUTBOX_CHANNEL = 'event_contracts_outbox'

export interface Migration {
  id: number
  name: string
  statements: (table: string) => string[]
}

/**
 * `id`, `aggregatetype`, `aggregateid`, `type`, `payload`: Debezium's outbox event router reads these as they are
 * (docs/outbox.md). `payload` is `json`, not `jsonb`: it keeps the encoder's bytes exactly, so the relay sends
 * what was validated at enqueue. `ce_*` are the CloudEvents attributes the transports carry as headers (columns,
 * so that Debezium can place them); `lock_key` is the aggregate's advisory lock (destination and key).
 */
export const OUTBOX_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'outbox table, indexes and insert notification',
    statements: (t) => [
      `CREATE TABLE ${t} (
        id            uuid PRIMARY KEY,
        aggregatetype text NOT NULL,
        aggregateid   text NOT NULL,
        type          text NOT NULL,
        payload       json NOT NULL,
        destination   text NOT NULL,
        ce_source     text NOT NULL,
        ce_time       text NOT NULL,
        ce_dataschema text NOT NULL,
        headers       jsonb,
        seq           bigint GENERATED ALWAYS AS IDENTITY,
        lock_key      integer GENERATED ALWAYS AS (hashtext(destination || '/' || aggregateid)) STORED,
        created_at    timestamptz NOT NULL DEFAULT now(),
        available_at  timestamptz NOT NULL DEFAULT '-infinity',
        attempts      integer NOT NULL DEFAULT 0,
        last_error    text,
        sent_at       timestamptz
      )`,
      `CREATE INDEX ${t}_pending ON ${t} (seq) WHERE sent_at IS NULL`,
      `CREATE INDEX ${t}_pending_key ON ${t} (lock_key, seq) WHERE sent_at IS NULL`,
      `CREATE INDEX ${t}_sent ON ${t} (sent_at) WHERE sent_at IS NOT NULL`,
      // Rows of aggregates that were ever deferred after a refusal: few, so the look-ahead can leave those
      // aggregates out for almost nothing.
      `CREATE INDEX ${t}_deferred ON ${t} (lock_key, available_at) WHERE sent_at IS NULL AND available_at > '-infinity'`,
      `CREATE FUNCTION ${t}_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('${OUTBOX_CHANNEL}', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
          RETURN NULL;
        END
      $$`,
      `CREATE TRIGGER ${t}_notify AFTER INSERT ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION ${t}_notify()`,
    ],
  },
]

/** The inbox: the event ids a consumer has processed, written in the handler's own transaction. */
export const INBOX_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'inbox table',
    statements: (t) => [
      `CREATE TABLE ${t} (
        consumer     text NOT NULL,
        event_id     text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`,
      `CREATE INDEX ${t}_processed ON ${t} (processed_at)`,
    ],
  },
]

/**
 * Applies the migrations of `table` not applied yet, in one transaction under an advisory lock (several processes
 * may start at once), and records them in `<table>_migrations`. Returns the ids applied.
 */
/** What a migration needs: transactions of plain statements (a Database, or any driver wrapped so). */
export interface Migratable {
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>
}

export async function migrateTable(
  db: Migratable,
  table: string,
  migrations: readonly Migration[],
): Promise<number[]> {
  const t = tableName(table)
  return inDatabase(`migrating table '${t}'`, () =>
    db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`event-contracts:migrations:${t}`])
      await tx.query(`CREATE TABLE IF NOT EXISTS ${t}_migrations (
      id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
      const done = new Set(
        (await tx.query<{ id: number }>(`SELECT id FROM ${t}_migrations`)).map((r) => r.id),
      )
      const applied: number[] = []
      for (const m of migrations) {
        if (done.has(m.id)) continue
        for (const statement of m.statements(t)) await tx.query(statement)
        await tx.query(`INSERT INTO ${t}_migrations (id, name) VALUES ($1, $2)`, [m.id, m.name])
        applied.push(m.id)
      }
      return applied
    }),
  )
}

/** Creates or updates the outbox table (default `outbox`). */
export const migrateOutbox = (db: Migratable, table = 'outbox') => migrateTable(db, table, OUTBOX_MIGRATIONS)

/** Creates or updates the inbox table (default `inbox`). */
export const migrateInbox = (db: Migratable, table = 'inbox') => migrateTable(db, table, INBOX_MIGRATIONS)
