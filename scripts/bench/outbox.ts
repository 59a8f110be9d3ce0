/**
 * Outbox benchmarks on the real PostgreSQL and Kafka, in one run: `npm run bench:outbox` (DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test; KAFKA_BROKERS, default 127.0.0.1:19092). A schema and topics of its own,
 * dropped at the end. Each pair is measured alternately (who goes first swaps every round); medians are printed.
 *
 *   relay throughput   committed rows → published by the relay (claim, send, delete), vs publisher.publishBatch of
 *                      the same events, both on one idempotent producer, one batch of 500 in flight (goal >= 0.80);
 *                      and the relay with two rounds in flight (concurrency: 2)
 *   enqueue cost       outbox.enqueue in a transaction vs a plain INSERT of the same payload in a transaction, one
 *                      event per transaction and 100 per transaction (enqueueBatch vs one multi-row INSERT); and the
 *                      outbox's row alone (pre-encoded) vs the plain INSERT, which splits the encoder from the table
 */
import { randomBytes } from 'node:crypto'
import { Kafka, logLevel } from 'kafkajs'
import pg from 'pg'
import { createEncoder, topicOf, type BatchEvent, type ContentOf } from '../../core/index.ts'
import { catalog, type ContractCatalog } from '../../generated/index.ts'
import { createOutbox, createRelay, migrateOutbox } from '../../outbox/index.ts'
import { openPostgres } from '../../storage/postgres.ts'
import { insertOne, rowValues } from '../../outbox/rows.ts'
import { createKafkaPublisher, ensureTopics, kafkaSink } from '../../transports/kafka/index.ts'

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',').map((b) => b.trim())
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000)
const BATCH = 500
const SOURCE = 'urn:event-contracts:bench'
const schema = `bench_outbox_${randomBytes(4).toString('hex')}`
const prefix = `bench-outbox-${randomBytes(4).toString('hex')}`

/** A ~1 KB time entry, as bench:kafka's; the n-th has one of 500 owners, so keys spread over partitions. */
function entry(n: number): ContentOf<ContractCatalog, 'time-entry'> {
  const hex = n.toString(16).padStart(12, '0')
  return {
    id: `0b6a1c8e-6f5d-4c1b-9d1e-${hex}`,
    tenantId: '7d1b4a2c-9e8f-4a6b-8c5d-1e2f3a4b5c6d',
    ownerId: `3c9e1f2a-5b6d-4e7f-8a9b-${(n % 500).toString(16).padStart(12, '0')}`,
    timePeriodTypeId: '00000000-0000-0000-0000-000000000001',
    shiftType: 'early',
    actualStartTime: '2026-11-20T06:00:00Z',
    actualEndTime: '2026-11-20T14:00:00Z',
    notes: 'Covered the front desk after 12:00 and the late shift handover; '.repeat(7),
    timePeriods: [
      { startTime: '2026-11-20T06:00:00Z', endTime: '2026-11-20T10:00:00Z' },
      { startTime: '2026-11-20T10:30:00Z', endTime: '2026-11-20T14:00:00Z' },
    ],
  }
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const time = async (f: () => Promise<unknown>) => {
  const t = performance.now()
  await f()
  return performance.now() - t
}
/** Runs the pair ROUNDS times, alternating and swapping who goes first; returns each side's times. */
async function alternate(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
): Promise<[number[], number[]]> {
  const as: number[] = []
  const bs: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const pair = [async () => as.push(await time(a)), async () => bs.push(await time(b))]
    for (const run of r % 2 ? pair.reverse() : pair) await run()
  }
  return [as, bs]
}

