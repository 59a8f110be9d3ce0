/**
 * The issue's ReDoS reproducers, as tests. `^(a+)+$` on a run of `a`s and a `!` takes about 2^n steps on a
 * backtracking engine: at n = 40, hours. Each test's own timeout is the hang detector; on RE2 (core/patterns.ts)
 * the answers come in one pass. Patterns RE2 cannot express are refused at admission, naming them.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { check, createSchemaSource, type Catalog, type ValidateFn } from '../../core/index.ts'
import { compileCatalog } from '../../codegen/runtime-catalog.ts'
import { generate } from '../../codegen/generate.ts'
import { loadSchemaTree } from '../../codegen/load.ts'
import { writeFiles } from '../../scripts/generate/write.ts'
import type { Registry } from '../../registry/index.ts'
import { jsonHeaders, repoRoot, testRegistry, timeEntryV2 } from './helpers.ts'

type Json = Record<string, unknown>

const EVIL = '^(a+)+$'
const ATTACK = `${'a'.repeat(40)}!`

let registry: Registry
beforeAll(async () => {
  registry = await testRegistry()
}, 120_000)
afterAll(() => registry.close())

const post = (path: string, body: unknown) =>
  registry.app.request(path, { method: 'POST', headers: jsonHeaders, body: JSON.stringify(body) })

/** A new resource whose `code` carries `pattern`. */
const coded = (pattern: string): Json => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Coded',
  'x-topic': 'coded',
  'x-key': 'id',
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' }, code: { type: 'string', pattern } },
  additionalProperties: false,
})

describe('a registered pattern never stalls a validator', () => {
  it('a consumer compiling the registered version refuses the attack string at once', async () => {
    expect((await post('/schemas/coded/versions', coded(EVIL))).status).toBe(201)
    // What a consumer does with a URI outside its catalog: the registry's schema, compiled by core.
    const source = createSchemaSource({
      getByUri: async (uri) => (await registry.app.request(`/resolve?uri=${encodeURIComponent(uri)}`)).json(),
    })
    const found = await source.lookup('https://event-contracts.dev/schemas/coded/1')
    expect(found.kind).toBe('found')
    if (found.kind !== 'found') return
    const r = check(found.validate, { id: 'x', code: ATTACK })
    expect(r.ok ? [] : r.issues.map((i) => [i.path, i.keyword])).toEqual([['/code', 'pattern']])
    expect(check(found.validate, { id: 'x', code: 'aaaa' }).ok).toBe(true)
  })

  describe('the generated and the run-time catalog of a tree holding the pattern', () => {
    let dir: string
    let tree: Awaited<ReturnType<typeof loadSchemaTree>>
    beforeAll(async () => {
      await mkdir(join(repoRoot, '.cache'), { recursive: true })
      dir = await mkdtemp(join(repoRoot, '.cache', 'redos-'))
      await mkdir(join(dir, 'schemas/resources/coded'), { recursive: true })
      await writeFile(
        join(dir, 'schemas/envelope.json'),
        JSON.stringify(
          (await import('../../generated/index.ts')).schemas[
            'https://event-contracts.dev/schemas/envelope/1'
          ],
        ),
      )
      await writeFile(
        join(dir, 'schemas/resources/coded/1.json'),
        JSON.stringify({ ...coded(EVIL), $id: 'https://event-contracts.dev/schemas/coded/1' }),
      )
      tree = await loadSchemaTree(join(dir, 'schemas'))
    })
    afterAll(() => rm(dir, { recursive: true, force: true }))

    const content = (catalog: Catalog) =>
      catalog.resources.coded?.versions[1]?.validate as ValidateFn<unknown>

    it('generated (standalone) validators', async () => {
      await writeFiles(join(dir, 'generated'), await generate(tree, { runtime: 'event-contracts' }))
      const { catalog } = (await import(join(dir, 'generated', 'index.ts'))) as { catalog: Catalog }
      const r = check(content(catalog), { id: 'x', code: ATTACK })
      expect(r.ok ? [] : r.issues.map((i) => i.keyword)).toEqual(['pattern'])
    })

    it('the catalog compiled at run time (--schemas DIR)', () => {
      const r = check(content(compileCatalog(tree)), { id: 'x', code: ATTACK })
      expect(r.ok ? [] : r.issues.map((i) => i.keyword)).toEqual(['pattern'])
    })
  })
})

describe('the compatibility engine', () => {
  it('POST /compatibility with an explosive patternProperties key and a matching property name answers', async () => {
    const v2 = await timeEntryV2()
    const body = {
      ...v2,
      properties: { ...(v2.properties as Json), [ATTACK]: { type: 'string' } },
      patternProperties: { [EVIL]: { type: 'string' } },
    }
    const res = await post('/compatibility/time-entry', body)
    expect(res.status).toBe(200)
    const report = (await res.json()) as { compatible: boolean; differences: { kind: string }[] }
    expect(report.differences.map((d) => d.kind)).toContain('additional-properties-widened')
  })
})

describe('admission refuses what RE2 cannot express, naming the pattern and where it is', () => {
  it.each<[string, (s: Json) => Json, string, RegExp]>([
    [
      'a backreference in a property pattern',
      (s) => ({
        ...s,
        properties: { ...(s.properties as Json), code: { type: 'string', pattern: '^(a)\\1$' } },
      }),
      '/properties/code/pattern',
      /pattern "\^\(a\)\\\\1\$" cannot run on the linear-time engine \(RE2\): the backreference \\1/,
    ],
    [
      'a lookahead as a patternProperties key',
      (s) => ({ ...s, patternProperties: { '^(?!x-)': { type: 'string' } } }),
      '/patternProperties/^(?!x-)',
      /lookahead/,
    ],
    [
      'a lookbehind deep inside $defs and items',
      (s) => ({
        ...s,
        properties: { ...(s.properties as Json), tags: { type: 'array', items: { $ref: '#/$defs/Tag' } } },
        $defs: { Tag: { type: 'string', pattern: '(?<=#)\\w+' } },
      }),
      '/$defs/Tag/pattern',
      /lookbehind/,
    ],
  ])('%s', async (_name, edit, path, message) => {
    const schema = edit(coded('^[a-z]+$'))
    for (const url of ['/schemas/pattern-refused/versions', '/compatibility/pattern-refused']) {
      const res = await post(url, schema)
      expect(res.status, url).toBe(422)
      const problem = (await res.json()) as { code: string; issues: Json[] }
      expect(problem.code).toBe('SCHEMA_INVALID')
      expect(problem.issues).toEqual([expect.objectContaining({ path, keyword: 'pattern' })])
      expect(String(problem.issues[0]?.message)).toMatch(message)
    }
  })
})

describe("ajv's strict rule that a declared name matches no patternProperties key, now checked on RE2", () => {
  it('is still refused, naming the property and the pattern', async () => {
    const schema = { ...coded('^[a-z]+$'), patternProperties: { '^co': { type: 'string' } } }
    const res = await post('/compatibility/pattern-twice', schema)
    expect(res.status).toBe(422)
    expect(((await res.json()) as { issues: Json[] }).issues).toEqual([
      expect.objectContaining({
        path: '/properties/code',
        keyword: 'patternProperties',
        params: { property: 'code', pattern: '^co' },
      }),
    ])
  })

  it('a pattern that matches no declared name is fine', async () => {
    const schema = { ...coded('^[a-z]+$'), patternProperties: { '^x-': { type: 'string' } } }
    expect((await post('/compatibility/pattern-once', schema)).status).toBe(200)
  })
})
