/**
 * Redis Streams benchmarks against a real server, in one run:
 * `npm run bench:redis` (REDIS_URL, default redis://127.0.0.1:6379). Bounded loops, no thresholds;
 * each section prints events per second for ours and for raw node-redis doing the same Redis work, and the ratio.
 * Uses streams of its own (`bench-…`) and deletes them at the end.
 *
 *   publish, one by one    publisher.publish (build + validate + stringify + XADD) vs raw XADD of the same fields;
 *                          for reference, the sink alone with the events encoded up front (what the transport
 *                          costs beyond the kernel's encoder), and raw XADD without node-redis' per-command
 *                          timeout (the adapter puts its own deadline in its place)
 *   publish, batches       publisher.publishBatch (100 at a time) vs the same XADDs sent raw in a MULTI/EXEC
 *                          (what the sink sends: atomic, and no slower than a bare pipeline here), and, for
 *                          reference, as separate pipelined XADDs and through the sink alone
 *   consume                createRedisTopicConsumer (decode + validate + dispatch + XACK) vs
 *                          raw XREADGROUP COUNT 100 + JSON.parse + XACK, timed from the first entry handled
 *
 * Each section runs ROUNDS rounds of N events, the sides alternating (who goes first rotates every round), and
 * reports medians: the machine is shared and noisy, and a single pass says more about the neighbours than about us.
 * Both sides use one node-redis client with its default command timeout (5 s, which node-redis stops counting once
 * a command is written); ours adds its own timeout covering the answer, as it does in production.
 *
 * `tsx scripts/bench/redis.ts <mode> <N>` runs one side once, after a warm-up of its own, for a profiler
 * (`node --cpu-prof --import tsx …`) or callgrind (scripts/bench/redis-instructions.sh); modes: ours-one, raw-one,
 * sink-one, untimed-one (raw, node-redis' timeout off), ours-batch, raw-batch, ours-consume, raw-consume, and
 * build / fill (only what the others prepare, to subtract).
 */
import { randomUUID } from 'node:crypto'
import { createClient } from 'redis'
import { createEncoder, topicOf, type BatchEvent, type OutboundMessage } from '../../core/index.ts'
import { catalog, type ContractCatalog } from '../../generated/index.ts'
import {
  createRedisPublisher,
  createRedisTopicConsumer,
  entryFields,
  redisSink,
  type RedisClient,
} from '../../transports/redis/index.ts'

const MODES = [
  'ours-one',
  'raw-one',
  'sink-one',
  'untimed-one',
  'ours-batch',
  'raw-batch',
  'ours-consume',
  'raw-consume',
  'build',
  'fill',
] as const
type Mode = (typeof MODES)[number]
const [modeArg, nArg] = process.argv.slice(2)
if (modeArg !== undefined && !(MODES as readonly string[]).includes(modeArg))
  throw new TypeError(`mode must be one of ${MODES.join(', ')}`)
const oneOff = modeArg as Mode | undefined
/** Events every one-off run handles before the ones it is measured on. */
const WARM_UP = 1_000

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const N = oneOff ? Number(nArg ?? 2_000) : Number(process.env.BENCH_N ?? 2_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11)
const BATCH = 100
const prefix = `bench-${randomUUID().slice(0, 8)}`
const SOURCE = 'urn:event-contracts:bench'
const stream = topicOf(catalog, 'person', prefix)
const rawStream = `${stream}.raw`
const sinkStream = `${stream}.sink`
const keys = [stream, rawStream, sinkStream, `${stream}.dlq`]

const person = () => ({
  id: randomUUID(),
  tenantId: randomUUID(),
  firstName: 'Ada',
  lastName: 'Lovelace',
  startDate: '2026-01-05',
})
type PersonContent = BatchEvent<ContractCatalog> & { resource: 'person' }
// A one-off run warms up on the first WARM_UP events and is measured on the N after them.
const FIRST = oneOff ? WARM_UP : 0
const contents = Array.from({ length: FIRST + N }, person)

