/**
 * The Kafka runner of a batch consumer with fake ports: records go to the pipeline `batchSize` at a time, and an
 * offset is resolved only once every message up to it is done (handled together, or dead-lettered).
 */
import { describe, expect, it } from 'vitest'
import type { BatchHandler } from '../../core/index.ts'
import { catalog, type ContractCatalog } from '../../generated/index.ts'
import {
  createKafkaBatchConsumer,
  type BatchPayload,
  type ConsumerPort,
  type KafkaMessage,
  type ProducerPort,
} from '../../transports/kafka/index.ts'
import { eventMessage } from './events.ts'

function harness(
  handleBatch: BatchHandler<ContractCatalog, KafkaMessage>,
  batchSize: number,
  commitEvery?: { messages: number },
) {
  let eachBatch: ((p: BatchPayload) => Promise<void>) | undefined
  let running = true
  const consumer: ConsumerPort = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    subscribe: async () => undefined,
    run: async (config) => void (eachBatch = config.eachBatch),
    stop: async () => void (running = false),
    seek: () => undefined,
  }
  const sent: Parameters<ProducerPort['send']>[0]['messages'] = []
  const producer: ProducerPort = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: async ({ messages }) => {
      sent.push(...messages)
      return []
    },
  }
  const c = createKafkaBatchConsumer({
    catalog,
    consumer,
    producer,
    groupId: 'g',
    destinations: ['t'],
    retry: { retries: 2, initialMs: 1, maxMs: 2 },
    handleBatch,
    batchSize,
    ...(commitEvery ? { commitEvery } : {}),
  })
  const resolved: string[] = []
  /** Explicit commits: the next offset to read, as kafkajs' `uncommittedOffsets()` would have given it. */
  const commits: string[] = []
  const batch = async (values: string[]) => {
    await c.start()
    await eachBatch!({
      batch: {
        topic: 't',
        partition: 0,
        messages: values.map((v, i) => ({
          key: null,
          value: Buffer.from(v),
          headers: {},
          offset: String(i),
          timestamp: '0',
        })),
      },
      resolveOffset: (o) => void resolved.push(o),
      heartbeat: async () => undefined,
      commitOffsetsIfNecessary: async (offsets) => {
        if (offsets) commits.push(offsets.topics[0]?.partitions[0]?.offset ?? 'none')
      },
      uncommittedOffsets: () => ({
        topics: [{ topic: 't', partitions: [{ partition: 0, offset: String(Number(resolved.at(-1)) + 1) }] }],
      }),
      isRunning: () => running,
      isStale: () => false,
    })
  }
  return { consumer: c, batch, resolved, sent, commits }
}

const ok = () => eventMessage('time-entry', 'create').value

describe('batch consumer loop (fakes)', () => {
  it('hands the pipeline batchSize records at a time and resolves the last of each', async () => {
    const sizes: number[] = []
    const h = harness((events) => void sizes.push(events.length), 2)
    await h.batch([ok(), ok(), '{bad', ok(), ok()])
    expect(sizes).toEqual([2, 1, 1]) // the invalid one of the second chunk was dead-lettered
    expect(h.sent).toHaveLength(1)
    expect(h.resolved).toEqual(['1', '3', '4'])
  })

  it('commits every commitEvery.messages messages, counting whole chunks', async () => {
    const h = harness(() => undefined, 2, { messages: 4 })
    await h.batch(Array.from({ length: 10 }, ok))
    expect(h.resolved).toEqual(['1', '3', '5', '7', '9'])
    // after the chunks ending at offsets 3 and 7: the next offsets to read, 4 and 8
    expect(h.commits).toEqual(['4', '8'])
  })

  it('stopped while a chunk is retried: nothing from it on is resolved', async () => {
    let calls = 0
    const h: ReturnType<typeof harness> = harness(() => {
      if (++calls === 2) void h.consumer.stop()
      if (calls >= 2) throw new Error('receiver down')
    }, 2)
    await h.batch([ok(), ok(), ok(), ok()])
    expect(h.resolved).toEqual(['1'])
    expect(h.sent).toHaveLength(0)
  })
})
