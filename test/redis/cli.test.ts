/** `contracts publish|consume --transport redis` against the real Redis: in process, and as the real command. */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { topicOf } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { DLQ_FIELDS } from '../../transports/redis/index.ts'
import { main } from '../../scripts/cli.ts'
import { captureIo } from '../helpers/io.ts'
import { eventMessage, uuid } from '../consumers/events.ts'
import { TestRedis } from './redis.ts'

const t = new TestRedis('cli')
const env = { REDIS_URL: t.url }
const dir = await mkdtemp(join(tmpdir(), 'redis-cli-'))
const example = JSON.parse(await readFile('schemas/examples/person/valid/update-v2.json', 'utf8')) as Record<
  string,
  unknown
>
const file = async (name: string, value: unknown) => {
  const path = join(dir, name)
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value))
  return path
}

beforeAll(() => t.connect())
afterAll(async () => {
  await t.cleanup()
  await rm(dir, { recursive: true, force: true })
})

describe('contracts publish --transport redis', () => {
  const stream = t.track(topicOf(catalog, 'person', t.prefix))

  it('sends a valid event to its stream and prints the entry id: exit 0', async () => {
    const { id: _id, ...bare } = example
    const c = captureIo(process.cwd(), env)
    const f = await file('valid.json', bare)
    expect(
      await main(['publish', f, '--transport', 'redis', '--topic-prefix', t.prefix, '--json'], c.io),
    ).toBe(0)
    const out = JSON.parse(c.text()) as { sent: boolean; stream: string; entryId: string; id: string }
    expect(out).toMatchObject({ sent: true, stream })
    const [entry] = await t.range(stream)
    expect(entry?.id).toBe(out.entryId)
    expect(entry?.fields.id).toBe(out.id)
    expect(entry?.fields.type).toBe('person.update')

    // --redis-url wins over REDIS_URL; the plain output names stream and entry.
    const h = captureIo(process.cwd(), { REDIS_URL: 'redis://127.0.0.1:1' })
    const args = ['publish', f, '--transport', 'redis', '--redis-url', t.url, '--topic-prefix', t.prefix]
    expect(await main(args, h.io)).toBe(0)
    expect(h.text()).toMatch(new RegExp(`sent to ${stream} entry \\d+-\\d+ id `))
  })

  it('an invalid event: exit 1 and XLEN unchanged', async () => {
    const before = await t.xlen(stream)
    const bad = await file('bad.json', { ...example, action: 'upsert' })
    const c = captureIo(process.cwd(), env)
    expect(await main(['publish', bad, '--transport', 'redis', '--topic-prefix', t.prefix], c.io)).toBe(1)
    expect(c.text()).toMatch(/invalid, not sent/)
    expect(await t.xlen(stream)).toBe(before)
  })

  it('Redis down: exit 2, not sent', async () => {
    const f = await file('down.json', example)
    const c = captureIo(process.cwd(), { REDIS_URL: 'redis://127.0.0.1:1' })
    expect(await main(['publish', f, '--transport', 'redis'], c.io)).toBe(2)
    expect(c.errText()).toMatch(/not sent/)
  })

  it.each([
    ['no Redis URL', ['--transport', 'redis'], {}],
    ['an unknown transport', ['--transport', 'carrier-pigeon'], env],
  ])('exit 2 on %s', async (_name, extra, e) => {
    const f = await file('u.json', example)
    const c = captureIo(process.cwd(), e)
    expect(await main(['publish', f, ...extra], c.io)).toBe(2)
  })
})

