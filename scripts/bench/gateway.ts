/**
 * Gateway ingestion throughput against a real broker: `npm run bench:gateway` (KAFKA_BROKERS, default
 * 127.0.0.1:19092). Structured CloudEvents (a dataset, ~1 KB, a fresh id per request so nothing is a duplicate)
 * POSTed by autocannon at 50 connections to
 *
 *   gateway    `createGateway` on @hono/node-server with a Kafka sink: token, CloudEvents SDK, routes, envelope,
 *              validation, de-duplication, publish (group commit: concurrent requests share one send), answer
 *   one-by-one the same gateway with `coalesce: false`: each request is its own send, as the baseline's
 *   unqueued   the same again, `coalesce: false`, on a sink that hands each message to its kafkajs producer at once,
 *              as the baseline does: what the gateway's own work costs. kafkaSink sends one request at a time (so
 *              that a leader failover cannot make the idempotent producer drop an acknowledged event), which the
 *              baseline does not; one-by-one pays that rule, unqueued does not
 *   baseline   a minimal hand-written node:http handler: parse the JSON, build the same message (our envelope,
 *              the same key and ce_ headers) and send it with kafkajs, answer 202
 *
 * The servers run in one child process (so autocannon's own work is not on their event loop), each with its own
 * producer configured alike (idempotent, acks -1, as kafkaSink makes it). Rounds rotate the four in the same run;
 * the figures are ratios of the medians to the baseline's. Bounded, no thresholds.
 *   ROUNDS (default 5), SECONDS per round (default 5), CONNECTIONS (default 50).
 */
import { fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import { catalog } from '../../generated/index.ts'
import { createGateway, listenGateway } from '../../gateway/index.ts'
import { resolveTokens } from '../../http/tokens.ts'
import type { OutboundMessage, Sink } from '../../core/index.ts'
import { kafkaHeaders, kafkaSink } from '../../transports/kafka/index.ts'

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean)
const TOKEN = 'bench-gateway-token'
const SCHEMA = catalog.resources.dataset.versions[1].uri

/** The dataset every request carries (the notes pad it to ~1 KB). */
const DATASET = {
  id: 'c0ffee00-1d2e-4f3a-9b8c-7d6e5f4a3b2c',
  name: 'afg-health-facilities',
  title: 'Afghanistan: health facilities',
  notes: 'Health facilities in **Afghanistan**, from the ministry survey. '.repeat(8),
  license_id: 'cc-by',
  private: false,
  state: 'active',
  tags: ['health', 'facilities'],
  groups: [{ name: 'afg', title: 'Afghanistan' }],
  organization: { id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', name: 'who' },
  resources: [
    {
      id: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
      name: 'facilities.csv',
      format: 'CSV',
      url: 'https://data.example.org/afg/facilities.csv',
      last_modified: '2026-11-19T17:00:00Z',
    },
  ],
}

// --- the servers (child process) ----------------------------------------------------------------------------------
async function serve(prefix: string): Promise<void> {
  const kafka = new Kafka({ clientId: prefix, brokers, logLevel: logLevel.NOTHING })
  const tokens = resolveTokens({ admin: [TOKEN] })
  const sink = kafkaSink({ kafka })
  await sink.connect()
  const gateway = await listenGateway(createGateway({ catalog, sink, tokens, topicPrefix: prefix }), {
    port: 0,
  })
  const single = kafkaSink({ kafka })
  await single.connect()
  const oneByOne = await listenGateway(
    createGateway({ catalog, sink: single, tokens, topicPrefix: prefix, coalesce: false }),
    { port: 0 },
  )

  // kafkajs' producer as the baseline uses it: concurrent sends, queued by kafkajs itself (one in flight per broker).
  const bare = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  })
  await bare.connect()
  const record = (m: OutboundMessage) => ({
    key: m.key,
    value: typeof m.value === 'string' ? m.value : Buffer.from(m.value), // the gateway's values are JSON text
    headers: kafkaHeaders(m),
  })
  const unqueuedSink: Sink = {
    send: async (m) => bare.send({ topic: m.destination, messages: [record(m)], acks: -1 }),
    sendBatch: async (ms) =>
      bare.sendBatch({
        topicMessages: ms.map((m) => ({ topic: m.destination, messages: [record(m)] })),
        acks: -1,
      }),
  }
  const unqueued = await listenGateway(
    createGateway({ catalog, sink: unqueuedSink, tokens, topicPrefix: prefix, coalesce: false }),
    { port: 0 },
  )

  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  })
  await producer.connect()
  const topic = `${prefix}.hdx-datasets`
  const baseline = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const ce = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      const action = ce.type.slice(ce.type.lastIndexOf('.') + 1)
      const envelope = {
        id: ce.id,
        time: ce.time ?? new Date().toISOString(),
        source: ce.source,
        action,
        resource: { schema: SCHEMA, content: ce.data },
      }
      producer
        .send({
          topic,
          acks: -1,
          messages: [
            {
              key: ce.data.id,
              value: JSON.stringify(envelope),
              headers: {
                ce_specversion: '1.0',
                ce_id: ce.id,
                ce_source: ce.source,
                ce_type: ce.type,
                ce_time: envelope.time,
                ce_dataschema: SCHEMA,
                'content-type': 'application/json',
              },
            },
          ],
        })
        .then(
          () => {
            res.writeHead(202, { 'content-type': 'application/json' })
            res.end(JSON.stringify({ ids: [ce.id] }))
          },
          () => {
            res.writeHead(503)
            res.end()
          },
        )
    })
  })
  await new Promise<void>((resolve) => baseline.listen(0, '127.0.0.1', resolve))
  const port = (baseline.address() as { port: number }).port
  process.send?.({
    gateway: gateway.url,
    'one-by-one': oneByOne.url,
    unqueued: unqueued.url,
    baseline: `http://127.0.0.1:${port}`,
  })
  process.on('message', async () => {
    await gateway.close()
    await oneByOne.close()
    await unqueued.close()
    await bare.disconnect()
    await sink.close()
    await single.close()
    baseline.close()
    await producer.disconnect()
    process.exit(0)
  })
}

