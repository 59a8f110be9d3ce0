/** Schemas outside the catalog, looked up over real HTTP with the registry client, on the real broker (see pipeline.ts). */
import { kafkaHarness } from './kafka.ts'
import { describePipeline } from './pipeline.ts'

describePipeline('kafka', kafkaHarness, ['registry'])
