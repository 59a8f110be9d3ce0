import { indexCatalog, type Catalog } from './catalog.ts'

/** `staging` + `callisto-person` → `staging.callisto-person` (like openedx's EVENT_BUS_TOPIC_PREFIX). */
export const TOPIC_PREFIX_SEPARATOR = '.'
/** A topic's dead-letter topic (or a stream's dead-letter stream): `<topic>.dlq`. */
export const DLQ_SUFFIX = '.dlq'

// Kafka's rule for topic names (Redis stream names are laxer); a prefix must leave room for the longest
// catalog topic and its `.dlq`.
const LEGAL = /^[a-zA-Z0-9._-]+$/
const MAX_TOPIC = 249

/** Throws a TypeError for a prefix Kafka would refuse as part of a topic name (a configuration mistake). */
export function checkTopicPrefix(prefix: string | undefined, catalog?: Catalog): void {
  if (!prefix) return // none, or an empty environment variable
  if (!LEGAL.test(prefix))
    throw new TypeError(`topic prefix '${prefix}' may hold only letters, digits, '.', '_' and '-'`)
  const longest = catalog
    ? Math.max(0, ...indexCatalog(catalog).resources.map((r) => catalog.resources[r]?.topic.length ?? 0))
    : 0
  if (prefix.length + TOPIC_PREFIX_SEPARATOR.length + longest + DLQ_SUFFIX.length > MAX_TOPIC)
    throw new TypeError(`topic prefix '${prefix}' is too long`)
}

/** A topic with the environment prefix when there is one. Publishers and consumers agree on it here. */
export const prefixed = (topic: string, prefix?: string): string =>
  prefix ? `${prefix}${TOPIC_PREFIX_SEPARATOR}${topic}` : topic

/** The topic a resource's events go to, with the environment prefix when there is one. */
export function topicOf<C extends Catalog>(
  catalog: C,
  resource: keyof C['resources'] & string,
  prefix?: string,
): string {
  const entry = indexCatalog(catalog).resource(resource)
  if (!entry) throw new TypeError(`unknown resource '${resource}'`)
  return prefixed(entry.topic, prefix)
}

export const deadLetterTopic = (topic: string): string => `${topic}${DLQ_SUFFIX}`
