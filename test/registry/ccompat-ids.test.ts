/**
 * `GET /ccompat/schemas/ids/{id}` from memory: every version held knows its event schema's id (assigned by its
 * registration), so a known id and an unknown one are answered without asking storage, here and on a replica; and
 * the node:http fast path in front of the app answers exactly what the app does.
 */
import { Writable } from 'node:stream'
import pg from 'pg'
import { pino } from 'pino'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { schemaUri } from '../../core/index.ts'
import { listen, type Listening, type Registry } from '../../registry/index.ts'
import { pgSchema, testRegistry, timeEntryV2, TOKEN, withOptional } from './helpers.ts'

type Json = Record<string, unknown>
const cleanups: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})
afterEach(() => {
  vi.restoreAllMocks()
})

const get = async (r: Registry, path: string) => {
  const res = await r.app.request(path)
  return { status: res.status, body: (await res.json()) as Json }
}
/** Fails the test if storage is asked for an id (or to assign one). */
const storageUntouched = (r: Registry) => [
  vi.spyOn(r.store, 'hashOfSchemaId'),
  vi.spyOn(r.store, 'schemaIdOf'),
]
const registerNext = async (r: Registry, property: string) => {
  const res = await r.app.request('/schemas/time-entry/versions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(withOptional(await timeEntryV2(), property)),
  })
  expect(res.status).toBe(201)
  return (await res.json()) as { version: number }
}

describe('ids from memory', () => {
  let registry: Registry
  beforeAll(async () => {
    registry = await testRegistry()
    cleanups.push(() => registry.close())
  }, 120_000)

  it.each([99999, 2147483647, 9999999999])(
    'an unknown id (%s) is 404 40403, storage not asked',
    async (id) => {
      const spies = storageUntouched(registry)
      const r = await get(registry, `/ccompat/schemas/ids/${id}`)
      expect(r.status).toBe(404)
      expect(r.body).toEqual({ error_code: 40403, message: `Schema ${id} not found` })
      for (const s of spies) expect(s).not.toHaveBeenCalled()
    },
  )

  it('every seeded version knows its event schema id: served by id, storage not asked', async () => {
    const spies = storageUntouched(registry)
    const v1 = registry.service.version('time-entry', '1')
    expect(v1.event?.id).toBeDefined()
    const r = await get(registry, `/ccompat/schemas/ids/${v1.event?.id}`)
    expect(r.status).toBe(200)
    expect(JSON.parse(r.body.schema as string)).toMatchObject({ $id: `${schemaUri('time-entry', 1)}/event` })
    for (const s of spies) expect(s).not.toHaveBeenCalled()
  })

  it("a registration gives the version's event schema its id: present right after, storage not asked", async () => {
    const { version } = await registerNext(registry, 'memoryNote')
    const spies = storageUntouched(registry)
    const entry = registry.service.version('time-entry', String(version))
    const id = entry.event?.id as number
    expect(Number.isInteger(id)).toBe(true)
    expect(id).not.toBe(entry.schemaId)
    const byId = await get(registry, `/ccompat/schemas/ids/${id}`)
    expect(byId.status).toBe(200)
    expect(JSON.parse(byId.body.schema as string)).toMatchObject({
      $id: `${schemaUri('time-entry', version)}/event`,
    })
    const native = await get(registry, `/schemas/time-entry/versions/${version}/event`)
    expect(native.body.id).toBe(id)
    for (const s of spies) expect(s).not.toHaveBeenCalled()
  })
})

