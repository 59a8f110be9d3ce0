import { describe, expect, it } from 'vitest'
import {
  canonicalJson,
  draftOf,
  escapePointerToken,
  fromPointer,
  toPointer,
  unescapePointerToken,
} from '../../core/json.ts'

describe('canonicalJson: one canonical form', () => {
  it.each<{ name: string; value: unknown; text: string }>([
    {
      name: 'keys sorted at every level',
      value: { b: 1, a: { d: [1, { z: 0, y: 1 }], c: null } },
      text: '{"a":{"c":null,"d":[1,{"y":1,"z":0}]},"b":1}',
    },
    {
      name: 'an undefined property is left out (as JSON.stringify)',
      value: { a: undefined, b: 2 },
      text: '{"b":2}',
    },
    {
      name: 'an undefined array element is null (as JSON.stringify)',
      value: [undefined, 1],
      text: '[null,1]',
    },
    { name: 'top-level undefined equals no JSON text', value: undefined, text: 'undefined' },
    { name: 'strings are escaped', value: { 'a"b': 'c\n' }, text: '{"a\\"b":"c\\n"}' },
  ])('$name', ({ value, text }) => {
    expect(canonicalJson(value)).toBe(text)
  })

  it('gives the same text with and without a memo, and reuses the memo', () => {
    const memo = new WeakMap<object, string>()
    const inner = { y: [1, 2], x: 'a' }
    const value = { k: inner, j: inner }
    expect(canonicalJson(value, memo)).toBe(canonicalJson(value))
    expect(memo.get(inner)).toBe('{"x":"a","y":[1,2]}')
  })
})

describe('JSON Pointer tokens', () => {
  it.each([
    ['a/b', 'a~1b'],
    ['m~n', 'm~0n'],
    ['~/', '~0~1'],
    ['plain', 'plain'],
  ])('%s ↔ %s', (raw, escaped) => {
    expect(escapePointerToken(raw)).toBe(escaped)
    expect(unescapePointerToken(escaped)).toBe(raw)
  })

  it('builds and splits whole pointers', () => {
    expect(toPointer(['properties', 'a/b', 0])).toBe('/properties/a~1b/0')
    expect(toPointer([])).toBe('')
    expect(fromPointer('/properties/a~1b/0')).toEqual(['properties', 'a/b', '0'])
    expect(fromPointer('')).toEqual([])
    expect(fromPointer('no-slash')).toBeUndefined()
  })
})

describe('draftOf', () => {
  it.each<[unknown, string]>([
    [{ $schema: 'https://json-schema.org/draft/2020-12/schema' }, '2020-12'],
    [{ $schema: 'https://json-schema.org/draft/2019-09/schema' }, '2019-09'],
    [{ $schema: 'http://json-schema.org/draft-07/schema#' }, '07'],
    [{}, '07'],
    [true, '07'],
  ])('%j → %s', (schema, draft) => {
    expect(draftOf(schema)).toBe(draft)
  })
})
