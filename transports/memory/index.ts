/** The in-memory transport: the same ports as Kafka, for tests and in-process buses. */
export { createMemoryBus, MemoryMessage } from './bus.ts'
export type {
  MemoryBus,
  MemoryCommonOptions,
  MemoryBatchConsumerOptions,
  MemoryConsumer,
  MemoryConsumerOptions,
  MemoryPosition,
  MemoryRecord,
  MemoryStart,
  MemoryTopicConsumerOptions,
} from './bus.ts'
