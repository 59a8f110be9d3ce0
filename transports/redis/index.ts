/** The Redis Streams transport (node-redis): a sink for the publisher, a consumer-group runner, dead letters. */
export { redisSink, entryFields, maxLenOf, DEFAULT_MAX_LEN } from './sink.ts'
export type { MaxLen, RedisPosition, RedisSink, RedisSinkOptions } from './sink.ts'
export { createRedisPublisher } from './publisher.ts'
export type { RedisPublisher, RedisPublisherOptions } from './publisher.ts'
export {
  createRedisBatchConsumer,
  createRedisConsumer,
  createRedisTopicConsumer,
  REDIS_CONSUMER_DEFAULTS,
} from './consumer.ts'
export type {
  RedisCommonOptions,
  RedisBatchConsumerOptions,
  RedisConsumerOptions,
  RedisStart,
  RedisTopicConsumerOptions,
} from './consumer.ts'
export { RedisMessage, DATA_FIELD, KEY_FIELD } from './message.ts'
export {
  DEFAULT_DEAD_LETTER_MAX_LEN,
  DLQ_FIELDS,
  deadLetterFields,
  deadLetterStreamOf,
  redisDeadLetters,
} from './dead-letter.ts'
export type { DeadLetterStream } from './dead-letter.ts'
export { isRetriable, ownClient, REDIS_DEFAULTS, RedisTimeoutError } from './client.ts'
export type { RedisClient, RedisConnection } from './client.ts'
