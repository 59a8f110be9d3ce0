/** Routes: the config's checks (each problem names its entry), resolution, matching; and routes in the app. */
import { describe, expect, it } from 'vitest'
import { catalog } from '../../generated/index.ts'
import {
  checkRoutes,
  createGateway,
  createRouter,
  parseRoutes,
  resolveRoutes,
  type RoutesFile,
} from '../../gateway/index.ts'
import {
  ADMIN,
  bearer,
  captureSink,
  datasetEvent,
  newSecret,
  receiver,
  STRUCTURED,
  tokens,
} from './helpers.ts'

const hook = { url: 'http://127.0.0.1:1/hook', secretEnv: 'HOOK_SECRET' }

describe('checkRoutes: every problem at its pointer, naming its entry', () => {
  it.each<{ name: string; value: unknown; issues: string[]; entry?: string }>([
    { name: 'an empty config', value: {}, issues: [] },
    {
      name: 'a valid config',
      value: {
        unmatched: 'reject',
        routes: [
          { name: 'all-datasets', type: 'dataset.*' },
          { name: 'kedro', source: 'example.com', type: 'dataset.create', action: 'both', webhook: hook },
        ],
      },
      issues: [],
    },
    { name: 'not an object', value: [], issues: [' type'] },
    { name: 'an unknown field', value: { route: [] }, issues: ['/route additionalProperties'] },
    { name: 'unmatched of another value', value: { unmatched: 'drop' }, issues: ['/unmatched enum'] },
    {
      name: 'a route without a name',
      value: { routes: [{ type: 'x.*' }] },
      issues: ['/routes/0/name required'],
    },
    {
      name: 'an unknown action',
      value: { routes: [{ name: 'r1', action: 'forward' }] },
      issues: ['/routes/0/action enum'],
      entry: 'r1',
    },
    {
      name: 'a webhook URL that is not http(s)',
      value: { routes: [{ name: 'r1', action: 'webhook', webhook: { ...hook, url: 'ftp://x/y' } }] },
      issues: ['/routes/0/webhook/url pattern'],
      entry: 'r1',
    },
    {
      name: 'two routes with one name',
      value: { routes: [{ name: 'r1' }, { name: 'r1' }] },
      issues: ['/routes/1/name unique'],
      entry: 'r1',
    },
    {
      name: 'a webhook action without a webhook',
      value: { routes: [{ name: 'r2', action: 'webhook' }] },
      issues: ['/routes/0/webhook required'],
      entry: 'r2',
    },
    {
      name: 'a webhook on a publish route',
      value: { routes: [{ name: 'r3', webhook: hook }] },
      issues: ['/routes/0/action webhook'],
      entry: 'r3',
    },
    {
      name: 'a webhook with two secret sources',
      value: { routes: [{ name: 'r4', action: 'both', webhook: { ...hook, secretFile: 's.txt' } }] },
      issues: ['/routes/0/webhook secret'],
      entry: 'r4',
    },
  ])('$name', ({ value, issues, entry }) => {
    const r = checkRoutes(value)
    const got = r.ok ? [] : r.issues.map((i) => `${i.path} ${i.keyword}`.trim())
    expect(got).toEqual(issues.map((i) => i.trim()))
    if (entry && !r.ok) expect(r.issues[0]?.message).toContain(`'${entry}'`)
  })

  it('text that is not JSON', () => {
    const r = parseRoutes('{"routes": [')
    expect(r.ok ? [] : r.issues.map((i) => i.keyword)).toEqual(['json'])
  })

  it('a webhook whose secret is missing stops the resolution, naming the route and the variable', () => {
    const file: RoutesFile = { routes: [{ name: 'kedro', action: 'webhook', webhook: hook }] }
    expect(() => resolveRoutes(file, () => undefined)).toThrow(
      "route 'kedro': no webhook secret in $HOOK_SECRET",
    )
  })
})

describe('the router: every matching route applies', () => {
  const secret = newSecret()
  const config = resolveRoutes(
    {
      unmatched: 'reject',
      routes: [
        { name: 'datasets', source: 'urn:hdx:*', type: 'dataset.*' },
        { name: 'created', type: '*.create', action: 'webhook', webhook: hook },
        { name: 'kedro', source: 'example.com', type: 'dataset.update', action: 'both', webhook: hook },
      ],
    },
    () => secret,
  )
  const route = createRouter(config)
  it.each<{ source: string; type: string; publish?: boolean; webhooks?: string[]; refused?: true }>([
    { source: 'urn:hdx:ckan', type: 'dataset.update', publish: true, webhooks: [] },
    { source: 'urn:hdx:ckan', type: 'dataset.create', publish: true, webhooks: ['created'] },
    { source: 'urn:hr', type: 'person.create', publish: false, webhooks: ['created'] },
    { source: 'example.com', type: 'dataset.update', publish: true, webhooks: ['kedro'] },
    { source: 'urn:hr', type: 'person.update', refused: true },
    { source: 'urn:hdx', type: 'dataset.update', refused: true },
  ])('$source $type', ({ source, type, publish, webhooks, refused }) => {
    const plan = route(source, type)
    if (refused) return expect(plan).toBeUndefined()
    expect(plan?.publish).toBe(publish)
    expect(plan?.webhooks.map((r) => r.name)).toEqual(webhooks)
  })

  it("unmatched: 'publish' publishes what no route takes", () => {
    const open = createRouter(resolveRoutes({ routes: [{ name: 'a', type: 'x.*' }] }, () => secret))
    expect(open('urn:any', 'dataset.update')).toEqual({ publish: true, webhooks: [] })
  })

  it('a glob matches without backtracking blow-up (a long adversarial type)', () => {
    const r = createRouter(resolveRoutes({ routes: [{ name: 'g', type: '*a*a*a*a*a*a*a*b' }] }, () => secret))
    expect(r('s', 'a'.repeat(5000))).toEqual({ publish: true, webhooks: [] }) // unmatched → published
  })
})

