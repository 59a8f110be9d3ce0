import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  // The package's own name resolves to its TypeScript sources here, not to dist/ (package.json `exports`).
  // Vitest also hands these to Node as --conditions, for require() too: no bundlers' `module`, which would load
  // ESM builds with extensionless imports (the AWS SDK under @confluentinc/schemaregistry) where Node cannot.
  ssr: { resolve: { conditions: ['event-contracts-source', 'node', 'development|production'] } },
  test: {
    include: ['test/**/*.test.ts'],
    // Run on their own: the packed package in new projects (`npm run test:package`, it packs and installs) and the
    // cluster's failover tests on a cluster of their own (`npm run test:cluster`, vitest.cluster.config.ts).
    exclude: [...configDefaults.exclude, 'test/package/**', 'test/cluster/**'],
    // Starts a real Kafka broker unless KAFKA_BROKERS points at one already.
    globalSetup: ['test/setup/kafka.global.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
})
