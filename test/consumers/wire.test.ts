import { kafkaHarness } from './kafka.ts'
import { describeWire } from './wire.ts'

describeWire('kafka', kafkaHarness)
