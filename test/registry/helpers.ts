import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { pino } from 'pino'
import {
  createRegistry,
  IN_MEMORY,
  type Registry,
  type RegistryOptions,
  type SeedSchema,
} from '../../registry/index.ts'
import { loadSchemaTree } from '../../codegen/load.ts'
import { seedFromTree } from '../../scripts/commands/serve.ts'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
export const silent = pino({ level: 'silent' })
export const TOKEN = 'test-token'

/** PostgreSQL for tests: TEST_DATABASE_URL; locally the machine's server. In CI a missing one fails the test. */
export function pgUrl(): string {
  const url = process.env.TEST_DATABASE_URL
  if (url) return url
  if (process.env.CI) throw new Error('TEST_DATABASE_URL is not set: PostgreSQL tests must run in CI')
  return 'postgres://postgres@127.0.0.1:5432/test'
}

/** A PostgreSQL schema of its own per test, dropped by `drop()`. */
export async function pgSchema(): Promise<{ url: string; schema: string; drop: () => Promise<void> }> {
  const url = pgUrl()
  const schema = `reg_${randomBytes(6).toString('hex')}`
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  await c.query(`CREATE SCHEMA ${schema}`)
  await c.end()
  return {
    url,
    schema,
    drop: async () => {
      const d = new pg.Client({ connectionString: url })
      await d.connect()
      await d.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await d.end()
    },
  }
}

let seedCache: SeedSchema[] | undefined
/** schemas/ as `contracts serve` seeds it. */
export async function seeds(): Promise<SeedSchema[]> {
  seedCache ??= seedFromTree(await loadSchemaTree(`${repoRoot}/schemas`))
  return structuredClone(seedCache)
}

export async function testRegistry(options: RegistryOptions = {}): Promise<Registry> {
  return createRegistry({
    dataDir: IN_MEMORY,
    logger: silent,
    tokens: [TOKEN],
    seed: await seeds(),
    reloadIntervalMs: 0,
    processMetrics: false,
    // The budget is a wall-clock figure: on a loaded machine the default (2 s) refuses ordinary work as
    // TOO_COMPLEX. Tests of the budget itself pass their own.
    workBudgetMs: 60_000,
    ...options,
  })
}

type Json = Record<string, unknown>

/** time-entry v2 from schemas/, without $id: the base of the next versions in tests. */
export async function timeEntryV2(): Promise<Json> {
  const v2 = (await seeds()).find((s) => s.name === 'time-entry' && s.version === 2)?.schema as Json
  const { $id: _id, ...rest } = v2
  return rest
}

/** A compatible next version: one more optional property. */
export function withOptional(schema: Json, property: string): Json {
  const s = structuredClone(schema)
  ;(s.properties as Json)[property] = { type: 'string', maxLength: 100 }
  return s
}

/** A breaking next version: an existing optional property becomes required. */
export function withRequired(schema: Json, property: string): Json {
  const s = structuredClone(schema)
  s.required = [...(s.required as string[]), property]
  return s
}

export const auth = { authorization: `Bearer ${TOKEN}` }
export const jsonHeaders = { 'content-type': 'application/json', ...auth }
