/** The registry client as a SchemaIdPort: Confluent's REST API under a prefix, on a fake fetch that answers as Confluent does. */
import { describe, expect, it } from 'vitest'
import { createRegistryClient } from '../../client/index.ts'
import { schemaUri } from '../../core/index.ts'
import { schemas } from '../../generated/index.ts'

const TE2 = schemaUri('time-entry', 2)
const ref = { resource: 'time-entry', version: 2, uri: TE2, topic: 'callisto-timecard-timeentries' }

interface Call {
  method: string
  path: string
  body: unknown
  contentType: string | null
}

/** Answers like Confluent's API: `POST /subjects/{s}` finds time-entry v2 as id 12, `GET /schemas/ids/{id}` knows 12 and 13 (Avro). */
function fakeConfluent(prefix: string, behaviour: { failures?: number; status?: number } = {}) {
  const calls: Call[] = []
  let failures = behaviour.failures ?? 0
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    })
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input))
    const body = init?.body ? (JSON.parse(String(init.body)) as unknown) : undefined
    const headers = new Headers(init?.headers)
    calls.push({
      method: init?.method ?? 'GET',
      path: url.pathname + url.search,
      body,
      contentType: headers.get('content-type'),
    })
    await new Promise((r) => setTimeout(r, 5))
    if (failures-- > 0) return new Response('down', { status: 503 })
    if (behaviour.status) return json({ error_code: 42201, message: 'invalid' }, behaviour.status)
    if (url.pathname === '/resolve')
      return url.searchParams.get('uri') === TE2 ? json(schemas[TE2]) : json({}, 404)
    if (url.pathname === `${prefix}/subjects/callisto-timecard-timeentries-value`) {
      const sent = (body as { schema: string }).schema
      return JSON.parse(sent).$id === TE2
        ? json({ subject: 'callisto-timecard-timeentries-value', id: 12, version: 2, schema: sent })
        : json({ error_code: 40403, message: 'Schema not found' }, 404)
    }
    if (url.pathname === `${prefix}/schemas/ids/12`)
      return json({ schemaType: 'JSON', schema: JSON.stringify(schemas[TE2]) })
    if (url.pathname === `${prefix}/schemas/ids/13`)
      return json({ schema: '{"type":"record","name":"x","fields":[]}' })
    return json({ error_code: 40403, message: 'Schema not found' }, 404)
  }
  return { fetch: fetch as typeof globalThis.fetch, calls }
}

describe('registry client: schema ids (Confluent API)', () => {
  it.each([
    { prefix: '/ccompat', option: undefined },
    { prefix: '/confluent', option: '/confluent/' },
  ])(
    'idOf looks the schema up by content under $prefix, once per version, concurrent calls sharing one',
    async ({ prefix, option }) => {
      const { fetch, calls } = fakeConfluent(prefix)
      const client = createRegistryClient({ baseUrl: 'http://registry', fetch, confluentPrefix: option })
      const got = await Promise.all([client.idOf(ref), client.idOf(ref), client.idOf(ref)])
      expect(got).toEqual([12, 12, 12])
      expect(await client.idOf(ref)).toBe(12)
      const posts = calls.filter((c) => c.method === 'POST')
      expect(posts).toHaveLength(1)
      expect(posts[0]).toMatchObject({
        path: `${prefix}/subjects/callisto-timecard-timeentries-value`,
        contentType: 'application/vnd.schemaregistry.v1+json',
        body: { schemaType: 'JSON', schema: JSON.stringify(schemas[TE2]) },
      })
      // The schema came from the native API by URI: asked once too.
      expect(calls.filter((c) => c.path.startsWith('/resolve'))).toHaveLength(1)
    },
  )

  it('idOf sends the schema it is given, without asking for it', async () => {
    const { fetch, calls } = fakeConfluent('/ccompat')
    const client = createRegistryClient({ baseUrl: 'http://registry', fetch })
    expect(await client.idOf({ ...ref, schema: schemas[TE2] })).toBe(12)
    expect(calls.map((c) => c.method)).toEqual(['POST'])
  })

  it.each<{ name: string; r: typeof ref; code: string; message: RegExp }>([
    {
      name: 'a URI the registry does not know',
      r: { ...ref, uri: schemaUri('time-entry', 7) },
      code: 'SCHEMA_NOT_FOUND',
      message: /no schema/,
    },
    {
      name: 'a schema the subject does not hold',
      r: { ...ref, schema: { $id: 'urn:other' } } as typeof ref,
      code: 'SCHEMA_NOT_FOUND',
      message: /no schema id for/,
    },
  ])('idOf: $name is SCHEMA_NOT_FOUND, not retriable', async ({ r, code, message }) => {
    const client = createRegistryClient({
      baseUrl: 'http://registry',
      fetch: fakeConfluent('/ccompat').fetch,
    })
    await expect(client.idOf(r)).rejects.toMatchObject({
      code,
      retriable: false,
      message: expect.stringMatching(message),
    })
  })

  it('idOf retries a 5xx, then reports a retriable REGISTRY_UNAVAILABLE, and is asked again afterwards', async () => {
    const { fetch, calls } = fakeConfluent('/ccompat', { failures: 2 })
    const client = createRegistryClient({ baseUrl: 'http://registry', fetch, retries: 0, backoffMs: 1 })
    const schema = schemas[TE2]
    await expect(client.idOf({ ...ref, schema })).rejects.toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
      retriable: true,
    })
    await expect(client.idOf({ ...ref, schema })).rejects.toMatchObject({ code: 'REGISTRY_UNAVAILABLE' })
    expect(await client.idOf({ ...ref, schema })).toBe(12)
    expect(calls).toHaveLength(3)
  })

  it("idOf reports another refusal as BAD_REQUEST with Confluent's error", async () => {
    const client = createRegistryClient({
      baseUrl: 'http://registry',
      fetch: fakeConfluent('/ccompat', { status: 422 }).fetch,
    })
    await expect(client.idOf({ ...ref, schema: schemas[TE2] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('42201'),
    })
  })

  it('schemaOf parses the schema of a JSON id, and is undefined for an unknown id', async () => {
    const { fetch, calls } = fakeConfluent('/ccompat')
    const client = createRegistryClient({ baseUrl: 'http://registry', fetch })
    expect(await client.schemaOf(12)).toEqual(schemas[TE2])
    expect(await client.schemaOf(99)).toBeUndefined()
    expect(calls.map((c) => c.path)).toEqual(['/ccompat/schemas/ids/12', '/ccompat/schemas/ids/99'])
  })

  it('schemaOf refuses an Avro id (no schemaType) with SCHEMA_INVALID, not retriable', async () => {
    const client = createRegistryClient({
      baseUrl: 'http://registry',
      fetch: fakeConfluent('/ccompat').fetch,
    })
    await expect(client.schemaOf(13)).rejects.toMatchObject({
      code: 'SCHEMA_INVALID',
      retriable: false,
      message: expect.stringMatching(/AVRO/),
    })
  })
})
