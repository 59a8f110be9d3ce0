/**
 * Redis Streams benchmarks against a real server, in one run:
 * `npm run bench:redis` (REDIS_URL, default redis://127.0.0.1:6379). Bounded loops, no thresholds;
 * each section prints events per second for ours and for raw node-redis doing the same Redis work, and the ratio.
 * Uses streams of its own (`bench-…`) and deletes them at the end.
 *
 *   publish, one by one    publisher.publish (build + validate + stringify + XADD) vs raw XADD of the same fields
 *   publish, batches       publisher.publishBatch (one MULTI per 100) vs a raw MULTI of the same XADDs
 *   consume                createRedisTopicConsumer (decode + validate + dispatch + XACK) vs
 *                          raw XREADGROUP COUNT 100 + JSON.parse + XACK
 */
import { randomUUID } from 'node:crypto'
import { createClient } from 'redis'
import { createEncoder, topicOf, type BatchEvent, type OutboundMessage } from '../../core/index.ts'
import { catalog, type ContractCatalog } from '../../generated/index.ts'
import {
  createRedisPublisher,
  createRedisTopicConsumer,
  entryFields,
  type RedisClient,
} from '../../transports/redis/index.ts'

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const N = Number(process.env.BENCH_N ?? 5_000)
const BATCH = 100
const prefix = `bench-${randomUUID().slice(0, 8)}`
const SOURCE = 'urn:event-contracts:bench'
const stream = topicOf(catalog, 'person', prefix)
const rawStream = `${stream}.raw`
const keys = [stream, rawStream, `${stream}.dlq`]

const person = () => ({
  id: randomUUID(),
  tenantId: randomUUID(),
  firstName: 'Ada',
  lastName: 'Lovelace',
  startDate: '2026-01-05',
})
type PersonContent = BatchEvent<ContractCatalog> & { resource: 'person' }
const contents = Array.from({ length: N }, person)

// The raw baselines send exactly the bytes our publisher sends: the same encoder, encoded up front.
const encoder = createEncoder(catalog, {
  source: SOURCE,
  newId: randomUUID,
  now: () => new Date(),
  topicPrefix: prefix,
})
const encoded: OutboundMessage[] = contents.map((body) => {
  const r = encoder.encode({ resource: 'person', action: 'update', body, asReference: false, meta: {} })
  if (!r.ok) throw new Error(`bench content is invalid: ${JSON.stringify(r.issues)}`)
  return { ...r.value, destination: rawStream }
})
const rawFields = encoded.map(entryFields)
const trim = { TRIM: { strategy: 'MAXLEN' as const, strategyModifier: '~' as const, threshold: 10_000_000 } }

const client = createClient({ url }) as RedisClient
client.on('error', () => undefined)
await client.connect()
const publisher = createRedisPublisher({
  catalog,
  client,
  source: SOURCE,
  topicPrefix: prefix,
  maxLen: 10_000_000,
})

async function time(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}
const rate = (ms: number) => Math.round((N / ms) * 1000)
function report(name: string, oursMs: number, rawMs: number) {
  console.log(
    `${name.padEnd(22)} ours ${String(rate(oursMs)).padStart(7)}/s   raw ${String(rate(rawMs)).padStart(7)}/s   ours/raw ${(rate(oursMs) / rate(rawMs)).toFixed(2)}`,
  )
}

try {
  console.log(`Redis ${url}, ${N} person events per section\n`)
  // Warm both paths (JIT, connections).
  for (let i = 0; i < 200; i++) await publisher.publish('person', 'update', contents[i] as never)
  for (let i = 0; i < 200; i++)
    await client.xAdd(rawStream, '*', rawFields[i] as Record<string, string>, trim)
  await client.del([stream, rawStream])

  const oursOne = await time(async () => {
    for (const c of contents) await publisher.publish('person', 'update', c as never)
  })
  const rawOne = await time(async () => {
    for (const f of rawFields) await client.xAdd(rawStream, '*', f, trim)
  })
  report('publish, one by one', oursOne, rawOne)

  const batches = (from: number) => Array.from({ length: N / BATCH }, (_, b) => from + b * BATCH)
  const oursBatch = await time(async () => {
    for (const start of batches(0)) {
      const events = contents
        .slice(start, start + BATCH)
        .map((content) => ({ resource: 'person', action: 'update', content }) as PersonContent)
      await publisher.publishBatch(events)
    }
  })
  const rawBatch = await time(async () => {
    for (const start of batches(0)) {
      const multi = client.multi()
      for (const f of rawFields.slice(start, start + BATCH)) multi.xAdd(rawStream, '*', f, trim)
      await multi.exec()
    }
  })
  report('publish, batches', oursBatch, rawBatch)

  // Consume: both streams hold 2N entries now; each side reads N of them with a group of its own.
  await client.xGroupCreate(rawStream, 'raw', '0')
  let handled = 0
  let done!: () => void
  const finished = new Promise<void>((resolve) => (done = resolve))
  const consumer = createRedisTopicConsumer({
    catalog,
    client,
    destinations: [stream],
    group: 'ours',
    consumer: 'bench',
    start: 'earliest',
    count: BATCH,
    blockMs: 100,
    handle() {
      if (++handled === N) done()
    },
  })
  const oursConsume = await time(async () => {
    await consumer.start()
    await finished
  })
  await consumer.stop()
  const rawConsume = await time(async () => {
    let n = 0
    while (n < N) {
      const r = await client.xReadGroup('raw', 'bench', [{ key: rawStream, id: '>' }], { COUNT: BATCH })
      const ids: string[] = []
      for (const { messages } of r ?? [])
        for (const { id, message } of messages) {
          JSON.parse((message as Record<string, string>).data as string)
          ids.push(id)
        }
      await client.xAck(rawStream, 'raw', ids)
      n += ids.length
    }
  })
  report('consume', oursConsume, rawConsume)
} finally {
  await client.del(keys)
  client.destroy()
}
