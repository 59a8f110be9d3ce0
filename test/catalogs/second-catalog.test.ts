/**
 * The runtime knows no catalog: a second, unrelated schema tree (test/fixtures/shop) goes through the same
 * generator, and its events are published and consumed through the same runtime, in memory and on the real
 * broker. The generated fixture is committed (the type-level tests in second-catalog.test-d.ts read it); this test
 * also regenerates it in a temp folder and checks that it is byte for byte the generator's output.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { generate } from '../../codegen/generate.ts'
import { loadSchemaTree } from '../../codegen/load.ts'
import { writeFiles } from '../../scripts/generate/write.ts'
import {
  checkEvent,
  createPublisher,
  isContractError,
  type AnyEventOf,
  type Catalog,
} from '../../core/index.ts'
import { catalog as ours } from '../../generated/index.ts'
import { createKafkaConsumer, createKafkaPublisher, ensureTopics } from '../../transports/kafka/index.ts'
import { createMemoryBus } from '../../transports/memory/index.ts'
import {
  catalog as shop,
  type ContractCatalog as Shop,
  type OrderV2,
  type ShipmentV1,
} from '../fixtures/shop/generated/index.ts'

const TREE = 'test/fixtures/shop/schemas'
const FIXTURE = 'test/fixtures/shop/generated'
const SOURCE = 'urn:shop:checkout'

const order: OrderV2 = {
  id: '5f0c6a9e-3b1d-4c52-9a57-0d8e1f2a3b4c',
  customerId: 'c-42',
  total: 19.5,
  currency: 'EUR',
  lines: [{ sku: 'MUG-1', quantity: 2 }],
}
const shipment: ShipmentV1 = { id: '6a1c8e0b-5d6f-4b1c-9d1e-2a3b4c5d6e7f', orderNumber: 1001, carrier: 'dhl' }

describe('a second catalog from the same generator', () => {
  let dir: string
  let generated: Catalog

  beforeAll(async () => {
    // Inside the repository, so that the generated validators resolve ajv's runtime from its node_modules.
    await mkdir('.cache', { recursive: true })
    dir = await mkdtemp(join('.cache', 'catalog-'))
    const files = await generate(await loadSchemaTree(TREE), { runtime: 'event-contracts' })
    await writeFiles(join(dir, 'generated'), files)
    generated = ((await import(join(process.cwd(), dir, 'generated', 'index.ts'))) as { catalog: Catalog })
      .catalog
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('is what the committed fixture holds, byte for byte', async () => {
    const files = await generate(await loadSchemaTree(TREE), { runtime: 'event-contracts' })
    for (const [name, text] of files) expect(await readFile(join(FIXTURE, name), 'utf8'), name).toBe(text)
  })

  it('knows its own resources and none of ours', () => {
    expect(Object.keys(generated.resources)).toEqual(['order', 'shipment'])
    expect(Object.keys(shop.resources)).toEqual(['order', 'shipment'])
    const event = {
      id: randomUUID(),
      time: '2026-12-01T10:00:00Z',
      source: SOURCE,
      action: 'create',
      resource: { schema: 'https://event-contracts.dev/schemas/order/2', content: order },
    }
    const mine = checkEvent(generated, event)
    expect(mine.ok && mine.value.resource).toBe('order')
    const theirs = checkEvent(ours, event)
    expect(theirs.ok ? [] : theirs.issues.map((i) => i.keyword)).toEqual(['known-schema'])
  })

  it('validates content with its own rules: a pattern, an enum, an integer key', () => {
    const bad = {
      id: randomUUID(),
      time: '2026-12-01T10:00:00Z',
      source: SOURCE,
      action: 'create',
      resource: {
        schema: 'https://event-contracts.dev/schemas/order/2',
        content: { ...order, currency: 'USD', lines: [{ sku: 'mug 1', quantity: 0 }] },
      },
    }
    const r = checkEvent(generated, bad)
    expect(r.ok ? [] : r.issues.map((i) => `${i.path} ${i.keyword}`).sort()).toEqual([
      '/resource/content/currency enum',
      '/resource/content/lines/0/quantity minimum',
      '/resource/content/lines/0/sku pattern',
    ])
  })

  it('publishes and consumes through the in-memory transport', async () => {
    const bus = createMemoryBus()
    const publisher = createPublisher({ catalog: shop, sink: bus.sink, source: SOURCE, topicPrefix: 'dev' })
    const got: { type: string; key: string | null; content: unknown }[] = []
    const consumer = bus.consumer({
      catalog: shop,
      group: 'shop-test',
      topicPrefix: 'dev',
      handlers: {
        order: {
          create: (e, { message }) =>
            void got.push({ type: 'order.create', key: message.key, content: e.resource.content }),
        },
        shipment: {
          update: (e, { message }) =>
            void got.push({ type: 'shipment.update', key: message.key, content: e.resource.content }),
        },
      },
    })
    expect([...consumer.destinations].sort()).toEqual(['dev.shop-orders', 'dev.shop-shipments'])
    await consumer.start()
    const a = await publisher.publish('order', 'create', order)
    const b = await publisher.publish('shipment', 'update', shipment)
    expect(a).toMatchObject({ destination: 'dev.shop-orders', position: { offset: 0 } })
    expect(b).toMatchObject({ destination: 'dev.shop-shipments', position: { offset: 0 } })
    await until(() => got.length === 2)
    await consumer.stop()
    expect(got).toEqual([
      { type: 'order.create', key: 'c-42', content: order },
      { type: 'shipment.update', key: '1001', content: shipment },
    ])
    // An invalid event of that catalog is never appended.
    const wrong = { ...order, total: -1 }
    const refused = await publisher.publish('order', 'create', wrong).catch((e: unknown) => e)
    expect(isContractError(refused, 'EVENT_INVALID')).toBe(true)
    expect(bus.records('dev.shop-orders')).toHaveLength(1)
  })

  it('publishes and consumes through Kafka on the real broker', async () => {
    const brokers = inject('kafkaBrokers').split(',')
    const prefix = `it-shop-${randomUUID().slice(0, 8)}`
    const kafka = new Kafka({ clientId: prefix, brokers, logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await ensureTopics(admin, { catalog: shop, topicPrefix: prefix, partitions: 1, deadLetters: true })
    await admin.disconnect()
    const publisher = createKafkaPublisher({ catalog: shop, kafka, source: SOURCE, topicPrefix: prefix })
    const got: AnyEventOf<Shop, 'order'>[] = []
    const consumer = createKafkaConsumer({
      catalog: shop,
      kafka,
      groupId: `${prefix}-group`,
      topicPrefix: prefix,
      consumerConfig: { sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 250 },
      handlers: { order: { create: (e) => void got.push(e) } },
    })
    try {
      await consumer.start()
      const sent = await publisher.publish('order', 'create', order)
      expect(sent).toMatchObject({
        destination: `${prefix}.shop-orders`,
        position: { partition: 0, offset: '0' },
      })
      await until(() => got.length === 1, 20_000)
      expect(got[0]?.resource).toEqual({
        schema: 'https://event-contracts.dev/schemas/order/2',
        content: order,
      })
      expect(got[0]?.id).toBe(sent.id)
    } finally {
      await consumer.stop()
      await publisher.disconnect()
    }
  })
})

async function until(done: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > end) throw new Error(`not done within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
