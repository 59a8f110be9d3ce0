/** The pipeline suite (test/consumers/pipeline.ts) on the real Redis: the same cases Kafka and memory run. */
import { describePipeline } from '../consumers/pipeline.ts'
import { redisHarness } from './harness.ts'

describePipeline('redis', redisHarness)
