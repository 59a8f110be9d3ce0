/** The Kafka transport (kafkajs): a sink for the publisher, a runner for the inbound pipeline, topics, dead letters. */
export { kafkaSink, kafkaHeaders } from './sink.ts'
export type { KafkaBatchPositions, KafkaPosition, KafkaSink, KafkaSinkOptions, SinkProducer } from './sink.ts'
export { createKafkaPublisher } from './publisher.ts'
export type { KafkaPublisher, KafkaPublisherOptions } from './publisher.ts'
export {
  COMMIT_EVERY_DEFAULTS,
  createKafkaBatchConsumer,
  createKafkaConsumer,
  createKafkaTopicConsumer,
  resolveCommitEvery,
} from './consumer.ts'
export type {
  CommitEvery,
  KafkaBatchConsumerOptions,
  KafkaCommonOptions,
  KafkaConsumerOptions,
  KafkaTopicConsumerOptions,
} from './consumer.ts'
export { KafkaMessage, CE_HEADER, CE_PREFIX } from './message.ts'
export { DLQ_HEADERS, deadLetterRecord, deadLetterTopicOf, kafkaDeadLetters } from './dead-letter.ts'
export type { DeadLetterTopic } from './dead-letter.ts'
export { ensureTopics } from './topics.ts'
export { isRetriableKafkaError, kafkaSendFailed } from './errors.ts'
export type { RetriableOptions } from './errors.ts'
export type { EnsuredTopics, EnsureTopicsOptions } from './topics.ts'
export { fromBeginning, planSeeks } from './start.ts'
export type { Seek, StartPosition } from './start.ts'
export { headerText } from './ports.ts'
export type {
  AdminPort,
  BatchPayload,
  ConsumerPort,
  Headers,
  KafkaPort,
  KafkaRecord,
  OutboundRecord,
  ProducerPort,
  RunConfig,
  TopicOffsets,
} from './ports.ts'
