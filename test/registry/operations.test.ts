/**
 * Operations, on real `contracts serve` processes: /metrics labels are a method, a declared route and a status
 * number; every answer has its log line with a status; the buffered request log is written out while the
 * registry runs (at least every second) and when it exits; a second process on the same PGlite directory refuses
 * at once, naming the first, and a lock left by a killed process is taken over.
 */
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOCK_FILE } from '../../storage/pglite.ts'
import { serve, type Served } from '../helpers/serve.ts'
import { pgSchema, repoRoot, TOKEN, timeEntryV2 } from './helpers.ts'

type Json = Record<string, unknown>
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }

/** Resolves once `cond` holds (checked every 50 ms); the test's timeout is the only bound. */
async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 50))
}

/** The pino request lines a process printed so far. */
const requestLines = (output: string): Json[] =>
  output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Json)
    .filter((l) => l.msg === 'request')

describe('metrics and request logs', () => {
  let served: Served
  let drop: () => Promise<void>
  beforeAll(async () => {
    const s = await pgSchema()
    drop = s.drop
    served = await serve({
      DATABASE_URL: s.url,
      DATABASE_SCHEMA: s.schema,
      // Successful reads are logged at debug (registry/http/access-log.ts): every request has its line.
      LOG_LEVEL: 'debug',
      REGISTRY_TOKENS: TOKEN,
    })
  }, 120_000)
  afterAll(async () => {
    expect(await served?.stop()).toBe(0)
    await drop?.()
  })

  it('every route of the table answered: labels are a method, a route and a status; every answer has its log line, written while running', async () => {
    const v2 = await timeEntryV2()
    const sent: [string, string, RequestInit][] = [
      ['GET', '/health', {}],
      ['GET', '/ready', {}],
      ['GET', '/openapi.json', {}],
      ['GET', '/docs', {}],
      ['GET', '/schemas', {}],
      ['GET', '/schemas/person/versions', {}],
      ['GET', '/schemas/person/versions/1', {}],
      ['GET', '/schemas/person/versions/1/types.ts', {}],
      ['GET', `/resolve?uri=${encodeURIComponent('https://event-contracts.dev/schemas/person/1')}`, {}],
      ['POST', '/compatibility/time-entry', { headers: auth, body: JSON.stringify(v2) }],
      ['POST', '/compatibility/time-entry', { headers: auth, body: '{' }],
      ['POST', '/schemas/time-entry/versions', { headers: auth, body: JSON.stringify(v2) }],
      ['GET', '/config', {}],
      ['PUT', '/config/person', { headers: auth, body: '{"compatibility":"BACKWARD"}' }],
      ['GET', '/config/person', {}],
      ['DELETE', '/schemas/nothing/versions/1', { headers: auth }],
      ['GET', '/no/such/route', {}],
      ['MADEUP', '/health', {}],
    ]
    const statuses: number[] = []
    for (const [method, path, init] of sent) {
      const res = await fetch(`${served.url}${path}`, { ...init, method })
      await res.arrayBuffer()
      statuses.push(res.status)
    }
    // Written out while the registry runs: no shutdown, no more traffic (before: a 4 KiB buffer held them).
    await until(() => requestLines(served.output()).length >= sent.length)
    const lines = requestLines(served.output())
    // MADEUP: Node's own parser refuses it before the app sees the request; it still gets its line and count.
    expect(lines.map((l) => [l.method ?? null, l.status])).toEqual(
      sent.map(([method], i) => [method === 'MADEUP' ? null : method, statuses[i]]),
    )
    for (const l of lines) expect(typeof l.status).toBe('number')

    const text = await (await fetch(`${served.url}/metrics`)).text()
    const labels = [...text.matchAll(/^registry_http_requests_total\{([^}]*)\} \d+$/gm)].map((m) =>
      Object.fromEntries([...(m[1] as string).matchAll(/(\w+)="([^"]*)"/g)].map((p) => [p[1], p[2]])),
    )
    expect(labels.length).toBeGreaterThan(10)
    for (const l of labels) {
      expect(l.method, JSON.stringify(l)).toMatch(/^(GET|POST|PUT|DELETE|OTHER)$/)
      expect(l.route, JSON.stringify(l)).toMatch(/^\/[a-z/:.{}*-]*$|^\(unparsed\)$/)
      expect(l.status, JSON.stringify(l)).toMatch(/^[1-5][0-9][0-9]$/)
    }
    expect(labels).toEqual(
      expect.arrayContaining([
        { method: 'POST', route: '/compatibility/:name', status: '200' },
        { method: 'POST', route: '/compatibility/:name', status: '400' },
        { method: 'GET', route: '/*', status: '404' },
        { method: 'OTHER', route: '(unparsed)', status: '400' },
      ]),
    )
  })
})

describe('the request log is written out on exit', () => {
  it('lines a long flush interval still holds are on stdout once the process has stopped', async () => {
    const s = await pgSchema()
    const served = await serve({
      DATABASE_URL: s.url,
      DATABASE_SCHEMA: s.schema,
      // Successful reads are logged at debug (registry/http/access-log.ts): every request has its line.
      LOG_LEVEL: 'debug',
      LOG_FLUSH_MS: '3600000',
    })
    try {
      for (let i = 0; i < 3; i++) await (await fetch(`${served.url}/health?n=${i}`)).arrayBuffer()
      expect(await served.stop()).toBe(0)
      expect(requestLines(served.output()).filter((l) => l.path === '/health')).toHaveLength(3)
    } finally {
      await served.stop()
      await s.drop()
    }
  })
})

describe('one process per PGlite directory', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(repoRoot, '.cache', 'pglite-lock-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('a second registry on the same DATA_DIR refuses at once, naming the first; once it stops, the directory is free', async () => {
    const first = await serve({ DATA_DIR: dir })
    try {
      expect((await readFile(join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(first.child.pid))
      const second = serve({ DATA_DIR: dir })
      await expect(second).rejects.toThrow(
        new RegExp(`exited \\(1\\).*another registry \\(pid ${first.child.pid}\\) is using`, 's'),
      )
      expect((await fetch(`${first.url}/health`)).status).toBe(200)
    } finally {
      expect(await first.stop()).toBe(0)
    }
    await expect(readFile(join(dir, LOCK_FILE), 'utf8')).rejects.toThrow(/ENOENT/)
    const again = await serve({ DATA_DIR: dir })
    expect(await again.stop()).toBe(0)
  }, 120_000)

  it('a lock left by a process killed with SIGKILL is stale: the next one takes it over', async () => {
    const killed = await serve({ DATA_DIR: dir })
    const exited = once(killed.child, 'exit')
    killed.child.kill('SIGKILL')
    await exited
    expect((await readFile(join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(killed.child.pid))
    const next = await serve({ DATA_DIR: dir })
    try {
      expect((await readFile(join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(next.child.pid))
      expect((await fetch(`${next.url}/schemas/person/versions`)).status).toBe(200)
    } finally {
      expect(await next.stop()).toBe(0)
    }
  }, 120_000)
})
