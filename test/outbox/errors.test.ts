/**
 * The outbox's own error codes (core/errors.ts, OUTBOX_ERROR_CODES), each asserted where it arises: a row that is
 * not an event (ROW_INVALID: it and the rest of its aggregate stay pending with the reason, the rest goes), a table
 * that is missing (OUTBOX_MISSING), a database that does not answer (DATABASE_UNAVAILABLE, retriable) or refuses a
 * statement (DATABASE_FAILED), and calls the relay's state does not allow (RELAY_STATE).
 */
import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ContractError, isContractError } from '../../core/index.ts'
import { createRelay, databaseError, migrateOutbox, type Relay } from '../../outbox/index.ts'
import { openPostgres } from '../../storage/postgres.ts'
import { person } from '../publishers/fixtures.ts'
import { outboxFor, recordingSink, testDb, type Kind, type TestDb } from './helpers.ts'

const outbox = outboxFor()

/** What a promise rejected with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<ContractError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(ContractError)
  return e as ContractError
}

describe.each<Kind>(['postgres', 'pglite'])('outbox error codes on %s', (kind) => {
  let t: TestDb
  let relays: Relay[] = []
  beforeAll(async () => {
    t = await testDb(kind)
  })
  afterEach(async () => {
    await Promise.all(relays.map((r) => r.stop()))
    relays = []
    await t.db.query('TRUNCATE outbox')
  })
  afterAll(() => t?.drop())

  const relay = (options: Partial<Parameters<typeof createRelay>[0]> = {}) => {
    const r = createRelay({ db: t.db, sink: recordingSink(), listen: false, pollIntervalMs: 50, ...options })
    relays.push(r)
    return r
  }

  /** One valid row of `key`, written by the outbox's writer. */
  const enqueue = (key: string) =>
    t.db.transaction((tx) => outbox.enqueue(tx, 'person', 'update', { ...person, id: key }))

  /** A row of `key` written by hand, as another writer of the Debezium table might: `broken` overrides columns. */
  async function handWritten(key: string, broken: Record<string, unknown>) {
    const row: Record<string, unknown> = {
      id: randomUUID(),
      aggregatetype: 'person',
      aggregateid: key,
      type: 'person.update',
      payload: JSON.stringify({ hand: 'written' }),
      destination: 'callisto-person',
      ce_source: 'urn:test:hand',
      ce_time: '2026-12-01T10:00:00Z',
      ce_dataschema: 'https://event-contracts.dev/schemas/person/2',
      headers: null,
      ...broken,
    }
    const columns = Object.keys(row)
    await t.db.query(
      `INSERT INTO outbox (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      columns.map((c) => row[c]),
    )
    return row.id as string
  }

  it.each<{ name: string; broken: Record<string, unknown>; path: string; own?: true }>([
    { name: 'a payload that is not a JSON object', broken: { payload: '"just text"' }, path: '/payload' },
    { name: 'an array as payload', broken: { payload: '[1, 2]' }, path: '/payload' },
    { name: 'a header that is not a string', broken: { headers: '{"ce_x": 1}' }, path: '/headers/ce_x' },
    { name: 'headers that are not an object', broken: { headers: '["a"]' }, path: '/headers' },
    { name: 'a type that is not <resource>.<action>', broken: { type: 'personupdate' }, path: '/type' },
    // An empty destination or key makes an aggregate of its own (lock_key hashes both): it waits alone.
    { name: 'an empty destination', broken: { destination: '' }, path: '/destination', own: true },
    { name: 'an empty key', broken: { aggregateid: '' }, path: '/aggregateid', own: true },
  ])(
    'ROW_INVALID ($name): the rows before it go, it and the rest of its aggregate wait with the reason',
    async ({ broken, path, own }) => {
      const key = randomUUID()
      const other = randomUUID()
      const before = await enqueue(key)
      const badId = await handWritten(key, broken)
      const after = await enqueue(key)
      const elsewhere = await enqueue(other)
      const sink = recordingSink()
      const errors: { e: unknown; phase: string }[] = []
      const r = relay({ sink, onError: (e, phase) => errors.push({ e, phase }) })

      const round = await r.runOnce()
      expect(round).toMatchObject({ claimed: 4, sent: own ? 3 : 2, failed: 1, invalid: 1, refused: false })
      expect(round.rowError?.code).toBe('ROW_INVALID')
      expect(round.rowError?.issues.map((i) => i.path)).toEqual([path])
      expect(round.rowError?.issues[0]?.keyword).toBe('row')
      expect(sink.messages.map((m) => m.id)).toEqual(
        own ? [before.id, after.id, elsewhere.id] : [before.id, elsewhere.id],
      )
      expect(errors).toHaveLength(1)
      expect(errors[0]?.phase).toBe('row')
      expect(isContractError(errors[0]?.e, 'ROW_INVALID')).toBe(true)

      // Nothing lost: the invalid row and the one behind it stay, the reason on the invalid one.
      const left = await t.db.query<{ id: string; attempts: number; last_error: string | null }>(
        'SELECT id, attempts, last_error FROM outbox ORDER BY seq',
      )
      expect(left.map((x) => x.id)).toEqual(own ? [badId] : [badId, after.id])
      expect(left[0]?.attempts).toBe(1)
      expect(left[0]?.last_error).toMatch(new RegExp(`^ROW_INVALID: outbox row ${badId} .*\\(${path}: `))
      expect(r.status().lastError).toContain(badId)
    },
  )

  it('SEND_FAILED: a transport that refuses; the rows stay pending with the reason', async () => {
    const done = await enqueue(randomUUID())
    const sink = recordingSink()
    sink.refuse = () => true
    const round = await relay({ sink }).runOnce()
    expect(round).toMatchObject({ claimed: 1, sent: 0, failed: 1, invalid: 0, refused: true })
    expect(round.error).toMatchObject({ code: 'SEND_FAILED', retriable: true })
    expect((round.error as Error).message).toContain('refused by the test sink')
    const [row] = await t.db.query<{ id: string; last_error: string }>('SELECT id, last_error FROM outbox')
    expect(row).toMatchObject({ id: done.id, last_error: expect.stringContaining('SEND_FAILED') })
  })

  it('OUTBOX_MISSING: a relay on a table that does not exist', async () => {
    const e = await rejection(relay({ table: 'no_such_outbox' }).runOnce())
    expect(e.code).toBe('OUTBOX_MISSING')
    expect(e.issues[0]).toMatchObject({ keyword: 'table', params: { table: 'no_such_outbox' } })
  })

  it('DATABASE_FAILED: a table that is not an outbox refuses the claim (the database answered)', async () => {
    await t.db.query('CREATE TABLE IF NOT EXISTS not_an_outbox (id integer)')
    const e = await rejection(relay({ table: 'not_an_outbox' }).runOnce())
    expect(e.code).toBe('DATABASE_FAILED')
    expect(e.retriable).toBe(false)
    expect((e.cause as { code?: string }).code).toBe('42703') // undefined_column
  })

  it('RELAY_STATE: start() after stop(), idle() before start()', async () => {
    const r = relay()
    expect((await rejection(r.idle())).code).toBe('RELAY_STATE')
    await r.start()
    await r.stop()
    expect((await rejection(r.start())).code).toBe('RELAY_STATE')
  })
})

describe('a database that does not answer', () => {
  it('DATABASE_UNAVAILABLE (retriable) from migrateOutbox, runOnce and the running loop', async () => {
    const db = await openPostgres({ url: 'postgres://postgres@127.0.0.1:1/none', schema: 'public', max: 1 })
    try {
      const migrate = await rejection(migrateOutbox(db))
      expect(migrate).toMatchObject({ code: 'DATABASE_UNAVAILABLE', retriable: true })
      expect(migrate.message).toContain('ECONNREFUSED')

      const errors: unknown[] = []
      const r = createRelay({
        db,
        sink: recordingSink(),
        listen: false,
        pollIntervalMs: 20,
        backoff: { initialMs: 10, maxMs: 20 },
        onError: (e, phase) => {
          if (phase === 'database') errors.push(e)
        },
      })
      expect(await rejection(r.runOnce())).toMatchObject({ code: 'DATABASE_UNAVAILABLE', retriable: true })
      // start() reads the table first: it fails the same way, and the relay is not running.
      expect(await rejection(r.start())).toMatchObject({ code: 'DATABASE_UNAVAILABLE' })
      const drained = new AbortController()
      setTimeout(() => drained.abort(new Error('enough')), 300)
      await r.drain({ signal: drained.signal }).catch(() => undefined)
      expect(errors.length).toBeGreaterThan(0)
      for (const e of errors) expect(isContractError(e, 'DATABASE_UNAVAILABLE')).toBe(true)
      await r.stop()
    } finally {
      await db.close()
    }
  })
})

describe('databaseError', () => {
  it.each<{ name: string; error: unknown; code: string; retriable: boolean }>([
    {
      name: 'a refused connection',
      error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      code: 'DATABASE_UNAVAILABLE',
      retriable: true,
    },
    {
      name: 'a dropped connection (no code)',
      error: new Error('Connection terminated unexpectedly'),
      code: 'DATABASE_UNAVAILABLE',
      retriable: true,
    },
    {
      name: 'admin shutdown (57P01)',
      error: Object.assign(new Error('terminating connection'), { code: '57P01' }),
      code: 'DATABASE_UNAVAILABLE',
      retriable: true,
    },
    {
      name: 'too many connections (53300)',
      error: Object.assign(new Error('sorry, too many clients'), { code: '53300' }),
      code: 'DATABASE_UNAVAILABLE',
      retriable: true,
    },
    {
      name: 'a permission refused (42501)',
      error: Object.assign(new Error('permission denied'), { code: '42501' }),
      code: 'DATABASE_FAILED',
      retriable: false,
    },
    {
      name: 'a syntax error (42601)',
      error: Object.assign(new Error('syntax error'), { code: '42601' }),
      code: 'DATABASE_FAILED',
      retriable: false,
    },
  ])('$name → $code', ({ error, code, retriable }) => {
    const e = databaseError(error, 'a round')
    expect(e).toMatchObject({ code, retriable, cause: error })
    expect(e.message).toMatch(/^a round: /)
  })

  it('a ContractError passes as it is', () => {
    const e = new ContractError('OUTBOX_MISSING', 'no table')
    expect(databaseError(e, 'a round')).toBe(e)
  })
})
