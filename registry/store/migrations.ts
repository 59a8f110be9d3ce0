import type { Database } from '../../storage/database.ts'

/**
 * The schema of the registry's storage, one entry per change, never edited once released: append a new one.
 * Identical on PostgreSQL and PGlite. Statements are split on `;`, so none may contain one.
 */
export const MIGRATIONS: readonly { id: number; name: string; sql: string }[] = [
  {
    id: 1,
    name: 'subjects, versions and settings',
    sql: `
      CREATE TABLE registry_subjects (
        name          text PRIMARY KEY,
        topic         text NOT NULL,
        key           text NOT NULL,
        compatibility text,
        -- the highest version number ever handed out: a purged version's number is never reused
        last_version  integer NOT NULL DEFAULT 0
      );
      CREATE TABLE registry_versions (
        name         text NOT NULL REFERENCES registry_subjects (name),
        version      integer NOT NULL CHECK (version > 0),
        uri          text NOT NULL UNIQUE,
        content_hash text NOT NULL,
        body         text NOT NULL,
        deleted_at   timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (name, version),
        UNIQUE (name, content_hash)
      );
      CREATE TABLE registry_settings (
        key   text PRIMARY KEY,
        value text NOT NULL
      );
    `,
  },
  {
    id: 2,
    name: 'audit trail',
    sql: `
      CREATE TABLE registry_audit (
        id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at        timestamptz NOT NULL DEFAULT now(),
        principal text NOT NULL,
        action    text NOT NULL CHECK (action IN ('register', 'soft-delete', 'permanent-delete', 'set-mode')),
        -- null: the default mode. No foreign key: a purged version and a refused name stay in the trail
        resource  text,
        version   integer,
        outcome   text NOT NULL CHECK (outcome IN ('created', 'unchanged', 'deleted', 'changed', 'refused')),
        detail    text
      )
    `,
  },
]

/** Serialises migrations between processes starting at once on one database. */
const MIGRATION_LOCK = 'event-contracts:registry:migrations'

/** Applies the migrations not applied yet, all in one transaction, and records them. Returns the ids applied. */
export async function migrate(db: Database): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [MIGRATION_LOCK])
    await tx.query(`CREATE TABLE IF NOT EXISTS registry_migrations (
      id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
    const done = new Set(
      (await tx.query<{ id: number }>('SELECT id FROM registry_migrations')).map((r) => r.id),
    )
    const applied: number[] = []
    for (const m of MIGRATIONS) {
      if (done.has(m.id)) continue
      for (const statement of m.sql
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean))
        await tx.query(statement)
      await tx.query('INSERT INTO registry_migrations (id, name) VALUES ($1, $2)', [m.id, m.name])
      applied.push(m.id)
    }
    return applied
  })
}
