import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadSchemaTree } from '../../codegen/load.ts'
import { compileCatalog } from '../../codegen/runtime-catalog.ts'
import { checkEvent, type Catalog } from '../../core/index.ts'
import { catalog as generated } from '../../generated/index.ts'

/** Adding a file under schemas/examples/<resource>/{valid,invalid}/ adds a test. */
const root = 'schemas/examples'
const cases = readdirSync(root).flatMap((resource) =>
  (['valid', 'invalid'] as const).flatMap((kind) =>
    readdirSync(join(root, resource, kind))
      .filter((f) => f.endsWith('.json'))
      .map((file) => ({ resource, kind, file, path: join(root, resource, kind, file) })),
  ),
)
const load = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'))

// The generated catalog and one compiled at run time from the same tree (what `--schemas DIR` uses) agree.
const catalogs: { name: string; catalog: Catalog }[] = [
  { name: 'generated catalog', catalog: generated },
  { name: 'run-time catalog', catalog: compileCatalog(await loadSchemaTree('schemas')) },
]

describe.each(catalogs.flatMap((c) => cases.map((k) => ({ ...c, ...k }))))(
  '$name: $resource/$kind/$file',
  ({ catalog, resource, kind, path }) => {
    it(kind === 'valid' ? 'validates' : 'is rejected with a JSON Pointer and a rule', () => {
      const r = checkEvent(catalog, load(path))
      if (kind === 'valid') {
        expect(r.ok ? [] : r.issues).toEqual([])
        if (r.ok) expect(r.value.resource).toBe(resource)
      } else {
        expect(r.ok).toBe(false)
        if (!r.ok) {
          expect(r.issues.length).toBeGreaterThan(0)
          for (const issue of r.issues) {
            expect(issue.path).toMatch(/^(\/[^/]*)*$/)
            expect(issue.keyword).not.toBe('')
          }
        }
      }
    })
  },
)

describe('example coverage', () => {
  it.each([...new Set(cases.map((c) => c.resource))])(
    '%s has valid examples and ≥5 invalid ones, each breaking a different rule',
    (resource) => {
      const invalid = cases.filter((c) => c.resource === resource && c.kind === 'invalid')
      expect(cases.some((c) => c.resource === resource && c.kind === 'valid')).toBe(true)
      expect(invalid.length).toBeGreaterThanOrEqual(5)
      const rules = invalid.map((c) => {
        const r = checkEvent(generated, load(c.path))
        return r.ok ? 'valid?!' : r.issues.map((i) => `${i.path} ${i.keyword}`).join(';')
      })
      expect(new Set(rules).size).toBe(rules.length)
    },
  )
})
