/**
 * What `contracts pull` does with a registry that misbehaves, played by a small HTTP server on loopback: a schema
 * with a remote `$ref` is refused and the reference never fetched, a too-large answer is cut off, a silent one
 * times out. (A real registry refuses such schemas itself; pull must not rely on that.)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type Server, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../scripts/cli.ts'
import { captureIo } from '../helpers/io.ts'

const requests: string[] = []
let server: Server
let base: string
let dir: string

const widget = (extra: Record<string, unknown>) => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://event-contracts.dev/schemas/widget/1',
  title: 'WidgetV1',
  'x-topic': 'widgets',
  'x-key': 'id',
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' }, ...extra },
  additionalProperties: false,
})

/** name → what its version 1 answers. */
const ANSWERS: Record<string, (res: ServerResponse) => void> = {
  widget: (res) => res.end(JSON.stringify(widget({ part: { $ref: `${base}/remote/part.json` } }))),
  huge: (res) => res.end(JSON.stringify(widget({ blob: { description: 'x'.repeat(2 * 1024 * 1024) } }))),
  silent: () => {}, // never answers
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '')
    const url = new URL(req.url ?? '/', 'http://x')
    const m = /^\/schemas\/([a-z]+)\/versions(?:\/(\d+))?$/.exec(url.pathname)
    if (url.pathname === '/schemas') return res.end(JSON.stringify([]))
    if (url.pathname.startsWith('/config/')) return res.end(JSON.stringify({ compatibility: 'BACKWARD' }))
    const answer = m ? ANSWERS[m[1] as string] : undefined
    if (!m || !answer) {
      res.statusCode = 404
      return res.end('{}')
    }
    if (!m[2]) return res.end('[1]')
    answer(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  dir = await mkdtemp(join(tmpdir(), 'pull-bounds-'))
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await rm(dir, { recursive: true, force: true })
})

async function pull(...args: string[]) {
  const c = captureIo(dir)
  const code = await main(['pull', '--registry', base, ...args], c.io)
  return { code, err: c.errText() }
}

describe('contracts pull from a registry that misbehaves', () => {
  it('refuses a schema with a remote $ref (exit 1) and never fetches it', async () => {
    const r = await pull('--resource', 'widget')
    expect(r.code).toBe(1)
    expect(r.err).toContain('resources/widget/1.json')
    expect(r.err).toContain(`remote reference '${base}/remote/part.json' is not allowed`)
    expect(requests.some((u) => u.startsWith('/remote'))).toBe(false)
    await expect(readFile(join(dir, 'contracts.lock.json'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('stops reading an answer over the size limit (exit 2)', async () => {
    const r = await pull('--resource', 'huge')
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/answer to .*\/schemas\/huge\/versions\/1 is larger than 1048576 bytes/)
  })

  it('gives up on a registry that never answers (exit 2), after its timeout and retries', async () => {
    const r = await pull('--resource', 'silent', '--timeout', '200')
    expect(r.code).toBe(2)
    expect(r.err).toContain(`cannot reach the registry at ${base}`)
    expect(r.err).toContain('no answer within 200 ms')
    expect(requests.filter((u) => u === '/schemas/silent/versions/1')).toHaveLength(3)
  })
})
