/** The generator admits the tree with the one rule: the mode from resource.json, never from a version. */
import { describe, expect, it } from 'vitest'
import { toContracts } from '../../codegen/generate.ts'
import { loadSchemaTree, type SchemaTree } from '../../codegen/load.ts'

const tree = await loadSchemaTree('schemas')

const withTree = (f: (t: SchemaTree) => void): SchemaTree => {
  const copy = structuredClone(tree)
  f(copy)
  return copy
}
const person = (t: SchemaTree, v: number) => t.resources.find((r) => r.name === 'person' && r.version === v)!

describe('toContracts', () => {
  it('takes each resource’s mode from resource.json (BACKWARD without one)', () => {
    expect(new Set(toContracts(tree).map((c) => c.compatibility))).toEqual(new Set(['BACKWARD']))
    const t = withTree((t) =>
      t.settings.push({
        name: 'person',
        file: 'resources/person/resource.json',
        text: '{"compatibility":"BACKWARD_TRANSITIVE"}',
        json: { compatibility: 'BACKWARD_TRANSITIVE' },
      }),
    )
    const modes = toContracts(t)
      .filter((c) => c.name === 'person')
      .map((c) => c.compatibility)
    expect(modes).toEqual(['BACKWARD_TRANSITIVE', 'BACKWARD_TRANSITIVE'])
  })

  it('refuses a version that waives its own check, with the report of every refused file', () => {
    const t = withTree((t) => {
      const v2 = person(t, 2).schema
      v2['x-compatibility'] = 'NONE'
      v2.required = [...(v2.required as string[]), 'email']
      person(t, 1).schema['x-topic'] = 'moved'
    })
    let message = ''
    try {
      toContracts(t)
    } catch (e) {
      message = (e as Error).message
    }
    const lines = message.split('\n')
    expect(lines[0]).toBe('the schema tree is refused:')
    expect(lines).toContain(
      "resources/person/2.json: version 2 of 'person' refused: 3 problems" +
        ' (BACKWARD: consumers on the new version must read everything written with the old one)',
    )
    expect(message).toMatch(/^ {2}\/x-compatibility: .*\(x-compatibility\)$/m)
    expect(message).toMatch(/^ {2}\/required: against version 1: .*\(property-became-required\)$/m)
    expect(message).toMatch(/^ {2}\/x-topic: x-topic must stay 'moved'.*\(x-topic\)$/m)
  })

  it('refuses a resource.json that is not one', () => {
    const t = withTree((t) =>
      t.settings.push({ name: 'person', file: 'resources/person/resource.json', text: '[]', json: [] }),
    )
    expect(() => toContracts(t)).toThrow(/resources\/person\/resource.json: resource.json refused: 1 problem/)
  })
})
