import { chmod, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../scripts/cli.ts'
import { captureIo } from '../helpers/io.ts'

const dir = await mkdtemp(join(tmpdir(), 'validate-'))
const file = async (name: string, text: string) => {
  const path = join(dir, name)
  await writeFile(path, text)
  return path
}
const valid = 'schemas/examples/time-entry/valid/create-v1.json'
const event = JSON.parse(await (await import('node:fs/promises')).readFile(valid, 'utf8'))
const variant = (f: (e: typeof event) => void) => {
  const copy = structuredClone(event)
  f(copy)
  return JSON.stringify(copy)
}

describe('contracts validate', () => {
  it('accepts valid events: exit 0', async () => {
    const c = captureIo()
    expect(await main(['validate', valid, 'schemas/examples/person/valid/delete-reference.json'], c.io)).toBe(
      0,
    )
    expect(c.text()).toContain('valid time-entry v1')
  })

  it.each<{ name: string; text: string; path: string; keyword: string }>([
    { name: 'missing action', text: variant((e) => delete e.action), path: '/action', keyword: 'required' },
    { name: 'unknown action', text: variant((e) => (e.action = 'upsert')), path: '/action', keyword: 'enum' },
    {
      name: 'action in capitals',
      text: variant((e) => (e.action = 'DELETE')),
      path: '/action',
      keyword: 'enum',
    },
    {
      name: 'schema not a URI',
      text: variant((e) => (e.resource.schema = 'time entry v1')),
      path: '/resource/schema',
      keyword: 'format',
    },
    {
      name: 'schema unknown',
      text: variant((e) => (e.resource.schema = 'https://example.org/x/1')),
      path: '/resource/schema',
      keyword: 'known-schema',
    },
    {
      name: 'content missing',
      text: variant((e) => delete e.resource.content),
      path: '/resource/content',
      keyword: 'required',
    },
    {
      name: 'content an array',
      text: variant((e) => (e.resource.content = [])),
      path: '/resource/content',
      keyword: 'type',
    },
    {
      name: 'content null',
      text: variant((e) => (e.resource.content = null)),
      path: '/resource/content',
      keyword: 'type',
    },
    {
      name: 'impossible date',
      text: variant((e) => (e.time = '2026-02-30T00:00:00Z')),
      path: '/time',
      keyword: 'format',
    },
    {
      name: 'impossible date in content',
      text: variant((e) => (e.resource.content.actualEndTime = '2026-04-31T00:00:00Z')),
      path: '/resource/content/actualEndTime',
      keyword: 'format',
    },
    {
      name: 'resource missing',
      text: variant((e) => delete e.resource),
      path: '/resource',
      keyword: 'required',
    },
    { name: 'not an object at all', text: '[1,2]', path: '', keyword: 'type' },
  ])('rejects $name: exit 1, pointer $path, rule $keyword', async ({ text, path, keyword }) => {
    const f = await file('bad.json', text)
    const c = captureIo()
    expect(await main(['validate', f], c.io)).toBe(1)
    expect(c.text()).toContain(`${path || '/'}: `)
    expect(c.text()).toContain(`(${keyword})`)
    const j = captureIo()
    expect(await main(['validate', '--json', f], j.io)).toBe(1)
    const out = JSON.parse(j.text())
    expect(out.valid).toBe(false)
    expect(out.files[0].issues).toContainEqual(expect.objectContaining({ path, keyword }))
  })

  it('exit 1 when any of several files is invalid', async () => {
    const bad = await file(
      'bad2.json',
      variant((e) => (e.action = 'Create')),
    )
    expect(await main(['validate', valid, bad], captureIo().io)).toBe(1)
  })

  it.each([
    ['no file', [] as string[]],
    ['an unknown option', ['--nope', valid]],
  ])('exit 2 on a usage error: %s', async (_name, args) => {
    expect(await main(['validate', ...args], captureIo().io)).toBe(2)
  })

  it('exit 2 for a file that is not JSON, even beside invalid ones', async () => {
    const f = await file('broken.json', '{"action": ')
    const bad = await file(
      'bad3.json',
      variant((e) => (e.action = 'Create')),
    )
    const c = captureIo()
    expect(await main(['validate', bad, f], c.io)).toBe(2)
    expect(c.errText()).toContain('not JSON')
  })

  it('exit 2 for a missing or unreadable file', async () => {
    expect(await main(['validate', join(dir, 'nope.json')], captureIo().io)).toBe(2)
    const f = await file('locked.json', '{}')
    await chmod(f, 0o000)
    if (process.getuid?.() !== 0) expect(await main(['validate', f], captureIo().io)).toBe(2)
    expect(await main(['validate', dir], captureIo().io)).toBe(2) // a directory cannot be read as a file
  })

  it('an unknown command is a usage error', async () => {
    expect(await main(['nope'], captureIo().io)).toBe(2)
  })
})
