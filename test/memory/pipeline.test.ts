/** The pipeline suite (test/consumers/pipeline.ts) on the in-memory bus: the same cases Kafka runs. */
import { describePipeline } from '../consumers/pipeline.ts'
import { memoryHarness } from './harness.ts'

describePipeline('memory', memoryHarness)