describe('replicas on one PostgreSQL', () => {
  let one: Registry
  let two: Registry
  let url: string
  let schema: string
  beforeAll(async () => {
    const s = await pgSchema()
    ;({ url, schema } = s)
    cleanups.push(s.drop)
    one = await testRegistry({ databaseUrl: url, databaseSchema: schema })
    two = await testRegistry({ databaseUrl: url, databaseSchema: schema })
    cleanups.push(async () => {
      await one.close()
      await two.close()
    })
  }, 120_000)

  it("a replica serves another's registration, event schema id included, from memory once notified", async () => {
    const { version } = await registerNext(one, 'replicaNote')
    const id = one.service.version('time-entry', String(version)).event?.id as number
    // LISTEN/NOTIFY: the other replica reloads the resource on its own.
    await vi.waitFor(() => expect(two.service.memory.byEventId.has(id)).toBe(true), { timeout: 10_000 })
    const spies = storageUntouched(two)
    const r = await get(two, `/ccompat/schemas/ids/${id}`)
    expect(r.status).toBe(200)
    expect(JSON.parse(r.body.schema as string)).toMatchObject({
      $id: `${schemaUri('time-entry', version)}/event`,
    })
    for (const s of spies) expect(s).not.toHaveBeenCalled()
  })

  it('a version stored without its event schema id (an older registry) is found by content, as before', async () => {
    const id = one.service.version('time-entry', '1').event?.id as number
    const c = new pg.Client({ connectionString: url })
    await c.connect()
    try {
      await c.query(
        `UPDATE ${schema}.registry_versions SET event_schema_id = NULL WHERE name = 'time-entry' AND version = 1`,
      )
    } finally {
      await c.end()
    }
    await two.service.reloadAll()
    expect(two.service.memory.eventsPending).toBe(1)
    const asked = vi.spyOn(two.store, 'hashOfSchemaId')
    const r = await get(two, `/ccompat/schemas/ids/${id}`)
    expect(r.status).toBe(200)
    expect(JSON.parse(r.body.schema as string)).toMatchObject({ $id: `${schemaUri('time-entry', 1)}/event` })
    expect(asked).toHaveBeenCalledWith(id)
    // Found, it is known from then on; an unknown id is still looked for while one is pending.
    expect(two.service.memory.eventsPending).toBe(0)
    expect((await get(two, '/ccompat/schemas/ids/99999')).status).toBe(404)
  })
})

describe('the node:http fast path', () => {
  let registry: Registry
  let served: Listening
  const lines: Json[] = []
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Json)
        done()
      },
    })
    // debug: successful reads are logged at debug (registry/http/access-log.ts)
    registry = await testRegistry({ port: 0, logger: pino({ level: 'debug' }, sink) })
    served = await listen(registry)
    cleanups.push(() => served.close())
  }, 120_000)

  const eventId = () => registry.service.version('time-entry', '2').event?.id as number
  const contentId = () => registry.service.version('time-entry', '2').schemaId

  it.each<{ name: string; path: () => string; fast: boolean }>([
    { name: 'a stored version', path: () => `/ccompat/schemas/ids/${contentId()}`, fast: true },
    { name: 'an event schema', path: () => `/ccompat/schemas/ids/${eventId()}`, fast: true },
    { name: 'an unknown id', path: () => '/ccompat/schemas/ids/99999', fast: true },
    { name: 'a non-canonical id', path: () => '/ccompat/schemas/ids/01', fast: false },
    { name: 'not a number', path: () => '/ccompat/schemas/ids/abc', fast: false },
    { name: 'a query', path: () => `/ccompat/schemas/ids/${contentId()}?deleted=true`, fast: false },
    { name: 'an escaped id', path: () => `/ccompat/schemas/ids/%3${contentId()}`, fast: false },
    { name: 'the schema alone', path: () => `/ccompat/schemas/ids/${contentId()}/schema`, fast: false },
  ])('$name: the same answer as the app (fast path: $fast)', async ({ path, fast }) => {
    const app = await registry.app.request(path())
    const appBody = await app.text()
    const before = lines.length
    const res = await fetch(`${served.url}${path()}`)
    const body = await res.text()
    expect(res.status).toBe(app.status)
    expect(res.headers.get('content-type')).toBe(app.headers.get('content-type'))
    expect(body).toBe(appBody)
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(body))
    await vi.waitFor(() => expect(lines.length).toBe(before + 1))
    expect(lines.at(-1)).toMatchObject({
      msg: 'request',
      method: 'GET',
      ...(fast ? { path: path() } : {}),
      status: res.status,
    })
    expect(registry.fastPath?.(fakeRequest(path()), fakeResponse()) ?? false).toBe(fast)
  })

  it('HEAD is left to the app', () => {
    expect(
      registry.fastPath?.(fakeRequest(`/ccompat/schemas/ids/${contentId()}`, 'HEAD'), fakeResponse()),
    ).toBe(false)
  })

  it('its answers are counted under the route', async () => {
    await fetch(`${served.url}/ccompat/schemas/ids/${contentId()}`)
    const text = await (await registry.app.request('/metrics')).text()
    expect(text).toMatch(
      /registry_http_requests_total\{method="GET",route="\/ccompat\/schemas\/ids\/:id",status="200"\} \d+/,
    )
  })
})

type FastArgs = Parameters<NonNullable<Registry['fastPath']>>
const fakeRequest = (url: string, method = 'GET') => ({ method, url }) as unknown as FastArgs[0]
const fakeResponse = () => ({ writeHead: () => undefined, end: () => undefined }) as unknown as FastArgs[1]
