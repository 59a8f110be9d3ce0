import { catalog, type ResourceName } from '../generated/index.ts'

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
  if (!LEGAL.test(prefix))
    throw new TypeError(`topic prefix '${prefix}' may hold only letters, digits, '.', '_' and '-'`)
  if (prefix.length + TOPIC_PREFIX_SEPARATOR.length + LONGEST > MAX_TOPIC)
    throw new TypeError(`topic prefix '${prefix}' is too long`)
}

/** The topic a resource's events go to, with the environment prefix when there is one. Publishers and consumers agree on it here. */
export function topicOf(resource: ResourceName, prefix?: string): string {
  const topic = catalog[resource].topic
  return prefix ? `${prefix}${TOPIC_PREFIX_SEPARATOR}${topic}` : topic
}

export const deadLetterTopic = (topic: string): string => `${topic}${DLQ_SUFFIX}`
