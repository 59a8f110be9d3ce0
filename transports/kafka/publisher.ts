import {
  createPublisher,
  type Catalog,
  type Publisher,
  type PublishRetry,
  type WireFormatOptions,
} from '../../core/index.ts'
import { kafkaSink, type KafkaBatchPositions, type KafkaPosition, type KafkaSinkOptions } from './sink.ts'

/** `wireFormat: 'confluent'` with `schemaIds` frames values in Confluent's wire format (docs/wire-format.md). */
export type KafkaPublisherOptions<C extends Catalog> = KafkaSinkOptions &
  WireFormatOptions & {
    catalog: C
    /** `source` of every event: a URI reference naming the service, e.g. `urn:callisto:timecard-restapi`. */
    source: string
    /** Environment prefix: `staging` sends person events to `staging.callisto-person`. */
    topicPrefix?: string
    newId?: () => string
    now?: () => Date
    /** Retry retriable send failures for up to `maxElapsedMs` before rejecting (off by default): see PublishRetry. */
    retry?: PublishRetry
  }

export type KafkaPublisher<C extends Catalog> = Publisher<C, KafkaPosition, KafkaBatchPositions>

/** The kernel's typed publisher on a Kafka sink: `publish` resolves to `{ destination, id, position }`. */
export function createKafkaPublisher<C extends Catalog>(
  options: KafkaPublisherOptions<C>,
): KafkaPublisher<C> {
  // catalog, source, topicPrefix, newId, now and retry go to the kernel as given (it fills the defaults once).
  return createPublisher({ ...options, sink: kafkaSink(options) })
}
