import { describe, expect, expectTypeOf, it } from 'vitest'
import type { Checked } from '../../core/index.ts'
import {
  admitVersion,
  admitVersions,
  formatAdmission,
  type Admitted,
  type Candidate,
  type JsonObject,
  type ResourceState,
} from '../../admission/index.ts'

const DRAFT = 'https://json-schema.org/draft/2020-12/schema'
const uri = (v: number) => `https://event-contracts.dev/schemas/thing/${v}`

const v1: JsonObject = {
  $schema: DRAFT,
  $id: uri(1),
  'x-topic': 'things',
  'x-key': 'id',
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' }, label: { type: 'string' } },
  additionalProperties: false,
}
/** Compatible under BACKWARD: one more optional property in a closed model. */
const v2: JsonObject = {
  ...v1,
  $id: uri(2),
  properties: { ...(v1.properties as JsonObject), note: { type: 'string' } },
}

const fresh: ResourceState = { name: 'thing', history: [], mode: 'BACKWARD', modeSource: 'set in X' }
const afterV1: ResourceState = {
  ...fresh,
  established: { topic: 'things', key: 'id' },
  history: [{ version: 1, schema: v1 }],
}
const file = (version: number, schema: unknown): Candidate => ({ version, schema, origin: 'file' })
const body = (version: number, schema: unknown): Candidate => ({ version, schema, origin: 'registry' })

/** The (path, keyword) pairs of a refusal, or [] when admitted. */
const pairs = (r: ReturnType<typeof admitVersion>) => (r.ok ? [] : r.issues.map((i) => [i.path, i.keyword]))
const codeOf = (r: ReturnType<typeof admitVersion>) => (r.ok ? 'admitted' : r.code)