const db = await openPostgres({ url, schema, max: 4 })
await migrateOutbox(db)
const kafka = new Kafka({ clientId: prefix, brokers, logLevel: logLevel.NOTHING })
const admin = kafka.admin()
await admin.connect()
await ensureTopics(admin, { catalog, topicPrefix: prefix, resources: ['time-entry'], partitions: 3 })
const outbox = createOutbox({ catalog, source: SOURCE, topicPrefix: prefix })
console.log(
  `PostgreSQL ${url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')} (schema ${schema}), broker ${brokers.join(',')}, ` +
    `topic ${topicOf(catalog, 'time-entry', prefix)} (3 partitions), node ${process.version}, ${ROUNDS} rounds\n` +
    'The machine is shared with other engineers now: figures move between runs; the ratios are what to read.\n',
)

try {
  // --- relay throughput vs publishBatch -----------------------------------------------------------------------------
  {
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    })
    await producer.connect()
    const publisher = createKafkaPublisher({ catalog, producer, source: SOURCE, topicPrefix: prefix })
    const sink = kafkaSink({ producer })
    // The default relay (one round in flight, like one publishBatch at a time), and two rounds in flight: one
    // claims and acknowledges while the other sends.
    const relays = [1, 2].map((concurrency) =>
      createRelay({ db, sink, batchSize: BATCH, concurrency, listen: false }),
    )
    const events: BatchEvent<ContractCatalog>[] = Array.from({ length: EVENTS }, (_, i) => ({
      resource: 'time-entry',
      action: 'update',
      content: entry(i),
    }))
    const enqueueAll = async () => {
      for (let i = 0; i < EVENTS; i += BATCH)
        await db.transaction((tx) => outbox.enqueueBatch(tx, events.slice(i, i + BATCH)))
    }
    const publishAll = async () => {
      for (let i = 0; i < EVENTS; i += BATCH) await publisher.publishBatch(events.slice(i, i + BATCH))
    }
    // The relay's side: rows committed beforehand (not timed), the table vacuumed, then drained (timed).
    const relayRound = (relay: (typeof relays)[number]) => async () => {
      await enqueueAll()
      await db.query('VACUUM ANALYZE outbox')
      return time(async () => {
        const { sent } = await relay.drain()
        if (sent !== EVENTS) throw new Error(`the relay sent ${sent} of ${EVENTS}`)
      })
    }
    const sides = [() => time(publishAll), relayRound(relays[0]!), relayRound(relays[1]!)]
    for (const side of sides) await side() // warm-up: connections, metadata, JIT
    const ms: number[][] = sides.map(() => [])
    for (let r = 0; r < ROUNDS; r++)
      // Who goes first rotates every round, so drift (log roll, page cache, the neighbours' load) falls on all.
      for (let k = 0; k < sides.length; k++) {
        const i = (r + k) % sides.length
        ms[i]!.push(await sides[i]!())
      }
    const rate = (xs: number[]) => EVENTS / (median(xs) / 1000)
    const [pubMs, relay1Ms, relay2Ms] = ms as [number[], number[], number[]]
    const row = (name: string, xs: number[]) =>
      console.log(
        `  ${name.padEnd(40)} ${fmt(rate(xs)).padStart(7)} events/s  (${xs.map((m) => fmt(m)).join(' / ')} ms)`,
      )
    console.log(`relay throughput: ${fmt(EVENTS)} time entries, batches of ${BATCH}, acks=all, one producer`)
    row('publisher.publishBatch', pubMs)
    row('relay, committed rows → published', relay1Ms)
    row('relay, 2 rounds in flight', relay2Ms)
    console.log(
      `  ratio relay / publishBatch                ${fmt(rate(relay1Ms) / rate(pubMs), 3)}  (goal >= 0.80)`,
    )
    console.log(`  ratio relay (2 in flight) / publishBatch  ${fmt(rate(relay2Ms) / rate(pubMs), 3)}\n`)
    await producer.disconnect()
  }

  // --- enqueue in a transaction vs a plain INSERT of the same payload ------------------------------------------------
  {
    await db.query('CREATE TABLE plain (id uuid PRIMARY KEY, payload json NOT NULL)')
    const SINGLE = Number(process.env.BENCH_SINGLE ?? 2000)
    const encoder = createEncoder(catalog, { source: SOURCE, topicPrefix: prefix })
    const contents = Array.from({ length: SINGLE }, (_, i) => entry(i))
    // The plain side inserts what the encoder makes of the same content (computed up front, not timed).
    const messages = contents.map((content) => {
      const r = encoder.encode({
        resource: 'time-entry',
        action: 'update',
        body: content,
        asReference: false,
        meta: {},
      })
      if (!r.ok) throw new Error('invalid bench event')
      return r.value
    })
    const payloads = messages.map((m) => ({ id: m.id, value: m.value }))
    const reset = async () => {
      await db.query('TRUNCATE outbox, plain')
    }
    const oneEnqueue = async () => {
      for (const content of contents)
        await db.transaction((tx) => outbox.enqueue(tx, 'time-entry', 'update', content))
    }
    // The outbox's row without the encoder: what its columns, indexes and NOTIFY trigger cost on their own.
    const oneRow = async () => {
      for (const m of messages) await db.transaction((tx) => tx.query(insertOne('outbox'), rowValues(m)))
    }
    const onePlain = async () => {
      for (const p of payloads)
        await db.transaction((tx) =>
          tx.query('INSERT INTO plain (id, payload) VALUES ($1, $2)', [p.id, p.value]),
        )
    }
    const PER = 100
    const batchEnqueue = async () => {
      for (let i = 0; i < SINGLE; i += PER)
        await db.transaction((tx) =>
          outbox.enqueueBatch(
            tx,
            contents
              .slice(i, i + PER)
              .map((content) => ({ resource: 'time-entry', action: 'update', content })),
          ),
        )
    }
    const batchPlain = async () => {
      for (let i = 0; i < SINGLE; i += PER) {
        const slice = payloads.slice(i, i + PER)
        await db.transaction((tx) =>
          tx.query('INSERT INTO plain (id, payload) SELECT * FROM unnest($1::uuid[], $2::json[])', [
            slice.map((p) => p.id),
            slice.map((p) => p.value),
          ]),
        )
      }
    }
    const withReset = (f: () => Promise<void>) => async () => {
      await reset()
      await f()
    }
    await withReset(oneEnqueue)() // warm-up
    await withReset(onePlain)()
    const [encMs, plainMs] = await alternate(withReset(oneEnqueue), withReset(onePlain))
    const [rowMs, plainMs2] = await alternate(withReset(oneRow), withReset(onePlain))
    const [bEncMs, bPlainMs] = await alternate(withReset(batchEnqueue), withReset(batchPlain))
    const per = (ms: number) => (ms * 1000) / SINGLE
    console.log(`enqueue cost: ${fmt(SINGLE)} time entries, pg Pool, BEGIN … COMMIT around each transaction`)
    const line = (name: string, xs: number[]) =>
      console.log(
        `  ${name.padEnd(44)} ${fmt(per(median(xs)), 1).padStart(6)} µs/event  (${xs.map((m) => fmt(m)).join(' / ')} ms)`,
      )
    line('1 per transaction: plain INSERT of the payload', plainMs)
    line('1 per transaction: outbox.enqueue', encMs)
    console.log(`  ratio enqueue / plain INSERT                 ${fmt(median(encMs) / median(plainMs), 2)}`)
    line('1 per transaction: plain INSERT (again)', plainMs2)
    line('1 per transaction: the outbox row, pre-encoded', rowMs)
    console.log(`  ratio outbox row alone / plain INSERT        ${fmt(median(rowMs) / median(plainMs2), 2)}`)
    line(`${PER} per transaction: one INSERT of the payloads`, bPlainMs)
    line(`${PER} per transaction: outbox.enqueueBatch`, bEncMs)
    console.log(
      `  ratio enqueueBatch / plain INSERT            ${fmt(median(bEncMs) / median(bPlainMs), 2)}\n`,
    )
  }
} finally {
  const mine = (await admin.listTopics()).filter((x) => x.startsWith(`${prefix}.`))
  if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined)
  await admin.disconnect()
  await db.close()
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await c.end()
}
