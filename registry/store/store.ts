import { ContractError } from '../../core/index.ts'
import { isMode, type Mode } from '../../compat/index.ts'
import type { Database, Sql } from '../../storage/database.ts'
import { insertAudit, readAudit, type AuditEntry, type AuditQuery, type AuditRecord } from './audit.ts'
import { schemaIdHash } from '../content.ts'
import { assignSchemaId, migrate, SchemaIdTaken } from './migrations.ts'

export interface StoredVersion {
  name: string
  version: number
  uri: string
  /** sha256 of the canonical JSON of the schema without `$id`: equal hashes, equal content. */
  hash: string
  /** The schema as served, `$id` included. */
  body: string
  deleted: boolean
  /** The global schema id of the body's content (the Confluent API's id). */
  schemaId: number
  /** A plain schema's references, as JSON `[{name, subject, version}]`; null for none. */
  refs: string | null
  /**
   * A resource version's event schema id, given by its registration (migration 4), and the schemaIdHash of the
   * content that id was given to: null for a plain schema, or a version a registry predating migration 4 wrote.
   */
  eventSchemaId: number | null
  eventHash: string | null
}

/** `resource`: a contract (x-topic, x-key); `schema`: a plain schema subject of the Confluent API. */
export type SubjectKind = 'resource' | 'schema'

export interface StoredSubject {
  name: string
  kind: SubjectKind
  topic: string
  key: string
  /** The resource's own mode; null: the registry default. */
  compatibility: Mode | null
  lastVersion: number
  /** Every stored version (soft-deleted ones included), ascending. */
  versions: StoredVersion[]
}

export interface Snapshot {
  /** Set by PUT /config; null: the configured default. */
  defaultMode: Mode | null
  subjects: StoredSubject[]
  /** Every row of registry_settings (the Confluent API's modes live there). */
  settings: Map<string, string>
}

export interface NewVersion {
  name: string
  /** Default `resource`; a `schema` subject has no topic or key. */
  kind?: SubjectKind
  hash: string
  /** The schema id to give the content (IMPORT mode); refused if the content or the id is already another's. */
  schemaId?: number
  /** A plain schema's references (JSON). */
  refs?: string
  /** What identifies the schema id's content; default schemaIdHash of the body. */
  idHash?: string
  /** A resource version's event schema (its schemaIdHash): its id is assigned in the same transaction. */
  eventIdHash?: (version: number, uri: string, body: string) => string
  topic: string | undefined
  key: string | undefined
  compatibility: Mode | undefined
  /** The body to store once the version number is known (the registry writes the `$id`). */
  body: (version: number, uri: string) => string
  uri: (version: number) => string
  /** Runs in the transaction when the content is already stored (throws to refuse the no-op). */
  existing?: (version: StoredVersion) => void
}

/** Runs inside the registering transaction, with the subject locked: throws (or rejects) to refuse. */
export type Gate = (subject: StoredSubject | undefined, defaultMode: Mode | null) => void | Promise<void>

export type Registered = { created: boolean; version: StoredVersion }

/** A version from schemas/ to insert with its file's number. */
export interface SeedVersion {
  name: string
  version: number
  uri: string
  hash: string
  body: string
  /** The schemaIdHash of its event schema: its id is assigned in the seeding transaction. */
  eventIdHash?: string
}

/** What seeding does with one resource, decided by the service under the resource's lock. */
export interface SeedPlan {
  /** A subject not stored yet: its row (the mode null: it follows the registry default). */
  create?: { topic: string; key: string; compatibility: Mode | null }
  /** An existing subject's own mode, changed by its resource.json (the change already checked). */
  mode?: Mode
  /** Ascending, each after the subject's last version. */
  insert: readonly SeedVersion[]
  /** Something is refused: nothing of the whole seed is written (the other resources are still planned). */
  abort: boolean
}

/** Runs inside the seeding transaction, the resource locked: what storage holds → what to write. */
export type SeedPlanner = (
  name: string,
  subject: StoredSubject | undefined,
  defaultMode: Mode | null,
) => SeedPlan

/** Runs inside the configuring transaction with the subjects concerned locked: throws to refuse. */
export type ModeGate = (subjects: readonly StoredSubject[], defaultMode: Mode | null) => void

