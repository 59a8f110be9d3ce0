import { defineConfig } from 'vitest/config'

/**
 * `npm run test:cluster`: failover tests on a three-node Kafka cluster that test/setup/cluster.global.ts starts.
 * Files run one at a time, since each stops and starts nodes of the one cluster.
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/setup/cluster.global.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
})
