/**
 * Recursive schemas with many paths to the same pair: the engine used to re-check a pair below a recursion point
 * once per path to it (exponential: 10 properties took 45 s), and to repeat a pair's differences at every path
 * (2^n differences, then a stack overflow near 50 properties).
 */
import { describe, expect, it } from 'vitest'
import { checkCompatibility, MODES } from '../../compat/index.ts'
import type { Schema } from '../../compat/index.ts'

type Obj = Record<string, unknown>

/** `n` properties, each a $ref to one of 5 definitions, each of which refers back to the root. */
const web = (n: number, change: (defs: Record<string, Obj>) => void = () => {}): Schema => {
  const properties: Obj = {}
  for (let i = 0; i < n; i++) properties[`field${i}`] = { $ref: `#/$defs/d${i % 5}` }
  const defs: Record<string, Obj> = {}
  for (let i = 0; i < 5; i++) defs[`d${i}`] = { type: 'object', properties: { x: { $ref: '#' } } }
  change(defs)
  return { type: 'object', properties, $defs: defs }
}

describe('recursive schemas with many paths', () => {
  it('compare with an annotated copy of themselves in linear time', () => {
    const prev = web(300)
    const next = { ...(web(300) as Obj), title: 'same' }
    const t = process.cpuUsage()
    for (const mode of MODES) expect(checkCompatibility(prev, next, { mode }).compatible, mode).toBe(true)
    const used = process.cpuUsage(t)
    const ms = (used.user + used.system) / 1e3
    expect(ms).toBeLessThan(20_000)
  })

  it('report a change once per place it is first met, and keep the verdict under both policies', () => {
    const n = 100
    const prev = web(n)
    const next = web(n, (d) => {
      const d0 = d['d0'] as Obj
      d0['required'] = ['x']
    })
    const strict = checkCompatibility(prev, next, { mode: 'BACKWARD' })
    expect(strict.compatible).toBe(false)
    expect(strict.differences.some((d) => d.kind === 'property-became-required')).toBe(true)
    expect(strict.differences.length).toBeLessThan(20 * n)
    expect(checkCompatibility(prev, next, { mode: 'BACKWARD', policy: 'lenient' }).compatible).toBe(false)
    expect(checkCompatibility(prev, next, { mode: 'FORWARD' }).compatible).toBe(true)
  })

  it('tolerated differences met again stay tolerated, and strict ones stay breaking', () => {
    const n = 100
    const prev = web(n)
    const lenientOnly = web(n, (d) => {
      ;((d['d0'] as Obj)['properties'] as Obj)['y'] = { type: 'string' } // optional, open model
    })
    expect(checkCompatibility(prev, lenientOnly, { mode: 'BACKWARD' }).compatible).toBe(false)
    expect(checkCompatibility(prev, lenientOnly, { mode: 'BACKWARD', policy: 'lenient' }).compatible).toBe(
      true,
    )
    const both = web(n, (d) => {
      ;((d['d0'] as Obj)['properties'] as Obj)['y'] = { type: 'string' }
      ;(d['d1'] as Obj)['required'] = ['x']
    })
    expect(checkCompatibility(prev, both, { mode: 'BACKWARD', policy: 'lenient' }).compatible).toBe(false)
  })
})
