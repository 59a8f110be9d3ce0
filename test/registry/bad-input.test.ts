/**
 * Bad input never reaches storage, and a statement storage refuses is not passed off as "unavailable, retry".
 * Before: `DELETE /schemas/a%00b/versions/1` answered 503 REGISTRY_UNAVAILABLE (retriable) on PostgreSQL, and a
 * NUL in `x-key` reached an INSERT the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isContractError } from '../../core/index.ts'
import { createSqlStore, type Registry } from '../../registry/index.ts'
import type { Database, Sql } from '../../storage/database.ts'
import { jsonHeaders, pgSchema, pgUrl, testRegistry } from './helpers.ts'

type Json = Record<string, unknown>
let registry: Registry
let drop: () => Promise<void>

beforeAll(async () => {
  const s = await pgSchema()
  drop = s.drop
  registry = await testRegistry({ databaseUrl: pgUrl(), databaseSchema: s.schema })
}, 120_000)
afterAll(async () => {
  await registry?.close()
  await drop?.()
})

const keyed = (key: string): Json => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  'x-topic': 'keyed',
  'x-key': key,
  type: 'object',
  required: [key],
  properties: { [key]: { type: 'string' } },
})

describe('on PostgreSQL, a NUL or a control character is a 4xx naming the field', () => {
  it.each<[string, string, RequestInit, number, string]>([
    ['DELETE with a NUL in the name', '/schemas/a%00b/versions/1', { method: 'DELETE' }, 400, '/name'],
    [
      'DELETE with a NUL in the version',
      '/schemas/person/versions/1%00',
      { method: 'DELETE' },
      400,
      '/version',
    ],
    [
      'PUT /config with a NUL in the name',
      '/config/a%00b',
      { method: 'PUT', body: '{"compatibility":"FULL"}' },
      400,
      '/name',
    ],
    [
      'a new resource whose x-key holds a NUL',
      '/schemas/nul-key/versions',
      { method: 'POST', body: JSON.stringify(keyed('a\u0000b')) },
      422,
      '/x-key',
    ],
    [
      'a new resource whose x-key holds a lone surrogate',
      '/schemas/lone-key/versions',
      { method: 'POST', body: JSON.stringify(keyed('a\ud800b')) },
      422,
      '/x-key',
    ],
    [
      'a new resource whose x-key holds a line feed',
      '/schemas/lf-key/versions',
      { method: 'POST', body: JSON.stringify(keyed('a\nb')) },
      422,
      '/x-key',
    ],
  ])('%s', async (_what, url, init, status, path) => {
    const res = await registry.app.request(url, { ...init, headers: jsonHeaders })
    expect(res.status).toBe(status)
    const problem = (await res.json()) as { issues: Json[] }
    expect(problem.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path })]))
  })

  it('NUL inside schema text is stored escaped and served back as it was sent', async () => {
    const schema = {
      ...keyed('id'),
      description: 'a\u0000b',
      properties: { id: { type: 'string', const: '\u0000' } },
    }
    const res = await registry.app.request('/schemas/nul-text/versions', {
      method: 'POST',
      headers: jsonHeaders,
      body: JSON.stringify(schema),
    })
    expect(res.status).toBe(201)
    const served = (await (await registry.app.request('/schemas/nul-text/versions/1')).json()) as Json
    expect(served.description).toBe('a\u0000b')
  })
})

describe('what storage refuses is classified by its SQLSTATE', () => {
  /** A database whose every statement after the migrations fails with `error`. */
  function failing(error: unknown): Database {
    let migrated = false
    const sql: Sql = {
      query: async () => {
        if (migrated) throw error
        return []
      },
    }
    return {
      kind: 'postgres',
      description: 'fake',
      ...sql,
      transaction: async (fn) => {
        const r = await fn({ ...sql, script: sql.query, commitWith: async () => undefined })
        migrated = true
        return r
      },
      listen: async () => undefined,
      close: async () => undefined,
    }
  }
  const withCode = (code: string) => Object.assign(new Error(`failed (${code})`), { code })

  it.each<[string, unknown, boolean]>([
    ['connection failure (08006)', withCode('08006'), true],
    ['admin shutdown (57P01)', withCode('57P01'), true],
    ['serialization failure (40001)', withCode('40001'), true],
    ['a socket error (ECONNREFUSED)', withCode('ECONNREFUSED'), true],
    ['no code at all (a closed PGlite)', new Error('PGlite is closed'), true],
    ['invalid byte sequence (22021): a value the edge should have refused', withCode('22021'), false],
    ['undefined column (42703): a bug', withCode('42703'), false],
  ])('%s', async (_what, error, unavailable) => {
    const store = await createSqlStore(failing(error))
    const thrown = await store.ping().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(isContractError(thrown, 'REGISTRY_UNAVAILABLE')).toBe(unavailable)
    if (unavailable) expect((thrown as { retriable: boolean }).retriable).toBe(true)
    else expect((thrown as Error).message).toMatch(/SQLSTATE/)
  })
})
