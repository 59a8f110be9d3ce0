import type { Admin, ITopicConfig } from 'kafkajs'
import { describe, expect, it, vi } from 'vitest'
import { deadLetterTopic, topicOf as topicIn } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { ensureTopics } from '../../transports/kafka/index.ts'

const topicOf = (r: keyof typeof catalog.resources, prefix?: string) => topicIn(catalog, r, prefix)

function fakeAdmin(existing: string[]) {
  const created: ITopicConfig[][] = []
  const admin: Pick<Admin, 'listTopics' | 'createTopics'> = {
    listTopics: vi.fn(async () => existing),
    createTopics: vi.fn(async ({ topics }: { topics: ITopicConfig[] }) => {
      created.push(topics)
      return true
    }),
  }
  return { admin, created }
}

describe('topics', () => {
  it('names topics with an optional prefix and a .dlq dead-letter topic', () => {
    expect(topicOf('person')).toBe('callisto-person')
    expect(topicOf('person', 'staging')).toBe('staging.callisto-person')
    expect(deadLetterTopic(topicOf('person', 'staging'))).toBe('staging.callisto-person.dlq')
  })

  it('creates only the missing topics, with the given partitions and replication', async () => {
    const { admin, created } = fakeAdmin(['callisto-person'])
    const r = await ensureTopics(admin, { catalog, partitions: 6, replicationFactor: 3 })
    expect(r).toEqual({
      created: ['callisto-accruals', 'callisto-timecard-timeentries', 'hdx-datasets'],
      existing: ['callisto-person'],
    })
    expect(created).toEqual([
      [
        { topic: 'callisto-accruals', numPartitions: 6, replicationFactor: 3 },
        { topic: 'callisto-timecard-timeentries', numPartitions: 6, replicationFactor: 3 },
        { topic: 'hdx-datasets', numPartitions: 6, replicationFactor: 3 },
      ],
    ])
  })

  it('with a prefix, chosen resources and dead-letter topics; defaults 3 partitions, replication 1', async () => {
    const { admin, created } = fakeAdmin([])
    await ensureTopics(admin, { catalog, topicPrefix: 'dev', resources: ['person'], deadLetters: true })
    expect(created).toEqual([
      [
        { topic: 'dev.callisto-person', numPartitions: 3, replicationFactor: 1 },
        { topic: 'dev.callisto-person.dlq', numPartitions: 3, replicationFactor: 1 },
      ],
    ])
  })

  it('does nothing when every topic exists', async () => {
    const { admin } = fakeAdmin([
      'callisto-person',
      'callisto-accruals',
      'callisto-timecard-timeentries',
      'hdx-datasets',
    ])
    expect((await ensureTopics(admin, { catalog })).created).toEqual([])
    expect(admin.createTopics).not.toHaveBeenCalled()
  })
})

describe('ensureTopics given a Kafka client', () => {
  it('makes its own admin, connects it, and disconnects it even when creating fails', async () => {
    const calls: string[] = []
    const admin = {
      connect: vi.fn(async () => void calls.push('connect')),
      disconnect: vi.fn(async () => void calls.push('disconnect')),
      listTopics: vi.fn(async () => (calls.push('list'), [] as string[])),
      createTopics: vi.fn(async () => {
        calls.push('create')
        throw new Error('broker said no')
      }),
    }
    const kafka = { admin: () => admin }
    await expect(ensureTopics(kafka, { catalog, resources: ['person'] })).rejects.toThrow('broker said no')
    expect(calls).toEqual(['connect', 'list', 'create', 'disconnect'])
  })
})
