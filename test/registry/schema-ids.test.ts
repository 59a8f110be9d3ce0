/**
 * Schema ids (the Confluent API's): the migration's backfill gives stored versions ids in a deterministic order;
 * registrations get one id per content, also when two registry processes register at once on one PostgreSQL.
 */
import { describe, expect, it } from 'vitest'
import {
  createSqlStore,
  IN_MEMORY,
  MIGRATIONS,
  migrate,
  openPglite,
  openPostgres,
  type SchemaStore,
} from '../../registry/index.ts'
import { BUILT_IN_ENVELOPE, packageFile } from '../../codegen/package-files.ts'
import { schemaIdHash, type JsonObject } from '../../registry/content.ts'
import { eventSchemaText } from '../../registry/event-schema.ts'
import { pgSchema } from './helpers.ts'

const body = (title: string, id?: string) =>
  JSON.stringify({ ...(id ? { $id: id } : {}), title, type: 'object' })

/** A plain schema version of `subject` holding `text`. */
const registerPlain = (store: SchemaStore, subject: string, text: string) =>
  store.register(
    {
      name: `schema:${subject}`,
      kind: 'schema',
      hash: schemaIdHash(text),
      topic: undefined,
      key: undefined,
      compatibility: undefined,
      uri: (v) => `urn:test:${subject}:${v}`,
      body: () => text,
    },
    () => undefined,
    'test',
  )

describe('schema ids', () => {
  it('the migration backfills ids: oldest first, then by name and version; one id per content', async () => {
    const db = await openPglite(IN_MEMORY)
    await migrate(
      db,
      MIGRATIONS.filter((m) => m.id < 3),
    )
    const rows: [string, number, string, string][] = [
      ['b', 1, body('B1'), '2024-01-01'],
      ['a', 1, body('A1'), '2024-01-02'],
      ['a', 2, body('same'), '2024-01-03'],
      ['c', 1, body('same'), '2024-01-03'],
      ['b', 2, body('B2'), '2024-01-03'],
    ]
    for (const name of ['a', 'b', 'c'])
      await db.query(
        "INSERT INTO registry_subjects (name, topic, key, last_version) VALUES ($1, 't', 'id', 2)",
        [name],
      )
    for (const [name, version, text, at] of rows)
      await db.query(
        'INSERT INTO registry_versions (name, version, uri, content_hash, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [name, version, `urn:${name}:${version}`, `h-${name}-${version}`, text, at],
      )
    const store = await createSqlStore(db)
    const ids = await db.query<{ name: string; version: number; schema_id: number }>(
      'SELECT name, version, schema_id FROM registry_versions ORDER BY name, version',
    )
    // b1 (oldest) 1, a1 2, then on 2024-01-03 by name: a2 3, b2 4, c1 the same content as a2: 3
    expect(ids.map((r) => [r.name, r.version, r.schema_id])).toEqual([
      ['a', 1, 2],
      ['a', 2, 3],
      ['b', 1, 1],
      ['b', 2, 4],
      ['c', 1, 3],
    ])
    const [column] = await db.query<{ is_nullable: string }>(
      "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'registry_versions' AND column_name = 'schema_id'",
    )
    expect(column?.is_nullable).toBe('NO')
    // Migration 4 then gives each resource version's event schema its id, in the same order: b1 5, a1 6, a2 7, b2
    // 8, c1 9 (a2 and c1 share a content, not an event schema: each names its own version)
    const events = await db.query<{ name: string; version: number; event_schema_id: number }>(
      'SELECT name, version, event_schema_id FROM registry_versions ORDER BY name, version',
    )
    expect(events.map((r) => [r.name, r.version, r.event_schema_id])).toEqual([
      ['a', 1, 6],
      ['a', 2, 7],
      ['b', 1, 5],
      ['b', 2, 8],
      ['c', 1, 9],
    ])
    // The next content gets the next id
    const r = await registerPlain(store, 'next', body('new'))
    expect(r.version.schemaId).toBe(10)
    expect(r.version.eventSchemaId).toBeNull()
    await store.close()
  })

  it('migration 4 keeps an event schema id given before it (on first request), and stores it with its version', async () => {
    const old = await openPglite(IN_MEMORY)
    await migrate(
      old,
      MIGRATIONS.filter((m) => m.id < 4),
    )
    await old.query(
      "INSERT INTO registry_subjects (name, topic, key, last_version) VALUES ('a', 't', 'id', 2)",
    )
    const text = body('A1', 'https://event-contracts.dev/schemas/a/1')
    const [{ id: contentId } = { id: 0 }] = await old.query<{ id: number }>(
      'INSERT INTO registry_schema_ids (id, content_hash) VALUES (1, $1) RETURNING id',
      [schemaIdHash(text)],
    )
    await old.query(
      "INSERT INTO registry_versions (name, version, uri, content_hash, body, schema_id) VALUES ('a', 1, 'https://event-contracts.dev/schemas/a/1', 'h', $1, $2)",
      [text, contentId],
    )
    // What a registry before migration 4 did on the first GET of the event schema: the next id for its content
    const eventText = eventSchemaText(
      {
        name: 'a',
        version: 1,
        uri: 'https://event-contracts.dev/schemas/a/1',
        schema: JSON.parse(text) as JsonObject,
      },
      JSON.parse(await packageFile(BUILT_IN_ENVELOPE)) as JsonObject,
    )
    await old.query('INSERT INTO registry_schema_ids (id, content_hash) VALUES (7, $1)', [
      schemaIdHash(eventText),
    ])
    const store = await createSqlStore(old)
    const a = await store.subject('a')
    expect(a?.versions[0]?.eventSchemaId).toBe(7)
    expect(a?.versions[0]?.eventHash).toBe(schemaIdHash(eventText))
    await store.close()
  })

  it('two registry processes on one PostgreSQL, concurrent registrations: one id per content, no gaps', async () => {
    const s = await pgSchema()
    const one = await createSqlStore(await openPostgres({ url: s.url, schema: s.schema }))
    const two = await createSqlStore(await openPostgres({ url: s.url, schema: s.schema }))
    try {
      const contents = ['x', 'y', 'z'].map((t) => body(t, `https://example.com/${t}.json`))
      // Every content in 4 subjects, half through each store, all at once
      const results = await Promise.all(
        contents.flatMap((text, i) =>
          [0, 1, 2, 3].map((n) => registerPlain(n % 2 ? one : two, `s-${i}-${n}`, text)),
        ),
      )
      const byContent = new Map<string, Set<number>>()
      for (const r of results) {
        const set = byContent.get(r.version.body) ?? new Set()
        set.add(r.version.schemaId)
        byContent.set(r.version.body, set)
      }
      expect([...byContent.values()].map((ids) => ids.size)).toEqual([1, 1, 1])
      const ids = [...byContent.values()].map((ids) => [...ids][0] as number).sort()
      expect(ids).toEqual([1, 2, 3])
      // The same content under a resource-like $id is another content: another id
      const other = await registerPlain(one, 'other', body('x', 'https://example.com/other.json'))
      expect(other.version.schemaId).toBe(4)
    } finally {
      await one.close()
      await two.close()
      await s.drop()
    }
  })
})
