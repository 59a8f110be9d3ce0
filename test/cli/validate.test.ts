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

  it('--schemas DIR validates against another schema tree, and only that one', async () => {
    const order = {
      id: '5f0c6a9e-3b1d-4c52-9a57-0d8e1f2a3b4c',
      time: '2026-12-01T10:00:00Z',
      source: 'urn:shop:checkout',
      action: 'create',
      resource: {
        schema: 'https://event-contracts.dev/schemas/order/2',
        content: { id: '5f0c6a9e-3b1d-4c52-9a57-0d8e1f2a3b4c', customerId: 'c-1', total: 3, currency: 'EUR' },
      },
    }
    const good = await file('order.json', JSON.stringify(order))
    const bad = await file(
      'order-bad.json',
      JSON.stringify({
        ...order,
        resource: { ...order.resource, content: { ...order.resource.content, currency: 'USD' } },
      }),
    )
    const shop = captureIo()
    expect(await main(['validate', '--schemas', 'test/fixtures/shop/schemas', good], shop.io)).toBe(0)
    expect(shop.text()).toContain('valid order v2')
    const refused = captureIo()
    expect(await main(['validate', '--schemas', 'test/fixtures/shop/schemas', bad], refused.io)).toBe(1)
    expect(refused.text()).toMatch(/\/resource\/content\/currency: .*\(enum\)/)
    // This repository's own tree does not know the shop's schema, and the shop's does not know ours.
    const ours = captureIo()
    expect(await main(['validate', good], ours.io)).toBe(1)
    expect(ours.text()).toContain('(known-schema)')
    const theirs = captureIo()
    expect(await main(['validate', '--schemas', 'test/fixtures/shop/schemas', valid], theirs.io)).toBe(1)
    expect(theirs.text()).toContain('(known-schema)')
  })

  it('--schemas naming no schema tree is a usage error (2)', async () => {
    const c = captureIo()
    expect(await main(['validate', '--schemas', join(dir, 'nowhere'), valid], c.io)).toBe(2)
    expect(c.errText()).toContain('cannot load the schema tree')
  })

  it('an unknown command is a usage error', async () => {
    expect(await main(['nope'], captureIo().io)).toBe(2)
  })
})
