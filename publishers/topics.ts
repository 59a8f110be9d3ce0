import type { Admin, ITopicConfig } from 'kafkajs'
import { catalog, checkTopicPrefix, deadLetterTopic, topicOf, type ResourceName } from '../core/index.ts'

export {
  checkTopicPrefix,
  DLQ_SUFFIX,
  deadLetterTopic,
  TOPIC_PREFIX_SEPARATOR,
  topicOf,
} from '../core/index.ts'

export interface EnsureTopicsOptions {
  partitions?: number
  replicationFactor?: number
  topicPrefix?: string
  /** Only these resources' topics; all of the catalog by default. */
  resources?: readonly ResourceName[]
  /** Also create each topic's `.dlq` dead-letter topic. */
  deadLetters?: boolean
}

export interface EnsuredTopics {
  created: string[]
  existing: string[]
}

/**
 * Creates the catalog's topics that do not exist yet; running it again, or beside another instance, is harmless.
 * Lists first because kafkajs' createTopics answers `false` as soon as any topic existed, without waiting for the
 * leaders of the ones it did create.
 */
export async function ensureTopics(
  admin: Pick<Admin, 'listTopics' | 'createTopics'>,
  {
    partitions = 3,
    replicationFactor = 1,
    topicPrefix,
    resources,
    deadLetters = false,
  }: EnsureTopicsOptions = {},
): Promise<EnsuredTopics> {
  checkTopicPrefix(topicPrefix)
  const names = new Set<string>()
  for (const r of resources ?? (Object.keys(catalog) as ResourceName[])) {
    const topic = topicOf(r, topicPrefix)
    names.add(topic)
    if (deadLetters) names.add(deadLetterTopic(topic))
  }
  const present = new Set(await admin.listTopics())
  const wanted = [...names].sort()
  const missing = wanted.filter((t) => !present.has(t))
  if (missing.length) {
    const topics: ITopicConfig[] = missing.map((topic) => ({
      topic,
      numPartitions: partitions,
      replicationFactor,
    }))
    // false: another process created them between our list and our create (TOPIC_ALREADY_EXISTS); that is fine.
    await admin.createTopics({ topics, waitForLeaders: true })
  }
  return { created: missing, existing: wanted.filter((t) => present.has(t)) }
}
