export { createPublisher } from './publisher.ts'
export type {
  BatchEvent,
  BatchPublished,
  ProducerPort,
  Published,
  Publisher,
  PublisherOptions,
  PublishOptions,
  ReferenceOptions,
} from './publisher.ts'
export { cloudEventHeaders } from './headers.ts'
export type { CloudEventHeaders } from './headers.ts'
export { ensureTopics, topicOf, deadLetterTopic, TOPIC_PREFIX_SEPARATOR, DLQ_SUFFIX } from './topics.ts'
export type { EnsureTopicsOptions, EnsuredTopics } from './topics.ts'
