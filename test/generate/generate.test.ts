import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generate, toContracts } from '../../codegen/generate.ts'
import { loadSchemaTree, type SchemaTree } from '../../codegen/load.ts'
import { staleFiles, writeFiles } from '../../scripts/generate/write.ts'

const tree = await loadSchemaTree('schemas')

describe('generate', () => {
  it('gives the same bytes twice', async () => {
    const a = await generate(tree)
    const b = await generate(await loadSchemaTree('schemas'))
    expect([...a.keys()]).toEqual([...b.keys()])
    for (const [name, text] of a) expect(b.get(name), name).toBe(text)
  })

  it('matches the committed generated/ (what `generate --check` enforces)', async () => {
    expect(await staleFiles('generated', await generate(tree))).toEqual([])
  })

  it('marks every file as generated and not to be edited', async () => {
    for (const [name, text] of await generate(tree)) expect(text, name).toContain('DO NOT EDIT')
  })

  it('finds stale and extra files, and the writer fixes them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gen-'))
    const files = await generate(tree)
    expect((await staleFiles(dir, files)).length).toBe(files.size)
    await writeFiles(dir, files)
    expect(await staleFiles(dir, files)).toEqual([])
    await writeFile(join(dir, 'types.ts'), '// hand edit\n')
    await writeFile(join(dir, 'extra.ts'), '')
    expect(await staleFiles(dir, files)).toEqual(['extra.ts', 'types.ts'])
    await writeFiles(dir, files)
    expect(await staleFiles(dir, files)).toEqual([])
    expect(await readFile(join(dir, 'types.ts'), 'utf8')).toBe(files.get('types.ts'))
  })

  it('emits one type per shape: no numbered duplicates, no index signatures on closed models', async () => {
    const types = (await generate(tree)).get('types.ts') as string
    const names = [...types.matchAll(/export (?:interface|type) (\w+)/g)].map((m) => m[1]).sort()
    expect(names).toEqual([
      'AccrualV1',
      'AccrualV2',
      'Action',
      'ContractTypes',
      'DatasetResource',
      'DatasetV1',
      'Envelope',
      'PersonV1',
      'PersonV2',
      'ResourceReference',
      'TimeEntryV1',
      'TimeEntryV2',
      'TimePeriod',
    ])
    expect(types.match(/export interface TimePeriod\b/g)).toHaveLength(1)
    const closed = types.slice(
      types.indexOf('export interface TimeEntryV1'),
      types.indexOf('export interface TimeEntryV2'),
    )
    expect(closed).not.toContain('[k: string]')
    expect(types).toContain('timePeriods?: TimePeriod[]') // maxItems does not explode into tuples
  })
})

const mutate = (f: (t: SchemaTree) => void): SchemaTree => {
  const copy = structuredClone(tree)
  f(copy)
  return copy
}
const te = (t: SchemaTree, v: number) => t.resources.find((r) => r.name === 'time-entry' && r.version === v)!

describe('toContracts refuses a schema tree the catalog cannot rely on', () => {
  it.each<{ name: string; tree: SchemaTree; error: RegExp }>([
    {
      name: 'a $id that does not name resource and version',
      tree: mutate((t) => void (te(t, 2).schema.$id = 'https://x/y')),
      error: /\$id must be/,
    },
    {
      name: 'another draft',
      tree: mutate((t) => void (te(t, 1).schema.$schema = 'http://json-schema.org/draft-07/schema#')),
      error: /2020-12/,
    },
    { name: 'no x-topic', tree: mutate((t) => void delete te(t, 1).schema['x-topic']), error: /x-topic/ },
    {
      name: 'an x-key that is not a required property',
      tree: mutate((t) => void (te(t, 1).schema['x-key'] = 'shiftType')),
      error: /x-key/,
    },
    {
      name: 'a topic that changes between versions',
      tree: mutate((t) => void (te(t, 2).schema['x-topic'] = 'other')),
      error: /x-topic must stay/,
    },
    {
      name: 'an unknown compatibility mode',
      tree: mutate((t) => void (te(t, 2).schema['x-compatibility'] = 'SOMETIMES')),
      error: /x-compatibility/,
    },
    {
      name: 'a gap in versions',
      tree: mutate((t) => {
        const v2 = te(t, 2)
        v2.version = 3
        v2.schema.$id = 'https://event-contracts.dev/schemas/time-entry/3'
      }),
      error: /consecutive/,
    },
  ])('$name', ({ tree, error }) => {
    expect(() => toContracts(tree)).toThrow(error)
  })
})
