/**
 * The consumer loop with fake ports: which offsets get resolved (so committed) and when (the highest resolved is what
 * kafkajs commits; the loop resolves the last message done before each await, not every message). At-least-once means an
 * offset is resolved only after its message was handled, skipped or dead-lettered, and never past one that was not.
 */
import kafkajs from 'kafkajs'
import { describe, expect, it, vi } from 'vitest'
import {
  ContractError,
  schemaUri,
  type DeadLetter,
  type EventHandler,
  type Handlers,
  type RetryInfo,
  type SchemaLookupPort,
} from '../../core/index.ts'
import { catalog, type ContractCatalog } from '../../generated/index.ts'
import {
  COMMIT_EVERY_DEFAULTS,
  createKafkaConsumer,
  createKafkaTopicConsumer,
  type BatchPayload,
  type ConsumerPort,
  type KafkaMessage,
  type KafkaTopicConsumerOptions,
  type ProducerPort,
  type RunConfig,
} from '../../transports/kafka/index.ts'
import { eventMessage, rawEvent, uuid } from './events.ts'

type Step = { value: string | null; headers?: Record<string, string> }

type FakeOptions = Omit<Partial<KafkaTopicConsumerOptions<ContractCatalog>>, 'handle'> & {
  sendFailures?: number
} & (
    | { handle: EventHandler<ContractCatalog, KafkaMessage>; handlers?: undefined }
    | { handlers: Handlers<ContractCatalog, KafkaMessage>; handle?: undefined }
  )

/** A Kafka runner over fake ports: `batch` hands it one batch of topic `t` (or the handlers' topic), partition 0. */
function harness({ sendFailures, ...options }: FakeOptions) {
  let eachBatch: ((p: BatchPayload) => Promise<void>) | undefined
  let runConfig: RunConfig | undefined
  let running = true
  const consumer: ConsumerPort = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    subscribe: async () => undefined,
    run: async (config) => {
      runConfig = config
      eachBatch = config.eachBatch
    },
    stop: async () => void (running = false),
    seek: () => undefined,
  }
  const sent: Parameters<ProducerPort['send']>[0]['messages'] = []
  const sentTo: string[] = []
  let failures = sendFailures ?? 0
  const producer: ProducerPort = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: async ({ topic, messages }) => {
      if (failures-- > 0) throw new Error('broker said no')
      sent.push(...messages)
      sentTo.push(topic)
      return []
    },
  }
  const common = { catalog, consumer, producer, groupId: 'g', retry: { initialMs: 1, maxMs: 5 } }
  const c = options.handlers
    ? createKafkaConsumer({ ...common, ...options, handlers: options.handlers })
    : createKafkaTopicConsumer({ ...common, destinations: ['t'], ...options, handle: options.handle })
  const topic = c.destinations[0] as string
  const resolved: string[] = []
  /** Explicit commits: the offsets committed, as kafkajs' `uncommittedOffsets()` would have given them. */
  const commits: string[] = []
  const batch = async (steps: Step[]) => {
    await c.start()
    const messages = steps.map((s, i) => ({
      key: null,
      value: s.value === null ? null : Buffer.from(s.value),
      headers: s.headers ?? {},
      offset: String(i),
      timestamp: '0',
    }))
    await eachBatch!({
      batch: { topic, partition: 0, messages },
      resolveOffset: (o) => {
        // kafkajs keeps the highest offset resolved; the loop may skip ones in between, but never go back.
        if (resolved.length && Number(o) <= Number(resolved.at(-1)))
          throw new Error(`resolved ${o} after ${resolved.at(-1)}`)
        resolved.push(o)
      },
      heartbeat: async () => undefined,
      commitOffsetsIfNecessary: async (offsets) => {
        if (offsets) commits.push(offsets.topics[0]?.partitions[0]?.offset ?? 'none')
      },
      // kafkajs commits the offset after the last resolved one: the next to read.
      uncommittedOffsets: () => ({
        topics: [{ topic, partitions: [{ partition: 0, offset: String(Number(resolved.at(-1)) + 1) }] }],
      }),
      isRunning: () => running,
      isStale: () => false,
    })
  }
  return { consumer: c, batch, resolved, sent, sentTo, commits, runConfig: () => runConfig }
}

const ok = () => eventMessage('time-entry', 'create').value