describe('admitVersion: the document', () => {
  const withProp = (schema: unknown): JsonObject => ({
    ...v1,
    properties: { ...(v1.properties as JsonObject), x: schema },
  })

  it('admits a new resource and says what it knows, in core’s Checked shape', () => {
    const r = admitVersion(file(1, v1), fresh)
    expectTypeOf(r).toExtend<Checked<Admitted>>()
    expect(r).toMatchObject({
      ok: true,
      value: { name: 'thing', version: 1, uri: uri(1), topic: 'things', key: 'id', mode: 'BACKWARD' },
    })
  })

  it.each<[string, unknown, [string, string][]]>([
    ['not an object', [1, 2], [['', 'type']]],
    ['a remote $ref', withProp({ $ref: 'https://example.com/s.json' }), [['/properties/x/$ref', '$ref']]],
    ['a $ref that resolves nowhere', withProp({ $ref: '#/$defs/Missing' }), [['/properties/x/$ref', '$ref']]],
    [
      'a $dynamicRef to no anchor',
      withProp({ $dynamicRef: '#nowhere' }),
      [['/properties/x/$dynamicRef', '$dynamicRef']],
    ],
    // Data keywords: a tool that follows references finds these too.
    [
      'a remote $recursiveRef (draft 2019-09) in examples',
      withProp({ type: 'object', examples: [{ $recursiveRef: 'https://evil.example/x' }] }),
      [['/properties/x/examples/0/$recursiveRef', '$recursiveRef']],
    ],
    [
      'a remote $ref in examples',
      withProp({ type: 'object', examples: [{ $ref: 'https://evil.example/x' }] }),
      [['/properties/x/examples/0/$ref', '$ref']],
    ],
    [
      'a remote $ref in default',
      withProp({ type: 'object', default: { $ref: 'file:///etc/passwd' } }),
      [['/properties/x/default/$ref', '$ref']],
    ],
    [
      'a remote $ref in const',
      withProp({ const: { $ref: 'https://evil.example/x' } }),
      [['/properties/x/const/$ref', '$ref']],
    ],
    [
      'a remote $ref in enum',
      withProp({ enum: [{ a: { $ref: 'https://evil.example/x' } }] }),
      [['/properties/x/enum/0/a/$ref', '$ref']],
    ],
    [
      'an embedded $id',
      withProp({ $id: 'https://example.com/y', type: 'string' }),
      [['/properties/x/$id', '$id']],
    ],
    ['no $schema (draft-07 by default)', (({ $schema: _s, ...rest }) => rest)(v1), [['/$schema', '$schema']]],
    [
      'another draft',
      { ...v1, $schema: 'http://json-schema.org/draft-07/schema#' },
      [['/$schema', '$schema']],
    ],
    [
      'a meta-schema violation',
      { ...v1, type: 'strange' },
      [
        ['/type', 'enum'],
        ['/type', 'type'],
        ['/type', 'anyOf'],
      ],
    ],
    ['an unknown keyword (strict compile)', { ...v1, 'x-unknown': 1 }, [['', 'compile']]],
    ['an unknown format (strict compile)', withProp({ type: 'string', format: 'colour' }), [['', 'compile']]],
  ])('refuses %s (SCHEMA_INVALID)', (_what, schema, expected) => {
    const r = admitVersion(file(1, schema), fresh)
    expect(codeOf(r)).toBe('SCHEMA_INVALID')
    expect(pairs(r)).toEqual(expect.arrayContaining(expected))
  })

  it('admits local references (escaped, percent-encoded) and a property named $ref', () => {
    const schema = {
      ...v1,
      $defs: { Id: { type: 'string' }, 'a/b': { type: 'integer' }, 'c d': { type: 'integer' } },
      properties: {
        id: { $ref: '#/$defs/Id' },
        n: { $ref: '#/$defs/a~1b' },
        m: { $ref: '#/$defs/c%20d' },
        $ref: { type: 'string', examples: ['https://not-a-ref.example'] },
      },
    }
    expect(pairs(admitVersion(file(1, schema), fresh))).toEqual([])
  })

  it('limits nesting depth and canonical size, before walking anything else', () => {
    let deep: unknown = { type: 'string' }
    for (let i = 0; i < 40; i++) deep = { type: 'object', properties: { a: deep } }
    const tooDeep = admitVersion(file(1, { ...v1, $defs: { deep } }), fresh)
    expect(pairs(tooDeep)).toEqual([[expect.stringMatching(/^\/\$defs\/deep\//), 'maxDepth']])
    expect(admitVersion(file(1, { ...v1, $defs: { deep } }), fresh, { maxDepth: 100 }).ok).toBe(true)
    const big = { ...v1, description: 'x'.repeat(2000) }
    expect(pairs(admitVersion(file(1, big), fresh, { maxBytes: 1024 }))).toEqual([['', 'maxBytes']])
    expect(admitVersion(file(1, big), fresh).ok).toBe(true) // default 256 KiB
  })
})

describe('admitVersion: identity, topic, key, numbering', () => {
  it('$id: a file carries the canonical URI; a registry body leaves it out or carries the one it gets', () => {
    const { $id: _id, ...bare } = v1
    expect(pairs(admitVersion(file(1, bare), fresh))).toEqual([['/$id', '$id']])
    expect(pairs(admitVersion(file(1, { ...v1, $id: uri(2) }), fresh))).toEqual([['/$id', '$id']])
    expect(admitVersion(body(1, bare), fresh).ok).toBe(true)
    expect(admitVersion(body(1, v1), fresh).ok).toBe(true)
    const other = admitVersion(body(1, { ...v1, $id: 'https://example.com/x' }), fresh)
    expect([codeOf(other), pairs(other)]).toEqual(['SCHEMA_CONFLICT', [['/$id', '$id']]])
  })

  it('a new resource names x-topic and x-key; later versions keep them or leave them out', () => {
    const { 'x-topic': _t, 'x-key': _k, ...bare } = v1
    expect(pairs(admitVersion(file(1, bare), fresh))).toEqual([
      ['/x-topic', 'x-topic'],
      ['/x-key', 'x-key'],
    ])
    const { 'x-topic': _t2, 'x-key': _k2, ...bare2 } = v2
    expect(admitVersion(file(2, bare2), afterV1)).toMatchObject({
      ok: true,
      value: { topic: 'things', key: 'id' },
    })
    const moved = admitVersion(file(2, { ...v2, 'x-topic': 'elsewhere', 'x-key': 'label' }), afterV1)
    expect(codeOf(moved)).toBe('SCHEMA_CONFLICT')
    expect(pairs(moved)).toEqual(
      expect.arrayContaining([
        ['/x-topic', 'x-topic'],
        ['/x-key', 'x-key'],
      ]),
    )
    expect(pairs(admitVersion(file(1, { ...v1, 'x-topic': 'no spaces allowed' }), fresh))).toEqual([
      ['/x-topic', 'x-topic'],
    ])
  })

  it('the key is a required property of type string or integer', () => {
    expect(pairs(admitVersion(file(1, { ...v1, required: [] }), fresh))).toEqual([['/required', 'x-key']])
    const numeric = { ...v1, properties: { id: { type: 'number' } } }
    expect(pairs(admitVersion(file(1, numeric), fresh))).toEqual([['/properties/id', 'x-key']])
    const viaRef = { ...v1, $defs: { Id: { type: 'integer' } }, properties: { id: { $ref: '#/$defs/Id' } } }
    expect(admitVersion(file(1, viaRef), fresh).ok).toBe(true)
    const missing = { ...v1, 'x-key': 'nope', required: ['id', 'nope'] }
    // ajv's strict compile also refuses a required property that is not declared.
    expect(pairs(admitVersion(file(1, missing), fresh))).toEqual([
      ['', 'compile'],
      ['/properties/nope', 'x-key'],
    ])
  })

  it('versions are consecutive from 1; the resource name is a name', () => {
    expect(pairs(admitVersion(file(2, { ...v1, $id: uri(2) }), fresh))).toEqual([['', 'version']])
    expect(pairs(admitVersion(file(3, { ...v2, $id: uri(3) }), afterV1))).toEqual([['', 'version']])
    // A purged version's number is never handed out again.
    expect(pairs(admitVersion(file(2, v2), { ...afterV1, lastVersion: 2 }))).toEqual([['', 'version']])
    const r = admitVersion(file(1, v1), { ...fresh, name: 'Bad_Name' })
    expect(pairs(r)).toEqual(expect.arrayContaining([['', 'name']]))
  })
})

describe('admitVersion: the mode and compatibility', () => {
  const breaking = { ...v2, required: ['id', 'label'], properties: v1.properties }

  it('differences become issues: keyword the kind, path the pointer, versions and direction in params', () => {
    const r = admitVersion(file(2, breaking), afterV1)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.code).toBe('INCOMPATIBLE_SCHEMA')
    expect(r.summary).toBe("not BACKWARD compatible with 'thing': 1 breaking difference")
    expect(r.issues).toEqual([
      {
        path: '/required',
        keyword: 'property-became-required',
        message: expect.stringMatching(
          /^against version 1: property "label" became required.*; instead: add it as optional$/,
        ),
        params: {
          kind: 'property-became-required',
          hint: 'add it as optional',
          previous: ['id'],
          next: ['id', 'label'],
          direction: 'BACKWARD',
          against: 1,
          version: 2,
        },
      },
    ])
  })

  it('a version never waives its own check: x-compatibility is absent or the mode in force', () => {
    expect(admitVersion(file(2, { ...v2, 'x-compatibility': 'BACKWARD' }), afterV1).ok).toBe(true)
    const waiver = admitVersion(file(2, { ...breaking, 'x-compatibility': 'NONE' }), afterV1)
    expect(codeOf(waiver)).toBe('INCOMPATIBLE_SCHEMA') // still judged under BACKWARD
    expect(pairs(waiver)).toEqual([
      ['/x-compatibility', 'x-compatibility'],
      ['/required', 'property-became-required'],
    ])
    const message = waiver.ok ? '' : (waiver.issues[0]?.message ?? '')
    expect(message).toContain('not the mode in force, BACKWARD (set in X)')
    const alone = admitVersion(file(2, { ...v2, 'x-compatibility': 'FULL' }), afterV1)
    expect([codeOf(alone), pairs(alone)]).toEqual([
      'SCHEMA_CONFLICT',
      [['/x-compatibility', 'x-compatibility']],
    ])
    const unknown = admitVersion(file(2, { ...v2, 'x-compatibility': 'SOMETIMES' }), afterV1)
    expect([codeOf(unknown), pairs(unknown)]).toEqual([
      'SCHEMA_INVALID',
      [['/x-compatibility', 'x-compatibility']],
    ])
  })

  it('only a brand-new resource with no mode of its own takes its first version’s x-compatibility', () => {
    const first = { ...v1, 'x-compatibility': 'FULL_TRANSITIVE' }
    expect(admitVersion(body(1, first), { ...fresh, modeOpen: true })).toMatchObject({
      ok: true,
      value: { mode: 'FULL_TRANSITIVE' },
    })
    expect(pairs(admitVersion(body(1, first), fresh))).toEqual([['/x-compatibility', 'x-compatibility']])
    expect(
      admitVersion(body(2, { ...v2, 'x-compatibility': 'NONE' }), { ...afterV1, modeOpen: true }).ok,
    ).toBe(false)
  })

  it('transitive modes judge against every active version and name it', () => {
    // v2 narrowed label (it is given history here); v3 keeps v2's label: fine against v2, not against v1.
    const label = (extra: JsonObject) => ({
      ...(v1.properties as JsonObject),
      label: { type: 'string', ...extra },
    })
    const narrow = { ...v1, $id: uri(2), properties: label({ maxLength: 5 }) }
    const v3 = { ...narrow, $id: uri(3) }
    const state: ResourceState = {
      ...afterV1,
      mode: 'BACKWARD_TRANSITIVE',
      history: [...afterV1.history, { version: 2, schema: narrow }],
    }
    const r = admitVersion(file(3, v3), state)
    expect(r.ok ? [] : r.issues.map((i) => [i.keyword, i.params?.against])).toEqual([
      ['max-length-decreased', 1],
    ])
    expect(admitVersion(file(3, v3), { ...state, mode: 'BACKWARD' }).ok).toBe(true)
  })

  it('an unusable document is not compared (its problems are reported instead)', () => {
    const r = admitVersion(file(2, { ...breaking, type: 'strange' }), afterV1)
    expect(codeOf(r)).toBe('SCHEMA_INVALID')
    expect(pairs(r).map(([, k]) => k)).not.toContain('property-became-required')
  })
})

describe('admitVersions and formatAdmission', () => {
  it('admits a sequence, keeps a refused but usable version as history, and reports one line per issue', () => {
    const v3 = {
      ...v2,
      $id: uri(3),
      'x-compatibility': 'NONE',
      required: ['id', 'extra'],
      properties: { ...(v2.properties as JsonObject), extra: { type: 'string' } },
    }
    const r = admitVersions(fresh, [file(1, v1), file(2, { ...v2, 'x-topic': 'moved' }), file(3, v3)])
    expect(r.admitted.map((a) => a.version)).toEqual([1])
    expect(r.refused.map((x) => x.version)).toEqual([2, 3])
    expect(r.state.history.map((h) => h.version)).toEqual([1, 2, 3])
    const [, third] = r.refused
    const text = formatAdmission('resources/thing/3.json', third!.result)
    const lines = text.split('\n')
    // The mode's meaning once, in the summary; each difference's line ends with its compatible alternative.
    expect(lines[0]).toBe(
      "resources/thing/3.json: version 3 of 'thing' refused: 2 problems" +
        ' (BACKWARD: consumers on the new version must read everything written with the old one)',
    )
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        /^ {2}\/x-compatibility: x-compatibility "NONE" is not the mode in force.*\(x-compatibility\)$/,
      ),
      expect.stringMatching(/^ {2}\/required: against version 2: .*\(property-became-required\)$/),
    ])
    expect(formatAdmission('x.json', { ok: true })).toBe('x.json: admitted')
  })
})
