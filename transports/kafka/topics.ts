import type { Admin, ITopicConfig } from 'kafkajs'
import { isRetriableKafkaError } from './errors.ts'
import {
  checkTopicPrefix,
  deadLetterTopic,
  indexCatalog,
  topicOf,
  type Catalog,
  type ResourceOf,
} from '../../core/index.ts'

export interface EnsureTopicsOptions<C extends Catalog> {
  catalog: C
  partitions?: number
  /** Copies of each partition. Default 1 (one broker); on a cluster 3, so a broker may fail without data loss. */
  replicationFactor?: number
  /**
   * `min.insync.replicas` of the topics made here: how many copies an `acks: -1` write (the publisher's) needs
   * before it is acknowledged. On a cluster 2 with replication 3: one broker may be down and writes go on, and an
   * acknowledged event is on two brokers. Default: the broker's (`min.insync.replicas`, 1 unless set).
   */
  minInsyncReplicas?: number
  topicPrefix?: string
  /** Only these resources' topics; all of the catalog by default. */
  resources?: readonly ResourceOf<C>[]
  /** Also create each topic's `.dlq` dead-letter topic. */
  deadLetters?: boolean
}

export interface EnsuredTopics {
  created: string[]
  existing: string[]
}

type TopicAdmin = Pick<Admin, 'listTopics' | 'createTopics' | 'fetchTopicMetadata' | 'fetchTopicOffsets'>
type OwnedAdmin = TopicAdmin & Pick<Admin, 'connect' | 'disconnect'>

/**
 * Creates the catalog's topics that do not exist yet; running it again, or beside another instance, is harmless.
 * Given a `Kafka` client it makes its own admin and disconnects it before resolving (a connected admin keeps a
 * process alive); given an admin, the admin is yours. Lists first because kafkajs' createTopics answers `false` as
 * soon as any topic existed, without waiting for the leaders of the ones it did create.
 */
export async function ensureTopics<C extends Catalog>(
  target: TopicAdmin | { admin(): OwnedAdmin },
  options: EnsureTopicsOptions<C>,
): Promise<EnsuredTopics> {
  if (!('admin' in target)) return ensure(target, options)
  const admin = target.admin()
  await admin.connect()
  try {
    return await ensure(admin, options)
  } finally {
    await admin.disconnect()
  }
}

async function ensure<C extends Catalog>(
  admin: TopicAdmin,
  {
    catalog,
    partitions = 3,
    replicationFactor = 1,
    minInsyncReplicas,
    topicPrefix,
    resources,
    deadLetters = false,
  }: EnsureTopicsOptions<C>,
): Promise<EnsuredTopics> {
  checkTopicPrefix(topicPrefix, catalog)
  if (minInsyncReplicas !== undefined && !(minInsyncReplicas >= 1 && minInsyncReplicas <= replicationFactor))
    throw new TypeError(
      `minInsyncReplicas ${minInsyncReplicas} must be between 1 and replicationFactor ${replicationFactor}: ` +
        'a topic needing more in-sync copies than it has refuses every acks=-1 write',
    )
  const names = new Set<string>()
  for (const r of resources ?? (indexCatalog(catalog).resources as ResourceOf<C>[])) {
    const topic = topicOf(catalog, r, topicPrefix)
    names.add(topic)
    if (deadLetters) names.add(deadLetterTopic(topic))
  }
  const present = new Set(await admin.listTopics())
  const wanted = [...names].sort()
  const missing = wanted.filter((t) => !present.has(t))
  if (missing.length) {
    const configEntries =
      minInsyncReplicas === undefined
        ? undefined
        : [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }]
    const topics: ITopicConfig[] = missing.map((topic) => ({
      topic,
      numPartitions: partitions,
      replicationFactor,
      ...(configEntries && { configEntries }),
    }))
    // false: another process created them between our list and our create (TOPIC_ALREADY_EXISTS); that is fine.
    await admin.createTopics({ topics, waitForLeaders: false })
    await waitForLeaders(admin, missing)
  }
  return { created: missing, existing: wanted.filter((t) => present.has(t)) }
}

const LEADERS_TIMEOUT_MS = 30_000

/**
 * Resolves once every partition of `topics` has a leader that answers for it. kafkajs' own `waitForLeaders` gives up
 * on the first UNKNOWN_TOPIC_OR_PARTITION, which a cluster answers while the new topic's metadata reaches its other
 * brokers; and metadata can name a leader a moment before that broker takes requests for the partition (a
 * ListOffsets then fails with NOT_LEADER_OR_FOLLOWER), so the leaders are asked for the offsets too.
 */
async function waitForLeaders(admin: TopicAdmin, topics: string[]): Promise<void> {
  const end = Date.now() + LEADERS_TIMEOUT_MS
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics })
      const ready = (t: (typeof meta.topics)[number]) =>
        t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)
      if (meta.topics.length === topics.length && meta.topics.every(ready)) {
        await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic)))
        return
      }
    } catch (e) {
      if (!isRetriableKafkaError(e)) throw e
    }
    if (Date.now() > end)
      throw new Error(`no leader for every partition of ${topics.join(', ')} after ${LEADERS_TIMEOUT_MS} ms`)
    await new Promise((r) => setTimeout(r, wait))
  }
}
