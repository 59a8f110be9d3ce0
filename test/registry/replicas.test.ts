import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgSchema, repoRoot, TOKEN } from './helpers.ts'

/** Real `contracts serve` processes on one PostgreSQL schema: the strongest check of atomicity and replication. */
interface Replica {
  child: ChildProcess
  url: string
}

async function startReplica(env: NodeJS.ProcessEnv): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'serve'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...env,
      PORT: '0',
      LOG_LEVEL: 'silent',
      REGISTRY_TOKENS: TOKEN,
      REGISTRY_RELOAD_MS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString()
      const m = /listening on (http:\/\/\S+)/.exec(output)
      if (m) resolve(m[1] as string)
    })
    child.once('exit', (code) => reject(new Error(`replica exited (${code}): ${output}`)))
  })
  return { child, url }
}

async function stop(r: Replica): Promise<number | null> {
  if (r.child.exitCode !== null) return r.child.exitCode
  const exited = once(r.child, 'exit')
  r.child.kill('SIGTERM')
  const [code] = (await exited) as [number | null]
  return code
}

let a: Replica
let b: Replica
let drop: () => Promise<void>
const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }

beforeAll(async () => {
  const s = await pgSchema()
  drop = s.drop
  // Started together: their seeding and migrations race as well.
  ;[a, b] = await Promise.all([
    startReplica({ DATABASE_URL: s.url, DATABASE_SCHEMA: s.schema }),
    startReplica({ DATABASE_URL: s.url, DATABASE_SCHEMA: s.schema }),
  ])
}, 60_000)

afterAll(async () => {
  const codes = await Promise.all([a, b].filter(Boolean).map(stop))
  await drop?.()
  expect(codes).toEqual([0, 0])
})

// With $schema (rewritten: without one, ajv compiled it as 2020-12 while the compatibility engine read draft-07).
const thing = (description: string, extra: Record<string, unknown> = {}) => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Gadget',
  description,
  'x-topic': 'gadgets',
  'x-key': 'id',
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' }, label: { type: 'string' } },
  additionalProperties: false,
  ...extra,
})
const register = (r: Replica, name: string, body: unknown) =>
  fetch(`${r.url}/schemas/${name}/versions`, { method: 'POST', headers, body: JSON.stringify(body) })

describe('two registry processes on one PostgreSQL', () => {
  it('concurrent registrations of the same content yield one version', async () => {
    const body = thing('the same')
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => register(i % 2 ? a : b, 'gadget-same', body)),
    )
    const statuses = answers.map((r) => r.status).sort()
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201])
    const versions = await Promise.all(
      answers.map(async (r) => ((await r.json()) as { version: number }).version),
    )
    expect(new Set(versions)).toEqual(new Set([1]))
  })

  it('concurrent registrations of different content get consecutive versions, each checked against its predecessor', async () => {
    expect((await register(a, 'gadget-many', thing('v1'))).status).toBe(201)
    const bodies = Array.from({ length: 10 }, (_, i) => thing(`variant ${i}`))
    // Breaking against whichever version precedes it: a property none of them has becomes required.
    const breaking = thing('breaking', { required: ['id', 'label'] })
    const answers = await Promise.all(
      [...bodies, breaking].map((body, i) => register(i % 2 ? a : b, 'gadget-many', body)),
    )
    const statuses = answers.map((r) => r.status)
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201))
    expect(statuses[10]).toBe(409)
    const versions = await Promise.all(
      answers.slice(0, 10).map(async (r) => ((await r.json()) as { version: number }).version),
    )
    expect(versions.sort((x, y) => x - y)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
  })

  it('a registration on one replica is served by the other within a second', async () => {
    const started = Date.now()
    expect((await register(a, 'gadget-replicated', thing('first'))).status).toBe(201)
    let seen = 0
    while (Date.now() - started < 1000) {
      const res = await fetch(`${b.url}/schemas/gadget-replicated/versions/latest`)
      if (res.status === 200) {
        seen = Date.now() - started
        break
      }
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(seen).toBeGreaterThan(0)
    const uri = 'https://event-contracts.dev/schemas/gadget-replicated/1'
    expect((await fetch(`${b.url}/resolve?uri=${encodeURIComponent(uri)}`)).status).toBe(200)
    // Deletes and config travel too.
    await fetch(`${b.url}/config/gadget-replicated`, {
      method: 'PUT',
      headers,
      body: '{"compatibility":"NONE"}',
    })
    await expect
      .poll(async () => await (await fetch(`${a.url}/config/gadget-replicated`)).json(), {
        timeout: 1000,
        interval: 20,
      })
      .toEqual({ compatibility: 'NONE' })
  })
})
