import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createApp,
  mountRoutes,
  openApiPath,
  registryRoutes,
  route,
  type OpenApiDocument,
  type Registry,
  type Route,
} from '../../registry/index.ts'
import { createAuthorizer } from '../../http/auth.ts'
import { resolveTokens } from '../../http/tokens.ts'
import { auth, jsonHeaders, silent, testRegistry } from './helpers.ts'

type Json = Record<string, unknown>
type Problem = {
  status: number
  code: string
  title: string
  issues: { path: string; keyword: string; message: string }[]
}

const BASE = 'https://event-contracts.dev/schemas'
let registry: Registry
let routes: Route[]
let doc: OpenApiDocument

beforeAll(async () => {
  registry = await testRegistry()
  routes = registryRoutes({
    service: registry.service,
    store: registry.store,
    metrics: registry.metrics,
    documents: { openapi: '', docs: '' },
  })
  doc = (await (await registry.app.request('/openapi.json')).json()) as OpenApiDocument
}, 120_000)
afterAll(() => registry.close())

const key = (r: Pick<Route, 'method' | 'path'>) => `${r.method} ${r.path}`
const wire = (k: string, d: Route['params'][string]) => d.name ?? k

describe('one declaration drives the app and /openapi.json', () => {
  it('every route of the table is an operation with its method, path, parameters, auth and body', () => {
    for (const r of routes) {
      const op = doc.paths[openApiPath(r.path)]?.[r.method.toLowerCase() as 'get']
      expect(op, key(r)).toBeDefined()
      if (!op) continue
      expect(op.operationId).toBe(r.operationId)
      expect(op.parameters ?? []).toEqual(
        Object.entries(r.params).map(([k, d]) => ({
          name: wire(k, d),
          in: d.in,
          required: d.in === 'path' || d.required === true,
          description: d.description,
          schema: d.schema,
        })),
      )
      expect(op.security, `${key(r)} security`).toEqual(
        r.auth === 'public'
          ? undefined
          : [
              { bearer: [r.auth === 'admin' ? 'admin' : 'write'] },
              { basic: [r.auth === 'admin' ? 'admin' : 'write'] },
            ],
      )
      expect(op.requestBody !== undefined, `${key(r)} body`).toBe(r.body !== undefined)
      if (r.auth !== 'public')
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']))
      if (Object.keys(r.params).length || r.body) expect(op.responses['400']).toBeDefined()
      if (r.body) expect(op.responses['413']).toBeDefined()
    }
  })

  it('every operation of /openapi.json is a route of the table', () => {
    const table = new Set(routes.map((r) => `${r.method} ${openApiPath(r.path)}`))
    const described = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    )
    expect(described.sort()).toEqual([...table].sort())
    // Every {name} of a path is a declared path parameter, and the other way round.
    for (const [path, item] of Object.entries(doc.paths))
      for (const op of Object.values(item)) {
        const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort()
        const declared = (op.parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => p.name)
          .sort()
        expect(declared, `${op.operationId}`).toEqual(inPath)
      }
  })

  it('the hono app mounts exactly the table, and beside it only the Confluent API under its prefix', () => {
    const prefix = registry.config.ccompatPath
    const ccompat = (path: string) => path === prefix || path.startsWith(`${prefix}/`)
    const mounted = registry.app.routes.filter((r) => !ccompat(r.path)).map((r) => `${r.method} ${r.path}`)
    expect(mounted.sort()).toEqual(routes.map(key).sort())
    expect(registry.app.routes.filter((r) => ccompat(r.path)).length).toBeGreaterThan(0)
  })

  it('the limits described are the configuration passed to createApp', async () => {
    const app = createApp({
      service: registry.service,
      store: registry.store,
      tokens: resolveTokens({ admin: ['t'] }),
      logger: silent,
      metrics: registry.metrics,
      maxBodyBytes: 2048,
      maxDepth: 8,
    })
    const small = (await (await app.request('/openapi.json')).json()) as OpenApiDocument
    const register = small.paths['/schemas/{name}/versions']?.post
    expect(register?.requestBody?.description).toBe(
      'a JSON Schema (draft 2020-12), nested at most 8 levels; at most 2 KiB',
    )
    expect(register?.responses['413']?.description).toContain('2 KiB')
    expect(small.paths['/config']?.put?.responses['413']?.description).toContain('2 KiB')
    const res = await app.request('/schemas/thing/versions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
      body: JSON.stringify({ description: 'x'.repeat(2048) }),
    })
    expect(res.status).toBe(413)
    expect(((await res.json()) as Problem).title).toBe('the body is over 2048 bytes')
    expect(await (await app.request('/docs')).text()).toContain('nested at most 8 levels')
    // The registry passes its own configuration (the defaults here): the figures are the ones it enforces.
    expect(doc.paths['/schemas/{name}/versions']?.post?.requestBody?.description).toBe(
      'a JSON Schema (draft 2020-12), nested at most 64 levels; at most 256 KiB',
    )
  })

  it('a declaration that disagrees with itself does not mount', () => {
    const options = {
      logger: silent,
      metrics: registry.metrics,
      maxBodyBytes: 1024,
      authorize: createAuthorizer(resolveTokens()),
    }
    const ok = (c: { text: (s: string) => Response }) => c.text('')
    const bare = {
      operationId: 'x',
      tags: [],
      summary: '',
      auth: 'public',
      responses: {},
      handler: ok,
    } as const
    expect(() =>
      mountRoutes([{ ...route({ ...bare, method: 'GET', path: '/x' }), path: '/x/:id' }], options),
    ).toThrow(/path segments \[id\] but path parameters \[\]/)
    expect(() =>
      mountRoutes(
        [
          {
            ...route({ ...bare, method: 'GET', path: '/x' }),
            // The types refuse it too; a table built without them is checked when mounted.
            responses: { '400': { description: '' } } as unknown as Route['responses'],
          },
        ],
        options,
      ),
    ).toThrow(/400 is described from the declaration/)
    expect(() =>
      mountRoutes(
        [
          route({
            ...bare,
            method: 'POST',
            path: '/x/:id',
            params: { id: { in: 'path', description: '', schema: { type: 'string' } } },
            // @ts-expect-error a write names the resource by one of the route's path parameters
            auth: { write: 'name' },
          }),
        ],
        options,
      ),
    ).toThrow(/auth writes 'name', which is not a path parameter/)
  })
})

