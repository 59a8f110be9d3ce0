/**
 * The relay on the real PostgreSQL (and the parts that do not need a second connection on PGlite too), with a
 * recording sink: order, acknowledgement modes and retention, a transport that is down or refuses one aggregate,
 * several relays at once, a slow aggregate, NOTIFY and polling, graceful stop, metrics and the status line.
 */
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { OutboundMessage } from '../../core/index.ts'
import { createRelay, resolveRelayOptions, type Relay, type RelayOptions } from '../../outbox/index.ts'
import { runRound } from '../../outbox/claim.ts'
import { person } from '../publishers/fixtures.ts'
import { pause, until } from '../consumers/events.ts'
import {
  checkOrder,
  outboxFor,
  pendingRows,
  rawClient,
  recordingSink,
  testDb,
  type Kind,
  type TestDb,
} from './helpers.ts'

const outbox = outboxFor()
const original = pg.Client.prototype.query

/** `count` person updates spread over `keys` people, enqueued in one transaction each of `per` events. */
async function enqueueMany(t: TestDb, keys: readonly string[], count: number, per = 50) {
  const expected: Map<string, string[]> & { all?: string[] } = new Map(keys.map((k) => [k, []]))
  const all: string[] = []
  for (let i = 0; i < count; i += per) {
    const events = Array.from({ length: Math.min(per, count - i) }, (_, j) => {
      const id = keys[(i + j) % keys.length] as string
      return { resource: 'person' as const, action: 'update' as const, content: { ...person, id } }
    })
    const done = await t.db.transaction((tx) => outbox.enqueueBatch(tx, events))
    for (const d of done) {
      expected.get(d.key)?.push(d.id)
      all.push(d.id)
    }
  }
  return Object.assign(expected, { all })
}

const keysOf = (n: number) => Array.from({ length: n }, () => randomUUID())
const metric = async (relay: Relay, name: string) =>
  (await relay.metrics.getSingleMetric(name)?.get())?.values[0]?.value

