/** Unit tests: a fake producer stands in for Kafka, so every case shows exactly what would have been sent. */
import kafkajs, {
  Partitioners,
  type Kafka,
  type Producer,
  type ProducerBatch,
  type ProducerConfig,
  type ProducerRecord,
  type RecordMetadata,
} from 'kafkajs'
import { describe, expect, it, vi } from 'vitest'
import { isContractError, type BatchEvent as AnyBatchEvent, type ContractError } from '../../core/index.ts'
import { catalog, type ContractCatalog, type ResourceName } from '../../generated/index.ts'
import {
  createKafkaPublisher as createKafka,
  type KafkaPublisherOptions,
  type SinkProducer,
} from '../../transports/kafka/index.ts'

type BatchEvent = AnyBatchEvent<ContractCatalog>
// This repository's catalog, unless a test says otherwise.
type WithoutCatalog<T> = T extends unknown ? Omit<T, 'catalog'> : never
const createPublisher = (options: WithoutCatalog<KafkaPublisherOptions<ContractCatalog>>) =>
  createKafka({ catalog, ...options } as KafkaPublisherOptions<ContractCatalog>)
import { contents, keys, person, reference, timeEntry, timeEntryV1 } from './fixtures.ts'

const ID = '11111111-2222-4333-8444-555555555555'
const TIME = new Date('2026-11-20T08:30:00.000Z')
const SOURCE = 'urn:callisto:timecard-restapi'

function fakeProducer(failure?: unknown) {
  const send = vi.fn(async (r: ProducerRecord): Promise<RecordMetadata[]> => {
    if (failure) throw failure
    return [{ topicName: r.topic, partition: 2, errorCode: 0, baseOffset: '41' }]
  })
  const sendBatch = vi.fn(async (b: ProducerBatch): Promise<RecordMetadata[]> => {
    if (failure) throw failure
    return (b.topicMessages ?? []).map((t, i) => ({
      topicName: t.topic,
      partition: i,
      errorCode: 0,
      baseOffset: '7',
    }))
  })
  const producer: SinkProducer = { send, sendBatch }
  return { producer, send, sendBatch }
}

const setup = (options: { topicPrefix?: string; source?: string; failure?: unknown } = {}) => {
  const fake = fakeProducer(options.failure)
  const publisher = createPublisher({
    producer: fake.producer,
    source: options.source ?? SOURCE,
    topicPrefix: options.topicPrefix,
    newId: () => ID,
    now: () => TIME,
  })
  return { ...fake, publisher }
}

const sentRecord = (send: ReturnType<typeof fakeProducer>['send']) => {
  const record = send.mock.calls[0]?.[0]
  if (!record) throw new Error('nothing was sent')
  const message = record.messages[0]
  if (!message) throw new Error('no message in the record')
  return { record, message, value: JSON.parse(String(message.value)) as Record<string, unknown> }
}

async function thrown(p: Promise<unknown>): Promise<ContractError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  if (!isContractError(e)) throw new Error(`expected a ContractError, got ${String(e)}`)
  return e
}

