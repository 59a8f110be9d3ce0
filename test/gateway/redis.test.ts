/** The gateway on Redis Streams (the real server): ingestion to the resource's stream, and the forwarder on a group. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkEvent, type Catalog, type EventConsumer } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createGateway, createWebhookBatchForwarder, createWebhookForwarder } from '../../gateway/index.ts'
import {
  createRedisBatchConsumer,
  createRedisTopicConsumer,
  DLQ_FIELDS,
  redisSink,
  type RedisSink,
} from '../../transports/redis/index.ts'
import { TestRedis, untilAsync } from '../redis/redis.ts'
import {
  ADMIN,
  bearer,
  datasetContent,
  datasetEvent,
  deadUrl,
  newSecret,
  receiver,
  STRUCTURED,
  tokens,
} from './helpers.ts'

const r = new TestRedis('gateway')
const stream = r.stream('hdx-datasets')
const secret = newSecret()
let sink: RedisSink
const consumers: EventConsumer[] = []

beforeAll(async () => {
  await r.connect()
  sink = redisSink({ url: r.url })
})
afterAll(async () => {
  for (const c of consumers) await c.stop()
  await sink.close()
  await r.cleanup()
})

const app = () => createGateway({ catalog, sink, tokens, topicPrefix: r.prefix })
const post = (body: unknown) =>
  app().request('/events', {
    method: 'POST',
    headers: { ...STRUCTURED, ...bearer(ADMIN) },
    body: JSON.stringify(body),
  })

describe('the gateway on Redis Streams', () => {
  it('a structured event is XADDed to the resource stream, valid; an invalid one adds nothing', async () => {
    const event = datasetEvent()
    expect((await post(event)).status).toBe(202)
    const bad = await post(datasetEvent({ data: { ...datasetContent(), tags: 'health' } }))
    expect(bad.status).toBe(422)
    const entries = await r.range(stream)
    expect(entries).toHaveLength(1)
    const data = JSON.parse(entries[0]?.fields.data as string)
    expect(data.id).toBe(event.id)
    expect(checkEvent(catalog, data).ok).toBe(true)
    expect(entries[0]?.fields).toMatchObject({ type: 'dataset.update', key: datasetContent().id })
  })

  it('the forwarder on a consumer group: a failing receiver is retried then delivered; a dead one is dead-lettered', async () => {
    const flaky = await receiver(secret, [{ status: 500 }, { status: 200 }])
    try {
      const forward = (url: string, group: string, consumer: string) => {
        const c = createRedisTopicConsumer({
          catalog,
          url: r.url,
          destinations: [stream],
          group,
          consumer,
          start: 'earliest',
          blockMs: 200,
          maxConsecutiveErrors: 100,
          ...createWebhookForwarder<Catalog>({
            url,
            secret,
            maxAttempts: 2,
            backoffMs: { initialMs: 20, maxMs: 50 },
          }),
        })
        consumers.push(c)
        return c
      }
      await forward(flaky.url, r.group('ok'), 'c1').start()
      await untilAsync('a delivery', async () => flaky.delivered().length === 1)
      expect(flaky.received.map((x) => [x.status, x.verified])).toEqual([
        [500, true],
        [200, true],
      ])
      const group = r.group('down')
      await forward(await deadUrl(), group, 'c2').start()
      await untilAsync('a dead letter', async () => (await r.xlen(`${stream}.dlq`)) === 1)
      const [letter] = await r.range(`${stream}.dlq`)
      expect(letter?.fields).toMatchObject({
        [DLQ_FIELDS.code]: 'HANDLER_FAILED',
        [DLQ_FIELDS.attempts]: '2',
      })
      const pending = await r.client.xPending(stream, group)
      expect(pending.pending).toBe(0) // acknowledged only once dead-lettered
    } finally {
      await flaky.close()
    }
  })

  it('batched as a CloudEvents batch: up to N entries per POST, in stream order, acknowledged', async () => {
    for (let i = 0; i < 2; i++) expect((await post(datasetEvent())).status).toBe(202)
    const inStream = (await r.range(stream)).map((e) => JSON.parse(e.fields.data as string).id as string)
    expect(inStream.length).toBeGreaterThanOrEqual(3)
    const hook = await receiver(secret)
    try {
      const group = r.group('batch')
      const c = createRedisBatchConsumer({
        catalog,
        url: r.url,
        destinations: [stream],
        group,
        consumer: 'c3',
        start: 'earliest',
        blockMs: 200,
        ...createWebhookBatchForwarder<Catalog>({ url: hook.url, secret, batchSize: 2 }),
      })
      consumers.push(c)
      await c.start()
      const got = () => hook.delivered().flatMap((x) => JSON.parse(x.body) as { id: string; data: object }[])
      await untilAsync('every entry', async () => got().length === inStream.length)
      expect(got().map((e) => e.id)).toEqual(inStream)
      for (const x of hook.received) {
        expect(x.verified).toBe(true)
        expect(x.headers['content-type']).toBe('application/cloudevents-batch+json')
        expect((JSON.parse(x.body) as unknown[]).length).toBeLessThanOrEqual(2)
      }
      await untilAsync('acknowledged', async () => (await r.client.xPending(stream, group)).pending === 0)
    } finally {
      await hook.close()
    }
  })
})
