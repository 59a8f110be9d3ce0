/**
 * Nothing in a schema is ever fetched or read. A listener on loopback counts connections while every route of the
 * table is sent schemas whose references point at it and at a file on disk, in every place a tool might follow
 * one; a stored version holding such references (stored before admission refused them) is asked for its types.
 * Zero connections, no file content in any answer, never a 5xx.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compile } from 'json-schema-to-typescript'
import { TYPE_OPTIONS } from '../../codegen/types-ts.ts'
import { registryRoutes, type Registry, type Route } from '../../registry/index.ts'
import { contentHash, withId } from '../../registry/content.ts'
import { auth, jsonHeaders, repoRoot, testRegistry } from './helpers.ts'

type Json = Record<string, unknown>

const MARKER = 'LeakedFromDisk'
let registry: Registry
let listener: Server
let connections = 0
let dir: string
let targets: string[]

beforeAll(async () => {
  listener = createServer((socket) => {
    connections++
    socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}')
  })
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
  const { port } = listener.address() as { port: number }
  // .cache/ is gitignored: a fresh checkout (a new worktree, CI) does not have it yet.
  await mkdir(join(repoRoot, '.cache'), { recursive: true })
  dir = await mkdtemp(join(repoRoot, '.cache', 'no-fetch-'))
  const file = join(dir, 'leak.json')
  await writeFile(file, JSON.stringify({ title: MARKER, type: 'string' }))
  targets = [
    `http://127.0.0.1:${port}/schema.json`,
    `http://127.0.0.1:${port}/schema.json#/$defs/x`,
    `//127.0.0.1:${port}/schema.json`,
    `file://${file}`,
    file,
    file.slice(repoRoot.length), // relative to the working directory
    '/etc/hostname',
  ]
  registry = await testRegistry()
}, 120_000)
afterAll(async () => {
  await registry.close()
  listener.close()
  await rm(dir, { recursive: true, force: true })
})

const base = (): Json => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Fetchless',
  'x-topic': 'fetchless',
  'x-key': 'id',
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' } },
})

/** One schema per place a reference may hide, for one target. */
function carriers(target: string): Json[] {
  const with_ = (extra: Json, properties: Json = {}) => ({
    ...base(),
    ...extra,
    properties: { id: { type: 'string' }, ...properties },
  })
  return [
    with_({}, { c: { $ref: target } }),
    with_({ $defs: { x: { $ref: target } } }, { c: { $ref: '#/$defs/x' } }),
    with_({ examples: [{ $ref: target }] }),
    with_({ default: { id: 'a', nested: [{ $ref: target }] } }),
    with_({}, { c: { const: { $ref: target } } }),
    with_({}, { c: { enum: [{ $ref: target }] } }),
    with_({}, { c: { $dynamicRef: target } }),
    with_({ examples: [{ $recursiveRef: target }] }),
    with_({}, { c: { items: { anyOf: [{ type: 'string' }, { $ref: target }] } } }),
  ]
}

/** A request per route of the table, carrying `body` where the route takes one. */
function requests(routes: readonly Route[], body: Json, name: string): [string, RequestInit][] {
  return routes.map((r) => {
    const path = r.path.replace(':name', name).replace(':version', '1')
    const query = r.params.uri ? `?uri=${encodeURIComponent(String(body.$id ?? 'x:y'))}` : ''
    const headers: Record<string, string> = r.body ? { ...jsonHeaders } : r.auth !== 'public' ? auth : {}
    return [
      `${path}${query}`,
      { method: r.method, headers, ...(r.body ? { body: JSON.stringify(body) } : {}) },
    ]
  })
}

describe('nothing in a schema is ever fetched or read', () => {
  it('every route, every place a reference can hide, every target: zero connections, no 5xx', async () => {
    const routes = registryRoutes({
      service: registry.service,
      store: registry.store,
      metrics: registry.metrics,
      documents: { openapi: '', docs: '' },
    })
    const statuses = new Map<number, number>()
    let n = 0
    for (const target of targets)
      for (const body of carriers(target)) {
        n++
        for (const [url, init] of requests(routes, { ...body, $id: target }, `fetchless-${n}`)) {
          const res = await registry.app.request(url, init)
          const text = await res.text()
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
          expect(res.status, `${init.method} ${url}`).toBeLessThan(500)
          expect(text, `${init.method} ${url}`).not.toContain(MARKER)
        }
      }
    // Every body was refused (422) or never reached a schema-reading step; none was registered.
    expect(statuses.get(201)).toBeUndefined()
    expect(connections).toBe(0)
  })

  it('the Confluent API (/ccompat): a $ref or a reference naming a target is refused, never followed', async () => {
    let n = 0
    for (const target of targets)
      for (const body of carriers(target)) {
        const { 'x-topic': _t, 'x-key': _k, ...plain } = body
        for (const [subject, schema, references] of [
          [`fetchless-plain-${++n}`, plain, []],
          [`fetchless-${n}-value`, body, []],
          [`fetchless-refs-${n}`, plain, [{ name: target, subject: 'no-such', version: 1 }]],
        ] as const) {
          const res = await registry.app.request(`/ccompat/subjects/${subject}/versions`, {
            method: 'POST',
            headers: jsonHeaders,
            body: JSON.stringify({ schemaType: 'JSON', schema: JSON.stringify(schema), references }),
          })
          const text = await res.text()
          expect(res.status, `${subject} ${target}`).toBe(422)
          expect(text).not.toContain(MARKER)
        }
      }
    expect(connections).toBe(0)
  })

  it('GET …/types.ts of a version stored with such references is a 422 naming them, never a fetch or a read', async () => {
    for (const [i, target] of targets.entries()) {
      const name = `stored-before-${i + 1}`
      const schema = { ...base(), properties: { id: { type: 'string' }, c: { $ref: target } } }
      // As if registered before admission refused it: straight into storage, past the rule.
      await registry.store.register(
        {
          name,
          hash: contentHash(schema),
          topic: 'stored',
          key: 'id',
          compatibility: undefined,
          uri: (v) => `https://event-contracts.dev/schemas/${name}/${v}`,
          body: (_v, uri) => JSON.stringify(withId(schema, uri)),
        },
        () => undefined,
        'test',
      )
      await registry.service.reload(name)
      for (const version of ['1', 'latest']) {
        const res = await registry.app.request(`/schemas/${name}/versions/${version}/types.ts`)
        const problem = (await res.json()) as { code: string; issues: Json[] }
        expect(res.status, target).toBe(422)
        expect(problem.code).toBe('SCHEMA_INVALID')
        expect(problem.issues).toEqual([
          expect.objectContaining({ path: '/properties/c/$ref', keyword: '$ref', params: { ref: target } }),
        ])
        expect(JSON.stringify(problem)).not.toContain(MARKER)
      }
    }
    expect(connections).toBe(0)
  })

  it('json-schema-to-typescript with the one set of options (generator and registry) resolves nothing outside the document', async () => {
    for (const target of targets) {
      const schema = { type: 'object', properties: { c: { $ref: target } } }
      const out = compile(schema as never, 'X', { ...TYPE_OPTIONS, bannerComment: '' })
      await expect(out, target).rejects.toThrow(/Refs should have been resolved/)
    }
    expect(connections).toBe(0)
  })
})
