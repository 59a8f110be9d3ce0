import { defineConfig } from 'vitest/config'
import base from './vitest.config.ts'

/** `npm run test:package`: the packed package in new projects (test/package/), apart from `npm test`: it packs. */
export default defineConfig({
  ...base,
  test: {
    globalSetup: base.test?.globalSetup,
    include: ['test/package/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
})
