/**
 * Redis Streams benchmarks against a real server, in one run:
 * `npm run bench:redis` (REDIS_URL, default redis://127.0.0.1:6379). Bounded loops, no thresholds;
 * each section prints events per second for ours and for raw node-redis doing the same Redis work, and the ratio.
 * Uses streams of its own (`bench-…`) and deletes them at the end.
 *
 *   publish, one by one    publisher.publish (build + validate + stringify + XADD) vs raw XADD of the same fields
 *   publish, batches       publisher.publishBatch (100 at a time) vs the same XADDs sent raw in a MULTI/EXEC
 *                          (what the sink sends: atomic, and no slower than a bare pipeline here), and, for
 *                          reference, as separate pipelined XADDs
 *   consume                createRedisTopicConsumer (decode + validate + dispatch + XACK) vs
 *                          raw XREADGROUP COUNT 100 + JSON.parse + XACK, timed from the first entry handled
 *
 * Each section runs ROUNDS rounds of N events, ours and raw alternating (who goes first swaps every round), and
 * reports medians: the machine is shared and noisy, and a single pass says more about the neighbours than about us.
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
const N = Number(process.env.BENCH_N ?? 2_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
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

/** Wall time and this process's CPU time (user + system) of one side's round. */
interface Timing {
  ms: number
  cpuUs: number
}
async function time(fn: () => Promise<void>): Promise<Timing> {
  const start = process.hrtime.bigint()
  const cpu = process.cpuUsage()
  await fn()
  const c = process.cpuUsage(cpu)
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, cpuUs: c.user + c.system }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const rate = (ms: number) => Math.round((N / ms) * 1000)
const list = (xs: Timing[]) => xs.map((x) => String(Math.round(x.ms))).join(' / ')
const cpuPerEvent = (xs: Timing[]) => median(xs.map((x) => x.cpuUs)) / N

/** ROUNDS rounds of each side, alternating, the first one swapping each round. */
async function rounds(sides: Record<string, () => Promise<Timing>>): Promise<Record<string, Timing[]>> {
  const names = Object.keys(sides)
  const runs: Record<string, Timing[]> = Object.fromEntries(names.map((n) => [n, []]))
  for (let r = 0; r < ROUNDS; r++)
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length] as string
      ;(runs[name] as Timing[]).push(await (sides[name] as () => Promise<Timing>)())
    }
  return runs
}
/** Events per second on the median wall time, and µs of this process's CPU per event (steadier when loaded). */
function report(name: string, runs: Record<string, Timing[]>, ours: string, raw: string, goal: string) {
  console.log(name)
  for (const [side, xs] of Object.entries(runs))
    console.log(
      `  ${side.padEnd(34)} ${String(rate(median(xs.map((x) => x.ms)))).padStart(7)}/s  ${cpuPerEvent(xs).toFixed(1).padStart(5)} µs CPU/event  (${list(xs)} ms)`,
    )
  const o = runs[ours] as Timing[]
  const b = runs[raw] as Timing[]
  const r = rate(median(o.map((x) => x.ms))) / rate(median(b.map((x) => x.ms)))
  console.log(
    `  ratio ${ours} / ${raw}: ${r.toFixed(3)}  (goal >= ${goal}; CPU ratio ${(cpuPerEvent(b) / cpuPerEvent(o)).toFixed(3)})`,
  )
}

try {
  console.log(`Redis ${url}, ${N} person events per round, ${ROUNDS} rounds per side, medians\n`)
  // Warm both paths (JIT, connections).
  for (let i = 0; i < 200; i++) await publisher.publish('person', 'update', contents[i] as never)
  for (let i = 0; i < 200; i++)
    await client.xAdd(rawStream, '*', rawFields[i] as Record<string, string>, trim)
  await client.del([stream, rawStream])

  const one = await rounds({
    ours: () =>
      time(async () => {
        for (const c of contents) await publisher.publish('person', 'update', c as never)
      }),
    'raw XADD': () =>
      time(async () => {
        for (const f of rawFields) await client.xAdd(rawStream, '*', f, trim)
      }),
  })
  report('publish, one by one', one, 'ours', 'raw XADD', '0.90')

  const batches = Array.from({ length: N / BATCH }, (_, b) => b * BATCH)
  const batch = await rounds({
    ours: () =>
      time(async () => {
        for (const start of batches) {
          const events = contents
            .slice(start, start + BATCH)
            .map((content) => ({ resource: 'person', action: 'update', content }) as PersonContent)
          await publisher.publishBatch(events)
        }
      }),
    'raw XADDs, pipelined': () =>
      time(async () => {
        for (const start of batches)
          await Promise.all(
            rawFields.slice(start, start + BATCH).map((f) => client.xAdd(rawStream, '*', f, trim)),
          )
      }),
    'raw XADDs in MULTI/EXEC': () =>
      time(async () => {
        for (const start of batches) {
          const multi = client.multi()
          for (const f of rawFields.slice(start, start + BATCH)) multi.xAdd(rawStream, '*', f, trim)
          await multi.exec()
        }
      }),
  })
  report('publish, batches of 100', batch, 'ours', 'raw XADDs in MULTI/EXEC', '0.90')

  // Consume: each side reads N entries per round with a group of its own, from the entries published above.
  let group = 0
  const oursConsume = async () => {
    let handled = 0
    let first = 0n
    let cpu = process.cpuUsage()
    let done!: (t: Timing) => void
    const finished = new Promise<Timing>((resolve) => (done = resolve))
    const consumer = createRedisTopicConsumer({
      catalog,
      client,
      destinations: [stream],
      group: `ours-${group++}`,
      consumer: 'bench',
      start: 'earliest',
      count: BATCH,
      blockMs: 100,
      handle() {
        if (handled++ === 0) {
          first = process.hrtime.bigint()
          cpu = process.cpuUsage()
        }
        if (handled === N) {
          const c = process.cpuUsage(cpu)
          done({ ms: Number(process.hrtime.bigint() - first) / 1e6, cpuUs: c.user + c.system })
        }
      },
    })
    await consumer.start()
    const t = await finished
    await consumer.stop()
    return t
  }
  const rawConsume = async () => {
    const g = `raw-${group++}`
    await client.xGroupCreate(rawStream, g, '0')
    let n = 0
    let first = 0n
    let last = 0n
    let cpu = process.cpuUsage()
    let cpuUs = 0
    while (n < N) {
      const r = await client.xReadGroup(g, 'bench', [{ key: rawStream, id: '>' }], { COUNT: BATCH })
      const ids: string[] = []
      for (const { messages } of r ?? [])
        for (const { id, message } of messages) {
          JSON.parse((message as Record<string, string>).data as string)
          if (n++ === 0) {
            first = process.hrtime.bigint()
            cpu = process.cpuUsage()
          }
          if (n === N) {
            // As for ours: until the N-th is handled, its XACK not waited for.
            last = process.hrtime.bigint()
            const c = process.cpuUsage(cpu)
            cpuUs = c.user + c.system
          }
          ids.push(id)
        }
      await client.xAck(rawStream, g, ids)
    }
    return { ms: Number(last - first) / 1e6, cpuUs }
  }
  const consume = await rounds({ ours: oursConsume, 'raw XREADGROUP + JSON.parse + XACK': rawConsume })
  report('consume', consume, 'ours', 'raw XREADGROUP + JSON.parse + XACK', '0.85')
} finally {
  await client.del(keys)
  client.destroy()
}
