/**
 * The outbox on the real PostgreSQL and the real Kafka broker: a committed event is published exactly as the
 * encoder made it, a rolled-back one never; a relay killed (SIGKILL) between publish and acknowledge re-sends
 * after the restart, every event at least once; two relays at once keep each key's order on the partitions.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Admin } from 'kafkajs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { topicOf, type Sink } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createRelay, type Relay } from '../../outbox/index.ts'
import { ensureTopics, kafkaSink, type KafkaSink } from '../../transports/kafka/index.ts'
import { person } from '../publishers/fixtures.ts'
import { brokers, endOffsets, newKafka, readBack, uniquePrefix } from '../publishers/kafka-helpers.ts'
import { pause, until, uuid } from '../consumers/events.ts'
import { checkOrder, outboxFor, pendingRows, testDb, type TestDb } from './helpers.ts'

const prefix = uniquePrefix('outbox')
const kafka = newKafka(prefix)
const outbox = outboxFor(prefix)
const people = topicOf(catalog, 'person', prefix)

/** Person updates over `keys`, `per` to a transaction; ids per key in enqueue order. */
async function enqueuePeople(t: TestDb, keys: readonly string[], count: number, per = 50) {
  const expected = new Map<string, string[]>(keys.map((k) => [k, []]))
  for (let i = 0; i < count; i += per) {
    const events = Array.from({ length: Math.min(per, count - i) }, (_, j) => ({
      resource: 'person' as const,
      action: 'update' as const,
      content: { ...person, id: keys[(i + j) % keys.length] as string },
    }))
    for (const d of await t.db.transaction((tx) => outbox.enqueueBatch(tx, events)))
      expected.get(d.key)?.push(d.id)
  }
  return expected
}

