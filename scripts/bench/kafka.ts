/**
 * Kafka benchmarks against a real broker, in one run: `npm run bench:kafka` (KAFKA_BROKERS, default 127.0.0.1:19092).
 * A sequence of named sections sharing one setup; each prints its figures and ratios. Bounded loops, no thresholds.
 *
 *   publisher throughput   publishBatch (build + validate + stringify + send) vs raw kafkajs sendBatch
 *   validated encode       the publisher's encoder (createEncoder) vs confluent-schema-registry's JSON encode
 *   framed encode          the same, framed in Confluent's wire format (frameValue, the id known) vs its encode
 *   consumer throughput    createConsumer (decode + validate + typed dispatch) vs raw kafkajs eachMessage + JSON.parse
 */
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import type {
  JsonConfluentSchema,
  JsonOptions,
  Schema,
} from '@kafkajs/confluent-schema-registry/dist/@types.js'
import addFormats from 'ajv-formats'
import Ajv2020 from 'ajv/dist/2020.js'
import { Kafka, logLevel, type Message } from 'kafkajs'
import { do_not_optimize, measure } from 'mitata'
import {
  buildEnvelope,
  checkEvent as check,
  createEncoder,
  cloudEventAttributes,
  frameValue,
  topicOf as topicIn,
  type BaseEnvelope,
  type BatchEvent as AnyBatchEvent,
  type ContentOf as ContentIn,
} from '../../core/index.ts'
import { catalog, schemas, type ContractCatalog } from '../../generated/index.ts'
import {
  CE_HEADER,
  createKafkaConsumer,
  createKafkaPublisher,
  ensureTopics,
} from '../../transports/kafka/index.ts'

type ContentOf<R extends keyof ContractCatalog['resources']> = ContentIn<ContractCatalog, R>
type BatchEvent = AnyBatchEvent<ContractCatalog>
const checkEvent = (data: unknown) => check(catalog, data)
const topicOf = (r: keyof ContractCatalog['resources'], p?: string) => topicIn(catalog, r, p)
const envelopeSchema = catalog.envelope
/** The `ce_` headers our publisher writes, for the raw kafkajs baselines. */
const cloudEventHeaders = (event: BaseEnvelope, resource: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(cloudEventAttributes(event, resource)).map(([k, v]) => [
      CE_HEADER[k as keyof typeof CE_HEADER],
      v,
    ]),
  )

// --- setup -------------------------------------------------------------------------------------------------------
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean)
const prefix = `bench-${randomUUID().slice(0, 8)}`
const kafka = new Kafka({ clientId: prefix, brokers, logLevel: logLevel.NOTHING })
const admin = kafka.admin()
const SOURCE = 'urn:event-contracts:bench'
const RESOURCE = 'time-entry'
const URI = catalog.resources[RESOURCE].versions[2].uri

