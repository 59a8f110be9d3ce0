import { ContractError } from '../../core/index.ts'
import { isMode, type Mode } from '../../compat/index.ts'
import type { Database, Sql } from '../../storage/database.ts'
import { migrate } from './migrations.ts'

export interface StoredVersion {
  name: string
  version: number
  uri: string
  /** sha256 of the canonical JSON of the schema without `$id`: equal hashes, equal content. */
  hash: string
  /** The schema as served, `$id` included. */
  body: string
  deleted: boolean
}

export interface StoredSubject {
  name: string
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
}

export interface NewVersion {
  name: string
  hash: string
  topic: string | undefined
  key: string | undefined
  compatibility: Mode | undefined
  /** The body to store once the version number is known (the registry writes the `$id`). */
  body: (version: number, uri: string) => string
  uri: (version: number) => string
}

/** Runs inside the registering transaction, with the subject locked: throws to refuse. */
export type Gate = (subject: StoredSubject | undefined, defaultMode: Mode | null) => void

export type Registered = { created: boolean; version: StoredVersion }

export interface SeedVersion {
  name: string
  version: number
  uri: string
  hash: string
  body: string
  topic: string
  key: string
  compatibility: Mode | undefined
}

/** What happened to one seed: inserted, already there, stored with other content, or purged (not re-created). */
export type SeedOutcome =
  | { seed: SeedVersion; status: 'inserted' | 'unchanged' | 'purged' }
  | { seed: SeedVersion; status: 'differs'; stored: StoredVersion }

export interface SchemaStore {
  readonly kind: Database['kind']
  readonly description: string
  ping(): Promise<void>
  snapshot(): Promise<Snapshot>
  subject(name: string): Promise<StoredSubject | undefined>
  /** Atomic: one version per content, consecutive numbers, `gate` sees the predecessors under a lock. */
  register(input: NewVersion, gate: Gate): Promise<Registered>
  /** All or nothing: when any seed differs from what is stored, nothing is written. */
  seed(seeds: readonly SeedVersion[]): Promise<SeedOutcome[]>
  setMode(name: string | null, mode: Mode): Promise<void>
  softDelete(name: string, version: number): Promise<StoredVersion | undefined>
  /** Removes a soft-deleted version for good. */
  purge(name: string, version: number): Promise<'purged' | 'not-found' | 'not-soft-deleted'>
  /** `name` changed (null: the default mode), here or in another process on the same database. */
  onChange(listener: (name: string | null) => void): Promise<void>
  close(): Promise<void>
}

export const CHANNEL = 'schema_registered'
const GLOBAL = ''

interface SubjectRow {
  name: string
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
}

const VERSION_COLUMNS = 'name, version, uri, content_hash, body, deleted_at IS NOT NULL AS deleted'

const toVersion = (r: VersionRow): StoredVersion => ({
  name: r.name,
  version: r.version,
  uri: r.uri,
  hash: r.content_hash,
  body: r.body,
  deleted: r.deleted,
})
const toSubject = (r: SubjectRow, versions: StoredVersion[]): StoredSubject => ({
  name: r.name,
  topic: r.topic,
  key: r.key,
  compatibility: isMode(r.compatibility) ? r.compatibility : null,
  lastVersion: r.last_version,
  versions,
})

