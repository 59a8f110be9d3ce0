import type { Database, Sql } from '../../storage/database.ts'
import { BUILT_IN_ENVELOPE, packageFile } from '../../codegen/package-files.ts'
import { schemaIdHash, type JsonObject } from '../content.ts'
import { eventSchemaText } from '../event-schema.ts'

/** One change: SQL statements, then (optionally) a step of code in the same transaction (a backfill). */
export interface Migration {
  readonly id: number
  readonly name: string
  readonly sql: string
  readonly run?: (tx: Sql) => Promise<void>
}

/**
 * The schema of the registry's storage, one entry per change, never edited once released: append a new one.
 * Identical on PostgreSQL and PGlite. Statements are split on `;`, so none may contain one.
 */
export const MIGRATIONS: readonly Migration[] = [
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
  {
    id: 3,
    name: 'schema ids, plain schema subjects, references',
    sql: `
      -- one global integer id per schema content (sha256 of the canonical JSON of the body as served)
      CREATE TABLE registry_schema_ids (
        id           integer PRIMARY KEY CHECK (id > 0),
        content_hash text NOT NULL UNIQUE
      );
      ALTER TABLE registry_versions ADD COLUMN schema_id integer REFERENCES registry_schema_ids (id);
      -- the Confluent references of a plain schema version: JSON [{name, subject, version}]
      ALTER TABLE registry_versions ADD COLUMN refs text;
      -- resource: a contract (x-topic, x-key), schema: a plain schema subject of the Confluent API
      ALTER TABLE registry_subjects ADD COLUMN kind text NOT NULL DEFAULT 'resource' CHECK (kind IN ('resource', 'schema'))
    `,
    // Every stored version gets its id, oldest first (then by name and version): the same ids on every database.
    run: async (tx) => {
      const rows = await tx.query<{ name: string; version: number; body: string }>(
        'SELECT name, version, body FROM registry_versions ORDER BY created_at, name, version',
      )
      for (const r of rows) {
        const id = await assignSchemaId(tx, schemaIdHash(r.body))
        await tx.query('UPDATE registry_versions SET schema_id = $3 WHERE name = $1 AND version = $2', [
          r.name,
          r.version,
          id,
        ])
      }
      await tx.query('ALTER TABLE registry_versions ALTER COLUMN schema_id SET NOT NULL')
    },
  },
  {
    id: 4,
    name: 'event schema ids assigned with their versions',
    sql: `
      -- the global id of a resource version's event schema (registry/events.ts), given by its registration:
      -- null for a plain schema subject's version, or one written by a registry that predates this migration
      ALTER TABLE registry_versions ADD COLUMN event_schema_id integer REFERENCES registry_schema_ids (id)
    `,
    // Every resource version stored before gets its event schema's id, oldest first (one asked for before keeps
    // its id: the id belongs to the content), with the envelope this package ships.
    run: async (tx) => {
      const envelope = JSON.parse(await packageFile(BUILT_IN_ENVELOPE)) as JsonObject
      const rows = await tx.query<{ name: string; version: number; uri: string; body: string }>(
        `SELECT v.name, v.version, v.uri, v.body FROM registry_versions v
           JOIN registry_subjects s ON s.name = v.name AND s.kind = 'resource'
           ORDER BY v.created_at, v.name, v.version`,
      )
      for (const r of rows) {
        const text = eventSchemaText({ ...r, schema: JSON.parse(r.body) as JsonObject }, envelope)
        const id = await assignSchemaId(tx, schemaIdHash(text))
        await tx.query('UPDATE registry_versions SET event_schema_id = $3 WHERE name = $1 AND version = $2', [
          r.name,
          r.version,
          id,
        ])
      }
    },
  },
]

/** Serialises the assignment of schema ids between transactions and processes. */
const SCHEMA_ID_LOCK = 'event-contracts:schema-ids'

/** A schema id given explicitly (IMPORT mode) that is already another content's, or the content's is another. */
export class SchemaIdTaken extends Error {
  constructor(
    readonly given: number,
    readonly existing: number | undefined,
  ) {
    super(
      existing === undefined
        ? `schema id ${given} is already another schema's`
        : `this schema already has id ${existing}, not ${given}`,
    )
  }
}

/**
 * The id of a content (its schemaIdHash): the existing one, else the next integer (or `given`, in IMPORT mode).
 * Runs in the caller's transaction under a lock held to its end, so concurrent registrations of one content, in
 * any process on the database, get one id, and ids have no gaps.
 */
export async function assignSchemaId(tx: Sql, hash: string, given?: number): Promise<number> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [SCHEMA_ID_LOCK])
  const [found] = await tx.query<{ id: number }>(
    'SELECT id FROM registry_schema_ids WHERE content_hash = $1',
    [hash],
  )
  if (found) {
    if (given !== undefined && given !== found.id) throw new SchemaIdTaken(given, found.id)
    return found.id
  }
  if (given !== undefined) {
    const [taken] = await tx.query<{ id: number }>('SELECT id FROM registry_schema_ids WHERE id = $1', [
      given,
    ])
    if (taken) throw new SchemaIdTaken(given, undefined)
  }
  const [row] = await tx.query<{ id: number }>(
    given === undefined
      ? 'INSERT INTO registry_schema_ids (id, content_hash) SELECT COALESCE(MAX(id), 0) + 1, $1 FROM registry_schema_ids RETURNING id'
      : 'INSERT INTO registry_schema_ids (id, content_hash) VALUES ($2, $1) RETURNING id',
    given === undefined ? [hash] : [hash, given],
  )
  return (row as { id: number }).id
}

/** Serialises migrations between processes starting at once on one database. */
const MIGRATION_LOCK = 'event-contracts:registry:migrations'

/**
 * Applies the migrations not applied yet, all in one transaction, and records them. Returns the ids applied.
 * `migrations`: the list to apply (tests stop at an earlier one to check a later one's backfill).
 */
export async function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [MIGRATION_LOCK])
    await tx.query(`CREATE TABLE IF NOT EXISTS registry_migrations (
      id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
    const done = new Set(
      (await tx.query<{ id: number }>('SELECT id FROM registry_migrations')).map((r) => r.id),
    )
    const applied: number[] = []
    for (const m of migrations) {
      if (done.has(m.id)) continue
      for (const statement of m.sql
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean))
        await tx.query(statement)
      await m.run?.(tx)
      await tx.query('INSERT INTO registry_migrations (id, name) VALUES ($1, $2)', [m.id, m.name])
      applied.push(m.id)
    }
    return applied
  })
}