// The raw baselines send exactly the bytes our publisher sends: the same encoder, encoded up front.
const encoder = createEncoder(catalog, { source: SOURCE, topicPrefix: prefix })
const encode = (body: object): OutboundMessage => {
  const r = encoder.encode({ resource: 'person', action: 'update', body, asReference: false, meta: {} })
  if (!r.ok) throw new Error(`bench content is invalid: ${JSON.stringify(r.issues)}`)
  return { ...r.value, destination: rawStream }
}
const encoded = contents.map(encode)
const rawFields = encoded.map(entryFields)
const sinkMessages = encoded.map((m) => ({ ...m, destination: sinkStream }))
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
const sink = redisSink({ client, maxLen: 10_000_000 })

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
/**
 * Events per second on the median wall time, and µs of this process's CPU per event (steadier when loaded); the
 * goal's ratio, and `also` (a reference side) against the same raw side.
 */
function report(
  name: string,
  runs: Record<string, Timing[]>,
  ours: string,
  raw: string,
  goal: string,
  ...also: string[]
) {
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
  for (const side of also) {
    const a = runs[side] as Timing[]
    const ra = rate(median(a.map((x) => x.ms))) / rate(median(b.map((x) => x.ms)))
    console.log(
      `  (${side} / ${raw}: ${ra.toFixed(3)}; CPU ratio ${(cpuPerEvent(b) / cpuPerEvent(a)).toFixed(3)})`,
    )
  }
}

// Each side over a slice of the prepared events (`contents` for ours, `rawFields`, the same bytes, for raw).
async function oursOne(from: number, to: number) {
  for (let i = from; i < to; i++) await publisher.publish('person', 'update', contents[i] as never)
}
async function sinkOne(from: number, to: number) {
  for (let i = from; i < to; i++) await sink.send(sinkMessages[i] as OutboundMessage)
}
async function rawOne(from: number, to: number, on: RedisClient = client) {
  for (let i = from; i < to; i++) await on.xAdd(rawStream, '*', rawFields[i] as Record<string, string>, trim)
}
/**
 * The same client without node-redis' command timeout (an AbortSignal.timeout and a listener per command), which
 * our adapter replaces with its own: a reference for what that leaves of the raw side's cost.
 */
const untimed = client.withCommandOptions({ timeout: undefined }) as RedisClient
// What publishBatch takes, made up front as the raw side's fields are: the inputs are not what is measured.
const batchInputs = contents.map(
  (content) => ({ resource: 'person', action: 'update', content }) as PersonContent,
)
async function oursBatch(from: number, to: number) {
  for (let start = from; start < to; start += BATCH)
    await publisher.publishBatch(batchInputs.slice(start, Math.min(start + BATCH, to)))
}
async function sinkBatch(from: number, to: number) {
  for (let start = from; start < to; start += BATCH)
    await sink.sendBatch(sinkMessages.slice(start, Math.min(start + BATCH, to)))
}
async function rawBatch(from: number, to: number) {
  for (let start = from; start < to; start += BATCH) {
    const multi = client.multi()
    for (const f of rawFields.slice(start, Math.min(start + BATCH, to))) multi.xAdd(rawStream, '*', f, trim)
    await multi.exec()
  }
}
async function rawPipelined(from: number, to: number) {
  for (let start = from; start < to; start += BATCH)
    await Promise.all(
      rawFields.slice(start, Math.min(start + BATCH, to)).map((f) => client.xAdd(rawStream, '*', f, trim)),
    )
}

/** Entries of `rawFields` into `key`, a MULTI of BATCH at a time (what both consume sides then read). */
async function fill(key: string, count: number) {
  for (let start = 0; start < count; start += BATCH) {
    const multi = client.multi()
    for (let i = start; i < Math.min(start + BATCH, count); i++)
      multi.xAdd(key, '*', rawFields[i % rawFields.length] as Record<string, string>, trim)
    await multi.exec()
  }
}