/** Storage failures become a retriable REGISTRY_UNAVAILABLE; our own refusals pass through. */
async function guard<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (e) {
    if (e instanceof ContractError || e instanceof SeedConflict) throw e
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
        return {
          defaultMode: await readDefaultMode(db),
          subjects: subjects.map((s) => toSubject(s, byName.get(s.name) ?? [])),
        }
      }),

    subject: (name) => guard('loading', () => readSubject(db, name)),

    register: (input, gate) =>
      guard('registering', () =>
        db.transaction(async (tx) => {
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
          if (same) return { created: false, version: same }
          gate(subject, await readDefaultMode(tx))
          const version = (subject?.lastVersion ?? 0) + 1
          const uri = input.uri(version)
          if (subject)
            await tx.query('UPDATE registry_subjects SET last_version = $2 WHERE name = $1', [
              input.name,
              version,
            ])
          else {
            if (input.topic === undefined || input.key === undefined)
              throw new Error('a new resource needs a topic and a key')
            await tx.query(
              'INSERT INTO registry_subjects (name, topic, key, compatibility, last_version) VALUES ($1, $2, $3, $4, $5)',
              [input.name, input.topic, input.key, input.compatibility ?? null, version],
            )
          }
          const [row] = await tx.query<VersionRow>(
            `INSERT INTO registry_versions (name, version, uri, content_hash, body) VALUES ($1, $2, $3, $4, $5) RETURNING ${VERSION_COLUMNS}`,
            [input.name, version, uri, input.hash, input.body(version, uri)],
          )
          await notify(tx, input.name)
          return { created: true, version: toVersion(row as VersionRow) }
        }),
      ),

    seed: (seeds) =>
      guard('seeding', () =>
        db.transaction(async (tx) => {
          const outcomes: SeedOutcome[] = []
          const touched = new Set<string>()
          for (const seed of seeds) {
            await lock(tx, seed.name)
            const subject = await readSubject(tx, seed.name)
            const stored = subject?.versions.find((v) => v.version === seed.version)
            if (stored) {
              outcomes.push(
                stored.hash === seed.hash && stored.uri === seed.uri
                  ? { seed, status: 'unchanged' }
                  : { seed, status: 'differs', stored },
              )
              continue
            }
            if (subject && seed.version <= subject.lastVersion) {
              outcomes.push({ seed, status: 'purged' })
              continue
            }
            await tx.query(
              `INSERT INTO registry_subjects (name, topic, key, compatibility, last_version) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (name) DO UPDATE SET last_version = GREATEST(registry_subjects.last_version, EXCLUDED.last_version)`,
              [seed.name, seed.topic, seed.key, seed.compatibility ?? null, seed.version],
            )
            await tx.query(
              'INSERT INTO registry_versions (name, version, uri, content_hash, body) VALUES ($1, $2, $3, $4, $5)',
              [seed.name, seed.version, seed.uri, seed.hash, seed.body],
            )
            touched.add(seed.name)
            outcomes.push({ seed, status: 'inserted' })
          }
          // A conflict aborts the whole seed: ROLLBACK by throwing, then report the outcomes.
          if (outcomes.some((o) => o.status === 'differs')) throw new SeedConflict(outcomes)
          for (const name of touched) await notify(tx, name)
          return outcomes
        }),
      ).catch((e: unknown) => {
        if (e instanceof SeedConflict) return e.outcomes
        throw e
      }),

    setMode: (name, mode) =>
      guard('configuring', () =>
        db.transaction(async (tx) => {
          if (name === null)
            await tx.query(
              'INSERT INTO registry_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
              ['compatibility', mode],
            )
          else await tx.query('UPDATE registry_subjects SET compatibility = $2 WHERE name = $1', [name, mode])
          await notify(tx, name ?? GLOBAL)
        }),
      ),

    softDelete: (name, version) =>
      guard('deleting', () =>
        db.transaction(async (tx) => {
          await lock(tx, name)
          const [row] = await tx.query<VersionRow>(
            `UPDATE registry_versions SET deleted_at = COALESCE(deleted_at, now()) WHERE name = $1 AND version = $2 RETURNING ${VERSION_COLUMNS}`,
            [name, version],
          )
          if (row) await notify(tx, name)
          return row && toVersion(row)
        }),
      ),

    purge: (name, version) =>
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
          await notify(tx, name)
          return 'purged' as const
        }),
      ),

    onChange: (listener) => db.listen(CHANNEL, (payload) => listener(payload === GLOBAL ? null : payload)),
    close: () => db.close(),
  }
}

/** Carries the outcomes out of the rolled-back seeding transaction. */
class SeedConflict extends Error {
  constructor(readonly outcomes: SeedOutcome[]) {
    super('seed differs from storage')
  }
}
