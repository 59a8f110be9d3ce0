/** 1,000 valid and 100 poison messages interleaved over 10 keys and 3 partitions, on the real broker (see pipeline.ts). */
import { kafkaHarness } from './kafka.ts'
import { describePipeline } from './pipeline.ts'

describePipeline('kafka', kafkaHarness, ['poison'])
