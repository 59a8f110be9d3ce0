import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: process.cwd() })

const RULES = ['no-restricted-imports', '@typescript-eslint/no-restricted-imports']

/** The dependency rule (ARCHITECTURE.md), shown by linting one-line files placed in each folder. */
describe('the dependency rule: each folder imports only what ARCHITECTURE.md draws', () => {
  it.each<{ file: string; source: string; allowed: boolean }>([
    // the kernel: nothing of ours, no I/O library
    { file: 'core/x.ts', source: "import 'kafkajs'", allowed: false },
    { file: 'core/x.ts', source: "import { Hono } from 'hono'", allowed: false },
    { file: 'core/x.ts', source: "import pg from 'pg'", allowed: false },
    { file: 'core/x.ts', source: "import { createServer } from 'node:http'", allowed: false },
    { file: 'core/x.ts', source: "import '../registry/index.ts'", allowed: false },
    { file: 'core/x.ts', source: "import '../compat/index.ts'", allowed: false },
    { file: 'core/x.ts', source: "import '../transports/kafka/index.ts'", allowed: false },
    { file: 'core/x.ts', source: "import '../scripts/cli.ts'", allowed: false },
    { file: 'core/x.ts', source: "import '../generated/index.ts'", allowed: false },
    { file: 'core/x.ts', source: "import 'ajv'", allowed: true },
    // generated: the runtime's types only
    { file: 'generated/x.ts', source: "import { checkEvent } from '../core/index.ts'", allowed: false },
    { file: 'generated/x.ts', source: "import type { Catalog } from '../core/index.ts'", allowed: true },
    { file: 'generated/x.ts', source: "import '../registry/index.ts'", allowed: false },
    { file: 'generated/x.ts', source: "import 'ajv'", allowed: true },
    // the compatibility engine: pure
    { file: 'compat/x.ts', source: "import '../core/json.ts'", allowed: true },
    { file: 'compat/x.ts', source: "import '../registry/index.ts'", allowed: false },
    { file: 'compat/x.ts', source: "import { readFile } from 'node:fs'", allowed: false },
    // admission and the generator
    { file: 'admission/x.ts', source: "import '../compat/index.ts'", allowed: true },
    { file: 'admission/x.ts', source: "import '../registry/index.ts'", allowed: false },
    { file: 'codegen/x.ts', source: "import '../admission/index.ts'", allowed: true },
    { file: 'codegen/x.ts', source: "import '../registry/service.ts'", allowed: false },
    // shared pieces import only the kernel
    { file: 'http/x.ts', source: "import '../core/index.ts'", allowed: true },
    { file: 'http/x.ts', source: "import '../registry/index.ts'", allowed: false },
    { file: 'storage/x.ts', source: "import '../http/problem.ts'", allowed: false },
    { file: 'client/x.ts', source: "import '../registry/index.ts'", allowed: false },
    // adapters: the kernel only, never each other
    { file: 'transports/kafka/x.ts', source: "import 'kafkajs'", allowed: true },
    { file: 'transports/kafka/x.ts', source: "import '../../core/index.ts'", allowed: true },
    { file: 'transports/kafka/x.ts', source: "import '../memory/index.ts'", allowed: false },
    { file: 'transports/memory/x.ts', source: "import '../kafka/index.ts'", allowed: false },
    { file: 'transports/kafka/x.ts', source: "import '../../registry/index.ts'", allowed: false },
    // the registry app composes the shared pieces, never a transport
    { file: 'registry/x.ts', source: "import '../storage/database.ts'", allowed: true },
    { file: 'registry/x.ts', source: "import '../admission/index.ts'", allowed: true },
    { file: 'registry/x.ts', source: "import '../transports/kafka/index.ts'", allowed: false },
    { file: 'registry/x.ts', source: "import '../scripts/cli.ts'", allowed: false },
    // the outbox app: the kernel and storage; a transport comes in through the Sink port, never imported
    { file: 'outbox/x.ts', source: "import '../core/index.ts'", allowed: true },
    { file: 'outbox/x.ts', source: "import '../storage/database.ts'", allowed: true },
    { file: 'outbox/x.ts', source: "import 'pg'", allowed: true },
    { file: 'outbox/x.ts', source: "import '../transports/kafka/index.ts'", allowed: false },
    { file: 'outbox/x.ts', source: "import '../transports/redis/sink.ts'", allowed: false },
    { file: 'outbox/x.ts', source: "import '../registry/index.ts'", allowed: false },
    { file: 'outbox/x.ts', source: "import '../scripts/cli.ts'", allowed: false },
    { file: 'registry/x.ts', source: "import '../outbox/index.ts'", allowed: false },
    { file: 'transports/kafka/x.ts', source: "import '../../outbox/index.ts'", allowed: false },
    { file: 'core/x.ts', source: "import '../outbox/index.ts'", allowed: false },
    // the gateway composes the kernel and the shared HTTP pieces, never a transport or the registry
    { file: 'gateway/x.ts', source: "import '../http/auth.ts'", allowed: true },
    { file: 'gateway/x.ts', source: "import '../core/index.ts'", allowed: true },
    { file: 'gateway/x.ts', source: "import '../transports/kafka/index.ts'", allowed: false },
    { file: 'gateway/x.ts', source: "import '../transports/redis/index.ts'", allowed: false },
    { file: 'gateway/x.ts', source: "import '../registry/index.ts'", allowed: false },
    { file: 'gateway/x.ts', source: "import '../storage/database.ts'", allowed: false },
    { file: 'registry/x.ts', source: "import '../gateway/index.ts'", allowed: false },
    { file: 'transports/kafka/x.ts', source: "import '../../gateway/index.ts'", allowed: false },
    { file: 'scripts/x.ts', source: "import '../gateway/index.ts'", allowed: true },
    // the CLI composes everything
    { file: 'scripts/x.ts', source: "import '../outbox/index.ts'", allowed: true },
    { file: 'scripts/x.ts', source: "import '../registry/index.ts'", allowed: true },
    { file: 'scripts/x.ts', source: "import '../transports/kafka/index.ts'", allowed: true },
  ])('$file: $source → allowed: $allowed', async ({ file, source, allowed }) => {
    const [result] = await eslint.lintText(`${source}\n`, { filePath: file })
    const violations = (result?.messages ?? []).filter((m) => RULES.includes(m.ruleId ?? ''))
    expect(violations.length === 0, JSON.stringify(violations.map((v) => v.message))).toBe(allowed)
  })
})
