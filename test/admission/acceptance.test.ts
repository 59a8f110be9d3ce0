/**
 * The reproducer: person v3 = v2 with an optional property removed, a new required property and
 * `"x-compatibility": "NONE"`. Before the admission rule, `contracts check` said "all schema versions are
 * compatible", seeding registered it, and only a POST refused it. Now all of them refuse it, with the same report.
 */
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Issue } from '../../core/index.ts'
import { loadSchemaTree } from '../../codegen/load.ts'
import { SeedRefused } from '../../registry/service.ts'
import { checkCommand } from '../../scripts/commands/check.ts'
import { generateCommand } from '../../scripts/commands/generate.ts'
import { seedFromTree } from '../../scripts/commands/serve.ts'
import { captureIo } from '../helpers/io.ts'
import { jsonHeaders, repoRoot, testRegistry } from '../registry/helpers.ts'

const run = promisify(execFile)
const dir = await mkdtemp(join(tmpdir(), 'admission-reproducer-'))
const schemas = join(dir, 'schemas')
let v3: Record<string, unknown>

beforeAll(async () => {
  await mkdir(join(schemas, 'resources/person'), { recursive: true })
  await copyFile(join(repoRoot, 'schemas/envelope.json'), join(schemas, 'envelope.json'))
  for (const v of [1, 2])
    await copyFile(
      join(repoRoot, `schemas/resources/person/${v}.json`),
      join(schemas, `resources/person/${v}.json`),
    )
  const tree = await loadSchemaTree(schemas)
  const v2 = tree.resources.find((r) => r.version === 2)?.schema as Record<string, unknown>
  const { email: _removed, ...properties } = v2.properties as Record<string, unknown>
  v3 = {
    ...v2,
    $id: 'https://event-contracts.dev/schemas/person/3',
    title: 'PersonV3',
    'x-compatibility': 'NONE',
    required: [...(v2.required as string[]), 'employeeNumber'],
    properties: { ...properties, employeeNumber: { type: 'string', maxLength: 20 } },
  }
  await writeFile(join(schemas, 'resources/person/3.json'), JSON.stringify(v3, null, 2))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** (path, keyword) of each issue, as a sorted set. */
const pairs = (issues: readonly Pick<Issue, 'path' | 'keyword'>[]) =>
  [...new Set(issues.map((i) => `${i.path} ${i.keyword}`))].sort()

const EXPECTED = [
  '/properties/email property-removed',
  '/required property-became-required',
  '/x-compatibility x-compatibility',
]

describe('the reproducer is refused in every place, with the same differences', () => {
  const seen: Record<string, string[]> = {}

  it('contracts check exits 1 and counts three problems', async () => {
    const c = captureIo(dir)
    expect(await checkCommand.run(['--root', 'schemas'], c.io)).toBe(1)
    const text = c.text()
    expect(text).toContain('FAIL person: 3 versions, BACKWARD')
    expect(text).toContain("resources/person/3.json: version 3 of 'person' refused: 3 problems")
    expect(text.split('\n').at(-1)).toBe('3 problems')
    const j = captureIo(dir)
    expect(await checkCommand.run(['--root', 'schemas', '--json'], j.io)).toBe(1)
    const report = JSON.parse(j.text()) as { problems: { file: string; issues: Issue[] }[] }
    expect(report.problems.map((p) => p.file)).toEqual(['resources/person/3.json'])
    seen.check = pairs(report.problems.flatMap((p) => p.issues))
    expect(seen.check).toEqual(EXPECTED)
  })

  it('createRegistry seeding from that tree refuses to start, naming the file and the differences', async () => {
    const tree = await loadSchemaTree(schemas)
    const e = await testRegistry({ seed: seedFromTree(tree) }).then(
      () => undefined,
      (err: unknown) => err,
    )
    expect(e).toBeInstanceOf(SeedRefused)
    const refused = e as SeedRefused
    expect(refused.code).toBe('INCOMPATIBLE_SCHEMA')
    expect(refused.message).toContain('resources/person/3.json')
    expect(refused.refusals.map((r) => r.file)).toEqual(['resources/person/3.json'])
    seen.seed = pairs(refused.issues)
    expect(seen.seed).toEqual(EXPECTED)
  })

  it('POSTing the same body to a registry seeded with v1–v2 is a 409', async () => {
    const tree = await loadSchemaTree(schemas)
    const registry = await testRegistry({ seed: seedFromTree(tree).filter((s) => s.version < 3) })
    try {
      const res = await registry.app.request('/schemas/person/versions', {
        method: 'POST',
        headers: jsonHeaders,
        body: JSON.stringify(v3),
      })
      expect(res.status).toBe(409)
      const body = (await res.json()) as { code: string; issues: Issue[] }
      expect(body.code).toBe('INCOMPATIBLE_SCHEMA')
      seen.post = pairs(body.issues)
      expect(seen.post).toEqual(EXPECTED)
      expect(await (await registry.app.request('/schemas/person/versions')).json()).toEqual([1, 2])
    } finally {
      await registry.close()
    }
  })

  it('the three agree', () => {
    expect(seen.seed).toEqual(seen.check)
    expect(seen.post).toEqual(seen.check)
  })

  it('the generator refuses it too, with the same report', async () => {
    const c = captureIo(dir)
    expect(await generateCommand.run(['--schemas', 'schemas', '--out', 'generated', '--check'], c.io)).toBe(1)
    expect(c.errText()).toContain("resources/person/3.json: version 3 of 'person' refused: 3 problems")
  })

  it('`contracts serve` (npm start) refuses to start and prints the report', async () => {
    const failed = await run(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'serve'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        SCHEMAS_DIR: schemas,
        DATA_DIR: join(dir, 'data'),
        PORT: '0',
        LOG_LEVEL: 'silent',
      },
      timeout: 60_000,
    }).then(
      () => undefined,
      (e: unknown) => e as { code: number; stderr: string },
    )
    expect(failed?.code).toBe(1)
    const lines = (failed?.stderr ?? '').trim().split('\n')
    expect(lines[0]).toBe(
      'serve: refusing to start: schemas/ holds files the registry refuses (nothing was registered):',
    )
    expect(lines[1]).toBe(
      "  resources/person/3.json: version 3 of 'person' refused: 3 problems" +
        ' (BACKWARD: consumers on the new version must read everything written with the old one)',
    )
    expect(lines.slice(2).map((l) => /^ {4}(\S+): .*\((\S+)\)$/.exec(l)?.slice(1).join(' '))).toEqual([
      '/x-compatibility x-compatibility',
      '/properties/email property-removed',
      '/required property-became-required',
    ])
  }, 60_000)
})