describe('starting on a cluster that is still spreading a new topic', () => {
  const unknownTopic = () =>
    new kafkajs.KafkaJSProtocolError(
      Object.assign(new Error('This server does not host this topic-partition'), {
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
        code: 3,
        retriable: true,
      }),
    )
  function start(failures: unknown[]) {
    const subscribe = vi.fn(async () => {
      const failure = failures.shift()
      if (failure) throw failure
    })
    const consumer: ConsumerPort = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      subscribe,
      run: async () => undefined,
      stop: async () => undefined,
      seek: () => undefined,
    }
    const producer: ProducerPort = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: async () => [],
    }
    const c = createKafkaTopicConsumer({
      catalog,
      consumer,
      producer,
      groupId: 'g',
      destinations: ['t'],
      handle: () => undefined,
    })
    return { started: c.start(), subscribe, consumer: c }
  }

  it('asks again while the topic is unknown, then runs', async () => {
    const s = start([unknownTopic(), unknownTopic()])
    await s.started
    expect(s.subscribe).toHaveBeenCalledTimes(3)
    await s.consumer.stop()
  })

  it('gives up at once on an error that will not pass', async () => {
    const s = start([new kafkajs.KafkaJSNonRetriableError('Invalid topic')])
    await expect(s.started).rejects.toThrow('Invalid topic')
    expect(s.subscribe).toHaveBeenCalledTimes(1)
  })
})

