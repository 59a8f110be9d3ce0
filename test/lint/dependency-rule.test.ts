import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: process.cwd() })

/** The dependency rule, shown by linting one-line files placed in each folder. */
describe('the dependency rule: scripts → registry | publishers | consumers → core → generated', () => {
  it.each<{ file: string; source: string; allowed: boolean }>([
    { file: 'core/x.ts', source: "import '../generated/index.ts'", allowed: true },
    { file: 'core/x.ts', source: "import 'kafkajs'", allowed: false },
    { file: 'core/x.ts', source: "import { Hono } from 'hono'", allowed: false },
    { file: 'core/x.ts', source: "import '../registry/index.ts'", allowed: false },
    { file: 'core/x.ts', source: "import '../scripts/cli.ts'", allowed: false },
    { file: 'generated/x.ts', source: "import '../core/index.ts'", allowed: false },
    { file: 'generated/x.ts', source: "import 'ajv'", allowed: true },
    { file: 'registry/x.ts', source: "import '../core/index.ts'", allowed: true },
    { file: 'registry/x.ts', source: "import '../publishers/index.ts'", allowed: false },
    { file: 'registry/x.ts', source: "import 'event-contracts/consumers'", allowed: false },
    { file: 'publishers/x.ts', source: "import '../consumers/index.ts'", allowed: false },
    { file: 'publishers/x.ts', source: "import '../registry/compat/index.ts'", allowed: false },
    { file: 'publishers/x.ts', source: "import 'kafkajs'", allowed: true },
    { file: 'consumers/x.ts', source: "import '../publishers/index.ts'", allowed: false },
    { file: 'consumers/x.ts', source: "import '../core/index.ts'", allowed: true },
    { file: 'scripts/x.ts', source: "import '../registry/index.ts'", allowed: true },
  ])('$file: $source → allowed: $allowed', async ({ file, source, allowed }) => {
    const [result] = await eslint.lintText(`${source}\n`, { filePath: file })
    const violations = (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports')
    expect(violations.length === 0).toBe(allowed)
  })
})
