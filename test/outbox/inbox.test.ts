/**
 * The inbox on the real PostgreSQL and on PGlite: a re-delivered event is skipped, its effect happens once; a
 * handler that fails rolls its claim back, so the retry processes the event; a concurrent delivery of the same id
 * waits for the first and skips. As a wrapper around a kernel handler, on the in-memory bus's pipeline.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createPublisher } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createInbox, rowsOf } from '../../outbox/index.ts'
import { createMemoryBus } from '../../transports/memory/index.ts'
import { person } from '../publishers/fixtures.ts'
import { uuid } from '../consumers/events.ts'
import { untilAsync } from '../redis/redis.ts'
import { rawClient, testDb, type Kind, type TestDb } from './helpers.ts'

describe.each<Kind>(['postgres', 'pglite'])('the inbox on %s', (kind) => {
  let t: TestDb
  beforeAll(async () => {
    t = await testDb(kind)
    await t.db.query('CREATE TABLE effects (event_id text NOT NULL, note text NOT NULL)')
  })
  beforeEach(() => t.db.query('TRUNCATE inbox, effects'))
  afterAll(() => t?.drop())

  const effects = async () => (await t.db.query<{ event_id: string }>('SELECT event_id FROM effects')).length

  it('claim: true the first time, false after; consumers keep apart', async () => {
    const a = createInbox({ consumer: 'billing' })
    const b = createInbox({ consumer: 'audit' })
    const id = uuid()
    expect(await t.db.transaction((tx) => a.claim(tx, id))).toBe(true)
    expect(await t.db.transaction((tx) => a.claim(tx, id))).toBe(false)
    expect(await t.db.transaction((tx) => b.claim(tx, id))).toBe(true)
    // A claim in a transaction that rolls back never happened.
    const c = uuid()
    await expect(
      t.db.transaction(async (tx) => {
        await a.claim(tx, c)
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    expect(await t.db.transaction((tx) => a.claim(tx, c))).toBe(true)
  })

  it('wraps a kernel handler: an event delivered twice has its effect once', async () => {
    const bus = createMemoryBus()
    const publisher = createPublisher({ catalog, sink: bus.sink, source: 'urn:test' })
    const event = {
      id: uuid(),
      time: '2026-11-20T08:30:00Z',
      source: 'urn:test',
      action: 'create',
      resource: { schema: catalog.resources.person.versions[2].uri, content: person },
    }
    await publisher.publishEvent(event)
    await publisher.publishEvent(event) // the relay re-sent it after a crash
    await publisher.publish('person', 'update', person)
    const duplicates: string[] = []
    const inbox = createInbox({ db: t.db, consumer: 'people', onDuplicate: (id) => void duplicates.push(id) })
    let calls = 0
    const consumer = bus.consumer({
      catalog,
      group: 'people',
      handlers: {
        person: {
          create: inbox.wrap(async (e, { message }, tx) => {
            calls++
            await tx.query('INSERT INTO effects (event_id, note) VALUES ($1, $2)', [
              e.id,
              `offset ${message.offset}`,
            ])
          }),
          update: inbox.wrap(async (e, _ctx, tx) => {
            calls++
            await tx.query('INSERT INTO effects (event_id, note) VALUES ($1, $2)', [e.id, e.action])
          }),
        },
      },
    })
    await consumer.start()
    await consumer.idle()
    await consumer.stop()
    expect({ calls, effects: await effects(), duplicates }).toEqual({
      calls: 2,
      effects: 2,
      duplicates: [event.id],
    })
  })

  it('a handler that fails rolls its claim back: the retry processes the event once', async () => {
    const bus = createMemoryBus()
    const publisher = createPublisher({ catalog, sink: bus.sink, source: 'urn:test' })
    const sent = await publisher.publish('person', 'create', person)
    const inbox = createInbox({ db: t.db, consumer: 'flaky' })
    let calls = 0
    const consumer = bus.consumer({
      catalog,
      group: 'flaky',
      retry: { retries: 3, initialMs: 1, maxMs: 1 },
      handlers: {
        person: {
          create: inbox.wrap(async (e, _ctx, tx) => {
            await tx.query('INSERT INTO effects (event_id, note) VALUES ($1, $2)', [e.id, 'try'])
            if (++calls < 3) throw new Error('the database hiccuped')
          }),
        },
      },
    })
    await consumer.start()
    await consumer.idle()
    await consumer.stop()
    expect(calls).toBe(3)
    expect(await t.db.query('SELECT event_id FROM effects')).toEqual([{ event_id: sent.id }])
  })

  it('purge removes ids processed before the cut-off, for this consumer only', async () => {
    const a = createInbox({ db: t.db, consumer: 'a' })
    const b = createInbox({ db: t.db, consumer: 'b' })
    await t.db.transaction(async (tx) => {
      await a.claim(tx, uuid())
      await b.claim(tx, uuid())
    })
    expect(await a.purge(60_000)).toBe(0)
    expect(await a.purge(60_000, new Date(Date.now() + 120_000))).toBe(1)
    expect(
      (await t.db.query('SELECT consumer FROM inbox')).map((r) => (r as { consumer: string }).consumer),
    ).toEqual(['b'])
  })

  it('refuses a table name that is not an identifier and an empty consumer', () => {
    expect(() => createInbox({ consumer: 'x', table: 'inbox where 1=1' })).toThrow(/SQL identifier/)
    expect(() => createInbox({ consumer: '' })).toThrow(/consumer/)
  })
})

describe('the inbox with concurrent deliveries on PostgreSQL', () => {
  let t: TestDb
  beforeAll(async () => {
    t = await testDb('postgres')
  })
  afterAll(() => t?.drop())

  it('the second delivery of an id waits for the first transaction, then skips', async () => {
    const inbox = createInbox({ consumer: 'c' })
    const id = uuid()
    const [first, second] = [await rawClient(t), await rawClient(t)]
    try {
      await first.query('BEGIN')
      expect(await inbox.claim(first, id)).toBe(true)
      await second.query('BEGIN')
      const pid = rowsOf<{ pid: number }>(await second.query('SELECT pg_backend_pid() AS pid'))[0]?.pid
      let settled = false
      const racing = inbox.claim(second, id).finally(() => (settled = true))
      // Blocked on the first transaction's row (PostgreSQL says so), not merely slow.
      await untilAsync('the second delivery waits on a lock', async () => {
        const [row] = await t.db.query<{ wait: string | null }>(
          'SELECT wait_event_type AS wait FROM pg_stat_activity WHERE pid = $1',
          [pid],
        )
        return row?.wait === 'Lock'
      })
      expect(settled).toBe(false)
      await first.query('COMMIT')
      expect(await racing).toBe(false)
      await second.query('COMMIT')
      expect(rowsOf(await first.query('SELECT count(*)::int AS n FROM inbox'))).toEqual([{ n: 1 }])
    } finally {
      await first.end()
      await second.end()
    }
  })
})
