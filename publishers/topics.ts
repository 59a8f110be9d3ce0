import type { Admin, ITopicConfig } from 'kafkajs'
import { catalog, type ResourceName } from '../core/index.ts'

/** `staging` + `callisto-person` → `staging.callisto-person` (like openedx's EVENT_BUS_TOPIC_PREFIX). */
export const TOPIC_PREFIX_SEPARATOR = '.'
/** A topic's dead-letter topic: `<topic>.dlq`. */
export const DLQ_SUFFIX = '.dlq'

// Kafka's own rule for topic names; a prefix must leave room for the longest catalog topic and its `.dlq`.
const LEGAL = /^[a-zA-Z0-9._-]+$/
const MAX_TOPIC = 249
const LONGEST = Math.max(...Object.values(catalog).map((c) => c.topic.length)) + DLQ_SUFFIX.length

/** Throws a TypeError for a prefix Kafka would refuse as part of a topic name (a configuration mistake). */
export function checkTopicPrefix(prefix: string | undefined): void {
  if (!prefix) return // none, or an empty environment variable
  if (!LEGAL.test(prefix)) throw new TypeError(`topic prefix '${prefix}' may hold only letters, digits, '.', '_' and '-'`)
  if (prefix.length + TOPIC_PREFIX_SEPARATOR.length + LONGEST > MAX_TOPIC) throw new TypeError(`topic prefix '${prefix}' is too long`)
}

/** The topic a resource's events go to, with the environment prefix when there is one. */
export function topicOf(resource: ResourceName, prefix?: string): string {
  const topic = catalog[resource].topic
  return prefix ? `${prefix}${TOPIC_PREFIX_SEPARATOR}${topic}` : topic
}

export const deadLetterTopic = (topic: string): string => `${topic}${DLQ_SUFFIX}`

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
  { partitions = 3, replicationFactor = 1, topicPrefix, resources, deadLetters = false }: EnsureTopicsOptions = {},
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
    const topics: ITopicConfig[] = missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor }))
    // false: another process created them between our list and our create (TOPIC_ALREADY_EXISTS); that is fine.
    await admin.createTopics({ topics, waitForLeaders: true })
  }
  return { created: missing, existing: wanted.filter((t) => present.has(t)) }
}
