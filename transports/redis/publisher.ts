import { createPublisher, type Catalog, type Publisher, type PublishRetry } from '../../core/index.ts'
import { redisSink, type RedisPosition, type RedisSinkOptions } from './sink.ts'

export type RedisPublisherOptions<C extends Catalog> = RedisSinkOptions & {
  catalog: C
  /** `source` of every event: a URI reference naming the service, e.g. `urn:callisto:timecard-restapi`. */
  source: string
  /** Environment prefix: `staging` sends person events to the stream `staging.callisto-person`. */
  topicPrefix?: string
  newId?: () => string
  now?: () => Date
  /** Retry retriable send failures for up to `maxElapsedMs` before rejecting (off by default): see PublishRetry. */
  retry?: PublishRetry
}

export type RedisPublisher<C extends Catalog> = Publisher<C, RedisPosition, RedisPosition[]>

/** The kernel's typed publisher on a Redis sink: `publish` resolves to `{ destination, id, position }` (entry id). */
export function createRedisPublisher<C extends Catalog>(
  options: RedisPublisherOptions<C>,
): RedisPublisher<C> {
  // catalog, source, topicPrefix, newId, now and retry go to the kernel as given (it fills the defaults once).
  return createPublisher({ ...options, sink: redisSink(options) })
}
