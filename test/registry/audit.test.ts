import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createSqlStore,
  MIGRATIONS,
  openPostgres,
  type Registry,
  type RegistryOptions,
} from '../../registry/index.ts'
import { auth, pgSchema, seeds, testRegistry, timeEntryV2, withOptional, withRequired } from './helpers.ts'

type Entry = {
  id: number
  at: string
  principal: string
  action: string
  resource: string | null
  version: number | null
  outcome: string
  detail: string | null
}
type Page = { entries: Entry[]; next: string | null }

const TEAM = 'time-team-token-88a1e0'
const team = { authorization: `Bearer ${TEAM}` }
const json = { 'content-type': 'application/json' }
const tokenEntries = [{ name: 'time-team', token: TEAM, resources: ['time-*'] }]

const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

const backends: [string, () => Promise<RegistryOptions>][] = [
  [
    'PGlite',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'registry-audit-'))
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

async function audit(r: Registry, query = ''): Promise<Page> {
  const res = await r.app.request(`/audit${query}`, { headers: auth })
  expect(res.status).toBe(200)
  return (await res.json()) as Page
}

/** Every entry, following `next` page by page. */
async function allPages(r: Registry, limit: number): Promise<{ pages: Page[]; entries: Entry[] }> {
  const pages: Page[] = []
  let url: string | null = `/audit?limit=${limit}`
  while (url) {
    const res = await r.app.request(url, { headers: auth })
    const page = (await res.json()) as Page
    pages.push(page)
    url = page.next
  }
  return { pages, entries: pages.flatMap((p) => p.entries) }
}

const shape = ({ principal, action, resource, version, outcome }: Entry) => ({
  principal,
  action,
  resource,
  version,
  outcome,
})

describe.each(backends)('the audit trail on %s', (_name, backend) => {
  it('records seeding, registrations (no-op and refused ones too), deletes and mode changes, newest first, across a restart', async () => {
    const storage = { ...(await backend()), tokenEntries }
    const r = await testRegistry(storage)
    const seeded = (await audit(r)).entries
    expect(seeded.map(shape)).toEqual(
      [
        ['time-entry', 2],
        ['time-entry', 1],
        ['person', 2],
        ['person', 1],
        ['dataset', 1],
        ['accrual', 2],
        ['accrual', 1],
      ].map(([resource, version]) => ({
        principal: 'seed',
        action: 'register',
        resource,
        version,
        outcome: 'created',
      })),
    )

    const v2 = await timeEntryV2()
    const v3 = withOptional(v2, 'auditedNote')
    const post = (body: unknown, headers: Record<string, string> = team) =>
      r.app.request('/schemas/time-entry/versions', {
        method: 'POST',
        headers: { ...json, ...headers },
        body: JSON.stringify(body),
      })
    expect((await post(v3)).status).toBe(201)
    expect((await post(v3)).status).toBe(200)
    expect((await post(withRequired(v3, 'auditedNote'))).status).toBe(409)
    const del = (path: string) => r.app.request(path, { method: 'DELETE', headers: auth })
    expect((await del('/schemas/time-entry/versions/3?permanent=true')).status).toBe(412)
    expect((await del('/schemas/time-entry/versions/3')).status).toBe(200)
    expect((await del('/schemas/time-entry/versions/3?permanent=true')).status).toBe(200)
    const put = (path: string, compatibility: string) =>
      r.app.request(path, {
        method: 'PUT',
        headers: { ...json, ...auth },
        body: JSON.stringify({ compatibility }),
      })
    expect((await put('/config/person', 'BACKWARD_TRANSITIVE')).status).toBe(200)
    expect((await put('/config', 'NONE')).status).toBe(200)
    // Refused before it reaches the service (403): not an attempt the service judged, so no row.
    const outside = await r.app.request('/schemas/person/versions', {
      method: 'POST',
      headers: { ...json, ...team },
      body: '{}',
    })
    expect(outside.status).toBe(403)

    const page = await audit(r)
    const since = page.entries.slice(0, page.entries.length - seeded.length)
    expect(since.map((e) => ({ ...shape(e), detail: e.detail }))).toEqual([
      {
        principal: 'admin-1',
        action: 'set-mode',
        resource: null,
        version: null,
        outcome: 'changed',
        detail: 'NONE',
      },
      {
        principal: 'admin-1',
        action: 'set-mode',
        resource: 'person',
        version: null,
        outcome: 'changed',
        detail: 'BACKWARD_TRANSITIVE',
      },
      {
        principal: 'admin-1',
        action: 'permanent-delete',
        resource: 'time-entry',
        version: 3,
        outcome: 'deleted',
        detail: null,
      },
      {
        principal: 'admin-1',
        action: 'soft-delete',
        resource: 'time-entry',
        version: 3,
        outcome: 'deleted',
        detail: null,
      },
      {
        principal: 'admin-1',
        action: 'permanent-delete',
        resource: 'time-entry',
        version: 3,
        outcome: 'refused',
        detail: expect.stringMatching(/^PRECONDITION_FAILED: version 3 of 'time-entry' must be soft-deleted/),
      },
      {
        principal: 'time-team',
        action: 'register',
        resource: 'time-entry',
        version: null,
        outcome: 'refused',
        detail: expect.stringMatching(/^INCOMPATIBLE_SCHEMA: /),
      },
      {
        principal: 'time-team',
        action: 'register',
        resource: 'time-entry',
        version: 3,
        outcome: 'unchanged',
        detail: null,
      },
      {
        principal: 'time-team',
        action: 'register',
        resource: 'time-entry',
        version: 3,
        outcome: 'created',
        detail: null,
      },
    ])
    const ids = page.entries.map((e) => e.id)
    expect(ids).toEqual([...ids].sort((a, b) => b - a))
    for (const e of page.entries) expect(new Date(e.at).toISOString()).toBe(e.at)
    await r.close()

    // A restart registers nothing new (no rows for unchanged files) but applies a resource.json mode: one row.
    const files = (await seeds()).map((f) =>
      f.name === 'person'
        ? { ...f, resource: { file: 'resources/person/resource.json', json: { compatibility: 'NONE' } } }
        : f,
    )
    const again = await testRegistry({ ...storage, seed: files })
    const [applied, ...rest] = (await audit(again)).entries
    expect(applied && { ...shape(applied), detail: applied.detail }).toEqual({
      principal: 'seed',
      action: 'set-mode',
      resource: 'person',
      version: null,
      outcome: 'changed',
      detail: 'NONE',
    })
    expect(rest).toEqual(page.entries)
    await again.close()
  }, 120_000)

  it('pages with limit and before, the pages together being the whole trail', async () => {
    const r = await testRegistry(await backend())
    const whole = (await audit(r, '?limit=500')).entries
    expect(whole).toHaveLength(7)
    const { pages, entries } = await allPages(r, 4)
    expect(pages.map((p) => p.entries.length)).toEqual([4, 3])
    expect(pages[0]?.next).toBe(`/audit?limit=4&before=${whole[3]?.id}`)
    expect(pages[1]?.next).toBeNull()
    expect(entries).toEqual(whole)
    // Exactly a page's worth left: the last page still says there is no next one.
    expect((await allPages(r, 7)).pages.map((p) => [p.entries.length, p.next === null])).toEqual([[7, true]])
    expect((await audit(r, `?before=${whole[6]?.id}`)).entries).toEqual([])
    await r.close()
  }, 120_000)
})

