import { describeWire } from '../consumers/wire.ts'
import { memoryHarness } from './harness.ts'

describeWire('memory', memoryHarness)
