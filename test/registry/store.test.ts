import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isContractError } from '../../core/index.ts'
import { createSqlStore, MIGRATIONS, openPostgres, type RegistryOptions } from '../../registry/index.ts'
import { jsonHeaders, pgSchema, seeds, silent, testRegistry, timeEntryV2, withOptional } from './helpers.ts'

const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

/** Two ways to the same storage: a PGlite directory, a PostgreSQL schema. Each test gets its own. */
const backends: [string, () => Promise<RegistryOptions>][] = [
  [
    'PGlite directory',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'registry-'))
      cleanups.push(() => rm(dir, { recursive: true, force: true }))
      return { dataDir: dir }
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const s = await pgSchema()
      cleanups.push(s.drop)
      return { databaseUrl: s.url, databaseSchema: s.schema }
    },
  ],
]

describe.each(backends)('%s', (_name, backend) => {
  it('keeps registrations across a restart, seeds idempotently, and refuses to start when a file was edited', async () => {
    const storage = await backend()
    const first = await testRegistry(storage)
    expect(first.seeded).toEqual({ inserted: 7, unchanged: 0, purged: 0 })
    const v3 = withOptional(await timeEntryV2(), 'location')
    const res = await first.app.request('/schemas/time-entry/versions', {
      method: 'POST',
      headers: jsonHeaders,
      body: JSON.stringify(v3),
    })
    expect(res.status).toBe(201)
    await first.app.request('/config/person', {
      method: 'PUT',
      headers: jsonHeaders,
      body: '{"compatibility":"BACKWARD_TRANSITIVE"}', // FULL would be refused: person v2 breaks FORWARD
    })
    await first.close()

    const second = await testRegistry(storage)
    expect(second.seeded).toEqual({ inserted: 0, unchanged: 7, purged: 0 })
    expect(await (await second.app.request('/schemas/time-entry/versions')).json()).toEqual([1, 2, 3])
    expect(await (await second.app.request('/config/person')).json()).toEqual({
      compatibility: 'BACKWARD_TRANSITIVE',
    })
    await second.close()

    const edited = await seeds()
    const person1 = edited.find((s) => s.name === 'person' && s.version === 1)
    if (!person1) throw new Error('no person 1 in schemas/')
    person1.schema.description = 'edited after publication'
    const refused = await testRegistry({ ...storage, seed: edited }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isContractError(refused, 'SCHEMA_CONFLICT')).toBe(true)
    expect((refused as Error).message).toContain('person 1')
  }, 90_000)
})

describe('migrations', () => {
  it('run once, tracked in a table, also when two stores open one database at once', async () => {
    const s = await pgSchema()
    cleanups.push(s.drop)
    const open = async () => createSqlStore(await openPostgres({ url: s.url, schema: s.schema }))
    const [a, b] = await Promise.all([open(), open()])
    const db = await openPostgres({ url: s.url, schema: s.schema })
    expect(await db.query<{ id: number }>('SELECT id FROM registry_migrations ORDER BY id')).toEqual(
      MIGRATIONS.map((m) => ({ id: m.id })),
    )
    await Promise.all([a.close(), b.close(), db.close()])
  })

  it('storage failures are a retriable REGISTRY_UNAVAILABLE', async () => {
    const s = await pgSchema()
    cleanups.push(s.drop)
    const r = await testRegistry({ databaseUrl: s.url, databaseSchema: s.schema, seed: [], logger: silent })
    await r.store.close()
    const res = await r.app.request('/ready')
    expect(res.status).toBe(503)
    expect(((await res.json()) as { code: string }).code).toBe('REGISTRY_UNAVAILABLE')
  })
})
