/** Typed round trip on the real broker: every resource and action, published with the publisher, handled by type. */
import { expectTypeOf } from 'vitest'
import type { AnyEventOf, Handlers } from '../../core/index.ts'
import type { ContractCatalog } from '../../generated/index.ts'
import type { KafkaMessage } from '../../transports/kafka/index.ts'
import { kafkaHarness } from './kafka.ts'
import { describePipeline } from './pipeline.ts'

describePipeline('kafka', kafkaHarness, ['roundtrip'])

// Type-level: a handler for an action or resource the catalog does not have does not compile.
export const _unknownResource: Handlers<ContractCatalog, KafkaMessage> = {
  // @ts-expect-error not a resource in the catalog
  'no-such-resource': { create() {} },
}
export const _typeChecks: Handlers<ContractCatalog, KafkaMessage> = {
  person: {
    // @ts-expect-error not an action
    upsert() {},
    create(event, ctx) {
      expectTypeOf(event.resource.content).toEqualTypeOf<
        AnyEventOf<ContractCatalog, 'person', 'create'>['resource']['content']
      >()
      // On Kafka the handler sees the Kafka message: topic, partition, offset, key, headers.
      expectTypeOf(ctx.message).toEqualTypeOf<KafkaMessage>()
      expectTypeOf(ctx.message.partition).toEqualTypeOf<number>()
    },
  },
}
