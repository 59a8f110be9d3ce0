/** A consumer stopped mid-stream and another started in its group lose nothing (at-least-once), on the real broker. */
import { kafkaHarness } from './kafka.ts'
import { describePipeline } from './pipeline.ts'

describePipeline('kafka', kafkaHarness, ['restart'])
