/** The envelope extension of change events: its schema, and `changesOf` for consumers. */
import { describe, expect, it } from 'vitest'
import { changesOf, checkChanges, checkEvent } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { readFileSync } from 'node:fs'

const example = JSON.parse(readFileSync('schemas/examples/dataset/valid/update-with-changes.json', 'utf8'))

describe('the change extension', () => {
  it('the update example validates as an event and as an extension', () => {
    expect(checkEvent(catalog, example).ok).toBe(true)
    const r = changesOf(example)
    expect(r.ok && r.value.map((c) => c.kind)).toEqual(['changed', 'items', 'changed'])
  })

  it('an event without changes has none', () => {
    expect(changesOf({ id: 'x' })).toEqual({ ok: true, value: [] })
  })

  it.each<{ name: string; extension: object; path: string }>([
    {
      name: 'a changed with neither old nor new',
      extension: { changes: [{ kind: 'changed', path: '/a' }] },
      path: '/changes/0',
    },
    {
      name: 'an unknown kind',
      extension: { changes: [{ kind: 'moved', path: '/a', old: 1 }] },
      path: '/changes/0',
    },
    {
      name: 'a path that is no pointer',
      extension: { changes: [{ kind: 'changed', path: 'a', old: 1 }] },
      path: '/changes/0',
    },
    {
      name: 'items without removed',
      extension: { changes: [{ kind: 'items', path: '/t', added: [] }] },
      path: '/changes/0',
    },
    {
      name: 'an item-added without id',
      extension: { changes: [{ kind: 'item-added', path: '/r/0', new: {} }] },
      path: '/changes/0',
    },
    { name: 'an empty actor', extension: { actor: '' }, path: '/actor' },
  ])('refuses $name', ({ extension, path }) => {
    const r = checkChanges(extension)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues.map((i) => i.path)).toContain(path)
  })
})
