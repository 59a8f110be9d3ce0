import type { Admin, ITopicConfig } from 'kafkajs'
import kafkajs from 'kafkajs'
import { describe, expect, it, vi } from 'vitest'
import { deadLetterTopic, topicOf as topicIn } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { ensureTopics } from '../../transports/kafka/index.ts'

const topicOf = (r: keyof typeof catalog.resources, prefix?: string) => topicIn(catalog, r, prefix)

function fakeAdmin(existing: string[]) {
  const created: ITopicConfig[][] = []
  const admin: Pick<Admin, 'listTopics' | 'createTopics' | 'fetchTopicMetadata' | 'fetchTopicOffsets'> = {
    listTopics: vi.fn(async () => existing),
    createTopics: vi.fn(async ({ topics }: { topics: ITopicConfig[] }) => {
      created.push(topics)
      return true
    }),
    fetchTopicMetadata: vi.fn(async (o?: { topics: string[] }) => ({
      topics: (o?.topics ?? []).map((name) => ({
        name,
        partitions: [
          { partitionId: 0, leader: 1, replicas: [1], isr: [1], offlineReplicas: [], partitionErrorCode: 0 },
        ],
      })),
    })),
    fetchTopicOffsets: vi.fn(async () => [{ partition: 0, offset: '0', high: '0', low: '0' }]),
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

  it('sets min.insync.replicas on the topics it makes', async () => {
    const { admin, created } = fakeAdmin([])
    await ensureTopics(admin, { catalog, resources: ['person'], replicationFactor: 3, minInsyncReplicas: 2 })
    expect(created).toEqual([
      [
        {
          topic: 'callisto-person',
          numPartitions: 3,
          replicationFactor: 3,
          configEntries: [{ name: 'min.insync.replicas', value: '2' }],
        },
      ],
    ])
  })

  it.each([
    { replicationFactor: 3, minInsyncReplicas: 4 },
    { replicationFactor: undefined, minInsyncReplicas: 2 },
    { replicationFactor: 3, minInsyncReplicas: 0 },
  ])('refuses min.insync.replicas $minInsyncReplicas with replication $replicationFactor', async (o) => {
    const { admin } = fakeAdmin([])
    await expect(ensureTopics(admin, { catalog, ...o })).rejects.toThrow(
      /^minInsyncReplicas \d+ must be between 1 and replicationFactor \d+/,
    )
    expect(admin.createTopics).not.toHaveBeenCalled()
  })

  it('waits for the new topics’ leaders through UNKNOWN_TOPIC_OR_PARTITION (a cluster spreading metadata)', async () => {
    const { admin } = fakeAdmin([])
    const unknown = new kafkajs.KafkaJSProtocolError(
      Object.assign(new Error('This server does not host this topic-partition'), {
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
        code: 3,
        retriable: true,
      }),
    )
    const partition = (leader: number) => ({
      partitionId: 0,
      leader,
      replicas: [1],
      isr: [1],
      offlineReplicas: [],
      partitionErrorCode: 0,
    })
    const fetch = vi
      .fn<Admin['fetchTopicMetadata']>()
      .mockRejectedValueOnce(unknown)
      .mockResolvedValueOnce({ topics: [{ name: 'callisto-person', partitions: [partition(-1)] }] })
      .mockResolvedValueOnce({ topics: [{ name: 'callisto-person', partitions: [partition(2)] }] })
    admin.fetchTopicMetadata = fetch
    await ensureTopics(admin, { catalog, resources: ['person'] })
    expect(fetch).toHaveBeenCalledTimes(3)
    expect(admin.createTopics).toHaveBeenCalledWith(expect.objectContaining({ waitForLeaders: false }))
  })

  it('waits until the new leaders answer for their partitions (NOT_LEADER_OR_FOLLOWER just after creation)', async () => {
    const { admin } = fakeAdmin([])
    const notLeader = new kafkajs.KafkaJSProtocolError(
      Object.assign(new Error('This server is not the leader for that topic-partition'), {
        type: 'NOT_LEADER_OR_FOLLOWER',
        code: 6,
        retriable: true,
      }),
    )
    const offsets = vi
      .fn<Admin['fetchTopicOffsets']>()
      .mockRejectedValueOnce(notLeader)
      .mockResolvedValueOnce([{ partition: 0, offset: '0', high: '0', low: '0' }])
    admin.fetchTopicOffsets = offsets
    await ensureTopics(admin, { catalog, resources: ['person'] })
    expect(offsets).toHaveBeenCalledTimes(2)
    expect(offsets).toHaveBeenCalledWith('callisto-person')
  })

  it('does not wait through an error that will not pass', async () => {
    const { admin } = fakeAdmin([])
    admin.fetchTopicMetadata = vi.fn(async () => {
      throw new kafkajs.KafkaJSNonRetriableError('Invalid topic')
    })
    await expect(ensureTopics(admin, { catalog, resources: ['person'] })).rejects.toThrow('Invalid topic')
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
      fetchTopicMetadata: vi.fn(async () => ({ topics: [] })),
      fetchTopicOffsets: vi.fn(async () => []),
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
