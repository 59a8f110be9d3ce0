/** Handler failures, the consecutive-error limit and accepted versions, on the real broker (see pipeline.ts). */
import { kafkaHarness } from './kafka.ts'
import { describePipeline } from './pipeline.ts'

describePipeline('kafka', kafkaHarness, ['failures'])
