/** `contracts check` against a throwaway git repository, and `contracts compat` on files. */
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkCommand } from '../../scripts/commands/check.ts'
import { compatCommand } from '../../scripts/commands/compat.ts'
import type { Io } from '../../scripts/commands/command.ts'

const dir = await mkdtemp(join(tmpdir(), 'compat-check-'))
afterAll(() => rm(dir, { recursive: true, force: true }))

const capture = (cwd: string) => {
  const lines: string[] = []
  const io: Io = { out: (l) => void lines.push(l), err: (l) => void lines.push(l), cwd, env: {} }
  return { io, text: () => lines.join('\n') }
}
const git = (...args: string[]) =>
  execFileSync('git', args, {
    cwd: dir,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  })
const write = async (path: string, value: unknown, space = 2) => {
  await mkdir(join(dir, path, '..'), { recursive: true })
  await writeFile(join(dir, path), JSON.stringify(value, null, space))
}
const v1 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: { id: { type: 'string' } },
  required: ['id'],
  additionalProperties: false,
}
const v2 = { ...v1, properties: { ...v1.properties, note: { type: 'string' } } }
const v3 = { ...v2, required: ['id', 'note'] }
/** A resource version file: the schema with its canonical $id, topic and key. */
const doc = (version: number, schema: object) => ({
  ...schema,
  $id: `https://event-contracts.dev/schemas/thing/${version}`,
  'x-topic': 'things',
  'x-key': 'id',
})
const check = async (...argv: string[]) => {
  const c = capture(dir)
  const code = await checkCommand.run(argv, c.io)
  return { code, text: c.text() }
}

describe('contracts check', () => {
  it('passes a compatible history, fails a breaking version, refuses edits to published versions', async () => {
    git('init', '-q', '-b', 'main')
    await write('schemas/envelope.json', { type: 'object' })
    await write('schemas/resources/thing/1.json', doc(1, v1))
    git('add', '.')
    git('commit', '-qm', 'v1')
    await write('schemas/resources/thing/2.json', doc(2, v2))
    git('add', '.')
    git('commit', '-qm', 'v2')
    expect((await check()).code).toBe(0)
    expect((await check('--base', 'HEAD~1')).code).toBe(0)

    await write('schemas/resources/thing/1.json', doc(1, v1), 4) // whitespace only: fine
    expect((await check('--base', 'HEAD~1')).code).toBe(0)

    await write('schemas/resources/thing/3.json', doc(3, v3))
    const broken = await check()
    expect(broken.code).toBe(1)
    expect(broken.text).toContain('property-became-required')
    await rm(join(dir, 'schemas/resources/thing/3.json'))

    await write(
      'schemas/resources/thing/1.json',
      doc(1, { ...v1, properties: { id: { type: 'string', maxLength: 9 } } }),
    )
    const edited = await check('--base', 'HEAD~1', '--json')
    expect(edited.code).toBe(1)
    expect(JSON.parse(edited.text).problems.map((p: { kind: string }) => p.kind)).toContain(
      'published-modified',
    )
    await write('schemas/resources/thing/1.json', doc(1, v1))

    await rm(join(dir, 'schemas/resources/thing/2.json'))
    expect((await check('--base', 'HEAD')).code).toBe(1)
    await write('schemas/resources/thing/2.json', doc(2, v2))
  })

  // Rewritten: it had v3 declare its own x-compatibility, the waiver the admission rule now refuses.
  it('applies the mode resource.json sets, transitively; a version cannot declare its own', async () => {
    // v3 repeats v2 (fine against v2 under BACKWARD) but FULL_TRANSITIVE also compares with v1.
    await write('schemas/resources/thing/3.json', doc(3, v2))
    await write('schemas/resources/thing/resource.json', { compatibility: 'FULL_TRANSITIVE' })
    expect((await check()).code).toBe(1) // v2 added a property to a closed model: FORWARD breaks
    await write('schemas/resources/thing/resource.json', { compatibility: 'BACKWARD_TRANSITIVE' })
    expect((await check()).code).toBe(0)
    await rm(join(dir, 'schemas/resources/thing/resource.json'))
    await write('schemas/resources/thing/3.json', doc(3, { ...v2, 'x-compatibility': 'FULL_TRANSITIVE' }))
    const waived = await check()
    expect(waived.code).toBe(1)
    expect(waived.text).toContain('(x-compatibility)')
    await rm(join(dir, 'schemas/resources/thing/3.json'))
  })

  it('fails on gaps in version numbers and exits 2 on usage errors', async () => {
    await write('schemas/resources/thing/4.json', doc(4, v2))
    expect((await check()).code).toBe(1)
    await rm(join(dir, 'schemas/resources/thing/4.json'))
    expect((await check('--nope')).code).toBe(2)
    expect((await check('--base', 'no-such-ref')).code).toBe(2)
    expect((await check('--root', 'missing')).code).toBe(2)
  })
})

describe('contracts compat', () => {
  it.each<{ args: string[]; code: number; says?: string }>([
    { args: ['prev.json', 'next.json'], code: 0 },
    { args: ['prev.json', 'next.json', '--mode', 'FORWARD'], code: 1, says: 'property-added' },
    {
      args: ['prev.json', 'next.json', '--mode', 'FORWARD'],
      code: 1,
      says: 'FORWARD: consumers still on the old version must read everything written with the new one\n  BREAKING  FORWARD  /properties/b: ',
    },
    {
      args: ['prev.json', 'next.json', '--mode', 'FULL'],
      code: 1,
      says: '(property-added; hint: bump to a new resource)',
    },
    { args: ['prev.json', 'next.json', '--json'], code: 0, says: '"hint": "bump to a new resource"' },
    { args: ['prev.json', 'next.json', '--mode', 'full', '--json'], code: 1, says: '"compatible": false' },
    { args: ['prev.json', 'open.json', '--policy', 'lenient'], code: 0 },
    { args: ['prev.json'], code: 2 },
    { args: ['prev.json', 'next.json', '--mode', 'SIDEWAYS'], code: 2 },
    { args: ['prev.json', 'missing.json'], code: 2 },
    { args: ['prev.json', 'invalid.json'], code: 2, says: 'not a valid JSON Schema' },
  ])('compat $args → $code', async ({ args, code, says }) => {
    await write('c/prev.json', {
      type: 'object',
      properties: { a: { type: 'string' } },
      additionalProperties: false,
      'x-topic': 't',
    })
    await write('c/next.json', {
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'string' } },
      additionalProperties: false,
    })
    await write('c/open.json', {
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'string' } },
    })
    await write('c/invalid.json', { type: 12 })
    const c = capture(join(dir, 'c'))
    expect(await compatCommand.run(args, c.io)).toBe(code)
    if (says) expect(c.text()).toContain(says)
  })
})