// Consume: each side reads `n` entries of `key` with a group of its own, from its start.
let group = 0
async function oursConsume(key: string, n: number): Promise<Timing> {
  let handled = 0
  let first = 0n
  let cpu = process.cpuUsage()
  let done!: (t: Timing) => void
  const finished = new Promise<Timing>((resolve) => (done = resolve))
  const consumer = createRedisTopicConsumer({
    catalog,
    client,
    destinations: [key],
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
      if (handled === n) {
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
async function rawConsume(key: string, n: number): Promise<Timing> {
  const g = `raw-${group++}`
  await client.xGroupCreate(key, g, '0')
  let got = 0
  let first = 0n
  let last = 0n
  let cpu = process.cpuUsage()
  let cpuUs = 0
  while (got < n) {
    const r = await client.xReadGroup(g, 'bench', [{ key, id: '>' }], { COUNT: BATCH })
    const ids: string[] = []
    for (const { messages } of r ?? [])
      for (const { id, message } of messages) {
        JSON.parse((message as Record<string, string>).data as string)
        if (got++ === 0) {
          first = process.hrtime.bigint()
          cpu = process.cpuUsage()
        }
        if (got === n) {
          // As for ours: until the n-th is handled, its XACK not waited for.
          last = process.hrtime.bigint()
          const c = process.cpuUsage(cpu)
          cpuUs = c.user + c.system
        }
        ids.push(id)
      }
    await client.xAck(key, g, ids)
  }
  return { ms: Number(last - first) / 1e6, cpuUs }
}

/** One side once, after the same warm-up at every N (WARM_UP events of its own, not measured). */
async function runOnce(mode: Mode) {
  switch (mode) {
    case 'build':
      return
    case 'ours-one':
    case 'raw-one':
    case 'sink-one':
    case 'untimed-one':
    case 'ours-batch':
    case 'raw-batch': {
      const side = {
        'ours-one': oursOne,
        'raw-one': rawOne,
        'sink-one': sinkOne,
        'untimed-one': (from: number, to: number) => rawOne(from, to, untimed),
        'ours-batch': oursBatch,
        'raw-batch': rawBatch,
      }[mode]
      await side(0, FIRST)
      await side(FIRST, FIRST + N)
      return
    }
    case 'fill':
    case 'ours-consume':
    case 'raw-consume': {
      await fill(`${stream}.warm`, FIRST)
      await fill(stream, N)
      if (mode === 'fill') return
      const side = mode === 'ours-consume' ? oursConsume : rawConsume
      await side(`${stream}.warm`, FIRST)
      await side(stream, N)
      return
    }
  }
}

try {
  if (oneOff) {
    keys.push(`${stream}.warm`)
    await runOnce(oneOff)
  } else {
    console.log(`Redis ${url}, ${N} person events per round, ${ROUNDS} rounds per side, medians\n`)
    // Warm both paths (JIT, connections).
    await oursOne(0, 200)
    await sinkOne(0, 200)
    await rawOne(0, 200)
    await client.del([stream, rawStream, sinkStream])

    const one = await rounds({
      ours: () => time(() => oursOne(0, N)),
      'raw XADD': () => time(() => rawOne(0, N)),
      'sink alone, encoded up front': () => time(() => sinkOne(0, N)),
      'raw XADD, node-redis timeout off': () => time(() => rawOne(0, N, untimed)),
    })
    report(
      'publish, one by one',
      one,
      'ours',
      'raw XADD',
      '0.90',
      'sink alone, encoded up front',
      'raw XADD, node-redis timeout off',
    )

    const batch = await rounds({
      ours: () => time(() => oursBatch(0, N)),
      'raw XADDs, pipelined': () => time(() => rawPipelined(0, N)),
      'raw XADDs in MULTI/EXEC': () => time(() => rawBatch(0, N)),
      'sink alone, encoded up front': () => time(() => sinkBatch(0, N)),
    })
    report(
      'publish, batches of 100',
      batch,
      'ours',
      'raw XADDs in MULTI/EXEC',
      '0.90',
      'sink alone, encoded up front',
    )

    // From the entries published above: ours reads the stream ours wrote, raw the one raw wrote.
    const consume = await rounds({
      ours: () => oursConsume(stream, N),
      'raw XREADGROUP + JSON.parse + XACK': () => rawConsume(rawStream, N),
    })
    report('consume', consume, 'ours', 'raw XREADGROUP + JSON.parse + XACK', '0.85')
  }
} finally {
  await client.del(keys)
  client.destroy()
}
