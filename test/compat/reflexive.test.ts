/**
 * A schema compared with itself is compatible under every mode and policy: the same text, an annotated copy (so
 * that no textual shortcut applies and the relation itself is exercised), its anyOf/oneOf branches reordered, and
 * its branches reached through $ref. Over every schema of the test corpora and of schemas/resources.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkCompatibility, MODES, POLICIES } from '../../compat/index.ts'
import type { Schema } from '../../compat/index.ts'
import { cases } from './registries.cases.ts'
import { rows } from './rules.cases.ts'
import { annotated, referencedBranches, reordered } from './variants.ts'

const RESOURCES = join(import.meta.dirname, '../../schemas/resources')
const resourceFiles = readdirSync(RESOURCES).flatMap((name) =>
  readdirSync(join(RESOURCES, name))
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({
      name: `schemas/resources/${name}/${f}`,
      schema: JSON.parse(readFileSync(join(RESOURCES, name, f), 'utf8')) as Schema,
    })),
)

/** Every schema once (by text), named by where it comes from. */
const corpus = new Map<string, { name: string; schema: Schema }>()
const add = (name: string, schema: Schema) => {
  const key = JSON.stringify(schema)
  if (!corpus.has(key)) corpus.set(key, { name, schema })
}
for (const r of rows) {
  add(`rules: ${r.name} (previous)`, r.prev)
  add(`rules: ${r.name} (next)`, r.next)
}
for (const c of cases) {
  add(`${c.source}: ${c.name} (previous)`, c.prev)
  add(`${c.source}: ${c.name} (next)`, c.next)
}
for (const f of resourceFiles) add(f.name, f.schema)

/**
 * Schemas the engine cannot judge at all, not even against themselves (fail closed): a remote or dangling
 * reference, one with a bad %-escape, or a reference cycle that consumes no input. Nothing else may be refused.
 */
const unjudgeable = (s: Schema) =>
  checkCompatibility(s, s, { mode: 'FULL' }).differences.some((d) => d.kind === 'unjudgeable')

const variants = (s: Schema): [string, Schema][] => {
  const out: [string, Schema][] = [
    ['the same text', structuredClone(s)],
    ['an annotated copy', annotated(s)],
  ]
  const r = reordered(s)
  if (r && JSON.stringify(r) !== JSON.stringify(s)) out.push(['branches reordered', annotated(r)])
  const b = referencedBranches(s)
  if (b) out.push(['branches behind $ref', b])
  const rb = r && referencedBranches(r)
  if (rb) out.push(['branches reordered and behind $ref', rb])
  return out
}

describe('a schema is compatible with itself', () => {
  const all = [...corpus.values()]
  const judged = all.filter((c) => !unjudgeable(c.schema))

  it('over the whole corpus, but for the few the engine cannot judge', () => {
    expect(all.length).toBeGreaterThan(400)
    expect(resourceFiles.length).toBeGreaterThanOrEqual(6)
    const refused = all.filter((c) => unjudgeable(c.schema)).map((c) => c.name)
    // Remote or dangling $ref, a bad %-escape, and the $ref cycles of rules.cases.ts.
    expect(
      refused.every((n) => /\$ref|\$recursiveRef|root \$ref|cycle/.test(n)),
      refused.join('\n'),
    ).toBe(true)
    expect(refused.length).toBeLessThan(20)
    console.log(
      `reflexivity: ${all.length} distinct schemas, ${refused.length} unjudgeable:\n  ${refused.join('\n  ')}`,
    )
  })

  it.each(judged)('$name', ({ schema }) => {
    for (const [how, copy] of variants(schema))
      for (const mode of MODES)
        for (const policy of POLICIES) {
          const r = checkCompatibility(schema, copy, { mode, policy })
          const why = r.differences.map((d) => `${d.path} ${d.kind}: ${d.message}`).join('\n')
          expect(r.compatible, `${how}, ${mode}, ${policy}:\n${why}`).toBe(true)
        }
  })
})

const D20 = 'https://json-schema.org/draft/2020-12/schema'
const O = (k: string, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties: { [k]: { type: 'string' } },
  required: [k],
  ...extra,
})

describe('oneOf and anyOf compared with themselves', () => {
  it.each<{ name: string; prev: Schema; next: Schema }>([
    {
      name: 'oneOf of overlapping branches reached through $ref',
      prev: { $defs: { a: O('x'), b: O('y') }, oneOf: [{ $ref: '#/$defs/a' }, { $ref: '#/$defs/b' }] },
      next: { $defs: { a: O('x'), b: O('y') }, oneOf: [{ $ref: '#/$defs/a' }, { $ref: '#/$defs/b' }] },
    },
    {
      name: 'oneOf through $ref, 2020-12, inside a property',
      prev: {
        $schema: D20,
        $defs: { a: O('x'), b: O('y') },
        type: 'object',
        properties: { v: { oneOf: [{ $ref: '#/$defs/a' }, { $ref: '#/$defs/b' }] } },
      },
      next: {
        $schema: D20,
        $defs: { a: O('x'), b: O('y') },
        type: 'object',
        properties: { v: { oneOf: [{ $ref: '#/$defs/a' }, { $ref: '#/$defs/b' }] } },
      },
    },
    {
      name: 'oneOf of overlapping branches reordered',
      prev: { oneOf: [{ type: 'string' }, { maxLength: 3 }] },
      next: { oneOf: [{ maxLength: 3 }, { type: 'string' }] },
    },
    {
      name: 'oneOf through $ref reordered',
      prev: { $defs: { a: O('x'), b: O('y') }, oneOf: [{ $ref: '#/$defs/a' }, { $ref: '#/$defs/b' }] },
      next: { $defs: { a: O('x'), b: O('y') }, oneOf: [{ $ref: '#/$defs/b' }, { $ref: '#/$defs/a' }] },
    },
    {
      name: 'oneOf of three overlapping branches rotated',
      prev: { oneOf: [{ type: 'string' }, { maxLength: 3 }, { enum: ['a', 1] }] },
      next: { oneOf: [{ enum: ['a', 1] }, { type: 'string' }, { maxLength: 3 }] },
    },
    {
      name: 'anyOf through $ref reordered',
      prev: { $defs: { a: O('x'), b: O('y') }, anyOf: [{ $ref: '#/$defs/a' }, { $ref: '#/$defs/b' }] },
      next: { $defs: { a: O('x'), b: O('y') }, anyOf: [{ $ref: '#/$defs/b' }, { $ref: '#/$defs/a' }] },
    },
    {
      name: 'nested oneOf in anyOf, reordered at both levels',
      prev: { anyOf: [{ oneOf: [{ type: 'string' }, { maxLength: 3 }] }, { type: 'null' }] },
      next: { anyOf: [{ type: 'null' }, { oneOf: [{ maxLength: 3 }, { type: 'string' }] }] },
    },
  ])('$name', ({ prev, next }) => {
    for (const mode of MODES) expect(checkCompatibility(prev, next, { mode }).compatible, mode).toBe(true)
  })

  it('a oneOf whose branches overlap still refuses a genuinely new branch', () => {
    const prev: Schema = { oneOf: [{ type: 'number' }, { type: 'integer', maximum: 5 }] }
    const next: Schema = { oneOf: [{ type: 'integer', maximum: 5 }, { type: 'number' }, { type: 'string' }] }
    expect(checkCompatibility(prev, next, { mode: 'BACKWARD' }).compatible).toBe(true)
    expect(checkCompatibility(prev, next, { mode: 'FORWARD' }).compatible).toBe(false)
  })
})
