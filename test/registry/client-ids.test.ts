/**
 * The registry client as a SchemaIdPort, on a fake fetch: `idOf` asks our native API for a version's event schema
 * id; `schemaOf` asks Confluent's REST API under a prefix, answering as Confluent does.
 */
import { describe, expect, it } from 'vitest'
import { createRegistryClient } from '../../client/index.ts'
import { eventSchemaUri, schemaUri } from '../../core/index.ts'
import { schemas } from '../../generated/index.ts'

const TE2 = schemaUri('time-entry', 2)
const ref = { resource: 'time-entry', version: 2, uri: TE2, topic: 'callisto-timecard-timeentries' }

interface Call {
  method: string
  path: string
  body: unknown
  contentType: string | null
}

/**
 * `GET /schemas/time-entry/versions/{v}/event`: v2's event schema is id 12, v3 answers another schema, v4 no id,
 * others 404. Confluent's API: `GET /schemas/ids/{id}` knows 12 and 13 (Avro).
 */
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
    if (url.pathname === '/schemas/time-entry/versions/2/event')
      return json({ id: 12, schema: { $id: eventSchemaUri(TE2) } })
    if (url.pathname === '/schemas/time-entry/versions/3/event')
      return json({ id: 14, schema: { $id: 'urn:other' } })
    if (url.pathname === '/schemas/time-entry/versions/4/event')
      return json({ schema: { $id: eventSchemaUri(schemaUri('time-entry', 4)) } })
    if (url.pathname.startsWith('/schemas/'))
      return json({ code: 'SCHEMA_NOT_FOUND', message: 'no such version' }, 404)
    if (url.pathname === `${prefix}/schemas/ids/12`)
      return json({ schemaType: 'JSON', schema: JSON.stringify(schemas[TE2]) })
    if (url.pathname === `${prefix}/schemas/ids/13`)
      return json({ schema: '{"type":"record","name":"x","fields":[]}' })
    return json({ error_code: 40403, message: 'Schema not found' }, 404)
  }
  return { fetch: fetch as typeof globalThis.fetch, calls }
}

describe('registry client: schema ids (Confluent API)', () => {
  it('idOf asks the native API for the event schema id, once per version, concurrent calls sharing one', async () => {
    const { fetch, calls } = fakeConfluent('/ccompat')
    const client = createRegistryClient({ baseUrl: 'http://registry', fetch })
    const got = await Promise.all([client.idOf(ref), client.idOf(ref), client.idOf(ref)])
    expect(got).toEqual([12, 12, 12])
    expect(await client.idOf(ref)).toBe(12)
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /schemas/time-entry/versions/2/event'])
  })

  it.each<{ name: string; version: number; code: string; message: RegExp }>([
    {
      name: 'a version the registry does not have',
      version: 7,
      code: 'SCHEMA_NOT_FOUND',
      message: /no event schema/,
    },
    {
      name: "an answer whose schema is not the version's event schema",
      version: 3,
      code: 'BAD_REQUEST',
      message: /not 'https:\/\/event-contracts\.dev\/schemas\/time-entry\/3\/event'/,
    },
    { name: 'an answer without an id', version: 4, code: 'BAD_REQUEST', message: /without a schema id/ },
  ])('idOf: $name is $code, not retriable', async ({ version, code, message }) => {
    const client = createRegistryClient({
      baseUrl: 'http://registry',
      fetch: fakeConfluent('/ccompat').fetch,
    })
    await expect(
      client.idOf({ ...ref, version, uri: schemaUri('time-entry', version) }),
    ).rejects.toMatchObject({
      code,
      retriable: false,
      message: expect.stringMatching(message),
    })
  })

  it('idOf retries a 5xx, then reports a retriable REGISTRY_UNAVAILABLE, and is asked again afterwards', async () => {
    const { fetch, calls } = fakeConfluent('/ccompat', { failures: 2 })
    const client = createRegistryClient({ baseUrl: 'http://registry', fetch, retries: 0, backoffMs: 1 })
    await expect(client.idOf(ref)).rejects.toMatchObject({ code: 'REGISTRY_UNAVAILABLE', retriable: true })
    await expect(client.idOf(ref)).rejects.toMatchObject({ code: 'REGISTRY_UNAVAILABLE' })
    expect(await client.idOf(ref)).toBe(12)
    expect(calls).toHaveLength(3)
  })

  it('idOf reports another refusal as BAD_REQUEST with the status', async () => {
    const client = createRegistryClient({
      baseUrl: 'http://registry',
      fetch: fakeConfluent('/ccompat', { status: 422 }).fetch,
    })
    await expect(client.idOf(ref)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('HTTP 422'),
    })
  })

  it.each([
    { prefix: '/ccompat', option: undefined },
    { prefix: '/confluent', option: '/confluent/' },
  ])("schemaOf asks Confluent's API under $prefix", async ({ prefix, option }) => {
    const { fetch, calls } = fakeConfluent(prefix)
    const client = createRegistryClient({ baseUrl: 'http://registry', fetch, confluentPrefix: option })
    expect(await client.schemaOf(12)).toEqual(schemas[TE2])
    expect(calls.map((c) => c.path)).toEqual([`${prefix}/schemas/ids/12`])
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
