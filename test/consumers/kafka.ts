/**
 * Per-test Kafka plumbing: a unique prefix and group, topics made up front, raw produce and read-back; and the
 * pipeline suite's Kafka harness (pipeline.ts) on top of it.
 */
import { randomUUID } from 'node:crypto'
import { Kafka, logLevel, type Admin, type IHeaders, type Producer } from 'kafkajs'
import { expect, inject } from 'vitest'
import type { EventConsumer } from '../../core/index.ts'
import { createKafkaConsumer, createKafkaPublisher, DLQ_HEADERS } from '../../transports/kafka/index.ts'
import { catalog, type ResourceName } from '../../generated/index.ts'
import { until, type Attributes } from './events.ts'
import type { Harness } from './pipeline.ts'

export { until }

export const brokers = inject('kafkaBrokers')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean)

/** Quick to join and to leave: the suite makes many short-lived groups. */
export const consumerConfig = {
  sessionTimeout: 10_000,
  heartbeatInterval: 500,
  maxWaitTimeInMs: 250,
  rebalanceTimeout: 10_000,
}

export interface Read {
  key: string | null
  value: string | null
  /** The value as it is (a Confluent frame is bytes). */
  bytes: Buffer | null
  partition: number
  offset: string
  headers: Record<string, string>
}

const text = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]))

/**
 * The CloudEvents Kafka binding (binary mode), written out here rather than taken from transports/kafka, so that a
 * mistake in the library's own table shows up as a failing test instead of cancelling out.
 */
export const CE_HEADERS: Record<keyof Attributes, string> = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  time: 'ce_time',
  dataschema: 'ce_dataschema',
  datacontenttype: 'content-type',
}

/** Attributes as Kafka headers. */
export const ceHeaders = (attributes: Attributes = {}): Record<string, string> =>
  Object.fromEntries(
    Object.entries(attributes).map(([name, v]) => [CE_HEADERS[name as keyof Attributes], v as string]),
  )

/** A message to produce: the attributes become `ce_` headers, next to any other headers. */
export interface Produce {
  key?: string
  /** JSON text, or bytes (a Confluent frame). */
  value: string | Uint8Array
  attributes?: Attributes
  headers?: Record<string, string>
}

export class TestKafka {
  readonly id = randomUUID().slice(0, 8)
  readonly prefix: string
  readonly kafka: Kafka
  private admin!: Admin
  private producer!: Producer
  private topics: string[] = []
  private groups: string[] = []

  constructor(name: string) {
    this.prefix = `it-con-${name}-${this.id}`
    this.kafka = new Kafka({ clientId: this.prefix, brokers, logLevel: logLevel.NOTHING })
  }

  topic(resource: ResourceName): string {
    return `${this.prefix}.${catalog.resources[resource].topic}`
  }

  group(name = 'g'): string {
    const g = `${this.prefix}-${name}`
    this.groups.push(g)
    return g
  }

  /** Creates each topic and its `.dlq`, 3 partitions, and waits for leaders. */
  async setup(topics: string[], partitions = 3): Promise<void> {
    this.admin = this.kafka.admin()
    await this.admin.connect()
    const all = topics.flatMap((t) => [t, `${t}.dlq`])
    this.topics.push(...all)
    await this.admin.createTopics({
      topics: all.map((topic) => ({ topic, numPartitions: partitions })),
      waitForLeaders: true,
    })
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false })
    await this.producer.connect()
  }

  async produce(topic: string, messages: Produce[]) {
    return this.producer.send({
      topic,
      acks: -1,
      messages: messages.map(({ key, value, attributes, headers }) => ({
        key,
        value: typeof value === 'string' ? value : Buffer.from(value),
        headers: { ...headers, ...ceHeaders(attributes) },
      })),
    })
  }

  /** Reads `count` messages of a topic from the beginning with a throwaway group. */
  async read(topic: string, count: number, timeoutMs = 20_000): Promise<Read[]> {
    const out: Read[] = []
    const consumer = this.kafka.consumer({
      groupId: this.group(`read-${randomUUID().slice(0, 4)}`),
      ...consumerConfig,
    })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        out.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          bytes: message.value,
          partition,
          offset: message.offset,
          headers: text(message.headers),
        })
      },
    })
    try {
      await until(`${count} messages on ${topic} (have ${out.length})`, () => out.length >= count, timeoutMs)
      await new Promise((r) => setTimeout(r, 300)) // anything beyond `count` is a bug: give it a moment to show
    } finally {
      await consumer.disconnect()
    }
    return out
  }

  async cleanup(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined)
    if (!this.admin) return
    await this.admin.deleteGroups(this.groups).catch(() => undefined)
    await this.admin.deleteTopics({ topics: this.topics }).catch(() => undefined)
    await this.admin.disconnect()
  }
}

/** The pipeline suite's harness on the real broker: a TestKafka of its own per group of cases. */
export function kafkaHarness(name: string): Harness {
  const t = new TestKafka(name)
  const consumers: EventConsumer[] = []
  let groups = 0
  return {
    transport: 'kafka',
    prefix: t.prefix,
    destination: (resource) => t.topic(resource),
    group: (g = 'g') => t.group(`${g}-${++groups}`), // one of its own per call, as on the memory bus
    setup: (resources) => t.setup(resources.map((r) => t.topic(r))),
    produce: async (topic, messages) => void (await t.produce(topic, [...messages])),
    publisher: (source, wire) =>
      createKafkaPublisher({ catalog, kafka: t.kafka, source, topicPrefix: t.prefix, ...wire }),
    consumer({ group, ...options }) {
      const c = createKafkaConsumer({
        ...options,
        catalog,
        kafka: t.kafka,
        groupId: group,
        topicPrefix: t.prefix,
        consumerConfig,
      })
      consumers.push(c)
      return c
    },
    async deadLetters(topic, count) {
      return (await t.read(topic, count)).map((l) => ({
        key: l.key,
        value: l.value,
        code: l.headers[DLQ_HEADERS.code] as string,
        message: l.headers[DLQ_HEADERS.message] as string,
        issues: JSON.parse(l.headers[DLQ_HEADERS.issues] ?? 'null'),
        attempts:
          l.headers[DLQ_HEADERS.attempts] === undefined ? undefined : Number(l.headers[DLQ_HEADERS.attempts]),
        origin: l.headers[DLQ_HEADERS.topic] as string,
        offset: l.headers[DLQ_HEADERS.offset] as string,
        group: l.headers[DLQ_HEADERS.group] as string,
        raw: l,
      }))
    },
    expectOrigin(letter, topic) {
      const { headers } = letter.raw as Read
      expect(headers[DLQ_HEADERS.topic]).toBe(topic)
      expect(Number(headers[DLQ_HEADERS.partition])).toBeGreaterThanOrEqual(0)
      expect(headers[DLQ_HEADERS.offset]).toMatch(/^\d+$/)
      expect(headers[DLQ_HEADERS.timestamp]).toMatch(/^\d+$/)
    },
    async cleanup() {
      for (const c of consumers) await c.stop()
      await t.cleanup()
    },
  }
}