describe('publish', () => {
  it('sends the validated envelope to the resource topic with acks=all and answers where it went', async () => {
    const { publisher, send } = setup()
    const published = await publisher.publish('time-entry', 'create', timeEntry)
    expect(published).toEqual({
      destination: 'callisto-timecard-timeentries',
      id: ID,
      position: { partition: 2, offset: '41' },
    })
    const { record, message, value } = sentRecord(send)
    expect(record).toMatchObject({ topic: 'callisto-timecard-timeentries', acks: -1 })
    expect(record.messages).toHaveLength(1)
    expect(message.key).toBe(timeEntry.ownerId)
    expect(value).toEqual({
      id: ID,
      time: '2026-11-20T08:30:00.000Z',
      source: SOURCE,
      action: 'create',
      resource: { schema: 'https://event-contracts.dev/schemas/time-entry/2', content: timeEntry },
    })
  })

  it('sets the CloudEvents binary-mode headers; extra headers pass, but never override ours', async () => {
    const { publisher, send } = setup()
    await publisher.publish('person', 'update', person, {
      id: '99999999-2222-4333-8444-555555555555',
      time: '2026-01-01T00:00:00Z',
      headers: { traceparent: '00-abc-def-01', ce_type: 'forged' },
    })
    expect(sentRecord(send).message.headers).toEqual({
      traceparent: '00-abc-def-01',
      ce_specversion: '1.0',
      ce_id: '99999999-2222-4333-8444-555555555555',
      ce_source: SOURCE,
      ce_type: 'person.update',
      ce_time: '2026-01-01T00:00:00Z',
      ce_dataschema: 'https://event-contracts.dev/schemas/person/2',
      'content-type': 'application/json',
    })
  })

  it.each(Object.keys(catalog.resources) as ResourceName[])(
    'keys %s events by the catalog key field',
    async (resource) => {
      const { publisher, send } = setup()
      await publisher.publish(resource, 'update', contents[resource] as never)
      expect(sentRecord(send).message.key).toBe(keys[resource])
      expect(sentRecord(send).record.topic).toBe(catalog.resources[resource].topic)
    },
  )

  it.each([
    [undefined, 'callisto-person'],
    ['', 'callisto-person'],
    ['staging', 'staging.callisto-person'],
    ['it-pub-1.eu', 'it-pub-1.eu.callisto-person'],
  ])('topic prefix %j sends to %s', async (topicPrefix, topic) => {
    const { publisher, send } = setup({ topicPrefix })
    expect((await publisher.publish('person', 'create', person)).destination).toBe(topic)
    expect(sentRecord(send).record.topic).toBe(topic)
  })

  it.each(['stag ing', 'a/b', 'x'.repeat(240)])('refuses the topic prefix %j when created', (topicPrefix) => {
    expect(() => setup({ topicPrefix })).toThrow(TypeError)
  })

  it('publishes an older version when asked, validated against that version', async () => {
    const { publisher, send } = setup()
    await publisher.publish('time-entry', 'create', timeEntryV1, { version: 1 })
    const { value, message } = sentRecord(send)
    expect(value.resource).toEqual({
      schema: 'https://event-contracts.dev/schemas/time-entry/1',
      content: timeEntryV1,
    })
    expect(message.headers?.ce_dataschema).toBe('https://event-contracts.dev/schemas/time-entry/1')
  })

  type Case = {
    name: string
    run: (p: ReturnType<typeof setup>['publisher']) => Promise<unknown>
    path: string
    keyword: string
  }
  // Deliberately wrong content, past the compiler: the run-time checks are what these rows test.
  const cast = (x: unknown) => x as never
  it.each<Case>([
    {
      name: 'missing key field',
      run: (p) => p.publish('time-entry', 'create', cast({ ...timeEntry, ownerId: undefined })),
      path: '/resource/content/ownerId',
      keyword: 'required',
    },
    {
      name: 'impossible date',
      run: (p) => p.publish('time-entry', 'create', { ...timeEntry, actualEndTime: '2026-02-30T00:00:00Z' }),
      path: '/resource/content/actualEndTime',
      keyword: 'format',
    },
    {
      name: 'unknown property',
      run: (p) => p.publish('person', 'create', cast({ ...person, nickname: 'A' })),
      path: '/resource/content/nickname',
      keyword: 'additionalProperties',
    },
    {
      name: 'wrong type',
      run: (p) => p.publish('accrual', 'create', cast({ ...contents.accrual, cumulativeTotal: '1' })),
      path: '/resource/content/cumulativeTotal',
      keyword: 'type',
    },
    {
      name: 'unknown action',
      run: (p) => p.publish('person', cast('upsert'), person),
      path: '/action',
      keyword: 'enum',
    },
    {
      name: 'bad event id',
      run: (p) => p.publish('person', 'create', person, { id: 'not-a-uuid' }),
      path: '/id',
      keyword: 'format',
    },
    {
      name: 'bad event time',
      run: (p) => p.publish('person', 'create', person, { time: 'yesterday' }),
      path: '/time',
      keyword: 'format',
    },
    {
      name: 'v2 content under version 1',
      run: (p) => p.publish('time-entry', 'create', cast(timeEntry), { version: 1 }),
      path: '/resource/content/notes',
      keyword: 'additionalProperties',
    },
    {
      name: 'a reference passed as content',
      run: (p) => p.publish('person', 'delete', cast(reference('person'))),
      path: '/resource/content/firstName',
      keyword: 'required',
    },
    {
      name: 'content not an object',
      run: (p) => p.publish('person', 'create', cast('Ada')),
      path: '/resource/content',
      keyword: 'type',
    },
    {
      name: 'reference with an extra field',
      run: (p) => p.publishReference('person', 'delete', cast({ ...reference('person'), name: 'x' })),
      path: '/resource/content/name',
      keyword: 'additionalProperties',
    },
    {
      name: 'reference to another schema',
      run: (p) =>
        p.publishReference('person', 'delete', {
          ...reference('person'),
          schema: 'https://event-contracts.dev/schemas/person/1',
        }),
      path: '/resource/content/schema',
      keyword: 'const',
    },
    {
      name: 'reference without version',
      run: (p) => p.publishReference('person', 'delete', cast({ tenantId: 't', id: 'i' })),
      path: '/resource/content/version',
      keyword: 'required',
    },
  ])('$name: EVENT_INVALID at $path ($keyword), nothing sent', async ({ run, path, keyword }) => {
    const { publisher, send, sendBatch } = setup()
    const e = await thrown(run(publisher))
    expect(e.code).toBe('EVENT_INVALID')
    expect(e.issues).toContainEqual(expect.objectContaining({ path, keyword }))
    expect(send).not.toHaveBeenCalled()
    expect(sendBatch).not.toHaveBeenCalled()
  })

  it('an invalid source is caught at the first publish', async () => {
    const { publisher, send } = setup({ source: '' })
    const e = await thrown(publisher.publish('person', 'create', person))
    expect(e.issues).toContainEqual(expect.objectContaining({ path: '/source', keyword: 'minLength' }))
    expect(send).not.toHaveBeenCalled()
  })

  it('an unknown resource or version (from JavaScript) is UNKNOWN_RESOURCE / UNKNOWN_SCHEMA, nothing sent', async () => {
    const { publisher, send } = setup()
    expect((await thrown(publisher.publish('shift' as ResourceName, 'create', person as never))).code).toBe(
      'UNKNOWN_RESOURCE',
    )
    const e = await thrown(publisher.publish('person', 'create', person, { version: 9 as 2 }))
    expect(e.code).toBe('UNKNOWN_SCHEMA')
    expect(e.issues).toEqual([expect.objectContaining({ path: '/resource/schema', keyword: 'known-schema' })])
    expect(send).not.toHaveBeenCalled()
  })
})