const CONTENDERS = ['gateway', 'one-by-one', 'unqueued', 'baseline'] as const
type Contender = (typeof CONTENDERS)[number]

// --- the load (parent) --------------------------------------------------------------------------------------------
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

async function load(
  url: string,
  seconds: number,
  connections: number,
): Promise<{ rps: number; errors: number }> {
  const result = await autocannon({
    url: `${url}/events`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/cloudevents+json', authorization: `Bearer ${TOKEN}` },
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({
            specversion: '1.0',
            id: randomUUID(),
            source: 'urn:hdx:ckan',
            type: 'dataset.update',
            time: '2026-11-21T10:00:00Z',
            data: DATASET,
          }),
        }),
      },
    ],
  })
  return { rps: result['2xx'] / seconds, errors: result.non2xx + result.errors + result.timeouts }
}

async function main(): Promise<void> {
  const rounds = Number(process.env.ROUNDS ?? 5)
  const seconds = Number(process.env.SECONDS ?? 5)
  const connections = Number(process.env.CONNECTIONS ?? 50)
  const prefix = `bench-gw-${randomUUID().slice(0, 8)}`
  const kafka = new Kafka({ clientId: prefix, brokers, logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  const topic = `${prefix}.hdx-datasets`
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })
  const child = fork(fileURLToPath(import.meta.url), ['--serve', prefix], { execArgv: ['--import', 'tsx'] })
  try {
    const urls = await new Promise<Record<Contender, string>>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Record<Contender, string>))
      child.once('exit', (code) => reject(new Error(`server process exited (${code})`)))
    })
    console.log(
      `gateway ingestion, ${connections} connections, ${rounds} rounds × ${seconds} s each, rotating; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${cpus().length} cores (a shared machine: figures are noisy)`,
    )
    for (const c of CONTENDERS) await load(urls[c], 2, connections) // warm-up: connections, JIT, topic metadata
    const figures: Record<Contender, number[]> = { gateway: [], 'one-by-one': [], unqueued: [], baseline: [] }
    for (let i = 0; i < rounds; i++) {
      const order = CONTENDERS.map((_, k) => CONTENDERS[(i + k) % CONTENDERS.length] as Contender)
      for (const which of order) {
        const r = await load(urls[which], seconds, connections)
        figures[which].push(r.rps)
        console.log(
          `  round ${i + 1} ${which.padEnd(10)} ${r.rps.toFixed(0).padStart(6)} events/s${r.errors ? `  (${r.errors} errors)` : ''}`,
        )
      }
    }
    const b = median(figures.baseline)
    console.log(`median baseline ${b.toFixed(0)} events/s`)
    for (const c of ['gateway', 'one-by-one', 'unqueued'] as const) {
      const m = median(figures[c])
      console.log(`median ${c} ${m.toFixed(0)} events/s: ratio to baseline ${(m / b).toFixed(2)}`)
    }
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    )
  } finally {
    child.send('stop')
    await new Promise((r) => child.once('exit', r))
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
    await admin.disconnect()
  }
}

const at = process.argv.indexOf('--serve')
if (at >= 0) await serve(process.argv[at + 1] as string)
else await main()
