/**
 * A resource version's event schema over HTTP: the native route `GET /schemas/{name}/versions/{v}/event` gives
 * `{id, schema}`, the Confluent API serves that id, and two replicas on one PostgreSQL database agree on it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { schemaUri } from '../../core/index.ts'
import type { Registry } from '../../registry/index.ts'
import { pgSchema, testRegistry } from './helpers.ts'

type Json = Record<string, unknown>
let registry: Registry
const cleanups: (() => Promise<void>)[] = []

beforeAll(async () => {
  registry = await testRegistry()
}, 120_000)
afterAll(async () => {
  await registry.close()
  for (const c of cleanups.reverse()) await c()
})

const TE2 = schemaUri('time-entry', 2)
const json = async (r: Registry, path: string, init?: RequestInit) => {
  const res = await r.app.request(path, init)
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json }
}
const eventOf = (r: Registry, version: string | number) =>
  json(r, `/schemas/time-entry/versions/${version}/event`)

describe('GET /schemas/{name}/versions/{v}/event', () => {
  it("answers the version's event schema ($id <uri>/event) and an id of its own, the same each time", async () => {
    const first = await eventOf(registry, 2)
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toBe('application/json')
    expect(first.headers.get('cache-control')).toContain('immutable')
    expect(first.body.schema).toMatchObject({ $id: `${TE2}/event` })
    const id = first.body.id as number
    expect(Number.isInteger(id) && id > 0).toBe(true)
    expect((await eventOf(registry, 2)).body.id).toBe(id)
    // Not the content schema's id, nor another version's event schema's.
    const content = await json(registry, '/ccompat/subjects/callisto-timecard-timeentries-value/versions/2')
    expect(content.body.id).not.toBe(id)
    expect((await eventOf(registry, 1)).body.id).not.toBe(id)
  })

  it('latest is the latest version, revalidated; an ETag gives 304', async () => {
    const two = await eventOf(registry, 2)
    const latest = await eventOf(registry, 'latest')
    expect(latest.body).toEqual(two.body)
    expect(latest.headers.get('cache-control')).toBe('no-cache')
    const etag = two.headers.get('etag') as string
    const res = await registry.app.request('/schemas/time-entry/versions/2/event', {
      headers: { 'if-none-match': etag },
    })
    expect(res.status).toBe(304)
  })

  it.each([
    { path: '/schemas/time-entry/versions/99/event', status: 404, code: 'SCHEMA_NOT_FOUND' },
    { path: '/schemas/no-such-thing/versions/1/event', status: 404, code: 'SCHEMA_NOT_FOUND' },
    { path: '/schemas/time-entry/versions/x/event', status: 400, code: 'BAD_REQUEST' },
  ])('$path is $status $code', async ({ path, status, code }) => {
    const r = await json(registry, path)
    expect(r.status).toBe(status)
    expect(r.body.code).toBe(code)
  })
})

describe('the Confluent API serves the event schema by id', () => {
  it('/schemas/ids/{id} (JSON, the schema as a string), /schema, /versions and /subjects (none)', async () => {
    const { body } = await eventOf(registry, 1)
    const id = body.id as number
    const byId = await json(registry, `/ccompat/schemas/ids/${id}`)
    expect(byId.status).toBe(200)
    expect(byId.body.schemaType).toBe('JSON')
    expect(JSON.parse(byId.body.schema as string)).toEqual(body.schema)
    expect((await json(registry, `/ccompat/schemas/ids/${id}/schema`)).body).toEqual(body.schema)
    const versions = await registry.app.request(`/ccompat/schemas/ids/${id}/versions`)
    expect(await versions.json()).toEqual([])
    const subjects = await registry.app.request(`/ccompat/schemas/ids/${id}/subjects`)
    expect(await subjects.json()).toEqual([])
  })

  it.each([2147483647, 9999999999])('an id nobody has (%s) is 404 40403, not a 5xx', async (id) => {
    const r = await json(registry, `/ccompat/schemas/ids/${id}`)
    expect(r.status).toBe(404)
    expect(r.body.error_code).toBe(40403)
  })
})

describe('replicas', () => {
  it('an event schema id assigned by one replica is served by the other, which never asked for it', async () => {
    const s = await pgSchema()
    cleanups.push(s.drop)
    const one = await testRegistry({ databaseUrl: s.url, databaseSchema: s.schema })
    const two = await testRegistry({ databaseUrl: s.url, databaseSchema: s.schema })
    try {
      const { body } = await eventOf(one, 2)
      const served = await json(two, `/ccompat/schemas/ids/${body.id as number}`)
      expect(served.status).toBe(200)
      expect(JSON.parse(served.body.schema as string)).toMatchObject({ $id: `${TE2}/event` })
      expect((await eventOf(two, 2)).body.id).toBe(body.id)
    } finally {
      await one.close()
      await two.close()
    }
  })
})
