/**
 * The writer on the real PostgreSQL and on PGlite: an event commits with the caller's own changes or not at all;
 * an invalid one throws (code, JSON Pointer) before anything is written, so the caller's transaction rolls back;
 * the row holds exactly what the kernel's encoder produced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEncoder, isContractError, type ContractError } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { messageOf, migrateOutbox, type OutboxRow } from '../../outbox/index.ts'
import { insertMany, insertOne } from '../../outbox/rows.ts'
import { person, timeEntry } from '../publishers/fixtures.ts'
import { outboxFor, rawClient, testDb, type Kind, type TestDb } from './helpers.ts'

const outbox = outboxFor()

async function rows(t: TestDb): Promise<OutboxRow[]> {
  return t.db.query<OutboxRow>(
    `SELECT id, aggregatetype, aggregateid, type, payload::text AS payload, destination, ce_source, ce_time,
            ce_dataschema, headers, attempts, sent_at FROM outbox ORDER BY seq`,
  )
}

async function caught(p: Promise<unknown>): Promise<ContractError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  )
  if (!isContractError(e)) throw new Error(`expected a ContractError, got ${String(e)}`)
  return e
}

describe.each<Kind>(['postgres', 'pglite'])('the outbox writer on %s', (kind) => {
  let t: TestDb
  beforeAll(async () => {
    t = await testDb(kind)
    await t.db.query('CREATE TABLE people (id uuid PRIMARY KEY, name text NOT NULL)')
  })
  afterAll(() => t?.drop())

  const clear = () => t.db.query('TRUNCATE outbox, people')

  it('commit: the entity and its event are both stored; the row is what the encoder produced', async () => {
    await clear()
    const enqueued = await t.db.transaction(async (tx) => {
      await tx.query('INSERT INTO people (id, name) VALUES ($1, $2)', [person.id, 'Ada'])
      return outbox.enqueue(tx, 'person', 'create', person, { headers: { traceparent: 'tp-1' } })
    })
    const [row] = await rows(t)
    expect(row).toBeDefined()
    const r = row as OutboxRow & Record<string, unknown>
    expect({
      id: r.id,
      aggregatetype: r.aggregatetype,
      aggregateid: r.aggregateid,
      type: r.type,
      destination: r.destination,
      headers: r.headers,
      attempts: r.attempts,
      sent_at: r.sent_at,
    }).toEqual({
      id: enqueued.id,
      aggregatetype: 'person',
      aggregateid: person.id,
      type: 'person.create',
      destination: catalog.resources.person.topic,
      headers: { traceparent: 'tp-1' },
      attempts: 0,
      sent_at: null,
    })
    // The relay's message from the row is the encoder's message for the same event, byte for byte.
    const encoder = createEncoder(catalog, { source: 'urn:test:outbox' })
    const envelope = JSON.parse(r.payload) as { id: string; time: string }
    const expected = encoder.encode({
      resource: 'person',
      action: 'create',
      body: person,
      asReference: false,
      meta: { id: envelope.id, time: envelope.time, headers: { traceparent: 'tp-1' } },
    })
    expect(expected.ok && messageOf(r)).toEqual(expected.ok && expected.value)
    expect((await t.db.query('SELECT id FROM people')).length).toBe(1)
  })

  it('rollback: neither the entity nor the event is stored', async () => {
    await clear()
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query('INSERT INTO people (id, name) VALUES ($1, $2)', [person.id, 'Ada'])
        await outbox.enqueue(tx, 'person', 'create', person)
        throw new Error('the service changed its mind')
      }),
    ).rejects.toThrow('changed its mind')
    expect(await rows(t)).toEqual([])
    expect(await t.db.query('SELECT id FROM people')).toEqual([])
  })

  it('an invalid event: enqueue throws EVENT_INVALID with the JSON Pointer, and the transaction rolls back', async () => {
    await clear()
    const bad = { ...person, startDate: '2025-02-29' } // not a leap year
    const error = await caught(
      t.db.transaction(async (tx) => {
        await tx.query('INSERT INTO people (id, name) VALUES ($1, $2)', [person.id, 'Ada'])
        await outbox.enqueue(tx, 'person', 'create', bad)
      }),
    )
    expect(error.code).toBe('EVENT_INVALID')
    expect(error.issues).toContainEqual(
      expect.objectContaining({ path: '/resource/content/startDate', keyword: 'format' }),
    )
    expect(await rows(t)).toEqual([])
    expect(await t.db.query('SELECT id FROM people')).toEqual([])
  })

  it.each([
    {
      name: 'an unknown resource',
      run: (tx: Parameters<typeof outbox.enqueueEvent>[0]) =>
        outbox.enqueue(tx, 'no-such' as 'person', 'create', person),
      code: 'UNKNOWN_RESOURCE',
      path: '/resource',
      keyword: 'known-resource',
    },
    {
      name: 'content where a reference was promised',
      run: (tx: Parameters<typeof outbox.enqueueEvent>[0]) =>
        outbox.enqueueReference(tx, 'person', 'delete', person as never),
      code: 'EVENT_INVALID',
      path: '/resource/content/version',
      keyword: 'required',
    },
    {
      name: 'a whole event with a broken envelope',
      run: (tx: Parameters<typeof outbox.enqueueEvent>[0]) => outbox.enqueueEvent(tx, { action: 'create' }),
      code: 'EVENT_INVALID',
      path: '/resource',
      keyword: 'required',
    },
  ])('$name: $code, $keyword at $path, nothing written', async ({ run, code, path, keyword }) => {
    await clear()
    const error = await caught(t.db.transaction((tx) => run(tx)))
    expect(error.code).toBe(code)
    expect(error.issues).toContainEqual(expect.objectContaining({ path, keyword }))
    expect(await rows(t)).toEqual([])
  })

  it('a batch is validated whole (issues under /<index>) and written by one INSERT', async () => {
    await clear()
    const badBatch = [
      { resource: 'person' as const, action: 'create' as const, content: person },
      { resource: 'person' as const, action: 'update' as const, content: { ...person, firstName: '' } },
    ]
    const error = await caught(t.db.transaction((tx) => outbox.enqueueBatch(tx, badBatch)))
    expect(error.code).toBe('EVENT_INVALID')
    expect(error.issues.map((i) => i.path)).toEqual(['/1/resource/content/firstName'])
    expect(await rows(t)).toEqual([])

    const statements: string[] = []
    const done = await t.db.transaction((tx) =>
      outbox.enqueueBatch(
        {
          query: (text: string, params?: unknown[]) => (statements.push(text), tx.query(text, params)),
        },
        [
          { resource: 'person', action: 'create', content: person },
          { resource: 'time-entry', action: 'create', content: timeEntry },
          {
            resource: 'time-entry',
            action: 'delete',
            reference: { tenantId: timeEntry.tenantId, id: timeEntry.id, version: 3 },
            key: timeEntry.ownerId,
          },
        ],
      ),
    )
    expect(statements).toEqual([insertMany('outbox')])
    const stored = await rows(t)
    expect(stored.map((r) => [r.id, r.aggregateid, r.type])).toEqual([
      [done[0]?.id, person.id, 'person.create'],
      [done[1]?.id, timeEntry.ownerId, 'time-entry.create'],
      [done[2]?.id, timeEntry.ownerId, 'time-entry.delete'],
    ])
  })

  it('the id given at enqueue is the id stored and sent; an upper-case UUID is lowered everywhere', async () => {
    await clear()
    const id = 'A0B1C2D3-E4F5-4A6B-8C7D-9E0F1A2B3C4D'
    const done = await t.db.transaction((tx) => outbox.enqueue(tx, 'person', 'update', person, { id }))
    const whole = JSON.parse(
      JSON.stringify({
        id: 'B0B1C2D3-E4F5-4A6B-8C7D-9E0F1A2B3C4D',
        time: '2026-11-20T08:30:00Z',
        source: 'urn:elsewhere',
        action: 'update',
        resource: { schema: catalog.resources.person.versions[2].uri, content: person },
      }),
    ) as unknown
    const other = await t.db.transaction((tx) => outbox.enqueueEvent(tx, whole))
    expect([done.id, other.id]).toEqual([id.toLowerCase(), 'b0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d'])
    for (const r of await rows(t)) {
      const m = messageOf(r)
      expect([m.id, m.attributes.id, (JSON.parse(m.value) as { id: string }).id]).toEqual([r.id, r.id, r.id])
    }
  })

  it('runs in a transaction of the caller’s own client (pg Client or PGlite’s transaction object)', async () => {
    await clear()
    if (t.kind === 'postgres') {
      const c = await rawClient(t)
      try {
        await c.query('BEGIN')
        await outbox.enqueue(c, 'person', 'create', person)
        await c.query('ROLLBACK')
        await c.query('BEGIN')
        await outbox.enqueue(c, 'person', 'update', person)
        await c.query('COMMIT')
      } finally {
        await c.end()
      }
    } else {
      // storage's PGlite adapter hands out PGlite's own transaction wrapped; the raw one works the same.
      const { PGlite } = await import('@electric-sql/pglite')
      const raw = new PGlite()
      await migrateOutbox({
        transaction: (fn) =>
          raw.transaction((tx) =>
            fn({ query: async (q, p) => (await tx.query(q, p as unknown[])).rows as never }),
          ),
      })
      await raw.transaction(async (tx) => void (await outbox.enqueue(tx, 'person', 'update', person)))
      const [n] = (await raw.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows
      expect(n?.n).toBe(1)
      await raw.close()
      await t.db.transaction((tx) => outbox.enqueue(tx, 'person', 'update', person))
    }
    expect((await rows(t)).map((r) => r.type)).toEqual(['person.update'])
  })

  it('writes one statement per single event', async () => {
    const statements: string[] = []
    await t.db.transaction((tx) =>
      outbox.enqueue(
        { query: (text: string, params?: unknown[]) => (statements.push(text), tx.query(text, params)) },
        'person',
        'update',
        person,
      ),
    )
    expect(statements).toEqual([insertOne('outbox')])
  })
})
