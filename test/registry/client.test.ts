import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRegistryClient } from '../../client/index.ts'
import { isContractError } from '../../core/index.ts'
import type { Registry } from '../../registry/index.ts'
import { testRegistry } from './helpers.ts'

const BASE = 'https://event-contracts.dev/schemas'

async function listenOn(
  fetch: (req: Request) => Response | Promise<Response>,
): Promise<{ url: string; server: ServerType }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ url: `http://127.0.0.1:${info.port}`, server }),
    )
  })
}
const closeServer = (s: ServerType) => new Promise<void>((r) => s.close(() => r()))

let registry: Registry
let real: { url: string; server: ServerType }
/** Counts what reaches the registry, by path and status. */
const seen: { path: string; status: number; ifNoneMatch: string | null }[] = []

beforeAll(async () => {
  registry = await testRegistry()
  const app = new Hono()
  app.use(async (c, next) => {
    await next()
    seen.push({ path: c.req.path, status: c.res.status, ifNoneMatch: c.req.header('if-none-match') ?? null })
  })
  app.route('/', registry.app)
  real = await listenOn(app.fetch)
}, 120_000)
afterAll(async () => {
  await closeServer(real.server)
  await registry.close()
})

describe('createRegistryClient against a real registry', () => {
  it('getByUri returns the schema, and undefined for a URI nobody knows', async () => {
    const client = createRegistryClient({ baseUrl: real.url })
    expect(((await client.getByUri(`${BASE}/person/1`)) as { $id: string }).$id).toBe(`${BASE}/person/1`)
    expect(await client.getByUri('https://example.com/unknown/1')).toBeUndefined()
  })

  it('caches immutable answers and revalidates `latest` with its ETag (304 keeps the cached value)', async () => {
    const client = createRegistryClient({ baseUrl: real.url })
    seen.length = 0
    await client.get('person', 1)
    await client.get('person', 1)
    expect(seen.filter((s) => s.path === '/schemas/person/versions/1')).toHaveLength(1)
    const first = await client.get('person', 'latest')
    const second = await client.get('person', 'latest')
    expect(second).toEqual(first)
    const latest = seen.filter((s) => s.path === '/schemas/person/versions/latest')
    expect(latest.map((s) => s.status)).toEqual([200, 304])
    expect(latest[1]?.ifNoneMatch).toMatch(/^".+"$/)
  })

  it('keeps at most cacheSize entries', async () => {
    const client = createRegistryClient({ baseUrl: real.url, cacheSize: 2 })
    await client.get('person', 1)
    await client.get('person', 2)
    await client.get('accrual', 1)
    expect(client.cached).toBe(2)
    seen.length = 0
    await client.get('person', 1) // evicted: asked again
    await client.get('accrual', 1) // still cached
    expect(seen.map((s) => s.path)).toEqual(['/schemas/person/versions/1'])
  })
})

describe('createRegistryClient when the registry misbehaves', () => {
  it('retries 5xx with backoff, then succeeds', async () => {
    let calls = 0
    const flaky = await listenOn(() =>
      ++calls < 3 ? new Response('down', { status: 503 }) : Response.json({ ok: true }),
    )
    const client = createRegistryClient({ baseUrl: flaky.url, backoffMs: 5 })
    expect(await client.getByUri(`${BASE}/x/1`)).toEqual({ ok: true })
    expect(calls).toBe(3)
    await closeServer(flaky.server)
  })

  it('times out slow answers and reports a retriable REGISTRY_UNAVAILABLE after the retries', async () => {
    let calls = 0
    const slow = await listenOn(async () => {
      calls++
      await new Promise((r) => setTimeout(r, 500))
      return Response.json({})
    })
    const client = createRegistryClient({ baseUrl: slow.url, timeoutMs: 50, retries: 2, backoffMs: 5 })
    const error = await client.getByUri(`${BASE}/x/1`).catch((e: unknown) => e)
    expect(isContractError(error, 'REGISTRY_UNAVAILABLE')).toBe(true)
    expect((error as { retriable: boolean }).retriable).toBe(true)
    expect((error as Error).message).toMatch(/3 attempts: no answer within 50 ms/)
    expect(calls).toBe(3)
    if ('closeAllConnections' in slow.server) slow.server.closeAllConnections()
    await closeServer(slow.server)
  })

  it('retries network errors (nothing listening)', async () => {
    const gone = await listenOn(() => new Response(null))
    await closeServer(gone.server)
    let attempts = 0
    const counting: typeof fetch = (input, init) => {
      attempts++
      return fetch(input, init)
    }
    const client = createRegistryClient({ baseUrl: gone.url, fetch: counting, retries: 3, backoffMs: 1 })
    await expect(client.getByUri(`${BASE}/x/1`)).rejects.toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
      retriable: true,
    })
    expect(attempts).toBe(4)
  })
})
