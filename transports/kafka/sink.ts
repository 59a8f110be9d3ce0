import {
  Partitioners,
  type Message,
  type ProducerConfig,
  type RecordMetadata,
  type TopicMessages,
} from 'kafkajs'
import { ContractError, type OutboundMessage, type Sink } from '../../core/index.ts'
import { kafkaSendFailed } from './errors.ts'
import type { Headers, KafkaPort, ProducerPort } from './ports.ts'

/** Where one event went on Kafka. */
export interface KafkaPosition {
  partition: number
  offset: string
}

/** Kafka reports a batch as a base offset per topic partition, not per message. */
export type KafkaBatchPositions = { topic: string; partition: number; baseOffset: string }[]

/** What the sink needs of a producer you bring (kafkajs' Producer fits). */
export type SinkProducer = Pick<ProducerPort, 'send'> & Required<Pick<ProducerPort, 'sendBatch'>>

export type KafkaSinkOptions =
  | { /** A producer you own: you connect and disconnect it. */ producer: SinkProducer; kafka?: undefined }
  | {
      /** The sink makes its own idempotent producer, connects on first use; close() at the end. */
      kafka: KafkaPort
      producer?: undefined
      producerConfig?: Omit<ProducerConfig, 'idempotent' | 'maxInFlightRequests'>
    }

export type KafkaSink = Sink<KafkaPosition, KafkaBatchPositions> & {
  connect(): Promise<void>
  close(): Promise<void>
}

/**
 * CloudEvents Kafka binary mode: the attributes as `ce_` headers (and `content-type`), so brokers' tools and
 * consumers can filter without parsing. The value stays our whole envelope (JSON), so nothing is lost without them.
 */
export function kafkaHeaders(m: OutboundMessage): Headers {
  const a = m.attributes
  const headers: Headers = {
    ce_specversion: a.specversion,
    ce_id: a.id,
    ce_source: a.source,
    ce_type: a.type,
    ce_time: a.time,
    ce_dataschema: a.dataschema,
    'content-type': a.datacontenttype,
  }
  return m.headers ? { ...m.headers, ...headers } : headers
}

/** kafkajs takes a string or a Buffer: a framed value (Confluent's wire format) that is a plain Uint8Array is wrapped. */
const bytes = (v: string | Uint8Array): string | Buffer =>
  typeof v === 'string' || Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)

const record = (m: OutboundMessage): Message => ({
  key: m.key,
  value: bytes(m.value),
  headers: kafkaHeaders(m),
})

/** The publisher's sink on Kafka: acks from all in-sync replicas, an idempotent producer of its own by default. */
export function kafkaSink(options: KafkaSinkOptions): KafkaSink {
  const config = options.kafka && {
    // kafkajs 2's default, named so that it does not warn on every start; yours wins when you pass one.
    createPartitioner: Partitioners.DefaultPartitioner,
    ...options.producerConfig,
    idempotent: true,
    maxInFlightRequests: 1,
  }
  const given = options.producer
  let own = options.kafka?.producer(config)
  let connecting: Promise<SinkProducer> | undefined
  // One request at a time (see `exclusive`); the tail of that queue.
  let queue: Promise<unknown> = Promise.resolve()

  function ready(): Promise<SinkProducer> {
    if (given) return Promise.resolve(given)
    const p = own as ProducerPort & SinkProducer
    connecting ??= p.connect().then(
      () => p,
      (e: unknown) => {
        connecting = undefined // the next send tries again
        throw kafkaSendFailed(e, 'cannot connect to Kafka', { freshProducer: true })
      },
    )
    return connecting
  }

  /**
   * kafkajs' idempotent producer numbers each partition's batches and takes a number back when a request fails.
   * Two requests in flight for one partition (to its old and its new leader during a failover) or a request that
   * failed after the broker had written it leave those numbers wrong: the broker then refuses later batches (out
   * of order sequence) or takes one as a duplicate of another and acknowledges it without writing it. Seen on the
   * three-node cluster with 16 publishes in flight: one acknowledged event of 10,000 lost. So the sink sends one
   * request at a time, and after a failure it replaces its own producer (a new producer id, numbers from 0).
   */
  function exclusive<T>(what: string, request: (p: SinkProducer) => Promise<T>): Promise<T> {
    const run = queue.then(async () => {
      const p = await ready()
      try {
        return await request(p)
      } catch (e) {
        if (own && p === own) replaceProducer()
        throw kafkaSendFailed(e, what, { freshProducer: own !== undefined })
      }
    })
    queue = run.catch(() => undefined)
    return run
  }

  function replaceProducer() {
    const old = own
    own = options.kafka?.producer(config)
    connecting = undefined
    void old?.disconnect().catch(() => undefined)
  }

  return {
    async send(m) {
      const meta: RecordMetadata[] = await exclusive(
        `Kafka did not take event ${m.id} for ${m.destination}`,
        (p) => p.send({ topic: m.destination, messages: [record(m)], acks: -1 }),
      )
      const r = meta[0]
      if (!r) throw new ContractError('SEND_FAILED', `Kafka sent no record metadata for event ${m.id}`)
      return { partition: r.partition, offset: r.baseOffset ?? r.offset ?? '' }
    },
    async sendBatch(messages) {
      if (messages.length === 0) return []
      const byTopic = new Map<string, TopicMessages>()
      for (const m of messages) {
        let t = byTopic.get(m.destination)
        if (!t) byTopic.set(m.destination, (t = { topic: m.destination, messages: [] }))
        t.messages.push(record(m))
      }
      const topicMessages = [...byTopic.values()]
      const meta = await exclusive(`Kafka did not take the batch of ${messages.length} events`, (p) =>
        p.sendBatch({ topicMessages, acks: -1 }),
      )
      return meta.map((r) => ({
        topic: r.topicName,
        partition: r.partition,
        baseOffset: r.baseOffset ?? r.offset ?? '',
      }))
    },
    async connect() {
      await ready()
    },
    async close() {
      await queue // the requests already queued go first
      if (!own || !connecting) return
      connecting = undefined
      await own.disconnect()
    },
  }
}