describe('routes in the app', () => {
  it('unmatched events refused: 404 NO_ROUTE naming the event, nothing published', async () => {
    const capture = captureSink()
    const routes = resolveRoutes(
      { unmatched: 'reject', routes: [{ name: 'people', type: 'person.*' }] },
      () => undefined,
    )
    const app = createGateway({ catalog, sink: capture.sink, tokens, routes })
    const res = await app.request('/events', {
      method: 'POST',
      headers: { ...STRUCTURED, ...bearer(ADMIN) },
      body: JSON.stringify(datasetEvent()),
    })
    expect(res.status).toBe(404)
    const p = (await res.json()) as { code: string; issues: { path: string; keyword: string }[] }
    expect(p.code).toBe('NO_ROUTE')
    expect(p.issues).toMatchObject([{ path: '/type', keyword: 'route' }])
    expect(capture.sent).toHaveLength(0)
  })

  it('a webhook route: the event is POSTed signed, not published; a both route: published and POSTed', async () => {
    const secret = newSecret()
    const hooked = await receiver(secret)
    try {
      const capture = captureSink()
      const routes = resolveRoutes(
        {
          routes: [
            {
              name: 'only-hook',
              type: 'dataset.create',
              action: 'webhook',
              webhook: { url: hooked.url, secretEnv: 'S' },
            },
            {
              name: 'both',
              type: 'dataset.update',
              action: 'both',
              webhook: { url: hooked.url, secretEnv: 'S' },
            },
          ],
        },
        () => secret,
      )
      const app = createGateway({ catalog, sink: capture.sink, tokens, routes })
      const post = (event: Record<string, unknown>) =>
        app.request('/events', {
          method: 'POST',
          headers: { ...STRUCTURED, ...bearer(ADMIN) },
          body: JSON.stringify(event),
        })
      const created = datasetEvent({ type: 'dataset.create' })
      const res = await post(created)
      expect(res.status).toBe(202)
      expect(((await res.json()) as { events: unknown[] }).events[0]).toMatchObject({
        webhooks: ['only-hook'],
      })
      expect(capture.sent).toHaveLength(0)
      const updated = datasetEvent()
      expect((await post(updated)).status).toBe(202)
      expect(capture.sent.map((m) => m.id)).toEqual([updated.id])
      expect(hooked.received.map((r) => r.verified)).toEqual([true, true])
      const bodies = hooked.received.map((r) => JSON.parse(r.body))
      expect(bodies.map((b) => [b.id, b.type, b.specversion])).toEqual([
        [created.id, 'dataset.create', '1.0'],
        [updated.id, 'dataset.update', '1.0'],
      ])
      expect(bodies[1].data).toEqual(JSON.parse(capture.sent[0]!.value))
      expect(hooked.received[0]?.headers['content-type']).toBe('application/cloudevents+json')
      expect(hooked.received[0]?.headers['webhook-id']).toBe(created.id)
    } finally {
      await hooked.close()
    }
  })

  it('a webhook that fails: 502 with Retry-After; the retry POSTs again without publishing again', async () => {
    const secret = newSecret()
    const hooked = await receiver(secret, [{ status: 500 }, { status: 500 }, { status: 200 }])
    try {
      const capture = captureSink()
      const routes = resolveRoutes(
        {
          routes: [
            {
              name: 'both',
              type: 'dataset.*',
              action: 'both',
              webhook: { url: hooked.url, secretEnv: 'S', attempts: 2 },
            },
          ],
        },
        () => secret,
      )
      const app = createGateway({
        catalog,
        sink: capture.sink,
        tokens,
        routes,
        webhookBackoffMs: { initialMs: 1, maxMs: 1 },
      })
      const event = datasetEvent()
      const post = () =>
        app.request('/events', {
          method: 'POST',
          headers: { ...STRUCTURED, ...bearer(ADMIN) },
          body: JSON.stringify(event),
        })
      const first = await post()
      expect(first.status).toBe(502)
      expect(first.headers.get('retry-after')).toBe('1')
      const p = (await first.json()) as { code: string; issues: { keyword: string; params: object }[] }
      expect(p.code).toBe('WEBHOOK_FAILED')
      expect(p.issues[0]).toMatchObject({ keyword: 'webhook', params: { route: 'both', status: 500 } })
      expect(capture.sent).toHaveLength(1)
      const second = await post()
      expect(second.status).toBe(202)
      expect(capture.sent).toHaveLength(1) // published once
      expect(hooked.received.map((r) => r.status)).toEqual([500, 500, 200])
      expect((await post()).status).toBe(200) // now everything is done: a duplicate
    } finally {
      await hooked.close()
    }
  })
})
