import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../http/tokens.ts'
import type { Registry } from '../../registry/index.ts'
import { auth, testRegistry, timeEntryV2, TOKEN, withOptional } from './helpers.ts'

type Problem = {
  status: number
  code: string
  title: string
  issues: { path: string; keyword: string; message: string; params?: Record<string, unknown> }[]
}

const TIME = 'time-team-token-4f1c2a'
const PEOPLE = 'people-team-token-9b7d33'

let registry: Registry
beforeAll(async () => {
  registry = await testRegistry({
    tokenEntries: [
      { name: 'time-team', token: TIME, resources: ['time-*'] },
      { name: 'people-team', sha256: sha256Hex(PEOPLE), resources: ['person'] },
    ],
  })
}, 120_000)
afterAll(() => registry.close())

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const basic = (user: string, token: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`,
})
const json = { 'content-type': 'application/json' }

async function problemOf(res: Response): Promise<Problem> {
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  return (await res.json()) as Problem
}

describe('scoped tokens on the registry', () => {
  it("a team token registering another team's resource: 403 naming the resource", async () => {
    const res = await registry.app.request('/schemas/person/versions', {
      method: 'POST',
      headers: { ...json, ...bearer(TIME) },
      body: '{}',
    })
    expect(res.status).toBe(403)
    const body = await problemOf(res)
    expect(body.code).toBe('FORBIDDEN')
    expect(body.title).toBe("token 'time-team' may not write 'person'")
    expect(body.issues).toEqual([
      expect.objectContaining({
        path: '/name',
        keyword: 'scope',
        params: { resource: 'person', principal: 'time-team', resources: ['time-*'] },
      }),
    ])
  })

  it('the same token registering its own resource: 201', async () => {
    const res = await registry.app.request('/schemas/time-entry/versions', {
      method: 'POST',
      headers: { ...json, ...bearer(TIME) },
      body: JSON.stringify(withOptional(await timeEntryV2(), 'scopedNote')),
    })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ name: 'time-entry', version: 3 })
  })

  it('a token given by its sha256, sent as HTTP Basic as Confluent clients do: its own resource', async () => {
    const res = await registry.app.request('/schemas/person/versions', {
      method: 'POST',
      headers: { ...json, ...basic('anyone', PEOPLE) },
      // identical to the latest version: 200, nothing new, but the write was authorised
      body: JSON.stringify(
        (await (await registry.app.request('/schemas/person/versions/2')).json()) as object,
      ),
    })
    expect(res.status).toBe(200)
  })

  it.each<[string, string, string, unknown]>([
    ['soft delete', 'DELETE', '/schemas/time-entry/versions/1', undefined],
    ['permanent delete', 'DELETE', '/schemas/time-entry/versions/1?permanent=true', undefined],
    ['the default mode', 'PUT', '/config', { compatibility: 'NONE' }],
    ["its own resource's mode", 'PUT', '/config/time-entry', { compatibility: 'NONE' }],
  ])('admin only: %s refuses a team token (403 admin)', async (_what, method, path, body) => {
    const res = await registry.app.request(path, {
      method,
      headers: { ...json, ...bearer(TIME) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    expect(res.status).toBe(403)
    const problem = await problemOf(res)
    expect(problem.issues).toEqual([expect.objectContaining({ path: '/Authorization', keyword: 'admin' })])
    expect((await registry.app.request('/schemas/time-entry/versions/1')).status).toBe(200)
    expect(await (await registry.app.request('/config/time-entry')).json()).toEqual({
      compatibility: 'BACKWARD',
    })
  })

  it('an admin token (REGISTRY_TOKENS) writes any resource and changes modes', async () => {
    const res = await registry.app.request('/config/person', {
      method: 'PUT',
      headers: { ...json, ...auth },
      body: JSON.stringify({ compatibility: 'BACKWARD' }),
    })
    expect(res.status).toBe(200)
    const basicAdmin = await registry.app.request('/config/person', {
      method: 'PUT',
      headers: { ...json, ...basic('admin-1', TOKEN) },
      body: JSON.stringify({ compatibility: 'BACKWARD' }),
    })
    expect(basicAdmin.status).toBe(200)
  })

  it('401 names both schemes in WWW-Authenticate', async () => {
    const res = await registry.app.request('/schemas/time-entry/versions', { method: 'POST', body: '{}' })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="event-contracts", Basic realm="event-contracts", charset="UTF-8"',
    )
    expect((await problemOf(res)).issues[0]).toMatchObject({ path: '/Authorization', keyword: 'required' })
  })

  it('a malformed resource name a team token may not write is out of scope (403), one it may is a bad parameter (400)', async () => {
    const outside = await registry.app.request('/schemas/Bad_Name/versions', {
      method: 'POST',
      headers: { ...json, ...bearer(TIME) },
      body: '{}',
    })
    expect(outside.status).toBe(403)
    const inside = await registry.app.request('/schemas/time-Bad_Name/versions', {
      method: 'POST',
      headers: { ...json, ...bearer(TIME) },
      body: '{}',
    })
    expect(inside.status).toBe(400)
    expect((await problemOf(inside)).issues[0]?.path).toBe('/name')
  })
})

describe('the API reference says what each route needs', () => {
  it('/docs marks admin routes and scoped writes', async () => {
    const page = await (await registry.app.request('/docs')).text()
    expect(page).toContain('<code>/audit</code> <span class="lock">admin token</span>')
    expect(page).toContain('<code>/config/{name}</code> <span class="lock">admin token</span>')
    expect(page).toContain(
      '<code>/schemas/{name}/versions</code> <span class="lock">token that may write it</span>',
    )
  })
})
