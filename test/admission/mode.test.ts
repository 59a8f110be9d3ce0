import { describe, expect, it } from 'vitest'
import {
  admitModeChange,
  admitTree,
  formatAdmission,
  readResourceSettings,
  type HistoryEntry,
  type JsonObject,
  type TreeVersion,
} from '../../admission/index.ts'

const DRAFT = 'https://json-schema.org/draft/2020-12/schema'
const version = (v: number, properties: JsonObject, extra: JsonObject = {}): JsonObject => ({
  $schema: DRAFT,
  $id: `https://event-contracts.dev/schemas/thing/${v}`,
  'x-topic': 'things',
  'x-key': 'id',
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' }, ...properties },
  additionalProperties: false,
  ...extra,
})
// v2 adds an optional property to a closed model: BACKWARD yes, FORWARD no.
// v3 drops it again: BACKWARD breaks against v2, but v3 equals v1.
const v1 = version(1, {})
const v2 = version(2, { note: { type: 'string' } })
const v3 = version(3, {})
const history: HistoryEntry[] = [
  { version: 1, schema: v1 },
  { version: 2, schema: v2 },
]

describe('readResourceSettings', () => {
  it.each<[unknown, unknown]>([
    [undefined, { ok: true, value: { compatibility: 'BACKWARD', explicit: false } }],
    [{}, { ok: true, value: { compatibility: 'BACKWARD', explicit: false } }],
    [{ compatibility: 'FULL' }, { ok: true, value: { compatibility: 'FULL', explicit: true } }],
    [
      { compatibility: 'SOMETIMES' },
      { ok: false, issues: [expect.objectContaining({ path: '/compatibility' })] },
    ],
    [{ mode: 'FULL' }, { ok: false, issues: [expect.objectContaining({ path: '/mode' })] }],
    [[], { ok: false, issues: [expect.objectContaining({ path: '', keyword: 'type' })] }],
  ])('%j → %j', (json, expected) => {
    expect(readResourceSettings(json)).toMatchObject(expected as object)
  })
})

describe('admitModeChange', () => {
  it('checks consecutive pairs under the new mode, naming both versions', () => {
    const r = admitModeChange(history, 'BACKWARD', 'FULL', { name: 'thing' })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.code).toBe('INCOMPATIBLE_SCHEMA')
    expect(r.summary).toBe(
      "mode change BACKWARD → FULL refused: the history of 'thing' is not FULL compatible (1 breaking difference)",
    )
    expect(r.issues).toEqual([
      expect.objectContaining({
        path: '/properties/note',
        keyword: 'property-added',
        message: expect.stringMatching(/^version 2 against version 1: property "note" added/),
        params: expect.objectContaining({ against: 1, version: 2, direction: 'FORWARD' }),
      }),
    ])
  })

  it('consecutive pairs only, or all pairs for a transitive mode', () => {
    const three = [...history, { version: 3, schema: v3 }]
    // FORWARD: v1→v2 breaks (added to a closed model); v2→v3 is fine.
    expect(admitModeChange(three, 'BACKWARD', 'FORWARD')).toMatchObject({ ok: false })
    expect(admitModeChange(three.slice(1), 'BACKWARD', 'FORWARD')).toMatchObject({
      ok: true,
      value: { pairs: 1 },
    })
    // BACKWARD: v2→v3 breaks; BACKWARD_TRANSITIVE also compares v1→v3 (fine) and v1→v2 (fine).
    const t = admitModeChange(three, 'NONE', 'BACKWARD_TRANSITIVE')
    expect(t.ok ? [] : t.issues.map((i) => [i.params?.against, i.params?.version])).toEqual([[2, 3]])
    expect(admitModeChange([three[0]!, three[2]!], 'NONE', 'FULL_TRANSITIVE')).toMatchObject({
      ok: true,
      value: { pairs: 1 },
    })
  })

  it('NONE and an unchanged mode are always admitted', () => {
    expect(admitModeChange(history, 'FULL', 'NONE').ok).toBe(true)
    expect(admitModeChange(history, 'FULL', 'FULL')).toEqual({
      ok: true,
      value: { from: 'FULL', to: 'FULL', pairs: 0 },
    })
  })
})

describe('admitTree', () => {
  const files = (...schemas: JsonObject[]): TreeVersion[] =>
    schemas.map((schema, i) => ({
      name: 'thing',
      version: i + 1,
      file: `resources/thing/${i + 1}.json`,
      schema,
    }))

  it('admits each version against the ones before it under the mode resource.json sets', () => {
    const [ok] = admitTree({ resources: files(v1, v2), settings: [] })
    expect(ok).toMatchObject({ name: 'thing', mode: 'BACKWARD', versions: 2, refused: [] })
    const [full] = admitTree({
      resources: files(v1, v2),
      settings: [{ name: 'thing', file: 'resources/thing/resource.json', json: { compatibility: 'FULL' } }],
    })
    expect(full?.refused.map((r) => r.file)).toEqual(['resources/thing/2.json'])
    const [waiver] = admitTree({
      resources: files(v1, v2, { ...v3, 'x-compatibility': 'NONE' }),
      settings: [],
    })
    expect(waiver?.refused.map((r) => r.file)).toEqual(['resources/thing/3.json'])
    const text = formatAdmission(waiver!.refused[0]!.file, waiver!.refused[0]!.result)
    expect(text).toContain('the default: resources/thing/resource.json names no mode')
  })

  it('a bad resource.json is reported and its versions are not judged', () => {
    const [bad] = admitTree({
      resources: files(v1),
      settings: [{ name: 'thing', file: 'resources/thing/resource.json', json: { compatibility: 'OFTEN' } }],
    })
    expect(bad?.settings.ok).toBe(false)
    expect(bad?.admitted).toEqual([])
  })

  it('with a base: published versions under the old mode, the change checked on its own, new ones under the new mode', () => {
    const base = { files: new Set(['resources/thing/1.json', 'resources/thing/2.json']), settings: [] }
    const settings = [
      { name: 'thing', file: 'resources/thing/resource.json', json: { compatibility: 'FULL' } },
    ]
    const [changed] = admitTree({ resources: files(v1, v2), settings }, { base })
    expect(changed?.refused).toEqual([]) // v2 was admitted under BACKWARD, when it was published
    expect(changed?.modeChange).toMatchObject({ from: 'BACKWARD', to: 'FULL', result: { ok: false } })
    // A version added in the same change is judged under the new mode.
    const [added] = admitTree({ resources: files(v1, v2, v3), settings }, { base })
    expect(added?.refused.map((r) => r.file)).toEqual(['resources/thing/3.json'])
    // A resource new since the base takes its mode without a change.
    const [created] = admitTree(
      { resources: files(v1), settings },
      { base: { files: new Set(), settings: [] } },
    )
    expect(created?.modeChange).toBeUndefined()
  })
})
