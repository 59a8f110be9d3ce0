/** Verdict text: a closed set of kinds, each with a hint; the mode said once; one line per difference. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  checkCompatibility,
  checkTransitive,
  DIFFERENCE_KINDS,
  formatDifference,
  formatResult,
  HINTS,
  KINDS,
  MODE_MEANINGS,
  MODES,
} from '../../compat/index.ts'
import type { Difference, Schema } from '../../compat/index.ts'
import { cases } from './registries.cases.ts'
import { rows } from './rules.cases.ts'

const DOC = readFileSync(join(import.meta.dirname, '../../docs/compatibility.md'), 'utf8')

/** Every difference of every pair of the corpora, in both modes that report all of them. */
const reported: Difference[] = [
  ...rows.map((r) => [r.prev, r.next] as const),
  ...cases.map((c) => [c.prev, c.next] as const),
].flatMap(
  ([prev, next]) =>
    checkCompatibility(structuredClone(prev), structuredClone(next), { mode: 'FULL' }).differences,
)

describe('difference kinds', () => {
  it('are a closed set, each with a meaning and a hint from the closed set of hints', () => {
    expect(new Set(DIFFERENCE_KINDS).size).toBe(DIFFERENCE_KINDS.length)
    expect(Object.keys(KINDS).sort()).toEqual([...DIFFERENCE_KINDS].sort())
    for (const k of DIFFERENCE_KINDS) {
      expect(KINDS[k].meaning.length, k).toBeGreaterThan(10)
      expect(HINTS, k).toContain(KINDS[k].hint)
    }
  })
  it('cover every difference the corpora produce, whose hint is that of its kind', () => {
    expect(reported.length).toBeGreaterThan(300)
    for (const d of reported) {
      expect(DIFFERENCE_KINDS, d.kind).toContain(d.kind)
      expect(d.hint).toBe(KINDS[d.kind].hint)
    }
    // Most kinds are met in the corpora (the rest are rare shapes: e.g. a closed model's pattern schema).
    expect(new Set(reported.map((d) => d.kind)).size).toBeGreaterThan(DIFFERENCE_KINDS.length * 0.8)
  })
  it('are all listed in docs/compatibility.md with their meaning and hint', () => {
    for (const k of DIFFERENCE_KINDS)
      expect(DOC, k).toContain(`| \`${k}\` | ${KINDS[k].meaning} | ${KINDS[k].hint} |`)
    for (const h of HINTS) expect(DOC, h).toContain(`- ${h}`)
  })
})

describe('messages and lines', () => {
  it('messages do not repeat what the mode or direction means', () => {
    for (const d of reported) {
      expect(d.message).not.toMatch(/readers|BACKWARD|FORWARD/)
      expect(d.message).not.toContain('\n')
    }
  })
  it('every mode has its meaning', () => {
    for (const m of MODES) expect(MODE_MEANINGS[m].length, m).toBeGreaterThan(10)
    expect(MODE_MEANINGS.BACKWARD).toBe(
      'consumers on the new version must read everything written with the old one',
    )
  })
  it('formatDifference is one line with status, direction, path, message, kind and hint', () => {
    const r = checkCompatibility(
      { type: 'object', properties: { a: { type: 'string' } } },
      { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
    )
    const d = r.differences.find((x) => x.kind === 'property-became-required') as Difference
    expect(formatDifference(d)).toBe(
      'BREAKING  BACKWARD /required: property "a" became required: data without it is no longer accepted (property-became-required; hint: add it as optional)',
    )
  })
  it('formatDifference stays one line whatever the schema carries (line breaks in names)', () => {
    const name = 'a\nb\r\u2028c'
    const r = checkCompatibility({ type: 'object' }, { type: 'object', required: [name] })
    expect(r.differences.length).toBeGreaterThan(0)
    for (const d of r.differences) {
      const line = formatDifference(d)
      expect(line.split(/[\n\r\u2028\u2029]/)).toHaveLength(1)
      expect(line).toContain('a\\nb\\r\\u2028c')
    }
  })
  it('formatResult says the mode once, then one line per difference, breaking first', () => {
    const prev: Schema = {
      type: 'object',
      properties: { a: { type: 'integer' } },
      additionalProperties: false,
    }
    const next: Schema = {
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'string' } },
      required: ['b'],
      additionalProperties: false,
    }
    for (const mode of MODES) {
      const r = checkCompatibility(prev, next, { mode })
      const text = formatResult(r, mode, '  ')
      const lines = text.split('\n')
      expect(lines[0]).toBe(`${mode}: ${MODE_MEANINGS[mode]}`)
      expect(text.split(MODE_MEANINGS[mode]).length - 1).toBe(1)
      expect(lines).toHaveLength(r.differences.length + 1)
      const body = lines.slice(1)
      expect(body.every((l) => l.startsWith('  '))).toBe(true)
      const firstOk = body.findIndex((l) => !l.startsWith('  BREAKING'))
      if (firstOk >= 0) expect(body.slice(firstOk).some((l) => l.startsWith('  BREAKING'))).toBe(false)
      for (const d of r.differences) expect(text).toContain(`(${d.kind}; hint: ${d.hint})`)
    }
  })
  it('formatResult of an empty report says so, and transitive lines name the version', () => {
    expect(formatResult({ compatible: true, differences: [] }, 'FULL')).toBe(
      `FULL: ${MODE_MEANINGS.FULL}\nno differences`,
    )
    const r = checkTransitive(
      [{ type: 'integer' }, { type: 'number' }],
      { type: 'integer' },
      { mode: 'BACKWARD_TRANSITIVE' },
    )
    expect(formatResult(r, 'BACKWARD_TRANSITIVE')).toContain('/type [vs version 2]: ')
  })
})