/**
 * Bad values of every constrained parameter, by parameter name. The test below runs each against every route
 * that declares that parameter, and a coverage check fails when a route declares a constrained parameter with no
 * bad value here.
 */
const BAD: Record<string, (string | undefined)[]> = {
  // A NUL once reached SQL and came back 503, marked retriable: every one must stop at the edge.
  name: ['Bad_Name', 'a--b', '-a', 'x%20y', 'a%00b', '%00', 'a%0Ab', '%E2%80%AE'],
  version: ['abc', '0', '01', '-1', '1.5', '1e2', '1000000000', 'LATEST', '1%00', '%00'],
  uri: [undefined, '', 'not a uri'],
  permanent: ['yes', '', '1', 'TRUE'],
  limit: ['0', '501', 'ten', '1.5', '-1'],
  before: ['0', 'x', '2147483648', '01'],
}
/** Valid values, used for the parameters a case does not break. */
const GOOD: Record<string, string> = { name: 'person', version: '1', uri: `${BASE}/person/1` }

/** Parameters any string satisfies (If-None-Match) cannot be bad. */
const constrained = (d: Route['params'][string]) => JSON.stringify(d.schema) !== '{"type":"string"}'

function requestFor(r: Route, bad: string, value: string | undefined): [string, RequestInit] {
  let path = r.path
  const query = new URLSearchParams()
  for (const [k, d] of Object.entries(r.params)) {
    const v = k === bad ? value : GOOD[k]
    if (d.in === 'path') path = path.replace(`:${k}`, v ?? '')
    else if (d.in === 'query' && v !== undefined && (k === bad || d.required)) query.set(k, v)
  }
  const qs = query.toString()
  const headers: Record<string, string> = r.body ? { ...jsonHeaders } : {}
  if (r.auth !== 'public') Object.assign(headers, auth)
  return [qs ? `${path}?${qs}` : path, { method: r.method, headers, ...(r.body ? { body: '{}' } : {}) }]
}