describe('GET /audit', () => {
  let r: Registry
  beforeAll(async () => {
    r = await testRegistry({ tokenEntries, seed: [] })
  }, 120_000)
  afterAll(() => r.close())

  it.each<[string, number, string, Record<string, string>]>([
    ['without a token', 401, 'UNAUTHORIZED', {}],
    ['with a team token', 403, 'FORBIDDEN', team],
  ])('%s: %i %s', async (_what, status, code, headers) => {
    const res = await r.app.request('/audit', { headers })
    expect(res.status).toBe(status)
    expect(((await res.json()) as { code: string }).code).toBe(code)
  })

  it.each<[string, string]>([
    ['?limit=0', '/limit'],
    ['?limit=501', '/limit'],
    ['?limit=ten', '/limit'],
    ['?before=0', '/before'],
    ['?before=x', '/before'],
  ])('%s: 400 naming the parameter', async (query, path) => {
    const res = await r.app.request(`/audit${query}`, { headers: auth })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { code: string; issues: { path: string }[] }
    expect(body.code).toBe('BAD_REQUEST')
    expect(body.issues.map((i) => i.path)).toEqual([path])
  })
})

describe('the audit migration on PostgreSQL', () => {
  it('upgrades a database at migration 1, keeping its data', async () => {
    const s = await pgSchema()
    cleanups.push(s.drop)
    const c = new pg.Client({ connectionString: s.url, options: `-c search_path=${s.schema}` })
    await c.connect()
    try {
      await c.query(`CREATE TABLE registry_migrations (
        id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
      const [first] = MIGRATIONS
      if (!first) throw new Error('no migrations')
      for (const statement of first.sql.split(';').filter((x) => x.trim())) await c.query(statement)
      await c.query('INSERT INTO registry_migrations (id, name) VALUES ($1, $2)', [first.id, first.name])
      await c.query(
        `INSERT INTO registry_subjects (name, topic, key, last_version) VALUES ('old', 'olds', 'id', 0)`,
      )

      const store = await createSqlStore(await openPostgres({ url: s.url, schema: s.schema }))
      const applied = await c.query<{ id: number }>('SELECT id FROM registry_migrations ORDER BY id')
      expect(applied.rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id))
      expect((await store.subject('old'))?.topic).toBe('olds')
      expect(await store.audit({ limit: 10 })).toEqual([])
      await store.record({
        principal: 'p',
        action: 'set-mode',
        resource: null,
        version: null,
        outcome: 'changed',
        detail: 'FULL',
      })
      expect((await store.audit({ limit: 10 })).map((e) => e.detail)).toEqual(['FULL'])
      await store.close()
    } finally {
      await c.end()
    }
  })

  it('a write and its audit row are one transaction: when the row cannot be written, the write is undone', async () => {
    const s = await pgSchema()
    cleanups.push(s.drop)
    const r = await testRegistry({ databaseUrl: s.url, databaseSchema: s.schema, tokenEntries })
    const c = new pg.Client({ connectionString: s.url, options: `-c search_path=${s.schema}` })
    await c.connect()
    try {
      await c.query(`ALTER TABLE registry_audit ADD CONSTRAINT no_team CHECK (principal <> 'time-team')`)
      const res = await r.app.request('/schemas/time-entry/versions', {
        method: 'POST',
        headers: { ...json, ...team },
        body: JSON.stringify(withOptional(await timeEntryV2(), 'undone')),
      })
      expect(res.status).toBe(503)
      const versions = await c.query(`SELECT version FROM registry_versions WHERE name = 'time-entry'`)
      expect(versions.rows.map((v: { version: number }) => v.version).sort()).toEqual([1, 2])
      const subject = await c.query(`SELECT last_version FROM registry_subjects WHERE name = 'time-entry'`)
      expect(subject.rows[0]).toEqual({ last_version: 2 })
    } finally {
      await c.end()
      await r.close()
    }
  })
})