export interface SchemaStore {
  readonly kind: Database['kind']
  readonly description: string
  ping(): Promise<void>
  snapshot(): Promise<Snapshot>
  subject(name: string): Promise<StoredSubject | undefined>
  /**
   * Atomic: one version per content, consecutive numbers, `gate` sees the predecessors under a lock. Every write
   * below records its audit row, naming `principal`, in its own transaction.
   */
  register(input: NewVersion, gate: Gate, principal: string): Promise<Registered>
  /** All or nothing, one transaction: each resource planned under its lock; when any plan aborts, nothing is written. */
  seed(names: readonly string[], plan: SeedPlanner, principal: string): Promise<'committed' | 'aborted'>
  /**
   * The resource's own mode, or (name null) the default. `gate` sees the subjects whose mode changes (the named
   * one; for the default, every subject without a mode of its own), locked, so no registration runs meanwhile.
   */
  setMode(name: string | null, mode: Mode, gate: ModeGate | undefined, principal: string): Promise<void>
  softDelete(name: string, version: number, principal: string): Promise<StoredVersion | undefined>
  /** A Confluent mode (READWRITE, READONLY, IMPORT) of a subject, or (name null) the global one; null: unset. */
  setSetting(key: string, value: string | null, principal: string): Promise<void>
  settings(): Promise<Map<string, string>>
  /** Clears a subject's own compatibility mode: it follows the default again. */
  clearMode(name: string, principal: string): Promise<void>
  /** Removes a soft-deleted version for good. */
  purge(
    name: string,
    version: number,
    principal: string,
  ): Promise<'purged' | 'not-found' | 'not-soft-deleted'>
  /** An audit row on its own: an attempt that was refused (its transaction, if any, rolled back). */
  record(entry: AuditRecord): Promise<void>
  /** The audit trail, newest first. */
  audit(query: AuditQuery): Promise<AuditEntry[]>
  /**
   * The global schema id of a content that is no stored version (a version's event schema): its schemaIdHash's
   * existing id, else the next, under the same lock as every other assignment.
   */
  schemaIdOf(hash: string): Promise<number>
  /** The schemaIdHash an id was given to; undefined: no such id. */
  hashOfSchemaId(id: number): Promise<string | undefined>
  /** `name` changed (null: the default mode), here or in another process on the same database. */
  onChange(listener: (name: string | null) => void): Promise<void>
  close(): Promise<void>
}

export const CHANNEL = 'schema_registered'
const GLOBAL = ''

interface SubjectRow {
  name: string
  kind: string
  topic: string
  key: string
  compatibility: string | null
  last_version: number
}
interface VersionRow {
  name: string
  version: number
  uri: string
  content_hash: string
  body: string
  deleted: boolean
  schema_id: number
  refs: string | null
  event_schema_id: number | null
  event_hash: string | null
}

const VERSION_COLUMNS = `name, version, uri, content_hash, body, deleted_at IS NOT NULL AS deleted, schema_id, refs,
  event_schema_id, (SELECT content_hash FROM registry_schema_ids e WHERE e.id = event_schema_id) AS event_hash`

const toVersion = (r: VersionRow): StoredVersion => ({
  name: r.name,
  version: r.version,
  uri: r.uri,
  hash: r.content_hash,
  body: r.body,
  deleted: r.deleted,
  schemaId: r.schema_id,
  refs: r.refs,
  eventSchemaId: r.event_schema_id,
  eventHash: r.event_hash,
})
const toSubject = (r: SubjectRow, versions: StoredVersion[]): StoredSubject => ({
  name: r.name,
  kind: r.kind === 'schema' ? 'schema' : 'resource',
  topic: r.topic,
  key: r.key,
  compatibility: isMode(r.compatibility) ? r.compatibility : null,
  lastVersion: r.last_version,
  versions,
})

/**
 * SQLSTATE classes that say the statement itself was wrong (22 data exception, e.g. a NUL in a text value; 42
 * syntax or access rule violation): a value the edge should have refused, or a bug. Trying again cannot help, so
 * they are not REGISTRY_UNAVAILABLE: they stay errors (500, logged) for a test to find.
 */
const STATEMENT_ERRORS = new Set(['22', '42'])
const sqlState = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

/** Storage failures become a retriable REGISTRY_UNAVAILABLE; our own refusals pass through. */
async function guard<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (e) {
    if (e instanceof ContractError || e instanceof SeedAborted) throw e
    if (e instanceof SchemaIdTaken)
      throw new ContractError('SCHEMA_CONFLICT', e.message, [
        {
          path: '/id',
          keyword: 'schema-id',
          message: e.message,
          params: { id: e.given, ...(e.existing === undefined ? {} : { existing: e.existing }) },
        },
      ])
    const state = sqlState(e)
    if (state !== undefined && STATEMENT_ERRORS.has(state.slice(0, 2)))
      throw new Error(
        `storage refused a statement while ${what} (SQLSTATE ${state}): ${(e as Error).message}`,
        {
          cause: e,
        },
      )
    throw new ContractError(
      'REGISTRY_UNAVAILABLE',
      `storage failed while ${what}: ${(e as Error).message}`,
      [],
      {
        cause: e,
        retriable: true,
      },
    )
  }
}

