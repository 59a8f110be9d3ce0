/** Per-test Kafka plumbing: a unique prefix and group, topics made up front, raw produce and read-back. */
import { randomUUID } from 'node:crypto'
import { Kafka, logLevel, type Admin, type IHeaders, type Producer } from 'kafkajs'
import { inject } from 'vitest'
import { catalog, type ResourceName } from '../../core/index.ts'

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
  partition: number
  offset: string
  headers: Record<string, string>
}

const text = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]))

export async function until(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
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
    return `${this.prefix}.${catalog[resource].topic}`
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

  async produce(
    topic: string,
    messages: { key?: string; value: string; headers?: Record<string, string> }[],
  ) {
    return this.producer.send({ topic, acks: -1, messages })
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
