/**
 * Bad input is a 4xx, always. Property-based: fast-check draws methods, paths (route templates with odd segment
 * values, and paths of no route), query strings, headers and bodies (JSON, schema-like JSON with odd keys,
 * topics and patterns, and text that is not JSON), sends them through `app.request()` to a registry on
 * PostgreSQL, and requires every answer to be below 500.
 *
 * It also requires every answer within a bound: not a speed claim but a hang detector, ten times the registry's
 * own time budget for expensive work (a request that takes longer is stuck, not slow).
 *
 * Bounded runs: one fixed seed (the same cases every time) and one random seed, which fast-check prints with the
 * counterexample when it fails (`seed: …, path: …`; replay with `fc.assert(…, { seed, path })`).
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Registry } from '../../registry/index.ts'
import { fuzzedRequests, type FuzzedRequest } from '../../scripts/bench/fuzz-requests.ts'
import { pgSchema, pgUrl, TOKEN, testRegistry, timeEntryV2 } from './helpers.ts'

const BUDGET_MS = 2_000
/** The hang detector: ten times the configured budget for expensive work. */
const HANG_MS = 10 * BUDGET_MS
const RUNS = 300

let registry: Registry
let drop: () => Promise<void>
let request: fc.Arbitrary<FuzzedRequest>
const statuses = new Map<number, number>()

beforeAll(async () => {
  const s = await pgSchema()
  drop = s.drop
  registry = await testRegistry({ databaseUrl: pgUrl(), databaseSchema: s.schema, workBudgetMs: BUDGET_MS })
  request = fuzzedRequests({ token: TOKEN, base: await timeEntryV2() })
}, 120_000)
afterAll(async () => {
  await registry?.close()
  await drop?.()
  console.info(
    `fuzz statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
  )
})

async function send({ method, path, query, headers, body }: FuzzedRequest): Promise<void> {
  const init: RequestInit = { method, headers }
  if (body !== undefined && method !== 'GET' && method !== 'HEAD') init.body = body
  const start = performance.now()
  const res = await registry.app.request(`${path}${query}`, init)
  await res.arrayBuffer()
  const ms = performance.now() - start
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
  const what = `${method} ${path}${query} → ${res.status} in ${Math.round(ms)} ms`
  expect(res.status, what).toBeLessThan(500)
  expect(ms, `hang detector (${HANG_MS} ms = 10 × the work budget): ${what}`).toBeLessThan(HANG_MS)
}

describe('fuzzed requests never get a 5xx', () => {
  it('fixed seed', async () => {
    await fc.assert(fc.asyncProperty(request, send), { seed: 20_261_205, numRuns: RUNS })
  }, 300_000)

  it('random seed (printed on failure)', async () => {
    await fc.assert(fc.asyncProperty(request, send), { numRuns: RUNS })
  }, 300_000)
})