/** Takes the per-resource lock for the rest of the transaction (also for names not stored yet). */
const lock = (tx: Sql, name: string) =>
  tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`event-contracts:subject:${name}`])

/**
 * The default mode's lock: shared by whatever reads the default to judge (registering, seeding, a resource's mode
 * change), exclusive while the default changes. Always taken before subject locks.
 */
const DEFAULT_LOCK = 'event-contracts:default-mode'
const readingDefault = (tx: Sql) =>
  tx.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [DEFAULT_LOCK])
const changingDefault = (tx: Sql) => tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [DEFAULT_LOCK])

async function readSubject(q: Sql, name: string): Promise<StoredSubject | undefined> {
  const [row] = await q.query<SubjectRow>('SELECT * FROM registry_subjects WHERE name = $1', [name])
  if (!row) return undefined
  const versions = await q.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM registry_versions WHERE name = $1 ORDER BY version`,
    [name],
  )
  return toSubject(row, versions.map(toVersion))
}

async function readDefaultMode(q: Sql): Promise<Mode | null> {
  const [row] = await q.query<{ value: string }>('SELECT value FROM registry_settings WHERE key = $1', [
    'compatibility',
  ])
  return isMode(row?.value) ? row.value : null
}

const notify = (tx: Sql, name: string) => tx.query('SELECT pg_notify($1, $2)', [CHANNEL, name])

/** The one store, on either database: runs the migrations, then serves the registry. */
export async function createSqlStore(db: Database): Promise<SchemaStore> {
  await guard('migrating', () => migrate(db))
  return {
    kind: db.kind,
    description: db.description,
    ping: () => guard('pinging', async () => void (await db.query('SELECT 1'))),

    snapshot: () =>
      guard('loading', async () => {
        const subjects = await db.query<SubjectRow>('SELECT * FROM registry_subjects ORDER BY name')
        const versions = await db.query<VersionRow>(
          `SELECT ${VERSION_COLUMNS} FROM registry_versions ORDER BY name, version`,
        )
        const byName = new Map<string, StoredVersion[]>()
        for (const v of versions) {
          const list = byName.get(v.name) ?? []
          list.push(toVersion(v))
          byName.set(v.name, list)
        }
        const settings = await db.query<{ key: string; value: string }>(
          'SELECT key, value FROM registry_settings',
        )
        return {
          settings: new Map(settings.map((r) => [r.key, r.value])),
          defaultMode: await readDefaultMode(db),
          subjects: subjects.map((s) => toSubject(s, byName.get(s.name) ?? [])),
        }
      }),

    subject: (name) => guard('loading', () => readSubject(db, name)),

    register: (input, gate, principal) =>
      guard('registering', () =>
        db.transaction(async (tx) => {
          await readingDefault(tx)
          await lock(tx, input.name)
          const subject = await readSubject(tx, input.name)
          const same = subject?.versions.find((v) => v.hash === input.hash)
          if (same?.deleted)
            throw new ContractError(
              'SCHEMA_CONFLICT',
              `this content is version ${same.version} of '${input.name}', which is soft-deleted; delete it permanently to register it again`,
              [
                {
                  path: '',
                  keyword: 'soft-deleted',
                  message: `identical to soft-deleted version ${same.version}`,
                  params: { version: same.version },
                },
              ],
            )
          if (same) {
            input.existing?.(same)
            if (input.schemaId !== undefined && input.schemaId !== same.schemaId)
              throw new SchemaIdTaken(input.schemaId, same.schemaId)
            await insertAudit(tx, {
              principal,
              action: 'register',
              resource: input.name,
              version: same.version,
              outcome: 'unchanged',
              detail: null,
            })
            return { created: false, version: same }
          }
          await gate(subject, await readDefaultMode(tx))
          const version = (subject?.lastVersion ?? 0) + 1
          const uri = input.uri(version)
          if (subject)
            await tx.query('UPDATE registry_subjects SET last_version = $2 WHERE name = $1', [
              input.name,
              version,
            ])
          else {
            const kind = input.kind ?? 'resource'
            if (kind === 'resource' && (input.topic === undefined || input.key === undefined))
              throw new Error('a new resource needs a topic and a key')
            await tx.query(
              'INSERT INTO registry_subjects (name, topic, key, compatibility, last_version, kind) VALUES ($1, $2, $3, $4, $5, $6)',
              [input.name, input.topic ?? '', input.key ?? '', input.compatibility ?? null, version, kind],
            )
          }
          const body = input.body(version, uri)
          const schemaId = await assignSchemaId(tx, input.idHash ?? schemaIdHash(body), input.schemaId)
          const eventId =
            input.eventIdHash && (await assignSchemaId(tx, input.eventIdHash(version, uri, body)))
          const [row] = await tx.query<VersionRow>(
            `INSERT INTO registry_versions (name, version, uri, content_hash, body, schema_id, refs, event_schema_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${VERSION_COLUMNS}`,
            [input.name, version, uri, input.hash, body, schemaId, input.refs ?? null, eventId ?? null],
          )
          await insertAudit(tx, {
            principal,
            action: 'register',
            resource: input.name,
            version,
            outcome: 'created',
            detail: null,
          })
          await notify(tx, input.name)
          return { created: true, version: toVersion(row as VersionRow) }
        }),
      ),

    seed: (names, plan, principal) =>
      guard('seeding', () =>
        db.transaction(async (tx) => {
          await readingDefault(tx)
          const defaultMode = await readDefaultMode(tx)
          let aborted = false
          const touched: string[] = []
          const pending: SeedVersion[] = []
          for (const name of [...names].sort()) {
            await lock(tx, name)
            const subject = await readSubject(tx, name)
            const p = plan(name, subject, defaultMode)
            aborted ||= p.abort
            if (aborted) continue
            const last = p.insert.at(-1)?.version
            if (!subject) {
              if (!p.create || last === undefined) continue
              await tx.query(
                'INSERT INTO registry_subjects (name, topic, key, compatibility, last_version) VALUES ($1, $2, $3, $4, $5)',
                [name, p.create.topic, p.create.key, p.create.compatibility, last],
              )
            } else {
              if (p.mode === undefined && last === undefined) continue
              await tx.query(
                `UPDATE registry_subjects SET last_version = GREATEST(last_version, $2),
                   compatibility = COALESCE($3, compatibility) WHERE name = $1`,
                [name, last ?? 0, p.mode ?? null],
              )
            }
            if (subject && p.mode !== undefined)
              await insertAudit(tx, {
                principal,
                action: 'set-mode',
                resource: name,
                version: null,
                outcome: 'changed',
                detail: p.mode,
              })
            pending.push(...p.insert)
            touched.push(name)
          }
          // Refused: ROLLBACK by throwing (the planner has its reports).
          if (aborted) throw new SeedAborted()
          // Versions last: the schema-id lock is taken once every subject lock is held, never before one (a
          // registration takes its subject's lock, then the id lock: the same order, so no deadlock).
          // The versions' own ids first, then their event schemas': the seeded versions have ids 1…n.
          const schemaIds: number[] = []
          for (const v of pending) schemaIds.push(await assignSchemaId(tx, schemaIdHash(v.body)))
          for (const [i, v] of pending.entries()) {
            const schemaId = schemaIds[i] as number
            const eventId = v.eventIdHash === undefined ? null : await assignSchemaId(tx, v.eventIdHash)
            await tx.query(
              'INSERT INTO registry_versions (name, version, uri, content_hash, body, schema_id, event_schema_id) VALUES ($1, $2, $3, $4, $5, $6, $7)',
              [v.name, v.version, v.uri, v.hash, v.body, schemaId, eventId],
            )
            await insertAudit(tx, {
              principal,
              action: 'register',
              resource: v.name,
              version: v.version,
              outcome: 'created',
              detail: null,
            })
          }
          for (const name of touched) await notify(tx, name)
          return 'committed' as const
        }),
      ).catch((e: unknown) => {
        if (e instanceof SeedAborted) return 'aborted' as const
        throw e
      }),

    setMode: (name, mode, gate, principal) =>
      guard('configuring', () =>
        db.transaction(async (tx) => {
          if (name === null) {
            await changingDefault(tx)
            const names = await tx.query<{ name: string }>(
              'SELECT name FROM registry_subjects WHERE compatibility IS NULL ORDER BY name',
            )
            const followers: StoredSubject[] = []
            for (const { name: n } of names) {
              await lock(tx, n)
              const s = await readSubject(tx, n)
              if (s && s.compatibility === null) followers.push(s)
            }
            gate?.(followers, await readDefaultMode(tx))
            await tx.query(
              'INSERT INTO registry_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
              ['compatibility', mode],
            )
          } else {
            await readingDefault(tx)
            await lock(tx, name)
            const subject = await readSubject(tx, name)
            if (!subject) throw new ContractError('UNKNOWN_RESOURCE', `no resource '${name}'`)
            gate?.([subject], await readDefaultMode(tx))
            await tx.query('UPDATE registry_subjects SET compatibility = $2 WHERE name = $1', [name, mode])
          }
          await insertAudit(tx, {
            principal,
            action: 'set-mode',
            resource: name,
            version: null,
            outcome: 'changed',
            detail: mode,
          })
          await notify(tx, name ?? GLOBAL)
        }),
      ),

    setSetting: (key, value, principal) =>
      guard('configuring', () =>
        db.transaction(async (tx) => {
          if (value === null) await tx.query('DELETE FROM registry_settings WHERE key = $1', [key])
          else
            await tx.query(
              'INSERT INTO registry_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
              [key, value],
            )
          await insertAudit(tx, {
            principal,
            action: 'set-mode',
            resource: null,
            version: null,
            outcome: 'changed',
            detail: `${key}=${value ?? '(unset)'}`,
          })
          await notify(tx, GLOBAL)
        }),
      ),

    schemaIdOf: (hash) => guard('registering', () => db.transaction((tx) => assignSchemaId(tx, hash))),

    hashOfSchemaId: (id) =>
      guard('loading', async () => {
        const [row] = await db.query<{ content_hash: string }>(
          'SELECT content_hash FROM registry_schema_ids WHERE id = $1',
          [id],
        )
        return row?.content_hash
      }),

    settings: () =>
      guard('loading', async () => {
        const rows = await db.query<{ key: string; value: string }>(
          'SELECT key, value FROM registry_settings',
        )
        return new Map(rows.map((r) => [r.key, r.value]))
      }),

    clearMode: (name, principal) =>
      guard('configuring', () =>
        db.transaction(async (tx) => {
          await lock(tx, name)
          const rows = await tx.query<{ name: string }>(
            'UPDATE registry_subjects SET compatibility = NULL WHERE name = $1 RETURNING name',
            [name],
          )
          if (rows.length === 0) throw new ContractError('UNKNOWN_RESOURCE', `no subject '${name}'`)
          await insertAudit(tx, {
            principal,
            action: 'set-mode',
            resource: name,
            version: null,
            outcome: 'changed',
            detail: '(default)',
          })
          await notify(tx, name)
        }),
      ),

    softDelete: (name, version, principal) =>
      guard('deleting', () =>
        db.transaction(async (tx) => {
          await lock(tx, name)
          const [row] = await tx.query<VersionRow>(
            `UPDATE registry_versions SET deleted_at = COALESCE(deleted_at, now()) WHERE name = $1 AND version = $2 RETURNING ${VERSION_COLUMNS}`,
            [name, version],
          )
          if (!row) return undefined
          await insertAudit(tx, {
            principal,
            action: 'soft-delete',
            resource: name,
            version,
            outcome: 'deleted',
            detail: null,
          })
          await notify(tx, name)
          return toVersion(row)
        }),
      ),

    purge: (name, version, principal) =>
      guard('deleting', () =>
        db.transaction(async (tx) => {
          await lock(tx, name)
          const [row] = await tx.query<{ deleted: boolean }>(
            'SELECT deleted_at IS NOT NULL AS deleted FROM registry_versions WHERE name = $1 AND version = $2',
            [name, version],
          )
          if (!row) return 'not-found' as const
          if (!row.deleted) return 'not-soft-deleted' as const
          await tx.query('DELETE FROM registry_versions WHERE name = $1 AND version = $2', [name, version])
          await insertAudit(tx, {
            principal,
            action: 'permanent-delete',
            resource: name,
            version,
            outcome: 'deleted',
            detail: null,
          })
          await notify(tx, name)
          return 'purged' as const
        }),
      ),

    record: (entry) => guard('auditing', async () => void (await insertAudit(db, entry))),
    audit: (query) => guard('reading the audit trail', () => readAudit(db, query)),

    onChange: (listener) => db.listen(CHANNEL, (payload) => listener(payload === GLOBAL ? null : payload)),
    close: () => db.close(),
  }
}

/** Rolls the seeding transaction back when a plan refused something. */
class SeedAborted extends Error {
  constructor() {
    super('seeding refused')
  }
}
