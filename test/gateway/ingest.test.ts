/** POST /events through `app.request()`: no socket, a capturing sink. */
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { checkEvent, type Issue } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createGateway, type GatewayOptions } from '../../gateway/index.ts'
import { resolveTokens } from '../../http/tokens.ts'
import {
  ADMIN,
  BATCH,
  bearer,
  captureSink,
  DATA_TEAM,
  datasetContent,
  datasetEvent,
  STRUCTURED,
  TIME_TEAM,
  tokens,
} from './helpers.ts'

type Problem = { code: string; status: number; issues: Issue[] }

function gateway(options: Partial<GatewayOptions> = {}) {
  const capture = captureSink()
  const app = createGateway({ catalog, sink: capture.sink, tokens, ...options })
  const post = (body: unknown, headers: Record<string, string> = STRUCTURED, token = ADMIN) =>
    app.request('/events', {
      method: 'POST',
      headers: { ...bearer(token), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  return { app, post, ...capture }
}

const problem = async (res: Response) => (await res.json()) as Problem
const pointers = (p: Problem) => p.issues.map((i) => `${i.path} ${i.keyword}`)

describe('POST /events: the three CloudEvents modes', () => {
  it('structured: 202 with the id; the message is our envelope on the resource topic, keyed by x-key', async () => {
    const g = gateway()
    const event = datasetEvent({ subject: 'afg-health-facilities' })
    const res = await g.post(event)
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({
      ids: [event.id],
      events: [
        {
          id: event.id,
          source: 'urn:hdx:ckan',
          type: 'dataset.update',
          destination: 'hdx-datasets',
          webhooks: [],
          duplicate: false,
        },
      ],
    })
    expect(g.sent).toHaveLength(1)
    const m = g.sent[0]!
    expect(m.key).toBe('c0ffee00-1d2e-4f3a-9b8c-7d6e5f4a3b2c')
    expect(m.attributes).toMatchObject({ id: event.id, type: 'dataset.update', source: 'urn:hdx:ckan' })
    expect(m.headers).toEqual({ ce_subject: 'afg-health-facilities' })
    const published = JSON.parse(m.value)
    expect(checkEvent(catalog, published).ok).toBe(true)
    expect(published).toMatchObject({
      id: event.id,
      time: '2026-11-21T10:00:00Z',
      action: 'update',
      resource: { schema: 'https://event-contracts.dev/schemas/dataset/1', content: event.data },
    })
  })

  it('binary: ce-* headers and a JSON body', async () => {
    const g = gateway()
    const id = randomUUID()
    const res = await g.post(datasetContent(), {
      'content-type': 'application/json; charset=utf-8',
      'ce-specversion': '1.0',
      'ce-id': id,
      'ce-source': '/ckan',
      'ce-type': 'dataset.create',
      'ce-dataschema': 'https://event-contracts.dev/schemas/dataset/1',
    })
    expect(res.status).toBe(202)
    expect(((await res.json()) as { ids: string[] }).ids).toEqual([id])
    expect(JSON.parse(g.sent[0]!.value)).toMatchObject({ id, source: '/ckan', action: 'create' })
  })

  it("keeps the producer's time as it was sent, offset and all", async () => {
    const g = gateway()
    expect((await g.post(datasetEvent({ time: '2026-11-20T09:30:00.123+01:00' }))).status).toBe(202)
    expect(JSON.parse(g.sent[0]!.value).time).toBe('2026-11-20T09:30:00.123+01:00')
  })

  it('batch: every event validated, then one sendBatch for all of them', async () => {
    const g = gateway()
    const events = [datasetEvent(), datasetEvent({ type: 'dataset.create' }), datasetEvent()]
    const res = await g.post(events, BATCH)
    expect(res.status).toBe(202)
    expect(((await res.json()) as { ids: string[] }).ids).toEqual(events.map((e) => e.id))
    expect(g.calls).toEqual({ send: 0, sendBatch: 1 })
    expect(g.sent.map((m) => m.id)).toEqual(events.map((e) => e.id))
  })

  it('our own envelope as data is taken as it is, its extension fields kept', async () => {
    const g = gateway()
    const id = randomUUID()
    const envelope = {
      id,
      time: '2026-11-21T10:00:00Z',
      source: 'urn:hdx:ckan',
      action: 'update',
      actor: 'someone',
      resource: { schema: 'https://event-contracts.dev/schemas/dataset/1', content: datasetContent() },
    }
    const res = await g.post(datasetEvent({ id, data: envelope }))
    expect(res.status).toBe(202)
    expect(JSON.parse(g.sent[0]!.value)).toEqual(envelope)
  })
})

describe('POST /events: bad input is 4xx with the issues, and nothing is published', () => {
  it.each<{
    name: string
    body: unknown
    headers?: Record<string, string>
    status: number
    issues: string[]
  }>([
    {
      name: 'no id',
      body: { ...datasetEvent(), id: undefined },
      status: 400,
      issues: ['/id required'],
    },
    { name: 'an empty source', body: datasetEvent({ source: '' }), status: 400, issues: ['/source type'] },
    {
      name: 'specversion 0.3',
      body: datasetEvent({ specversion: '0.3' }),
      status: 400,
      issues: ['/specversion const'],
    },
    {
      name: 'a time that is no date',
      body: datasetEvent({ time: 'yesterday' }),
      status: 400,
      issues: ['/time format'],
    },
    {
      name: 'a source that is no URI reference',
      body: datasetEvent({ source: 'a b%' }),
      status: 400,
      issues: ['/source format'],
    },
    {
      name: 'binary data',
      body: { ...datasetEvent(), data: undefined, data_base64: 'e30=' },
      status: 400,
      issues: ['/data_base64 json'],
    },
    {
      name: 'a batch that is not an array',
      body: datasetEvent(),
      headers: BATCH,
      status: 400,
      issues: [' type'],
    },
    {
      name: 'a batch with a bad second event',
      body: [datasetEvent(), datasetEvent({ id: undefined })],
      headers: BATCH,
      status: 400,
      issues: ['/1/id required'],
    },
    { name: 'not JSON', body: '{"specversion": "1.0",', status: 400, issues: [' json'] },
    {
      name: 'content that breaks the schema',
      body: datasetEvent({ data: { ...datasetContent(), name: 'Not A Name' } }),
      status: 422,
      issues: ['/data/name pattern'],
    },
    {
      name: 'a nested field that breaks it',
      body: datasetEvent({
        data: {
          ...datasetContent(),
          resources: [{ id: randomUUID(), name: 'x', format: 'CSV', url: 'nope' }],
        },
      }),
      status: 422,
      issues: ['/data/resources/0/url format'],
    },
    {
      name: 'a type that is no <resource>.<action>',
      body: datasetEvent({ type: 'dataset' }),
      status: 422,
      issues: ['/type pattern'],
    },
    {
      name: 'a type of no resource',
      body: datasetEvent({ type: 'com.example.event' }),
      status: 422,
      issues: ['/type known-resource'],
    },
    {
      name: 'an action that is not one',
      body: datasetEvent({ type: 'dataset.archive' }),
      status: 422,
      issues: ['/type enum'],
    },
    {
      name: 'a dataschema of another resource',
      body: datasetEvent({ dataschema: 'https://event-contracts.dev/schemas/person/1' }),
      status: 422,
      issues: ['/dataschema known-schema'],
    },
    {
      name: 'an id that is no UUID',
      body: datasetEvent({ id: 'A234-1234-1234' }),
      status: 422,
      issues: ['/id format'],
    },
    {
      name: 'no data',
      body: { ...datasetEvent(), data: undefined },
      status: 422,
      issues: ['/data required'],
    },
    {
      name: 'an envelope as data that disagrees with the id',
      body: datasetEvent({
        data: {
          id: randomUUID(),
          action: 'update',
          resource: { schema: 'https://event-contracts.dev/schemas/dataset/1', content: datasetContent() },
        },
      }),
      status: 422,
      issues: ['/data/id header'],
    },
    {
      name: 'a batch with one invalid event among valid ones (all or nothing)',
      body: [
        datasetEvent(),
        datasetEvent({ data: { ...datasetContent(), state: 'archived' } }),
        datasetEvent(),
      ],
      headers: BATCH,
      status: 422,
      issues: ['/1/data/state enum'],
    },
  ])('$name: $status', async ({ body, headers, status, issues }) => {
    const g = gateway()
    const res = await g.post(body, headers)
    expect(res.status).toBe(status)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    const p = await problem(res)
    expect(p.code).toBe(
      status === 400 ? (issues[0] === ' json' ? 'NOT_JSON' : 'BAD_REQUEST') : 'EVENT_INVALID',
    )
    expect(pointers(p).map((s) => s.trim())).toEqual(issues.map((s) => s.trim()))
    expect(g.calls).toEqual({ send: 0, sendBatch: 0 })
  })

  it.each<{ name: string; headers: Record<string, string> }>([
    { name: 'text/plain', headers: { 'content-type': 'text/plain' } },
    { name: 'plain JSON without ce- headers', headers: { 'content-type': 'application/json' } },
    {
      name: 'a charset other than UTF-8',
      headers: { 'content-type': 'application/cloudevents+json; charset=latin1' },
    },
    {
      name: 'binary mode with XML data',
      headers: { 'content-type': 'application/xml', 'ce-id': randomUUID() },
    },
  ])('415 for $name', async ({ headers }) => {
    const g = gateway()
    const res = await g.post(datasetEvent(), headers)
    expect(res.status).toBe(415)
    const p = await problem(res)
    expect(p.code).toBe('UNSUPPORTED_MEDIA_TYPE')
    expect(pointers(p)).toEqual(['/Content-Type media-type'])
    expect(g.calls).toEqual({ send: 0, sendBatch: 0 })
  })

  it('413 for a body over the limit, read no further', async () => {
    const g = gateway({ maxBodyBytes: 2048 })
    const res = await g.post(datasetEvent({ data: { ...datasetContent(), notes: 'x'.repeat(4096) } }))
    expect(res.status).toBe(413)
    expect(pointers(await problem(res))).toEqual([' maxBytes'])
    expect(g.calls).toEqual({ send: 0, sendBatch: 0 })
  })

  it('413 for a declared Content-Length over the limit, before the body is read', async () => {
    const g = gateway({ maxBodyBytes: 2048 })
    const res = await g.post(datasetEvent(), { ...STRUCTURED, 'content-length': '4096' })
    expect(res.status).toBe(413)
    expect(g.calls).toEqual({ send: 0, sendBatch: 0 })
  })

  it('413 for a batch over the event limit', async () => {
    const g = gateway({ maxBatchEvents: 2 })
    const res = await g.post([datasetEvent(), datasetEvent(), datasetEvent()], BATCH)
    expect(res.status).toBe(413)
    const p = await problem(res)
    expect(p.code).toBe('PAYLOAD_TOO_LARGE')
    expect(p.issues[0]).toMatchObject({ keyword: 'maxItems', params: { limit: 2 } })
    expect(g.calls).toEqual({ send: 0, sendBatch: 0 })
  })
})

describe('POST /events: write tokens scoped per resource', () => {
  it.each<{ name: string; headers: Record<string, string>; status: number; code: string; keyword: string }>([
    { name: 'no token', headers: {}, status: 401, code: 'UNAUTHORIZED', keyword: 'required' },
    { name: 'an unknown token', headers: bearer('guess'), status: 403, code: 'FORBIDDEN', keyword: 'token' },
    {
      name: "a token for other resources ('time-*')",
      headers: bearer(TIME_TEAM),
      status: 403,
      code: 'FORBIDDEN',
      keyword: 'scope',
    },
  ])('$name: $status', async ({ headers, status, code, keyword }) => {
    const g = gateway()
    const res = await g.app.request('/events', {
      method: 'POST',
      headers: { ...STRUCTURED, ...headers },
      body: JSON.stringify(datasetEvent()),
    })
    expect(res.status).toBe(status)
    const p = await problem(res)
    expect(p.code).toBe(code)
    expect(p.issues[0]?.keyword).toBe(keyword)
    if (keyword === 'scope')
      expect(p.issues[0]).toMatchObject({ path: '/type', params: { resource: 'dataset' } })
    expect(g.calls).toEqual({ send: 0, sendBatch: 0 })
  })

  it('a batch needs the scope of every event: one out of scope refuses the whole batch', async () => {
    const g = gateway()
    const person = {
      specversion: '1.0',
      id: randomUUID(),
      source: 'urn:hr',
      type: 'person.create',
      data: {
        id: randomUUID(),
        tenantId: randomUUID(),
        firstName: 'A',
        lastName: 'B',
        startDate: '2026-01-05',
      },
    }
    const res = await g.post([datasetEvent(), person], BATCH, DATA_TEAM)
    expect(res.status).toBe(403)
    expect((await problem(res)).issues[0]).toMatchObject({ path: '/1/type', params: { resource: 'person' } })
    expect(g.calls).toEqual({ send: 0, sendBatch: 0 })
    expect((await g.post(datasetEvent(), STRUCTURED, DATA_TEAM)).status).toBe(202)
  })

  it('no tokens configured: every write is refused', async () => {
    const g = gateway({ tokens: resolveTokens() })
    const res = await g.post(datasetEvent())
    expect(res.status).toBe(403)
    expect((await problem(res)).issues[0]?.keyword).toBe('writes-disabled')
  })
})

describe('POST /events: de-duplication by source and id', () => {
  it('the same event again within the window: 200, not published again', async () => {
    const g = gateway()
    const event = datasetEvent()
    expect((await g.post(event)).status).toBe(202)
    const again = await g.post(event)
    expect(again.status).toBe(200)
    expect(((await again.json()) as { events: { duplicate: boolean }[] }).events[0]?.duplicate).toBe(true)
    expect(g.sent).toHaveLength(1)
  })

  it('the same id from another source is another event', async () => {
    const g = gateway()
    const event = datasetEvent()
    await g.post(event)
    expect((await g.post({ ...event, source: 'urn:other' })).status).toBe(202)
    expect(g.sent).toHaveLength(2)
  })

  it('a batch repeating an event publishes it once; a batch of known events is 200', async () => {
    const g = gateway()
    const a = datasetEvent()
    const b = datasetEvent()
    const res = await g.post([a, b, a], BATCH)
    expect(res.status).toBe(202)
    expect(
      ((await res.json()) as { events: { duplicate: boolean }[] }).events.map((e) => e.duplicate),
    ).toEqual([false, false, true])
    expect((await g.post([b, a], BATCH)).status).toBe(200)
    expect(g.sent.map((m) => m.id)).toEqual([a.id, b.id])
  })

  it('two requests with one event at the same time: published once', async () => {
    const g = gateway()
    g.slow(50)
    const event = datasetEvent()
    const [one, two] = await Promise.all([g.post(event), g.post(event)])
    expect([one.status, two.status].sort()).toEqual([200, 202])
    expect(g.sent).toHaveLength(1)
  })

  it('after the window the event is published again', async () => {
    const g = gateway({ dedupWindowMs: 30 })
    const event = datasetEvent()
    await g.post(event)
    await new Promise((r) => setTimeout(r, 80))
    expect((await g.post(event)).status).toBe(202)
    expect(g.sent).toHaveLength(2)
  })

  it('window 0 turns it off', async () => {
    const g = gateway({ dedupWindowMs: 0 })
    const event = datasetEvent()
    await g.post(event)
    expect((await g.post(event)).status).toBe(202)
    expect(g.sent).toHaveLength(2)
  })
})

describe('POST /events: a transport that is down', () => {
  it('503 SEND_FAILED with Retry-After; the same request succeeds once it is back, published once', async () => {
    const g = gateway()
    const event = datasetEvent()
    g.fail()
    const res = await g.post(event)
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('1')
    expect((await problem(res)).code).toBe('SEND_FAILED')
    g.fail(false)
    expect((await g.post(event)).status).toBe(202)
    expect(g.sent).toHaveLength(1)
  })
})

describe('the rest of the app', () => {
  it('GET /health', async () => {
    const res = await gateway().app.request('/health')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('an unknown route is a 404 problem', async () => {
    const res = await gateway().app.request('/nope')
    expect(res.status).toBe(404)
    expect((await problem(res)).code).toBe('NOT_FOUND')
  })

  it('a topic prefix names the destinations', async () => {
    const g = gateway({ topicPrefix: 'staging' })
    await g.post(datasetEvent())
    expect(g.sent[0]?.destination).toBe('staging.hdx-datasets')
  })
})