describe('the outbox on PostgreSQL and Kafka', () => {
  let t: TestDb
  let admin: Admin
  const sinks: KafkaSink[] = []
  const relays: Relay[] = []
  const sink = () => {
    const s = kafkaSink({ kafka })
    sinks.push(s)
    return s
  }

  beforeAll(async () => {
    t = await testDb('postgres')
    admin = kafka.admin()
    await admin.connect()
    await ensureTopics(admin, { catalog, topicPrefix: prefix, partitions: 3 })
  })
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()))
    await t.db.query('TRUNCATE outbox')
  })
  afterAll(async () => {
    await Promise.all(sinks.map((s) => s.close()))
    await t?.drop()
    if (!admin) return
    const mine = (await admin.listTopics()).filter((x) => x.startsWith(`${prefix}.`))
    if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined)
    await admin.disconnect()
  })

  /** Messages on the person topic after `from` (offsets per partition), read until `count` came. */
  async function newSince(from: Record<string, string[]>, count: number) {
    const all = await readBack(
      kafka,
      admin,
      [people],
      Object.values(from)[0]!.reduce((n, o) => n + Number(o), 0) + count,
    )
    const start = (from[people] ?? []).map(Number)
    return all
      .filter((m) => Number(m.offset) >= (start[m.partition] ?? 0))
      .sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset))
      .map((m) => ({ ...m, id: String(m.value.id) }))
  }

  it('commit → published as enqueued (value, key, CloudEvents headers); rollback → nothing published', async () => {
    const before = await endOffsets(admin, [people])
    const committed = await t.db.transaction((tx) =>
      outbox.enqueue(tx, 'person', 'update', person, { headers: { traceparent: 'tp-7' } }),
    )
    await t.db
      .transaction(async (tx) => {
        await outbox.enqueue(tx, 'person', 'update', { ...person, firstName: 'Rolled' })
        throw new Error('rollback')
      })
      .catch(() => undefined)
    const relay = createRelay({ db: t.db, sink: sink() })
    relays.push(relay)
    expect((await relay.drain()).sent).toBe(1)
    const [got] = await newSince(before, 1)
    const after = await endOffsets(admin, [people])
    const total = (o: Record<string, string[]>) => (o[people] ?? []).reduce((n, x) => n + Number(x), 0)
    expect(total(after) - total(before)).toBe(1) // the rolled-back event never reached Kafka
    expect(got?.key).toBe(person.id)
    expect(got?.value).toMatchObject({ id: committed.id, action: 'update', resource: { content: person } })
    expect(got?.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: committed.id,
      ce_source: 'urn:test:outbox',
      ce_type: 'person.update',
      ce_dataschema: catalog.resources.person.versions[2].uri,
      'content-type': 'application/json',
      traceparent: 'tp-7',
    })
    expect(await pendingRows(t.db)).toEqual([])
  })

  it('a relay killed (SIGKILL) between publish and acknowledge: after a restart every event is delivered, the unacknowledged batch again', async () => {
    const keys = Array.from({ length: 20 }, uuid)
    const expected = await enqueuePeople(t, keys, 1000)
    const before = await endOffsets(admin, [people])
    const script = fileURLToPath(new URL('./child-relay.ts', import.meta.url))
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, t.url as string, t.schema as string, brokers.join(','), '3', '100'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let hung: string[] | undefined
    let buffer = ''
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const l of lines) if (l.startsWith('hanging ')) hung = l.slice(8).split(',')
    })
    const exited = new Promise((resolve) => child.once('exit', resolve))
    try {
      await until(
        'the child published its third batch and hangs before acknowledging it',
        () => !!hung,
        60_000,
      )
    } finally {
      child.kill('SIGKILL')
      await exited
    }
    const unacknowledged = hung as string[]
    const pending = new Set((await pendingRows(t.db)).map((r) => r.id))
    expect(pending.size).toBe(800) // two batches acknowledged; the third published but still pending
    expect(unacknowledged.every((id) => pending.has(id))).toBe(true)

    const restarted = createRelay({ db: t.db, sink: sink(), batchSize: 100 })
    relays.push(restarted)
    expect((await restarted.drain()).sent).toBe(800)
    const delivered = await newSince(before, 1100)
    const check = checkOrder(expected, delivered)
    const counts = new Map<string, number>()
    for (const d of delivered) counts.set(d.id, (counts.get(d.id) ?? 0) + 1)
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([id]) => id)
    console.log(
      `kill -9 between publish and acknowledge: ${delivered.length} deliveries of ${counts.size} events, ` +
        `${duplicated.length} delivered twice (the batch that was published and not acknowledged)`,
    )
    expect(check).toEqual({ outOfOrder: [], duplicates: 100, missing: 0 })
    expect(duplicated.sort()).toEqual([...unacknowledged].sort())
  }, 120_000)

  it('two relays at once, events enqueued while they run: every key in order on its partition', async () => {
    // Each send is held back a random moment first (a GC pause, a slow network): without the per-aggregate
    // locks, one relay's later events of a key would then reach the partition before the other's earlier ones.
    const jittered = (s: KafkaSink): Sink => ({
      send: (m) => s.send(m),
      sendBatch: async (batch) => (await pause(Math.random() * 20), s.sendBatch(batch)),
    })
    const a = createRelay({ db: t.db, sink: jittered(sink()), batchSize: 10, pollIntervalMs: 100 })
    const b = createRelay({ db: t.db, sink: jittered(sink()), batchSize: 10, pollIntervalMs: 100 })
    relays.push(a, b)
    const before = await endOffsets(admin, [people])
    await Promise.all([a.start(), b.start()])
    const expected = await enqueuePeople(t, Array.from({ length: 6 }, uuid), 2000, 5)
    await until('the outbox is empty', () => a.status().sent + b.status().sent >= 2000, 60_000)
    const delivered = await newSince(before, 2000)
    const check = checkOrder(expected, delivered)
    console.log(
      `two relays on Kafka: relay A sent ${a.status().sent}, relay B ${b.status().sent}; ${check.duplicates} duplicates`,
    )
    expect(check).toEqual({ outOfOrder: [], duplicates: 0, missing: 0 })
    expect(a.status().sent).toBeGreaterThan(0)
    expect(b.status().sent).toBeGreaterThan(0)
  }, 120_000)
})
