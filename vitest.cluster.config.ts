import { defineConfig } from 'vitest/config'
import base from './vitest.config.ts'

/**
 * `npm run test:cluster`: failover tests on a three-node Kafka cluster that test/setup/cluster.global.ts starts.
 * Files run one at a time, since each stops and starts nodes of the one cluster.
 */
export default defineConfig({
  // The package's own name resolves to its sources, as in `npm test`.
  ssr: base.ssr,
  test: {
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/setup/cluster.global.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
})