/** A ~1 KB time entry (the notes pad it); the n-th has its own owner so keys spread over partitions. */
function entry(n: number): ContentOf<'time-entry'> {
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
/** BENCH_SECTIONS=consumer (or publisher, encode; comma-separated) runs only those sections; default all. */
const sections = process.env.BENCH_SECTIONS?.split(',').map((x) => x.trim())
const wanted = (section: string) => sections === undefined || sections.includes(section)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

await admin.connect()
const topic = topicOf(RESOURCE, prefix)
await ensureTopics(admin, { catalog, topicPrefix: prefix, resources: [RESOURCE], partitions: 3 })
console.log(`broker ${brokers.join(',')}  topic ${topic} (3 partitions)  node ${process.version}\n`)

try {
  // --- publisher throughput ----------------------------------------------------------------------------------------
  if (wanted('publisher')) {
    const EVENTS = 20_000
    const BATCH = 500
    const ROUNDS = 5
    // Batches each side keeps in flight. 1: one batch after another, so the publisher's validation adds to every
    // round trip. 2: like a service with several request handlers, one batch's preparation overlaps the previous
    // batch's round trip, and the CPU becomes the limit. Both sides always get the same. BENCH_CONCURRENCY=1,2
    const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '1,2').split(',').map(Number)
    // One producer for both sides, configured as the publisher configures its own: the only difference measured is
    // what the publisher does before sendBatch (validating the envelope and the content).
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    })
    await producer.connect()
    const publisher = createKafkaPublisher({ catalog, producer, source: SOURCE, topicPrefix: prefix })
    const contents = Array.from({ length: EVENTS }, (_, i) => entry(i))
    const bytes = Buffer.byteLength(
      JSON.stringify(buildEnvelope('update', URI, contents[0] as object, { source: SOURCE })),
    )

    const inBatches = async (concurrency: number, send: (from: number) => Promise<unknown>) => {
      let next = 0
      const worker = async () => {
        for (let i = (next += BATCH) - BATCH; i < EVENTS; i = (next += BATCH) - BATCH) await send(i)
      }
      await Promise.all(Array.from({ length: concurrency }, worker))
    }
    // Raw: what a service without contracts does for the same messages: build the envelope, stringify, same headers.
    const raw = (concurrency: number) =>
      inBatches(concurrency, (i) => {
        const messages: Message[] = contents.slice(i, i + BATCH).map((c) => {
          const event = buildEnvelope('update', URI, c, { source: SOURCE })
          return { key: c.ownerId, value: JSON.stringify(event), headers: cloudEventHeaders(event, RESOURCE) }
        })
        return producer.sendBatch({ topicMessages: [{ topic, messages }], acks: -1 })
      })
    const published = (concurrency: number) =>
      inBatches(concurrency, (i) =>
        publisher.publishBatch(
          contents
            .slice(i, i + BATCH)
            .map((content): BatchEvent => ({ resource: RESOURCE, action: 'update', content })),
        ),
      )
    const time = async (f: () => Promise<void>) => {
      const t = performance.now()
      await f()
      return performance.now() - t
    }

    console.log(
      `publisher throughput: ${fmt(EVENTS)} events of ${fmt(bytes)} B, batches of ${BATCH}, acks=all, idempotent, one producer`,
    )
    await raw(1) // warm-up: connections, metadata, JIT
    await published(1)
    for (const concurrency of CONCURRENCIES) {
      const rawMs: number[] = []
      const pubMs: number[] = []
      for (let r = 0; r < ROUNDS; r++) {
        // Alternate, and swap who goes first, so broker-side drift (log roll, page cache) falls on both.
        const pair = [
          () => time(() => raw(concurrency)).then((ms) => rawMs.push(ms)),
          () => time(() => published(concurrency)).then((ms) => pubMs.push(ms)),
        ]
        for (const run of r % 2 ? pair.reverse() : pair) await run()
      }
      const rate = (ms: number) => EVENTS / (ms / 1000)
      const rawRate = rate(median(rawMs))
      const pubRate = rate(median(pubMs))
      console.log(`  ${concurrency} batch(es) in flight`)
      console.log(
        `    raw kafkajs sendBatch     ${fmt(rawRate).padStart(9)} events/s  (median of ${ROUNDS}: ${rawMs.map((m) => fmt(m)).join(' / ')} ms)`,
      )
      console.log(
        `    publisher.publishBatch    ${fmt(pubRate).padStart(9)} events/s  (median of ${ROUNDS}: ${pubMs.map((m) => fmt(m)).join(' / ')} ms)`,
      )
      console.log(`    ratio publisher / raw     ${fmt(pubRate / rawRate, 3)}  (goal >= 0.95)`)
    }
    console.log('')
    await producer.disconnect()
  }

  // --- validated encode vs confluent-schema-registry -------------------------------------------------------------------
  if (wanted('encode')) {
    // The registry client's JSON Schema serializer with a custom 2020-12 ajv (ajv-formats, as teams set it up).
    // No registry server here: the schema is put in the client's cache under an id, as `register` would leave it.
    // ajv's defaults otherwise (allErrors off: it stops at the first error, which only helps it here).
    const ajv = new Ajv2020.default({ strict: false })
    addFormats.default(ajv)
    ajv.addSchema(schemas[envelopeSchema.uri] as object)
    ajv.addSchema(schemas[URI] as object)
    const eventSchema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'urn:bench:time-entry-event',
      allOf: [{ $ref: envelopeSchema.uri }],
      properties: { resource: { properties: { content: { $ref: URI } } } },
    }
    // The client types ajvInstance with its own copy of ajv's types; the instance is the same kind of object.
    const ajvInstance = ajv as unknown as NonNullable<JsonOptions['ajvInstance']>
    const registry = new SchemaRegistry(
      { host: 'http://127.0.0.1:1' },
      { [SchemaType.JSON]: { ajvInstance } },
    )
    // JsonSchema is the client's own (CommonJS, not re-exported): the class its registry builds for a JSON schema.
    const { default: JsonSchema } = createRequire(import.meta.url)(
      '@kafkajs/confluent-schema-registry/dist/JsonSchema',
    ) as {
      default: new (schema: JsonConfluentSchema, opts?: JsonOptions) => Schema
    }
    const REGISTRY_ID = 1
    registry.cache.setSchema(
      REGISTRY_ID,
      SchemaType.JSON,
      new JsonSchema({ type: SchemaType.JSON, schema: JSON.stringify(eventSchema) }, { ajvInstance }),
    )

    const content = entry(1)
    // What the publisher runs per event: the kernel's encoder (envelope, validation, the version's compiled
    // serializer, attributes, destination and key), not a hand-made stand-in for it.
    const encoder = createEncoder(catalog, { source: SOURCE })
    const input = {
      resource: RESOURCE,
      action: 'update',
      body: content,
      asReference: false,
      meta: {},
    } as const
    const ours = () => {
      const r = encoder.encode(input)
      if (!r.ok) throw new Error('invalid')
      return r.value.value
    }
    const confluent = () =>
      registry.encode(REGISTRY_ID, buildEnvelope('update', URI, content, { source: SOURCE }))

    // Sanity: both accept the event and refuse an impossible date in the content; same JSON after the 5-byte header.
    const fixed = buildEnvelope('update', URI, content, { source: SOURCE })
    const encoded = await registry.encode(REGISTRY_ID, fixed)
    if (encoded.subarray(5).toString() !== JSON.stringify(fixed)) throw new Error('encodings differ')
    const impossible = {
      ...fixed,
      resource: { ...fixed.resource, content: { ...content, actualEndTime: '2026-02-30T00:00:00Z' } },
    }
    if (checkEvent(impossible).ok) throw new Error('ours accepted an impossible date')
    if (
      await registry.encode(REGISTRY_ID, impossible).then(
        () => true,
        () => false,
      )
    )
      throw new Error('confluent accepted an impossible date')

    const a = await measure(() => do_not_optimize(ours()))
    // kafkajs turns a string value into bytes itself; this row does it here, to compare like with like (a Buffer).
    const a2 = await measure(() => do_not_optimize(Buffer.from(ours())))
    const b = await measure(async () => do_not_optimize(await confluent()))
    // Where the time goes: the validation alone, ours against the very ajv function the client calls.
    const ajvValidate = ajv.getSchema('urn:bench:time-entry-event')
    if (!ajvValidate) throw new Error('event schema not compiled')
    const v1 = await measure(() => do_not_optimize(checkEvent(fixed)))
    const v2 = await measure(() => do_not_optimize(ajvValidate(fixed)))
    const j = await measure(() => do_not_optimize(JSON.stringify(fixed)))
    console.log(
      `validated encode of one ~${fmt(Buffer.byteLength(JSON.stringify(fixed)))} B event (envelope build + validation + JSON), per event:`,
    )
    console.log(
      `  ours: the publisher's encoder (validate + serialize)   ${fmt(a.avg, 0).padStart(7)} ns  (p50 ${fmt(a.p50, 0)} ns)`,
    )
    console.log(
      `  ours, then Buffer.from (bytes, as confluent returns)    ${fmt(a2.avg, 0).padStart(7)} ns  (p50 ${fmt(a2.p50, 0)} ns)`,
    )
    console.log(
      `  confluent-schema-registry encode (ajv 2020 + formats)  ${fmt(b.avg, 0).padStart(7)} ns  (p50 ${fmt(b.p50, 0)} ns)`,
    )
    console.log(
      `  of which validation: checkEvent ${fmt(v1.avg)} ns vs ajv 2020 + ajv-formats ${fmt(v2.avg)} ns (${fmt(v2.avg / v1.avg, 1)}x); JSON.stringify alone ${fmt(j.avg)} ns, paid by both`,
    )
    console.log(
      `  speed-up confluent / ours  ${fmt(b.avg / a.avg, 2)}x on averages, ${fmt(b.p50 / a.p50, 2)}x on medians; with Buffer.from ${fmt(b.avg / a2.avg, 2)}x / ${fmt(b.p50 / a2.p50, 2)}x  (goal >= 3x)\n`,
    )

    // Framed encode: what `wireFormat: 'confluent'` does per event once the version's id is cached (the id look-up
    // is once per version), against the client's encode, which frames too. Same bytes after the 5-byte header.
    const framed = () => {
      const r = encoder.encode(input)
      if (!r.ok) throw new Error('invalid')
      return frameValue(REGISTRY_ID, r.value.value)
    }
    const ourFrame = framed()
    if (ourFrame.readInt32BE(1) !== REGISTRY_ID || ourFrame[0] !== 0) throw new Error('not a frame')
    const f = await measure(() => do_not_optimize(framed()))
    const c2 = await measure(async () => do_not_optimize(await confluent()))
    console.log(`framed encode (Confluent's wire format: magic byte, schema id, JSON), per event:`)
    console.log(
      `  ours: encoder + frameValue                              ${fmt(f.avg, 0).padStart(7)} ns  (p50 ${fmt(f.p50, 0)} ns)`,
    )
    console.log(
      `  confluent-schema-registry encode                        ${fmt(c2.avg, 0).padStart(7)} ns  (p50 ${fmt(c2.p50, 0)} ns)`,
    )
    console.log(
      `  speed-up confluent / ours  ${fmt(c2.avg / f.avg, 2)}x on averages, ${fmt(c2.p50 / f.p50, 2)}x on medians  (goal >= 3x; instruction counts: scripts/bench/encode-instructions.sh)\n`,
    )
  }

  // --- consumer throughput (added by consumers) ---------------------------------------------------------------------
  if (wanted('consumer')) {
    // The same N pre-produced ~1 KB events (valid, with ce_ headers), read by a fresh group each round: raw kafkajs
    // eachMessage + JSON.parse vs createConsumer (header routing, JSON, envelope + content validation, typed
    // dispatch, per-message offset resolution). Timed from the first message handled to the N-th, so the group
    // join (the same for both) is left out. One consumer each, kafkajs defaults, partitions one at a time.
    const EVENTS = 20_000
    const ROUNDS = 5
    const cprefix = `${prefix}-c`
    const ctopic = topicOf(RESOURCE, cprefix)
    await ensureTopics(admin, { catalog, topicPrefix: cprefix, resources: [RESOURCE], partitions: 3 })
    try {
      const producer = kafka.producer({ allowAutoTopicCreation: false })
      await producer.connect()
      for (let i = 0; i < EVENTS; i += 1000) {
        const messages: Message[] = Array.from({ length: Math.min(1000, EVENTS - i) }, (_, j) => {
          const c = entry(i + j)
          const event = buildEnvelope('update', URI, c, { source: SOURCE })
          return {
            key: c.ownerId,
            value: JSON.stringify(event),
            headers: { ...cloudEventHeaders(event, RESOURCE) },
          }
        })
        await producer.sendBatch({ topicMessages: [{ topic: ctopic, messages }], acks: -1 })
      }
      await producer.disconnect()

      const groups: string[] = []
      /** Wall time and this process's CPU time from the first event handled to the N-th. */
      const timed = async (run: (tick: () => void) => Promise<() => Promise<void>>) => {
        let first = 0
        let cpu = process.cpuUsage()
        let n = 0
        let finish!: (r: { ms: number; cpuUs: number }) => void
        const done = new Promise<{ ms: number; cpuUs: number }>((r) => (finish = r))
        const tick = () => {
          if (n++ === 0) {
            first = performance.now()
            cpu = process.cpuUsage()
          }
          if (n === EVENTS) {
            const c = process.cpuUsage(cpu)
            finish({ ms: performance.now() - first, cpuUs: c.user + c.system })
          }
        }
        const stop = await run(tick)
        const r = await done
        await stop()
        return r
      }
      const raw = (validate = false) =>
        timed(async (tick) => {
          const groupId = `${cprefix}-raw-${randomUUID().slice(0, 8)}`
          groups.push(groupId)
          const c = kafka.consumer({ groupId })
          await c.connect()
          await c.subscribe({ topics: [ctopic], fromBeginning: true })
          await c.run({
            eachMessage: async ({ message }) => {
              const data: unknown = JSON.parse(message.value?.toString() ?? 'null')
              do_not_optimize(validate ? checkEvent(data).ok : data)
              tick()
            },
          })
          return () => c.disconnect()
        })
      const ours = () =>
        timed(async (tick) => {
          const groupId = `${cprefix}-ours-${randomUUID().slice(0, 8)}`
          groups.push(groupId)
          const c = createKafkaConsumer({
            catalog,
            kafka,
            groupId,
            topicPrefix: cprefix,
            handlers: { [RESOURCE]: { update: tick } },
          })
          await c.start()
          return () => c.stop()
        })

      await raw() // warm-up: connections, metadata, JIT
      await raw(true)
      await ours()
      const runs = {
        raw: [] as { ms: number; cpuUs: number }[],
        checked: [] as { ms: number; cpuUs: number }[],
        ours: [] as { ms: number; cpuUs: number }[],
      }
      for (let r = 0; r < ROUNDS; r++) {
        // Rotate who goes first, so broker-side drift and neighbours' load fall on all three.
        const order = [() => raw(), () => raw(true), () => ours()]
        for (let i = 0; i < 3; i++) {
          const k = (i + r) % 3
          const result = await (order[k] as () => Promise<{ ms: number; cpuUs: number }>)()
          runs[(['raw', 'checked', 'ours'] as const)[k] as 'raw' | 'checked' | 'ours'].push(result)
        }
      }
      await admin.deleteGroups(groups).catch(() => undefined)
      const rate = (xs: { ms: number }[]) => EVENTS / (median(xs.map((x) => x.ms)) / 1000)
      const cpu = (xs: { cpuUs: number }[]) => median(xs.map((x) => x.cpuUs)) / EVENTS
      const row = (name: string, xs: { ms: number; cpuUs: number }[]) =>
        console.log(
          `  ${name.padEnd(50)} ${fmt(rate(xs)).padStart(9)} events/s  ${fmt(cpu(xs), 1).padStart(5)} µs CPU/event  (${xs.map((x) => fmt(x.ms)).join(' / ')} ms)`,
        )
      console.log(
        `consumer throughput: ${fmt(EVENTS)} pre-produced events, 3 partitions, a fresh group per round, median of ${ROUNDS}`,
      )
      row('raw kafkajs eachMessage + JSON.parse', runs.raw)
      row('raw kafkajs eachMessage + JSON.parse + checkEvent', runs.checked)
      row('createConsumer (validated, typed, dead letters)', runs.ours)
      console.log(
        `  ratio consumer / raw                                ${fmt(rate(runs.ours) / rate(runs.raw), 3)}  (goal >= 0.90; CPU ratio ${fmt(cpu(runs.raw) / cpu(runs.ours), 3)})`,
      )
      console.log(
        `  ratio consumer / raw + checkEvent                   ${fmt(rate(runs.ours) / rate(runs.checked), 3)}  (the consumer's own cost beyond validating)\n`,
      )
    } finally {
      await admin.deleteTopics({ topics: [ctopic] }).catch(() => undefined)
    }
  }
} finally {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
  await admin.disconnect()
}