describe('consumer loop (fakes)', () => {
  it('commits every commitEvery.messages handled messages, and asks kafkajs for every commitEvery.ms', async () => {
    const h = harness({ handle: () => undefined, commitEvery: { messages: 2, ms: 250 } })
    await h.batch(Array.from({ length: 5 }, () => ({ value: ok() })))
    expect(h.resolved.at(-1)).toBe('4')
    expect(h.commits).toEqual(['2', '4'])
    expect(h.runConfig()).toMatchObject({
      autoCommit: true,
      autoCommitInterval: 250,
      eachBatchAutoResolve: false,
    })
  })

  it('by default commits every 5,000 messages or 1 s', async () => {
    const h = harness({ handle: () => undefined })
    await h.batch([{ value: ok() }])
    expect(h.commits).toEqual([])
    expect(h.runConfig()?.autoCommitInterval).toBe(1000)
    expect(COMMIT_EVERY_DEFAULTS).toEqual({ messages: 5000, ms: 1000 })
  })

  it.each([{ messages: 0 }, { ms: -1 }, { messages: Number.NaN }])(
    'refuses commitEvery %o',
    (commitEvery) => {
      expect(() => harness({ handle: () => undefined, commitEvery })).toThrow(
        /^commitEvery\.(messages|ms) must be a number >= 1/,
      )
    },
  )

  it('resolves handled, skipped and dead-lettered messages, in order', async () => {
    const seen: string[] = []
    const h = harness({ handle: (e) => void seen.push(e.event.id) })
    await h.batch([{ value: ok() }, { value: '{bad' }, { value: ok() }])
    expect(h.resolved.at(-1)).toBe('2')
    expect(seen).toHaveLength(2)
    expect(h.sent).toHaveLength(1)
  })

  it('keeps trying a dead letter the producer refuses, then resolves it', async () => {
    const retried: string[] = []
    const h = harness({
      handle: () => undefined,
      sendFailures: 2,
      onRetry: (r) => void retried.push(r.reason),
    })
    await h.batch([{ value: '{bad' }, { value: ok() }])
    expect(retried).toEqual(['dead-letter', 'dead-letter'])
    expect(h.sent).toHaveLength(1)
    expect(h.resolved.at(-1)).toBe('1')
  })

  it('leaves a message waiting on a registry that is down unresolved when stopped, and everything after it', async () => {
    const registry: SchemaLookupPort = {
      getByUri: () =>
        Promise.reject(new ContractError('REGISTRY_UNAVAILABLE', 'down', [], { retriable: true })),
    }
    let retries = 0
    const h: ReturnType<typeof harness> = harness({
      handle: () => undefined,
      registry,
      onRetry: () => {
        if (++retries === 3) void h.consumer.stop()
      },
    })
    await h.batch([
      { value: ok() },
      { value: rawEvent(schemaUri('time-entry', 3), { hours: 1 }) },
      { value: ok() },
    ])
    expect(h.resolved.at(-1)).toBe('0')
    expect(h.sent).toEqual([]) // not dead-lettered either: the event may be fine
    await h.consumer.closed
  })

  it('leaves a failing handler unresolved when stopped during its retries (redelivered, not dead-lettered)', async () => {
    const h: ReturnType<typeof harness> = harness({
      handle: () => {
        void h.consumer.stop()
        throw new Error('db down')
      },
    })
    await h.batch([{ value: ok() }, { value: ok() }])
    expect(h.resolved.at(-1)).toBe(undefined)
    expect(h.sent).toEqual([])
  })

  it('skips by ce_type only with typed handlers; the topic consumer decodes everything', async () => {
    const seen: string[] = []
    const h = harness({ handle: (e) => void seen.push(e.event.action) })
    await h.batch([
      {
        value: eventMessage('person', 'delete', { key: uuid() }).value,
        headers: { ce_type: 'person.delete' },
      },
    ])
    expect(seen).toEqual(['delete'])
    expect(h.resolved.at(-1)).toBe('0')
  })

  it('skips by ce_type with typed handlers before parsing, and an event of an action nobody handles after', async () => {
    const seen: string[] = []
    const dead: DeadLetter[] = []
    const h = harness({
      handlers: { person: { create: (e) => void seen.push(e.id) } },
      onDeadLetter: (d) => void dead.push(d),
    })
    const created = eventMessage('person', 'create')
    await h.batch([
      { value: 'not even JSON', headers: { ce_type: 'person.delete' } },
      { value: eventMessage('person', 'delete').value }, // no ce_type: decoded, then nobody handles it
      { value: created.value, headers: { ce_type: 'person.create' } },
    ])
    expect(h.consumer.destinations).toEqual(['callisto-person'])
    expect(seen).toEqual([created.id])
    expect(dead).toEqual([])
    expect(h.sent).toEqual([])
    expect(h.resolved.at(-1)).toBe('2')
  })

  it('hands the handler the Kafka message: topic, partition, offset, key, headers and attributes', async () => {
    const seen: object[] = []
    const built = eventMessage('time-entry', 'create')
    const h = harness({
      handle: (_e, { message: m, attempt, version }) =>
        void seen.push({
          topic: m.topic,
          partition: m.partition,
          offset: m.offset,
          timestamp: m.timestamp,
          type: m.attribute('type'),
          id: m.attribute('id'),
          other: m.headers.other,
          attempt,
          version,
        }),
    })
    await h.batch([
      { value: ok() },
      { value: built.value, headers: { ce_type: 'time-entry.create', ce_id: built.id, other: 'x' } },
    ])
    expect(seen[1]).toEqual({
      topic: 't',
      partition: 0,
      offset: '1',
      timestamp: '0',
      type: 'time-entry.create',
      id: built.id,
      other: 'x',
      attempt: 1,
      version: 1,
    })
  })

  it('tells onDeadLetter and onRetry which message, and where the dead letter went', async () => {
    const dead: DeadLetter<KafkaMessage>[] = []
    const retries: RetryInfo<KafkaMessage>[] = []
    const h = harness({
      handle: () => undefined,
      sendFailures: 1,
      deadLetterTopic: (t) => `dead-${t}`,
      onDeadLetter: (d) => void dead.push(d),
      onRetry: (r) => void retries.push(r),
    })
    await h.batch([{ value: ok() }, { value: '{bad', headers: { ce_id: 'abc' } }])
    expect(retries).toHaveLength(1)
    expect(retries[0]).toMatchObject({ reason: 'dead-letter', attempt: 1, delayMs: 1 })
    expect(retries[0]?.message.offset).toBe('1')
    expect(String((retries[0]?.error as Error).message)).toBe('broker said no')
    expect(dead).toHaveLength(1)
    expect(dead[0]).toMatchObject({ code: 'NOT_JSON', deadLetterDestination: 'dead-t' })
    expect(dead[0]?.summary).toMatch(/^\/: not JSON/)
    expect(dead[0]?.issues[0]).toMatchObject({ keyword: 'json' })
    expect({ topic: dead[0]?.message.topic, offset: dead[0]?.message.offset }).toEqual({
      topic: 't',
      offset: '1',
    })
    expect(h.sentTo).toEqual(['dead-t'])
    expect(h.sent[0]?.headers).toMatchObject({
      ce_id: 'abc',
      dlq_error_code: 'NOT_JSON',
      dlq_original_offset: '1',
    })
    expect(h.resolved.at(-1)).toBe('1')
  })

  it('settles closed when stopped before it was started', async () => {
    const h = harness({ handle: () => undefined })
    await h.consumer.stop()
    await h.consumer.stop() // more than once is safe
    await expect(h.consumer.closed).resolves.toBeUndefined()
  })

  it('refuses a consumer of nothing, and a second start()', async () => {
    expect(() => harness({ handlers: {} })).toThrow(TypeError)
    expect(() => harness({ handle: () => undefined, destinations: [] })).toThrow(TypeError)
    const h = harness({ handle: () => undefined })
    await h.batch([])
    await expect(h.consumer.start()).rejects.toThrow(TypeError)
    await h.consumer.stop()
    await h.consumer.closed
  })
})