describe('publishReference', () => {
  it('sends the reference as content, keyed by reference.id', async () => {
    const { publisher, send } = setup()
    const ref = { ...reference('person'), schema: 'https://event-contracts.dev/schemas/person/2' }
    await publisher.publishReference('person', 'delete', ref)
    const { message, value } = sentRecord(send)
    expect(message.key).toBe(ref.id)
    expect(value.action).toBe('delete')
    expect(value.resource).toEqual({ schema: 'https://event-contracts.dev/schemas/person/2', content: ref })
    expect(message.headers?.ce_type).toBe('person.delete')
  })

  it("accepts Callisto's numeric ids, and a key to keep order with the resource's other events", async () => {
    const { publisher, send } = setup()
    await publisher.publishReference(
      'time-entry',
      'delete',
      { tenantId: 42, id: 1001, version: 3 },
      { key: timeEntry.ownerId, version: 1 },
    )
    const { message, value } = sentRecord(send)
    expect(message.key).toBe(timeEntry.ownerId)
    expect(value.resource).toMatchObject({ schema: 'https://event-contracts.dev/schemas/time-entry/1' })
  })
})

describe('publishEvent', () => {
  const whole = {
    id: ID,
    time: '2026-11-20T08:30:00Z',
    source: 'urn:callisto:rostering',
    action: 'update',
    traceId: 'kept: the envelope is open',
    resource: {
      schema: 'https://event-contracts.dev/schemas/person/1',
      content: { ...person, email: undefined, grade: undefined },
    },
  }

  it('sends a whole event as it is, to the topic its schema names', async () => {
    const { publisher, send } = setup({ topicPrefix: 'dev' })
    const event = JSON.parse(JSON.stringify(whole)) as Record<string, unknown>
    expect(await publisher.publishEvent(event)).toMatchObject({ destination: 'dev.callisto-person', id: ID })
    const { message, value } = sentRecord(send)
    expect(value).toEqual(event)
    expect(message.key).toBe(person.id)
    expect(message.headers).toMatchObject({
      ce_source: 'urn:callisto:rostering',
      ce_type: 'person.update',
      ce_dataschema: 'https://event-contracts.dev/schemas/person/1',
    })
  })

  it.each([
    [
      'invalid content',
      { ...whole, resource: { ...whole.resource, content: { ...person } } },
      'EVENT_INVALID',
    ],
    ['no metadata', { action: 'update', resource: whole.resource }, 'EVENT_INVALID'],
    [
      'an unknown schema',
      { ...whole, resource: { ...whole.resource, schema: 'https://example.org/x/1' } },
      'UNKNOWN_SCHEMA',
    ],
    ['not an object', 'person', 'EVENT_INVALID'],
  ])('%s: %s, nothing sent', async (_name, event, code) => {
    const { publisher, send } = setup()
    expect((await thrown(publisher.publishEvent(event))).code).toBe(code)
    expect(send).not.toHaveBeenCalled()
  })
})

