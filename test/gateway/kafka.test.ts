/**
 * The gateway and the forwarder end to end on the real broker: topics of their own, a gateway listening on loopback
 * with a Kafka sink, webhook receivers on loopback that verify every signature.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkEvent, type Catalog, type DeadLetter, type EventConsumer } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import {
  createGateway,
  createWebhookBatchForwarder,
  createWebhookForwarder,
  listenGateway,
  resolveRoutes,
  type ListeningGateway,
} from '../../gateway/index.ts'
import {
  createKafkaTopicConsumer,
  createKafkaBatchConsumer,
  DLQ_HEADERS,
  kafkaSink,
  type KafkaSink,
} from '../../transports/kafka/index.ts'
import { consumerConfig, TestKafka, until } from '../consumers/kafka.ts'
import { endOffsets } from '../publishers/kafka-helpers.ts'
import {
  ADMIN,
  BATCH,
  bearer,
  datasetContent,
  datasetEvent,
  deadUrl,
  newSecret,
  receiver,
  STRUCTURED,
  tokens,
} from './helpers.ts'

const t = new TestKafka('gateway')
const topic = `${t.prefix}.hdx-datasets`
const secret = newSecret()
let sink: KafkaSink
let gateway: ListeningGateway
let hooked: Awaited<ReturnType<typeof receiver>>
const consumers: EventConsumer[] = []

beforeAll(async () => {
  await t.setup([topic], 3)
  hooked = await receiver(secret)
  sink = kafkaSink({ kafka: t.kafka })
  const routes = resolveRoutes(
    {
      routes: [
        { name: 'all', type: '*' },
        {
          name: 'kedro',
          source: 'example.com',
          type: 'dataset.create',
          action: 'both',
          webhook: { url: hooked.url, secretEnv: 'S' },
        },
      ],
    },
    () => secret,
  )
  gateway = await listenGateway(createGateway({ catalog, sink, tokens, routes, topicPrefix: t.prefix }), {
    port: 0,
    onClose: () => sink.close(),
  })
})

afterAll(async () => {
  for (const c of consumers) await c.stop()
  await gateway?.close()
  await hooked?.close()
  await t.cleanup()
})

const post = (body: unknown, headers: Record<string, string> = STRUCTURED) =>
  fetch(`${gateway.url}/events`, {
    method: 'POST',
    headers: { ...bearer(ADMIN), ...headers },
    body: JSON.stringify(body),
  })

const admin = async () => {
  const a = t.kafka.admin()
  await a.connect()
  return a
}

describe('ingestion on the real broker', () => {
  it('binary, structured and batch events reach the resource topic, valid, with CloudEvents headers', async () => {
    const structured = datasetEvent()
    const binaryId = randomUUID()
    const batch = [datasetEvent({ type: 'dataset.create' }), datasetEvent({ type: 'dataset.delete' })]
    expect((await post(structured)).status).toBe(202)
    const binary = await post(datasetContent(), {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': binaryId,
      'ce-source': 'urn:hdx:ckan',
      'ce-type': 'dataset.update',
    })
    expect(binary.status).toBe(202)
    expect((await post(batch, BATCH)).status).toBe(202)

    const read = await t.read(topic, 4)
    expect(read.map((r) => JSON.parse(r.value as string).id).sort()).toEqual(
      [structured.id, binaryId, ...batch.map((e) => e.id)].sort(),
    )
    for (const r of read) {
      const event = JSON.parse(r.value as string)
      expect(checkEvent(catalog, event).ok).toBe(true)
      expect(r.key).toBe(datasetContent().id)
      expect(r.headers).toMatchObject({
        ce_specversion: '1.0',
        ce_id: event.id,
        ce_type: `dataset.${event.action}`,
      })
    }
  })

  it('an invalid event, alone or in a batch: 422 with pointers, and the end offsets do not move', async () => {
    const a = await admin()
    try {
      const before = await endOffsets(a, [topic])
      const bad = await post(datasetEvent({ data: { ...datasetContent(), name: 'Not A Name' } }))
      expect(bad.status).toBe(422)
      expect(((await bad.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([
        '/data/name',
      ])
      const badBatch = await post(
        [datasetEvent(), datasetEvent({ data: { ...datasetContent(), private: 'no' } })],
        BATCH,
      )
      expect(badBatch.status).toBe(422)
      expect(((await badBatch.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([
        '/1/data/private',
      ])
      expect(await endOffsets(a, [topic])).toEqual(before)
    } finally {
      await a.disconnect()
    }
  })

  it('a route to a webhook: the receiver on loopback verifies the signature; the event is also published', async () => {
    const a = await admin()
    try {
      const total = async () => (await endOffsets(a, [topic]))[topic]?.reduce((n, o) => n + Number(o), 0)
      const before = await total()
      const event = datasetEvent({ source: 'example.com', type: 'dataset.create' })
      const res = await post(event)
      expect(res.status).toBe(202)
      expect(((await res.json()) as { events: { webhooks: string[] }[] }).events[0]?.webhooks).toEqual([
        'kedro',
      ])
      const got = hooked.received.find((r) => JSON.parse(r.body).id === event.id)
      expect(got?.verified).toBe(true)
      expect(JSON.parse(got?.body as string)).toMatchObject({ type: 'dataset.create', source: 'example.com' })
      expect(await total()).toBe((before as number) + 1)
    } finally {
      await a.disconnect()
    }
  })
})

describe('the webhook forwarder on the real broker', () => {
  /** A topic of its own per case, its events published through the gateway. */
  async function forwardFrom(
    name: string,
    url: string,
    maxAttempts: number,
    onDead?: (summary: string) => void,
    batch?: { size: number; shape: 'hdx' | 'cloudevent' },
  ) {
    const own = `${t.prefix}-${name}.hdx-datasets`
    await t.setup([own], 1)
    const forwarding = {
      url,
      secret,
      maxAttempts,
      backoffMs: { initialMs: 50, maxMs: 200 },
      timeoutMs: 2_000,
    }
    const common = {
      catalog,
      kafka: t.kafka,
      groupId: t.group(name),
      destinations: [own],
      start: { from: 'committed', otherwise: 'earliest' } as const,
      consumerConfig,
      maxConsecutiveErrors: 100,
      onDeadLetter: (d: DeadLetter) => onDead?.(d.summary),
    }
    const consumer = batch
      ? createKafkaBatchConsumer({
          ...common,
          ...createWebhookBatchForwarder<Catalog>({
            ...forwarding,
            shape: batch.shape,
            batchSize: batch.size,
          }),
        })
      : createKafkaTopicConsumer({ ...common, ...createWebhookForwarder<Catalog>(forwarding) })
    consumers.push(consumer)
    const publish = async (events: Record<string, unknown>[]) => {
      const s = kafkaSink({ kafka: t.kafka })
      const g = createGateway({ catalog, sink: s, tokens, topicPrefix: `${t.prefix}-${name}` })
      const res = await g.request('/events', {
        method: 'POST',
        headers: { ...BATCH, ...bearer(ADMIN) },
        body: JSON.stringify(events),
      })
      await s.close()
      expect(res.status).toBe(202)
    }
    return { topic: own, consumer, publish, group: t.group(name) }
  }

  it('a receiver that fails three times (503, 429 with Retry-After, 500) then succeeds: delivered once, committed', async () => {
    const flaky = await receiver(secret, [
      { status: 503 },
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 500 },
      { status: 204 },
    ])
    try {
      const f = await forwardFrom('flaky', flaky.url, 5)
      const event = datasetEvent()
      await f.publish([event])
      await f.consumer.start()
      await until('a 2xx', () => flaky.delivered().length === 1, 30_000)
      expect(flaky.received.map((r) => r.status)).toEqual([503, 429, 500, 204])
      expect(flaky.received.every((r) => r.verified)).toBe(true)
      expect(new Set(flaky.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([event.id]))
      // Retry-After: 1 was honoured before the third attempt.
      expect((flaky.received[2]?.at ?? 0) - (flaky.received[1]?.at ?? 0)).toBeGreaterThanOrEqual(950)
      expect(JSON.parse(flaky.delivered()[0]?.body as string)).toMatchObject({
        id: event.id,
        type: 'dataset.update',
      })
      await f.consumer.stop()
      const a = await admin()
      try {
        const [committed] = await a.fetchOffsets({ groupId: t.group('flaky'), topics: [f.topic] })
        expect(committed?.partitions[0]?.offset).toBe('1')
        expect(await endOffsets(a, [`${f.topic}.dlq`])).toEqual({ [`${f.topic}.dlq`]: ['0'] })
      } finally {
        await a.disconnect()
      }
    } finally {
      await flaky.close()
    }
  })

  it('a receiver that is down: each event is dead-lettered after N attempts with the reason, nothing lost', async () => {
    const summaries: string[] = []
    const f = await forwardFrom('down', await deadUrl(), 3, (s) => summaries.push(s))
    const events = [datasetEvent(), datasetEvent({ data: { ...datasetContent(), id: randomUUID() } })]
    await f.publish(events)
    await f.consumer.start()
    const letters = await t.read(`${f.topic}.dlq`, 2, 60_000)
    expect(letters.map((l) => JSON.parse(l.value as string).id)).toEqual(events.map((e) => e.id))
    for (const l of letters) {
      expect(l.headers[DLQ_HEADERS.code]).toBe('HANDLER_FAILED')
      expect(l.headers[DLQ_HEADERS.attempts]).toBe('3')
      expect(l.headers[DLQ_HEADERS.topic]).toBe(f.topic)
    }
    expect(summaries[0]).toMatch(
      /DeliveryError: attempt 3 of 3: POST http:\/\/127\.0\.0\.1:\d+\/hook: .*ECONNREFUSED/,
    )
  })

  it('one key in order: a later event waits for an earlier one that is being retried', async () => {
    const slow = await receiver(secret, [{ status: 200 }, { status: 503 }, { status: 503 }, { status: 200 }])
    try {
      const f = await forwardFrom('order', slow.url, 5)
      const events = [datasetEvent(), datasetEvent(), datasetEvent()]
      await f.publish(events)
      await f.consumer.start()
      await until('three deliveries', () => slow.delivered().length === 3, 30_000)
      expect(slow.delivered().map((r) => JSON.parse(r.body).id)).toEqual(events.map((e) => e.id))
      expect(slow.received.map((r) => JSON.parse(r.body).id)).toEqual([
        events[0]?.id,
        events[1]?.id,
        events[1]?.id,
        events[1]?.id,
        events[2]?.id,
      ])
    } finally {
      await slow.close()
    }
  })

  it("batched in HDX's shape: up to N events per POST, in order, signed, all committed", async () => {
    const hdx = await receiver(secret, [{ status: 500 }, { status: 200 }])
    try {
      const f = await forwardFrom('batch', hdx.url, 5, undefined, { size: 3, shape: 'hdx' })
      const events = Array.from({ length: 5 }, () => datasetEvent())
      await f.publish(events)
      await f.consumer.start()
      const ids = () =>
        hdx.delivered().flatMap((r) => (JSON.parse(r.body) as { events: { id: string }[] }).events)
      await until('five events delivered', () => ids().length === 5, 30_000)
      expect(ids().map((e) => e.id)).toEqual(events.map((e) => e.id))
      expect(hdx.received.every((r) => r.verified)).toBe(true)
      for (const r of hdx.received) {
        const body = JSON.parse(r.body) as { events: { id: string; resource: object }[] }
        expect(body.events.length).toBeLessThanOrEqual(3)
        expect(body.events.every((e) => checkEvent(catalog, e).ok)).toBe(true)
      }
      // The first POST failed and was sent again whole, the same webhook-id both times.
      expect(hdx.received[0]?.body).toBe(hdx.received[1]?.body)
      expect(hdx.received[0]?.headers['webhook-id']).toBe(hdx.received[1]?.headers['webhook-id'])
      await f.consumer.stop()
      const a = await admin()
      try {
        const [committed] = await a.fetchOffsets({ groupId: f.group, topics: [f.topic] })
        expect(committed?.partitions[0]?.offset).toBe('5')
      } finally {
        await a.disconnect()
      }
    } finally {
      await hdx.close()
    }
  })
})
