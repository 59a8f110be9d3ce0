/**
 * The expensive steps run in a worker pool with a time budget: over budget is 422 TOO_COMPLEX with the figure,
 * a full queue or too many checks from one client is 429 with Retry-After, and the public compatibility route has
 * a body limit of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Registry } from '../../registry/index.ts'
import { jsonHeaders, testRegistry, timeEntryV2 } from './helpers.ts'

type Json = Record<string, unknown>
type Problem = { status: number; code: string; title: string; issues: Json[] }

/** time-entry v2 with `n` more optional properties: a check that takes a while (hundreds of ms at 1500). */
async function wide(n: number): Promise<Json> {
  const v2 = await timeEntryV2()
  const properties = { ...(v2.properties as Json) }
  for (let i = 0; i < n; i++) properties[`field${i}`] = { type: 'string', maxLength: 10 }
  return { ...v2, properties }
}

const post = (r: Registry, path: string, body: unknown, env?: object) =>
  r.app.request(path, { method: 'POST', headers: jsonHeaders, body: JSON.stringify(body) }, env)

/** As @hono/node-server passes it: the Node request, whose socket says who the client is. */
const from = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } })

/** Resolves once `cond` holds, checking between turns of the event loop (the test timeout bounds it). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5))
}

describe('over the time budget: 422 TOO_COMPLEX with the figure, and the registry carries on', () => {
  let registry: Registry
  beforeAll(async () => {
    registry = await testRegistry({ workBudgetMs: 1 })
  }, 120_000)
  afterAll(() => registry.close())

  it.each<[string, (r: Registry, body: Json) => Response | Promise<Response>]>([
    ['POST /compatibility/{name}', (r, body) => post(r, '/compatibility/time-entry', body)],
    ['POST /schemas/{name}/versions', (r, body) => post(r, '/schemas/time-entry/versions', body)],
    ['GET …/types.ts', (r) => r.app.request('/schemas/person/versions/2/types.ts')],
  ])('%s', async (_what, send) => {
    const res = await send(registry, await wide(300))
    expect(res.status).toBe(422)
    const problem = (await res.json()) as Problem
    expect(problem.code).toBe('TOO_COMPLEX')
    expect(problem.title).toContain('over 1 ms')
    expect(problem.issues).toEqual([
      expect.objectContaining({ path: '', keyword: 'budget', params: { budgetMs: 1 } }),
    ])
    expect((await registry.app.request('/health')).status).toBe(200)
    expect(registry.service.version('time-entry', 'latest').version).toBe(2)
  })
})

describe('the Confluent API over the time budget: 42201 with the figure, the check in the work pool', () => {
  let registry: Registry
  beforeAll(async () => {
    registry = await testRegistry({ workBudgetMs: 1 })
  }, 120_000)
  afterAll(() => registry.close())

  /** A schema for a plain subject: no resource's $id, topic or key. */
  const plain = ({ $id: _id, 'x-topic': _topic, 'x-key': _key, ...rest }: Json): Json => rest

  it.each<[string, string, (schema: Json) => Json]>([
    ['the first version of a plain subject', '/ccompat/subjects/wide-plain/versions', plain],
    [
      'a compatibility check against one version of a resource subject',
      '/ccompat/compatibility/subjects/callisto-timecard-timeentries-value/versions/latest',
      (schema) => schema,
    ],
  ])('%s', async (_what, path, shape) => {
    const res = await post(registry, path, { schema: JSON.stringify(shape(await wide(300))) })
    expect(res.status).toBe(422)
    const body = (await res.json()) as { error_code: number; message: string }
    expect(body.error_code).toBe(42201)
    expect(body.message).toContain('over 1 ms')
    expect((await registry.app.request('/health')).status).toBe(200)
    expect((await registry.app.request('/ccompat/subjects')).status).toBe(200)
  })
})

describe('the public compatibility route', () => {
  let registry: Registry
  beforeAll(async () => {
    registry = await testRegistry({ compatibilityMaxBodyBytes: 8 * 1024, compatibilityPerClient: 1 })
  }, 120_000)
  afterAll(() => registry.close())

  it('has a body limit of its own (413), stated in /openapi.json; registration keeps the larger one', async () => {
    const body = await wide(200)
    expect(JSON.stringify(body).length).toBeGreaterThan(8 * 1024)
    const res = await post(registry, '/compatibility/time-entry', body)
    expect(res.status).toBe(413)
    expect(((await res.json()) as Problem).issues).toEqual([
      expect.objectContaining({ keyword: 'maxBytes', params: { limit: 8 * 1024 } }),
    ])
    const doc = (await (await registry.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>
    }
    expect(doc.paths['/compatibility/{name}']?.post?.responses['413']?.description).toContain('8 KiB')
    expect(doc.paths['/schemas/{name}/versions']?.post?.responses['413']?.description).toContain('256 KiB')
    expect(doc.paths['/compatibility/{name}']?.post?.responses['429']?.description).toContain('1 of these')
    expect((await post(registry, '/schemas/time-entry/versions', body)).status).toBe(201)
  })

  it('one client with a check in flight gets 429 with Retry-After; another client does not wait for it', async () => {
    const slow = post(registry, '/compatibility/time-entry', await wide(150), from('10.0.0.1'))
    await until(() => registry.work.running > 0)
    const again = await post(registry, '/compatibility/time-entry', await timeEntryV2(), from('10.0.0.1'))
    expect(again.status).toBe(429)
    expect(again.headers.get('retry-after')).toBe('1')
    const problem = (await again.json()) as Problem
    expect(problem.code).toBe('TOO_MANY_REQUESTS')
    expect(problem.issues).toEqual([
      expect.objectContaining({ keyword: 'concurrency', params: { limit: 1, retryAfterSeconds: 1 } }),
    ])
    const other = await post(registry, '/compatibility/time-entry', await timeEntryV2(), from('10.0.0.2'))
    expect(other.status).toBe(200)
    expect((await slow).status).toBe(200)
    // Its check done, the first client may check again.
    expect(
      (await post(registry, '/compatibility/time-entry', await timeEntryV2(), from('10.0.0.1'))).status,
    ).toBe(200)
  })
})

describe('a full work queue is 429, not a growing backlog', () => {
  let registry: Registry
  beforeAll(async () => {
    registry = await testRegistry({ workerThreads: 1, workQueue: 1, workBudgetMs: 60_000 })
  }, 120_000)
  afterAll(() => registry.close())

  it('with one worker busy and one check waiting, the next is refused with Retry-After', async () => {
    const body = await wide(300)
    const running = post(registry, '/compatibility/time-entry', body, from('10.0.1.1'))
    await until(() => registry.work.running === 1)
    const waiting = post(registry, '/compatibility/time-entry', body, from('10.0.1.2'))
    await until(() => registry.work.queued === 1)
    const refused = await post(registry, '/compatibility/time-entry', body, from('10.0.1.3'))
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(((await refused.json()) as Problem).issues).toEqual([
      expect.objectContaining({ keyword: 'queue' }),
    ])
    expect([(await running).status, (await waiting).status]).toEqual([200, 200])
  })
})