describe('publishBatch', () => {
  const batch: BatchEvent[] = [
    { resource: 'person', action: 'create', content: person },
    { resource: 'time-entry', action: 'create', content: timeEntry },
    { resource: 'time-entry', action: 'update', content: timeEntryV1, version: 1 },
    { resource: 'person', action: 'delete', reference: reference('person') },
  ]

  it('validates all, then sends them in one sendBatch grouped by topic, in order', async () => {
    let n = 0
    const fake = fakeProducer()
    const publisher = createPublisher({
      producer: fake.producer,
      source: SOURCE,
      newId: () => `00000000-0000-4000-8000-00000000000${n++}`,
    })
    const result = await publisher.publishBatch(batch)
    expect(fake.send).not.toHaveBeenCalled()
    expect(fake.sendBatch).toHaveBeenCalledTimes(1)
    const sent = fake.sendBatch.mock.calls[0]?.[0]
    expect(sent?.acks).toBe(-1)
    expect(sent?.topicMessages?.map((t) => [t.topic, t.messages.map((m) => m.headers?.ce_type)])).toEqual([
      ['callisto-person', ['person.create', 'person.delete']],
      ['callisto-timecard-timeentries', ['time-entry.create', 'time-entry.update']],
    ])
    expect(result.ids).toEqual([0, 1, 2, 3].map((i) => `00000000-0000-4000-8000-00000000000${i}`))
    expect(result.positions).toEqual([
      { topic: 'callisto-person', partition: 0, baseOffset: '7' },
      { topic: 'callisto-timecard-timeentries', partition: 1, baseOffset: '7' },
    ])
  })

  it('all or nothing: one invalid event and none is sent; issues carry the index', async () => {
    const { publisher, send, sendBatch } = setup()
    const bad: BatchEvent[] = [
      ...batch,
      { resource: 'person', action: 'create', content: { ...person, startDate: '2025-02-29' } },
      { resource: 'time-entry', action: 'create', content: timeEntry, version: 1 as never },
    ]
    const e = await thrown(publisher.publishBatch(bad))
    expect(e.code).toBe('EVENT_INVALID')
    expect(e.issues).toContainEqual(
      expect.objectContaining({ path: '/4/resource/content/startDate', keyword: 'format' }),
    )
    expect(e.issues).toContainEqual(
      expect.objectContaining({ path: '/5/resource/content/notes', keyword: 'additionalProperties' }),
    )
    expect(e.issues.every((i) => /^\/[45]\//.test(i.path))).toBe(true)
    expect(sendBatch).not.toHaveBeenCalled()
    expect(send).not.toHaveBeenCalled()
  })

  it('an empty batch sends nothing', async () => {
    const { publisher, sendBatch } = setup()
    expect(await publisher.publishBatch([])).toEqual({ ids: [], positions: [] })
    expect(sendBatch).not.toHaveBeenCalled()
  })
})

describe('send errors reach the caller', () => {
  const retriable = Object.assign(new Error('Broker not available'), { retriable: true })
  const fatal = Object.assign(new Error('Message too large'), { retriable: false })
  it.each([
    ['retriable', retriable, true],
    ['not retriable', fatal, false],
    ['not even an Error', 'boom', false],
  ])('%s: SEND_FAILED with the cause', async (_name, failure, isRetriable) => {
    const { publisher } = setup({ failure })
    for (const run of [
      () => publisher.publish('person', 'create', person),
      () => publisher.publishBatch([{ resource: 'person', action: 'create', content: person }]),
    ]) {
      const e = await thrown(run())
      expect(e.code).toBe('SEND_FAILED')
      expect(e.retriable).toBe(isRetriable)
      expect(e.cause).toBe(failure)
    }
  })
})

describe('with a Kafka client, the publisher owns an idempotent producer', () => {
  function fakeKafka(connectFailures = 0) {
    const configs: ProducerConfig[] = []
    let failures = connectFailures
    const connect = vi.fn(async () => {
      if (failures-- > 0) throw Object.assign(new Error('ECONNREFUSED'), { retriable: true })
    })
    const disconnect = vi.fn(async () => undefined)
    const { send, sendBatch } = fakeProducer()
    const kafka = {
      producer: (config: ProducerConfig) => {
        configs.push(config)
        return { connect, disconnect, send, sendBatch } as unknown as Producer
      },
    } as unknown as Kafka
    return { kafka, configs, connect, disconnect, send }
  }

  it('is idempotent with one request in flight, connects once on first use, and disconnects', async () => {
    const f = fakeKafka()
    const publisher = createPublisher({
      kafka: f.kafka,
      source: SOURCE,
      producerConfig: { allowAutoTopicCreation: false },
    })
    expect(f.configs).toEqual([
      {
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
        idempotent: true,
        maxInFlightRequests: 1,
      },
    ])
    expect(f.connect).not.toHaveBeenCalled()
    await Promise.all([
      publisher.publish('person', 'create', person),
      publisher.publish('person', 'update', person),
    ])
    expect(f.connect).toHaveBeenCalledTimes(1)
    expect(f.send).toHaveBeenCalledTimes(2)
    await publisher.disconnect()
    expect(f.disconnect).toHaveBeenCalledTimes(1)
  })

  it('a failed connect is SEND_FAILED (retriable) and the next publish tries again', async () => {
    const f = fakeKafka(1)
    const publisher = createPublisher({ kafka: f.kafka, source: SOURCE })
    const e = await thrown(publisher.publish('person', 'create', person))
    expect([e.code, e.retriable]).toEqual(['SEND_FAILED', true])
    await publisher.publish('person', 'create', person)
    expect(f.connect).toHaveBeenCalledTimes(2)
    expect(f.send).toHaveBeenCalledTimes(1)
  })

  it('a given producer belongs to the caller: connect and disconnect leave it alone', async () => {
    const { publisher } = setup()
    await publisher.connect()
    await publisher.disconnect()
  })

  const outOfOrder = () =>
    new kafkajs.KafkaJSProtocolError(
      Object.assign(new Error('The broker received an out of order sequence number'), {
        type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
        code: 45,
        retriable: false,
      }),
    )

  it('sends one request at a time, whatever the callers do', async () => {
    let inFlight = 0
    let most = 0
    const producer = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: vi.fn(async (r: ProducerRecord): Promise<RecordMetadata[]> => {
        most = Math.max(most, ++inFlight)
        await new Promise((resolve) => setTimeout(resolve, 2))
        inFlight--
        return [{ topicName: r.topic, partition: 0, errorCode: 0, baseOffset: '1' }]
      }),
      sendBatch: vi.fn(async () => []),
    }
    const kafka = { producer: () => producer } as unknown as Kafka
    const publisher = createPublisher({ kafka, source: SOURCE })
    await Promise.all(Array.from({ length: 10 }, () => publisher.publish('person', 'create', person)))
    expect(producer.send).toHaveBeenCalledTimes(10)
    expect(most).toBe(1)
  })

  it('disconnect() lets the queued sends go first, then disconnects once, without connecting again', async () => {
    const producer = {
      connect: vi.fn(async () => undefined),
      disconnect: vi.fn(async () => undefined),
      send: vi.fn(async (r: ProducerRecord): Promise<RecordMetadata[]> => {
        await new Promise((resolve) => setTimeout(resolve, 2))
        return [{ topicName: r.topic, partition: 0, errorCode: 0, baseOffset: '1' }]
      }),
      sendBatch: vi.fn(async () => []),
    }
    const publisher = createPublisher({
      kafka: { producer: () => producer } as unknown as Kafka,
      source: SOURCE,
    })
    const sends = Array.from({ length: 3 }, () => publisher.publish('person', 'create', person))
    await publisher.connect()
    await publisher.disconnect()
    await Promise.all(sends)
    expect(producer.send).toHaveBeenCalledTimes(3)
    expect([producer.connect.mock.calls.length, producer.disconnect.mock.calls.length]).toEqual([1, 1])
    expect(producer.disconnect.mock.invocationCallOrder[0]).toBeGreaterThan(
      Math.max(...producer.send.mock.invocationCallOrder),
    )
  })

  it('replaces its own producer after a failed send; a sequence error is then retriable', async () => {
    const made: { send: ReturnType<typeof vi.fn>; disconnect: ReturnType<typeof vi.fn> }[] = []
    const kafka = {
      producer: () => {
        const n = made.length
        const p = {
          connect: vi.fn(async () => undefined),
          disconnect: vi.fn(async () => undefined),
          send: vi.fn(async (r: ProducerRecord): Promise<RecordMetadata[]> => {
            if (n === 0) throw outOfOrder()
            return [{ topicName: r.topic, partition: 0, errorCode: 0, baseOffset: '1' }]
          }),
          sendBatch: vi.fn(async () => []),
        }
        made.push(p)
        return p
      },
    } as unknown as Kafka
    const publisher = createPublisher({ kafka, source: SOURCE })
    const e = await thrown(publisher.publish('person', 'create', person))
    expect([e.code, e.retriable]).toEqual(['SEND_FAILED', true])
    await publisher.publish('person', 'create', person)
    expect(made).toHaveLength(2)
    expect(made[0]?.disconnect).toHaveBeenCalledTimes(1)
    expect(made[1]?.send).toHaveBeenCalledTimes(1)
  })

  it('a sequence error from a producer of the caller’s own is not retriable: only a new producer clears it', async () => {
    const { publisher } = setup({ failure: outOfOrder() })
    const e = await thrown(publisher.publish('person', 'create', person))
    expect([e.code, e.retriable]).toEqual(['SEND_FAILED', false])
  })
})