describe('contracts consume --transport redis', () => {
  const stream = t.stream('raw-any-stream')

  it('prints both valid events around a poison one, which lands in <stream>.dlq; --max 2 exits 0', async () => {
    const first = eventMessage('time-entry', 'create')
    const second = eventMessage('person', 'update', { headers: false })
    const ids = await t.produce(stream, [
      first,
      { key: 'poison', value: '{"action": "create", oops' },
      second,
    ])
    const group = t.group('cli')
    const c = captureIo(process.cwd(), env)
    const args = ['consume', '--transport', 'redis', '--stream', stream, '--group', group, '--consumer', 'c1']
    expect(await main([...args, '--max', '2'], c.io)).toBe(0)
    expect(c.out).toHaveLength(2)
    expect(c.out[0]).toBe(`time-entry create ${first.id} v1 ${stream}@${ids[0]}`)
    expect(c.out[1]).toBe(`person update ${second.id} v1 ${stream}@${ids[2]}`)
    expect(c.errText()).toContain('NOT_JSON, dead-lettered')
    const [letter] = await t.range(`${stream}.dlq`)
    expect(letter?.fields.data).toBe('{"action": "create", oops')
    expect(letter?.fields.key).toBe('poison')
    expect(letter?.fields[DLQ_FIELDS.code]).toBe('NOT_JSON')
    expect(letter?.fields[DLQ_FIELDS.id]).toBe(ids[1])
    expect((await t.client.xPending(stream, group)).pending).toBe(0) // all three acknowledged

    // --json, --after: replay from the first entry on (group-wide)
    const j = captureIo(process.cwd(), env)
    expect(await main([...args, '--json', '--max', '1', '--after', ids[1] as string], j.io)).toBe(0)
    expect(JSON.parse(j.out[0] as string)).toMatchObject({
      stream,
      entryId: ids[2],
      resource: 'person',
      action: 'update',
      id: second.id,
      version: 1,
    })
  })

  it.each<{ name: string; argv: string[]; env?: Record<string, string> }>([
    { name: 'no --stream', argv: ['--group', 'g', '--consumer', 'c'] },
    { name: 'no --group', argv: ['--stream', 's', '--consumer', 'c'] },
    { name: 'no --consumer', argv: ['--stream', 's', '--group', 'g'] },
    { name: 'a bad --after', argv: ['--stream', 's', '--group', 'g', '--consumer', 'c', '--after', 'x'] },
    {
      name: 'a bad --claim-idle',
      argv: ['--stream', 's', '--group', 'g', '--consumer', 'c', '--claim-idle', '-1'],
    },
    { name: 'no Redis URL', argv: ['--stream', 's', '--group', 'g', '--consumer', 'c'], env: {} },
  ])('exit 2 on $name', async ({ argv, env: e }) => {
    const c = captureIo(process.cwd(), e ?? env)
    expect(await main(['consume', '--transport', 'redis', ...argv], c.io)).toBe(2)
    expect(c.errText()).toMatch(/usage|consume/)
  })
})

/** `contracts …` as its own process (what a person types, through tsx): its exit code and output. */
function contracts(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], {
      cwd: process.cwd(),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('issue 11, done when: through the contracts command on Redis', () => {
  const prefix = `${t.prefix}-proc`
  const stream = t.track(topicOf(catalog, 'person', prefix))

  it('an invalid event is refused with exit 1 and XLEN is unchanged; a poison entry between two valid ones lands in <stream>.dlq and consume --max 2 prints both', async () => {
    const publish = (f: string) =>
      contracts(['publish', f, '--transport', 'redis', '--topic-prefix', prefix, '--json'], env)
    const valid = async (name: string) => {
      const { id: _id, ...bare } = example
      const r = await publish(await file(name, { ...bare, id: uuid() }))
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' })
      return JSON.parse(r.stdout) as { entryId: string; id: string }
    }
    const first = await valid('proc-1.json')
    const before = await t.xlen(stream)
    expect(before).toBe(1)

    const refused = await publish(await file('proc-bad.json', { ...example, action: 'upsert' }))
    expect(refused.code).toBe(1)
    const report = JSON.parse(refused.stdout) as {
      sent: boolean
      issues: { path: string; keyword: string }[]
    }
    expect(report.sent).toBe(false)
    expect(report.issues).toContainEqual(expect.objectContaining({ path: '/action', keyword: 'enum' }))
    expect(await t.xlen(stream)).toBe(before)

    // A poison entry only gets there by another way than ours: a raw XADD.
    const [poisonId] = await t.produce(stream, [{ key: 'poison', value: '{"action": "create", oops' }])
    const second = await valid('proc-2.json')
    expect(await t.xlen(stream)).toBe(3)

    const group = t.group('proc')
    const consumed = await contracts(
      [
        'consume',
        '--transport',
        'redis',
        '--stream',
        stream,
        '--group',
        group,
        '--consumer',
        'c1',
        '--max',
        '2',
      ],
      env,
    )
    expect(consumed.code).toBe(0)
    expect(consumed.stdout.trimEnd().split('\n')).toEqual([
      `person update ${first.id} v2 ${stream}@${first.entryId}`,
      `person update ${second.id} v2 ${stream}@${second.entryId}`,
    ])
    expect(consumed.stderr).toContain('NOT_JSON, dead-lettered')
    const letters = await t.range(`${stream}.dlq`)
    expect(letters).toHaveLength(1)
    expect(letters[0]?.fields[DLQ_FIELDS.id]).toBe(poisonId)
    expect(letters[0]?.fields[DLQ_FIELDS.code]).toBe('NOT_JSON')
    expect(letters[0]?.fields.data).toBe('{"action": "create", oops')
    expect((await t.client.xPending(stream, group)).pending).toBe(0)
  })
})