describe.each<Kind>(['postgres', 'pglite'])('the relay on %s', (kind) => {
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

  const relay = (options: Partial<RelayOptions> & { sink: RelayOptions['sink'] }) => {
    const r = createRelay({ db: t.db, pollIntervalMs: 100, ...options })
    relays.push(r)
    return r
  }

  it('one round sends the oldest rows in enqueue order, exactly as stored, then deletes them', async () => {
    const keys = keysOf(3)
    const expected = await enqueueMany(t, keys, 30, 7)
    const sink = recordingSink()
    const r = relay({ sink, batchSize: 100 })
    expect(await r.runOnce()).toMatchObject({ claimed: 30, sent: 30, skipped: 0, failed: 0, refused: false })
    expect(sink.batches).toHaveLength(1)
    expect(checkOrder(expected, sink.messages)).toEqual({ outOfOrder: [], duplicates: 0, missing: 0 })
    expect(sink.messages.map((m) => m.id)).toEqual(expected.all)
    expect(await pendingRows(t.db)).toEqual([])
  })

  it('the acknowledgement commits without waiting for the WAL flush (synchronous_commit off, that transaction only)', async () => {
    await enqueueMany(t, keysOf(2), 4)
    const config = resolveRelayOptions({ db: t.db, sink: recordingSink() })
    // The round acknowledges and commits in one statement: the setting is read in its transaction just before.
    let setting: string | undefined
    await t.db.transaction(async (tx) => {
      const round = await runRound(
        {
          ...tx,
          async commitWith(text) {
            setting = (await tx.script<{ s: string }>("SELECT current_setting('synchronous_commit') AS s"))[0]
              ?.s
            await tx.commitWith(text)
          },
        },
        { config, namespace: 1, refusedDelayMs: 100 },
      )
      expect(round.sent).toBe(4)
    })
    expect(setting).toBe('off')
    expect((await t.db.query<{ s: string }>("SELECT current_setting('synchronous_commit') AS s"))[0]?.s).toBe(
      'on',
    )
  })

  it('batchSize bounds a round; drain() sends everything', async () => {
    await enqueueMany(t, keysOf(5), 120)
    const sink = recordingSink()
    const r = relay({ sink, batchSize: 50 })
    expect((await r.runOnce()).sent).toBe(50)
    expect(await r.drain()).toEqual({
      sent: 70,
      backlog: { pending: 0, oldestAgeMs: undefined, deferred: 0 },
    })
    expect(sink.batches.map((b) => b.length)).toEqual([50, 50, 20])
  })

  it('acknowledge mark keeps sent rows (sent_at) until the retention has passed; purge deletes them', async () => {
    let clock = Date.now()
    const sink = recordingSink()
    const r = relay({ sink, acknowledge: 'mark', retentionMs: 60_000, now: () => new Date(clock) })
    await enqueueMany(t, keysOf(2), 10)
    await r.drain()
    const rows = await pendingRows(t.db)
    expect(rows).toHaveLength(10)
    expect(rows.every((x) => x.sent_at !== null)).toBe(true)
    expect((await r.runOnce()).claimed).toBe(0) // marked rows are never sent again
    expect(await r.purge()).toBe(0) // younger than the retention
    clock += 61_000
    expect(await r.purge()).toBe(10)
    expect(await pendingRows(t.db)).toEqual([])
  })

  it('a transport that takes nothing: rows stay, attempts counted, the relay backs off; later all are sent in order', async () => {
    const sink = recordingSink()
    sink.refuse = () => true
    const errors: unknown[] = []
    const r = relay({ sink, backoff: { initialMs: 20, maxMs: 100 }, onError: (e) => void errors.push(e) })
    const expected = await enqueueMany(t, keysOf(4), 40)
    await r.start()
    await until('three refused rounds', () => r.status().failedSends >= 3)
    expect(r.status().state).toMatch(/backing-off|sending/)
    const rows = await pendingRows(t.db)
    expect(rows).toHaveLength(40)
    expect(Math.min(...rows.map((x) => x.attempts))).toBeGreaterThan(0)
    expect(rows[0]?.last_error).toContain('refused by the test sink')
    sink.refuse = undefined
    await until('all sent', () => sink.messages.length >= 40)
    await r.idle()
    expect(checkOrder(expected, sink.messages)).toEqual({ outOfOrder: [], duplicates: 0, missing: 0 })
    expect(errors.length).toBeGreaterThanOrEqual(3)
  })

  it('one aggregate the transport refuses: the others are sent, it waits (deferred) and keeps its order', async () => {
    const poisoned = randomUUID()
    const keys = [...keysOf(7), poisoned]
    const expected = await enqueueMany(t, keys, 80)
    const sink = recordingSink()
    let refusing = true
    sink.refuse = (batch) => refusing && batch.some((m) => m.key === poisoned)
    const r = relay({ sink, deferral: { initialMs: 60_000, maxMs: 60_000 } })
    const round = await r.runOnce()
    expect(round).toMatchObject({ claimed: 80, sent: 70, failed: 1, refused: false })
    expect(new Set(sink.messages.map((m) => m.key)).has(poisoned)).toBe(false)
    expect((await r.backlog()).deferred).toBe(1)
    // Deferred for a minute: later rounds leave it alone, and its new rows, older than the others' and more than
    // a batch, do not stand in their way.
    const more = await enqueueMany(t, [poisoned], 30)
    expect((await r.runOnce()).sent).toBe(0)
    const later = await enqueueMany(t, keysOf(4), 20)
    const small = relay({ sink, batchSize: 10, deferral: { initialMs: 60_000, maxMs: 60_000 } })
    expect(await small.drain()).toMatchObject({ sent: 20, backlog: { pending: 40, deferred: 1 } })
    expect(checkOrder(later, sink.messages)).toEqual({ outOfOrder: [], duplicates: 0, missing: 0 })
    // Once it is due and the transport takes it, its events go in their order.
    refusing = false
    await t.db.query("UPDATE outbox SET available_at = '-infinity'")
    await r.drain()
    const all = new Map(expected)
    all.set(poisoned, [...(expected.get(poisoned) ?? []), ...(more.get(poisoned) ?? [])])
    expect(checkOrder(all, sink.messages)).toEqual({ outOfOrder: [], duplicates: 0, missing: 0 })
  })

  it('polling: with LISTEN off, rows are found within the poll interval', async () => {
    const sink = recordingSink()
    const r = relay({ sink, listen: false, pollIntervalMs: 50 })
    await r.start()
    await enqueueMany(t, keysOf(1), 3)
    await until('sent', () => sink.messages.length === 3)
  })

  it('idle() resolves after a round that found nothing, with everything enqueued before it sent', async () => {
    const sink = recordingSink()
    const r = relay({ sink, listen: false, pollIntervalMs: 60_000 })
    await r.start()
    await enqueueMany(t, keysOf(3), 25)
    await r.idle() // wakes the loop: no 60 s poll to wait for
    expect(sink.messages).toHaveLength(25)
    await expect(createRelay({ db: t.db, sink }).idle()).rejects.toThrow(/not running/)
  })

  it('graceful stop: the round in flight is sent and acknowledged before stop() resolves', async () => {
    const sink = recordingSink()
    let open!: () => void
    sink.gate = new Promise((resolve) => (open = resolve))
    const r = relay({ sink })
    await enqueueMany(t, keysOf(2), 10)
    let sending = false
    const inner = sink.sendBatch.bind(sink)
    sink.sendBatch = (b) => ((sending = true), inner(b))
    await r.start()
    await until('the send started', () => sending)
    const stopped = r.stop()
    await pause(50)
    expect(r.status().state).toBe('stopping')
    open()
    await stopped
    expect(r.status().state).toBe('stopped')
    expect(sink.messages).toHaveLength(10)
    expect(await pendingRows(t.db)).toEqual([])
    await expect(r.start()).rejects.toThrow(/does not start again/)
  })

  it('metrics: events sent, backlog and oldest age (by the injected clock); a status line', async () => {
    const sink = recordingSink()
    const r = relay({ sink, now: () => new Date(Date.now() + 90_000) })
    await enqueueMany(t, keysOf(2), 12)
    expect(await metric(r, 'outbox_backlog')).toBe(12)
    expect(await metric(r, 'outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(89)
    await r.drain()
    expect(await metric(r, 'outbox_events_sent_total')).toBe(12)
    expect(await metric(r, 'outbox_backlog')).toBe(0)
    expect(await metric(r, 'outbox_oldest_age_seconds')).toBe(0)
    await r.refreshStatus()
    expect(r.statusLine()).toBe('outbox relay stopped: 12 sent, 0 pending, 0 deferred, 0 failed sends')
    expect(await r.metrics.metrics()).toMatch(/^outbox_events_sent_total 12$/m)
  })

  it('refuses options that are wrong, before any I/O', () => {
    const sink = recordingSink()
    expect(() => createRelay({ db: t.db, sink, table: 'outbox; DROP TABLE x' })).toThrow(/SQL identifier/)
    expect(() => createRelay({ db: t.db, sink, batchSize: 0 })).toThrow(/batchSize/)
    expect(() => createRelay({ db: t.db, sink, acknowledge: 'keep' as 'mark' })).toThrow(/acknowledge/)
  })

  it('a table that does not exist: a clear error', async () => {
    const r = createRelay({ db: t.db, sink: recordingSink(), table: 'no_such_outbox' })
    await expect(r.runOnce()).rejects.toThrow(/outbox table 'no_such_outbox' does not exist/)
  })
})

describe('several relays on one PostgreSQL table', () => {
  let t: TestDb
  let relays: Relay[] = []
  beforeAll(async () => {
    t = await testDb('postgres')
  })
  afterEach(async () => {
    await Promise.all(relays.map((r) => r.stop()))
    relays = []
    await t.db.query('TRUNCATE outbox')
  })
  afterAll(() => t?.drop())

  const relay = (options: Partial<RelayOptions> & { sink: RelayOptions['sink'] }) => {
    const r = createRelay({ db: t.db, pollIntervalMs: 50, ...options })
    relays.push(r)
    return r
  }

  /** Sinks of several relays writing to one log, in the order the sends complete; each send takes a little while. */
  function sharedLog() {
    const log: (OutboundMessage & { relay: number })[] = []
    const sink = (relay: number) => {
      const s = recordingSink()
      const inner = s.sendBatch.bind(s)
      s.sendBatch = async (batch) => {
        await pause(Math.random() * 15)
        await inner(batch)
        for (const m of batch) log.push({ ...m, relay })
      }
      return s
    }
    return { log, sink }
  }

  it('a round that sends costs two round trips: BEGIN with the claim, the acknowledgement with COMMIT', async () => {
    await enqueueMany(t, keysOf(3), 30, 30)
    const r = relay({ sink: recordingSink(), listen: false })
    await r.backlog() // the table's identity is read once, before the rounds
    await r.runOnce()
    await enqueueMany(t, keysOf(3), 30, 30)
    const sent: string[] = []
    const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (
      this: pg.Client,
      ...args: Parameters<pg.Client['query']>
    ) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text
      sent.push(text.trim().split(/\s+/).slice(0, 2).join(' '))
      return Reflect.apply(original, this, args) as never
    })
    try {
      expect((await r.runOnce()).sent).toBe(30)
    } finally {
      spy.mockRestore()
    }
    expect(sent).toEqual(['BEGIN; WITH', 'DELETE FROM'])
  })

  it('two relays at once, rows enqueued while they run: no per-key order violation, nothing sent twice', async () => {
    const { log, sink } = sharedLog()
    // Small batches and transactions over few keys: both relays keep finding rows of the keys the other sends.
    const a = relay({ sink: sink(1), batchSize: 10 })
    const b = relay({ sink: sink(2), batchSize: 10 })
    await Promise.all([a.start(), b.start()])
    const keys = keysOf(6)
    const expected = await enqueueMany(t, keys, 1500, 5)
    await until('all 1500 sent', () => log.length >= 1500, 60_000)
    await Promise.all([a.idle(), b.idle()])
    const check = checkOrder(expected, log)
    console.log(
      `two relays: ${log.length} sends, ${check.duplicates} duplicates, by relay: ` +
        `${log.filter((m) => m.relay === 1).length} / ${log.filter((m) => m.relay === 2).length}`,
    )
    expect(check).toEqual({ outOfOrder: [], duplicates: 0, missing: 0 })
    expect(log.some((m) => m.relay === 1) && log.some((m) => m.relay === 2)).toBe(true)
  })

  it('one relay with four rounds in flight: each key in order, every round with aggregates of its own', async () => {
    const { log, sink } = sharedLog()
    const r = relay({ sink: sink(1), batchSize: 10, concurrency: 4 })
    await r.start()
    const expected = await enqueueMany(t, keysOf(6), 1200, 5)
    await until('all 1200 sent', () => log.length >= 1200, 60_000)
    await r.idle()
    expect(checkOrder(expected, log)).toEqual({ outOfOrder: [], duplicates: 0, missing: 0 })
    expect(await pendingRows(t.db)).toEqual([])
  })

  it('a slow aggregate holds back only itself: while one relay is stuck sending it, another sends the rest', async () => {
    const slow = randomUUID()
    const stuck = recordingSink()
    let release!: () => void
    stuck.gate = new Promise((resolve) => (release = resolve))
    const a = relay({ sink: stuck, batchSize: 10 })
    const first = await enqueueMany(t, [slow], 5)
    const roundA = a.runOnce() // locks the slow aggregate, then waits on its transport
    await until('relay A is sending', () => stuck.calls > 0)
    const others = await enqueueMany(t, keysOf(6), 60)
    const more = await enqueueMany(t, [slow], 5)
    const fast = recordingSink()
    const b = relay({ sink: fast })
    await b.start()
    await until('relay B sent every other aggregate', () => fast.messages.length >= 60)
    await b.idle()
    expect(checkOrder(others, fast.messages)).toEqual({ outOfOrder: [], duplicates: 0, missing: 0 })
    expect(fast.messages.some((m) => m.key === slow)).toBe(false) // behind the rows A holds
    release()
    expect((await roundA).sent).toBe(5)
    await until('the slow aggregate’s later events', () => fast.messages.length >= 65)
    const slowOrder = new Map([[slow, [...(first.get(slow) ?? []), ...(more.get(slow) ?? [])]]])
    expect(checkOrder(slowOrder, [...stuck.messages, ...fast.messages])).toEqual({
      outOfOrder: [],
      duplicates: 0,
      missing: 0,
    })
  })

  it('a pending row locked by something else (an operator’s FOR UPDATE): its aggregate waits, the rest is sent', async () => {
    const held = randomUUID()
    const expected = await enqueueMany(t, [held, ...keysOf(3)], 40, 40)
    const middle = expected.get(held)?.[5] as string
    const operator = await rawClient(t)
    try {
      await operator.query('BEGIN')
      await operator.query('SELECT id FROM outbox WHERE id = $1 FOR UPDATE', [middle])
      const sink = recordingSink()
      const r = relay({ sink })
      // SKIP LOCKED passes over the locked row; the pending count shows the gap, so none of that key goes.
      expect(await r.runOnce()).toMatchObject({ sent: 30, skipped: 1 })
      expect(sink.messages.some((m) => m.key === held)).toBe(false)
      await operator.query('ROLLBACK')
      await r.drain()
      expect(checkOrder(expected, sink.messages)).toEqual({ outOfOrder: [], duplicates: 0, missing: 0 })
    } finally {
      await operator.end()
    }
  })

  it('wakes on NOTIFY: with a 60 s poll interval, an enqueued event is sent at once', async () => {
    const sink = recordingSink()
    const r = relay({ sink, pollIntervalMs: 60_000 })
    await r.start()
    await pause(100) // the first round has found nothing; the loop sleeps
    await enqueueMany(t, keysOf(1), 1)
    await until('sent', () => sink.messages.length === 1, 20_000)
  })
})
