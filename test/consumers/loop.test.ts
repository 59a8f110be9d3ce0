/**
 * The consumer loop with fake ports: which offsets get resolved (so committed) and when. At-least-once means an
 * offset is resolved only after its message was handled, skipped or dead-lettered, and never past one that was not.
 */
import { describe, expect, it } from 'vitest'
import {
  createTopicConsumer,
  type BatchPayload,
  type ConsumerPort,
  type EventHandler,
  type OutboundMessage,
  type ProducerPort,
  type RegistryPort,
  type TopicConsumerOptions,
} from '../../consumers/index.ts'
import { ContractError, schemaUri } from '../../core/index.ts'
import { eventMessage, rawEvent, uuid } from './events.ts'

type Step = { value: string | null; headers?: Record<string, string> }

function harness(options: Partial<TopicConsumerOptions> & { handle: EventHandler; sendFailures?: number }) {
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
  const sent: OutboundMessage[] = []
  let failures = options.sendFailures ?? 0
  const producer: ProducerPort = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: async ({ messages }) => {
      if (failures-- > 0) throw new Error('broker said no')
      sent.push(...messages)
    },
  }
  const c = createTopicConsumer({
    consumer,
    producer,
    groupId: 'g',
    topics: ['t'],
    retry: { initialMs: 1, maxMs: 5 },
    ...options,
  })
  const resolved: string[] = []
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
      batch: { topic: 't', partition: 0, messages },
      resolveOffset: (o) => void resolved.push(o),
      heartbeat: async () => undefined,
      commitOffsetsIfNecessary: async () => undefined,
      isRunning: () => running,
      isStale: () => false,
    })
  }
  return { consumer: c, batch, resolved, sent }
}

const ok = () => eventMessage('time-entry', 'create').value

describe('consumer loop (fakes)', () => {
  it('resolves handled, skipped and dead-lettered messages, in order', async () => {
    const seen: string[] = []
    const h = harness({ handle: (e) => void seen.push(e.event.id) })
    await h.batch([{ value: ok() }, { value: '{bad' }, { value: ok() }])
    expect(h.resolved).toEqual(['0', '1', '2'])
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
    expect(h.resolved).toEqual(['0', '1'])
  })

  it('leaves a message waiting on a registry that is down unresolved when stopped, and everything after it', async () => {
    const registry: RegistryPort = {
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
    expect(h.resolved).toEqual(['0'])
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
    expect(h.resolved).toEqual([])
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
    expect(h.resolved).toEqual(['0'])
  })
})
