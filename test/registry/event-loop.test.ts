/**
 * A free event loop: while an expensive compatibility check runs (in a worker thread of a real `contracts serve`),
 * /health and a cached GET are answered, before the check is. The order is asserted, never a duration: the figures
 * are measured by `npm run bench:responsiveness`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serve, type Served } from '../helpers/serve.ts'
import { pgSchema, timeEntryV2 } from './helpers.ts'

type Json = Record<string, unknown>

let served: Served
let drop: () => Promise<void>

beforeAll(async () => {
  const s = await pgSchema()
  drop = s.drop
  // A budget far above what the check takes, so that it runs to the end.
  served = await serve({
    DATABASE_URL: s.url,
    DATABASE_SCHEMA: s.schema,
    REGISTRY_WORK_BUDGET_MS: '600000',
  })
}, 120_000)
afterAll(async () => {
  expect(await served?.stop()).toBe(0)
  await drop?.()
})

/** time-entry v2 with 2,000 more properties (~90 KB, under the route's 128 KiB): a check of about a second here. */
async function expensive(): Promise<Json> {
  const v2 = await timeEntryV2()
  const properties = { ...(v2.properties as Json) }
  for (let i = 0; i < 2000; i++) properties[`field${i}`] = { type: 'string', maxLength: 10 }
  return { ...v2, properties }
}

/** The registry's own gauge of checks running in its worker threads. */
async function running(): Promise<number> {
  const text = await (await fetch(`${served.url}/metrics`)).text()
  return Number(/^registry_work_running (\d+)$/m.exec(text)?.[1] ?? 0)
}

describe('a free event loop', () => {
  it('/health and a cached GET complete while an expensive check is still running', async () => {
    const done: string[] = []
    const check = fetch(`${served.url}/compatibility/time-entry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(await expensive()),
    }).then(async (r) => {
      done.push('compatibility')
      return r.status
    })
    // The check has reached a worker: from here on it runs off the event loop.
    while ((await running()) === 0) await new Promise((r) => setTimeout(r, 10))
    const health = fetch(`${served.url}/health`).then((r) => {
      done.push('health')
      return r.status
    })
    const cached = fetch(`${served.url}/schemas/time-entry/versions/2`).then((r) => {
      done.push('cached GET')
      return r.status
    })
    expect(await Promise.all([health, cached, check])).toEqual([200, 200, 200])
    expect(done.slice(0, 2).sort()).toEqual(['cached GET', 'health'])
    expect(done[2]).toBe('compatibility')
  })
})
