export { createConsumer, createTopicConsumer } from './consumer.ts'
export type {
  CommonOptions,
  ConsumerOptions,
  EventConsumer,
  RetryInfo,
  TopicConsumerOptions,
} from './consumer.ts'
export { decode, CE_TYPE, CE_DATASCHEMA } from './decode.ts'
export type { Decoded, DecodedEvent, DecodeOptions } from './decode.ts'
export { handlerDispatcher, allEvents, topicsOf, runHandler, retryHandler } from './dispatch.ts'
export type {
  Dispatcher,
  EventHandler,
  Handler,
  HandlerOutcome,
  Handlers,
  MessageContext,
  RetryHooks,
} from './dispatch.ts'
export { DLQ_HEADERS, deadLetterMessage, deadLetterTopicOf } from './dead-letter.ts'
export type { DeadLetter, DeadLetterReason, DeadLetterTopic } from './dead-letter.ts'
export { fromBeginning, planSeeks } from './start.ts'
export type { Seek, StartPosition } from './start.ts'
export { acceptsVersion } from './accept.ts'
export type { Accept, AcceptedVersions } from './accept.ts'
export { createSchemaSource } from './schemas.ts'
export type { Lookup, SchemaSource } from './schemas.ts'
export { RETRY_DEFAULTS, backoff } from './retry.ts'
export type { RetryOptions } from './retry.ts'
export { headerText } from './ports.ts'
export type {
  AdminPort,
  BatchPayload,
  ConsumerPort,
  Headers,
  InboundMessage,
  KafkaPort,
  OutboundMessage,
  ProducerPort,
  RegistryPort,
} from './ports.ts'
