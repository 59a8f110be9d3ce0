/**
 * The request log's levels (registry/http/access-log.ts): a read that succeeded is logged at debug, anything else
 * at info, one line per request, on the native API and the Confluent one alike.
 */
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Registry } from '../../registry/index.ts'
import { testRegistry, TOKEN } from './helpers.ts'

type Line = { level: number; msg: string; method: string; path: string; status: number; ms: number }
const lines: Line[] = []
let registry: Registry

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Line)
      done()
    },
  })
  registry = await testRegistry({ logger: pino({ level: 'debug' }, sink) })
}, 120_000)
afterAll(() => registry.close())

const DEBUG = 20
const INFO = 30
const write = { headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } }

describe('request log levels', () => {
  it.each<{ name: string; method: string; path: string; init?: RequestInit; status: number; level: number }>([
    { name: 'a native read', method: 'GET', path: '/schemas/person/versions/1', status: 200, level: DEBUG },
    { name: 'a Confluent read', method: 'GET', path: '/ccompat/schemas/ids/1', status: 200, level: DEBUG },
    { name: 'a HEAD', method: 'HEAD', path: '/schemas/person/versions/1', status: 200, level: DEBUG },
    { name: 'an unknown id', method: 'GET', path: '/ccompat/schemas/ids/99999', status: 404, level: INFO },
    { name: 'a native 404', method: 'GET', path: '/schemas/nothing/versions/1', status: 404, level: INFO },
    { name: 'a bad parameter', method: 'GET', path: '/schemas/person/versions/x', status: 400, level: INFO },
    { name: 'no route', method: 'GET', path: '/no/such/route', status: 404, level: INFO },
    {
      name: 'a write',
      method: 'PUT',
      path: '/config/person',
      init: { ...write, body: '{"compatibility":"BACKWARD"}' },
      status: 200,
      level: INFO,
    },
    {
      name: 'a refused write',
      method: 'PUT',
      path: '/config/person',
      init: { body: '{"compatibility":"BACKWARD"}' },
      status: 401,
      level: INFO,
    },
  ])('$name: one line at level $level', async ({ method, path, init, status, level }) => {
    const before = lines.length
    const res = await registry.app.request(path, { ...init, method })
    expect(res.status).toBe(status)
    const logged = lines.slice(before).filter((l) => l.msg === 'request')
    expect(logged).toHaveLength(1)
    expect(logged[0]).toMatchObject({ level, method, path, status })
  })
})

describe('at the default level (info)', () => {
  it('a successful read leaves no line; an unknown id does', async () => {
    registry.logger.level = 'info'
    try {
      const before = lines.length
      expect((await registry.app.request('/ccompat/schemas/ids/1')).status).toBe(200)
      expect(lines.slice(before)).toHaveLength(0)
      expect((await registry.app.request('/ccompat/schemas/ids/99999')).status).toBe(404)
      expect(lines.slice(before)).toMatchObject([{ level: INFO, status: 404 }])
    } finally {
      registry.logger.level = 'debug'
    }
  })
})