describe('every parameter is validated at the edge', () => {
  it('every constrained parameter of every route has bad values to try', () => {
    const uncovered = routes.flatMap((r) =>
      Object.entries(r.params)
        .filter(([k, d]) => constrained(d) && !BAD[k]?.length)
        .map(([k]) => `${key(r)} ${k}`),
    )
    expect(uncovered).toEqual([])
  })

  const cases = () =>
    routes.flatMap((r) =>
      Object.entries(r.params)
        .filter(([, d]) => constrained(d))
        .flatMap(([k, d]) => (BAD[k] ?? []).map((v) => ({ r, k, d, v }))),
    )

  it('a bad parameter is 400 BAD_REQUEST with an issue naming it, on every route', async () => {
    const seen: string[] = []
    for (const { r, k, d, v } of cases()) {
      const [url, init] = requestFor(r, k, v)
      // A segment left empty does not match the route at all: that is routing (404), not this test.
      if (d.in === 'path' && v === '') continue
      const res = await registry.app.request(url, init)
      const what = `${key(r)} ${k}=${JSON.stringify(v)} (${url})`
      expect(res.status, what).toBe(400)
      expect(res.headers.get('content-type'), what).toBe('application/problem+json')
      const body = (await res.json()) as Problem
      expect(body.code, what).toBe('BAD_REQUEST')
      expect(body.title, what).toContain(`'${wire(k, d)}'`)
      expect(body.issues, what).toEqual([
        expect.objectContaining({
          path: `/${wire(k, d)}`,
          keyword: expect.any(String),
          message: expect.any(String),
        }),
      ])
      seen.push(`${key(r)} ${k}`)
    }
    // Every (route, constrained parameter) pair was tried: 13 today.
    const pairs = routes.flatMap((r) =>
      Object.entries(r.params)
        .filter(([, d]) => constrained(d))
        .map(([k]) => `${key(r)} ${k}`),
    )
    expect([...new Set(seen)].sort()).toEqual(pairs.sort())
    expect(pairs.length).toBeGreaterThanOrEqual(13)
  })

  it.each<[string, string, RequestInit, Problem['issues'][number]]>([
    [
      'a version that is not a number',
      '/schemas/person/versions/abc',
      {},
      { path: '/version', keyword: 'anyOf', message: 'must be integer or must be "latest"' },
    ],
    [
      'version 0',
      '/schemas/person/versions/0',
      {},
      { path: '/version', keyword: 'anyOf', message: 'must be >= 1 or must be "latest"' },
    ],
    [
      'latest where only a number will do',
      '/schemas/person/versions/latest',
      { method: 'DELETE', headers: auth },
      { path: '/version', keyword: 'type', message: 'must be integer' },
    ],
    [
      'a missing uri',
      '/resolve',
      {},
      { path: '/uri', keyword: 'required', message: "must have required property 'uri'" },
    ],
    [
      'a uri that is not one',
      '/resolve?uri=nope',
      {},
      { path: '/uri', keyword: 'format', message: 'must be a valid uri' },
    ],
    [
      'a permanent flag that is not a boolean',
      '/schemas/person/versions/1?permanent=yes',
      { method: 'DELETE', headers: auth },
      { path: '/permanent', keyword: 'type', message: 'must be boolean' },
    ],
    [
      'a name that is not a resource name',
      '/config/Bad_Name',
      {},
      { path: '/name', keyword: 'pattern', message: expect.stringContaining('must match pattern') },
    ],
  ])('%s: 400 with the issue', async (_what, path, init, issue) => {
    const res = await registry.app.request(path, init)
    expect(res.status).toBe(400)
    const body = (await res.json()) as Problem
    expect(body.code).toBe('BAD_REQUEST')
    expect(body.issues).toEqual([expect.objectContaining(issue)])
  })

  it('the token is checked before the parameters', async () => {
    const res = await registry.app.request('/schemas/Bad_Name/versions', { method: 'POST', body: '{}' })
    expect(res.status).toBe(401)
  })

  it('parameters are checked before the body is read', async () => {
    const res = await registry.app.request('/compatibility/Bad_Name', { method: 'POST', body: '{' })
    expect(((await res.json()) as Problem).code).toBe('BAD_REQUEST')
  })

  it('several bad parameters: one issue each', async () => {
    const res = await registry.app.request('/schemas/Bad_Name/versions/x', {})
    const body = (await res.json()) as Problem
    expect(body.title).toBe("invalid parameters: 'name' (path), 'version' (path)")
    expect(body.issues.map((i) => i.path)).toEqual(['/name', '/version'])
  })

  it('good values reach the handler parsed: versions as numbers, the flag as a boolean', async () => {
    expect((await registry.app.request('/schemas/person/versions/2')).status).toBe(200)
    const served = (await (await registry.app.request('/schemas/person/versions/latest')).json()) as Json
    expect(served.$id).toBe(`${BASE}/person/2`)
    expect((await registry.app.request('/schemas/person/versions/2?unknown=1')).status).toBe(200)
    // permanent=false is a soft delete, as no flag is.
    const name = 'flagged-thing'
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      'x-topic': 'flagged-things',
      'x-key': 'id',
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string' } },
    }
    const created = await registry.app.request(`/schemas/${name}/versions`, {
      method: 'POST',
      headers: jsonHeaders,
      body: JSON.stringify(schema),
    })
    expect(created.status).toBe(201)
    const soft = await registry.app.request(`/schemas/${name}/versions/1?permanent=false`, {
      method: 'DELETE',
      headers: auth,
    })
    expect(await soft.json()).toEqual({ name, version: 1, deleted: 'soft' })
    const gone = await registry.app.request(`/schemas/${name}/versions/1?permanent=true`, {
      method: 'DELETE',
      headers: auth,
    })
    expect(await gone.json()).toEqual({ name, version: 1, deleted: 'permanent' })
  })

  it('a body declared at the edge is validated there: PUT /config', async () => {
    const res = await registry.app.request('/config', {
      method: 'PUT',
      headers: jsonHeaders,
      body: JSON.stringify({ compatibility: 'SOMETIMES' }),
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as Problem
    expect(body.code).toBe('BAD_REQUEST')
    expect(body.issues).toEqual([expect.objectContaining({ path: '/compatibility', keyword: 'enum' })])
    const missing = await registry.app.request('/config', { method: 'PUT', headers: jsonHeaders, body: '[]' })
    expect(((await missing.json()) as Problem).issues[0]).toMatchObject({ path: '', keyword: 'type' })
  })
})
