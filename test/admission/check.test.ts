/** `contracts check` runs the admission rule: the mode from resource.json, a changed mode checked on its own. */
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkCommand } from '../../scripts/commands/check.ts'
import { captureIo } from '../helpers/io.ts'

const dir = await mkdtemp(join(tmpdir(), 'admission-check-'))
afterAll(() => rm(dir, { recursive: true, force: true }))

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
const write = async (path: string, value: unknown) => {
  await mkdir(join(dir, path, '..'), { recursive: true })
  await writeFile(join(dir, path), JSON.stringify(value, null, 2))
}
const check = async (...argv: string[]) => {
  const c = captureIo(dir)
  const code = await checkCommand.run(argv, c.io)
  return { code, text: [...c.out, ...c.err].join('\n') }
}
const version = (v: number, properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: `https://event-contracts.dev/schemas/gadget/${v}`,
  'x-topic': 'gadgets',
  'x-key': 'id',
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' }, ...properties },
  additionalProperties: false,
  ...extra,
})

describe('contracts check', () => {
  it('counts every problem: one per issue of each refused file', async () => {
    git('init', '-q', '-b', 'main')
    await write('schemas/envelope.json', { type: 'object' })
    await write(
      'schemas/resources/gadget/1.json',
      version(1, { a: { type: 'string' }, b: { type: 'string' } }),
    )
    git('add', '.')
    git('commit', '-qm', 'v1')
    // Two properties removed from a closed model, one made required, and a waiver: four problems.
    await write(
      'schemas/resources/gadget/2.json',
      version(2, { c: { type: 'string' } }, { required: ['id', 'c'], 'x-compatibility': 'NONE' }),
    )
    const r = await check()
    expect(r.code).toBe(1)
    expect(r.text.split('\n').at(-1)).toBe('4 problems')
    expect(r.text).toContain("resources/gadget/2.json: version 2 of 'gadget' refused: 4 problems")
    const json = JSON.parse((await check('--json')).text) as { count: number; problems: { kind: string }[] }
    expect(json.count).toBe(4)
    expect(json.problems.map((p) => p.kind)).toEqual(['incompatible'])
    await rm(join(dir, 'schemas/resources/gadget/2.json'))
  })

  it('with --base, a changed resource.json is a mode change, checked against the published history', async () => {
    await write(
      'schemas/resources/gadget/2.json',
      version(2, { a: { type: 'string' }, b: { type: 'string' }, n: { type: 'string' } }),
    )
    git('add', '.')
    git('commit', '-qm', 'v2 adds an optional property')
    expect((await check('--base', 'HEAD')).code).toBe(0)

    // FULL: v2 added a property to a closed model, which breaks FORWARD.
    await write('schemas/resources/gadget/resource.json', { compatibility: 'FULL' })
    const refused = await check('--base', 'HEAD')
    expect(refused.code).toBe(1)
    expect(refused.text).toMatch(
      /resources\/gadget\/resource\.json: mode change BACKWARD → FULL refused: the history of 'gadget' is not FULL compatible \(1 breaking difference\)\n {7}\/properties\/n: version 2 against version 1: .*\(property-added\)/,
    )
    // Without a base there is no change to see: every version is judged under FULL (v2 is refused).
    expect((await check()).text).toContain("resources/gadget/2.json: not FULL compatible with 'gadget'")

    await write('schemas/resources/gadget/resource.json', { compatibility: 'BACKWARD_TRANSITIVE' })
    const admitted = await check('--base', 'HEAD')
    expect(admitted.code).toBe(0)
    expect(admitted.text).toContain(
      'resources/gadget/resource.json: mode change BACKWARD → BACKWARD_TRANSITIVE admitted (1 pair of versions checked)',
    )
    git('add', '.')
    git('commit', '-qm', 'gadget: BACKWARD_TRANSITIVE')

    // Removing resource.json changes the mode back to the default: also a checked change (admitted here).
    await rm(join(dir, 'schemas/resources/gadget/resource.json'))
    expect((await check('--base', 'HEAD')).text).toContain(
      'mode change BACKWARD_TRANSITIVE → BACKWARD admitted',
    )
  })

  it('a resource.json that is not one is a problem', async () => {
    await write('schemas/resources/gadget/resource.json', { compatibility: 'SOMETIMES', colour: 'red' })
    const r = await check()
    expect(r.code).toBe(1)
    expect(r.text).toContain('resources/gadget/resource.json: resource.json refused: 2 problems')
    expect(r.text.split('\n').at(-1)).toBe('2 problems')
    await rm(join(dir, 'schemas/resources/gadget/resource.json'))
  })
})
