/** Compatibility engine cost: wide objects (linear growth per doubling) and deeply nested anyOf/oneOf. */
import { checkCompatibility } from '../../registry/compat/index.ts'
import type { Schema } from '../../registry/compat/index.ts'

const wide = (n: number, extra = false): Schema => {
  const properties: Record<string, Schema> = {}
  for (let i = 0; i < n; i++) properties[`field${i}`] = i % 3 === 0 ? { type: 'string', maxLength: 100 } : i % 3 === 1 ? { type: 'integer', minimum: 0 } : { enum: ['a', 'b', 'c'] }
  if (extra) properties['added'] = { type: 'string' }
  return { type: 'object', properties, required: ['field0'], additionalProperties: false }
}

/** Each level: anyOf [string bound, oneOf [discriminated object holding the next level, array of it]]. */
const nested = (depth: number, leaf: Schema): Schema =>
  depth === 0
    ? leaf
    : {
        anyOf: [
          { type: 'string', maxLength: depth * 10 },
          {
            oneOf: [
              { type: 'object', properties: { level: { const: depth }, child: nested(depth - 1, leaf) }, required: ['level'] },
              { type: 'array', items: nested(depth - 1, leaf) },
            ],
          },
        ],
      }

/** Median of `runs` timings, in ms, each on fresh copies so that no cache survives between runs. */
function time(prev: Schema, next: Schema, runs = 15): number {
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const [a, b] = [structuredClone(prev), structuredClone(next)]
    const t = process.hrtime.bigint()
    checkCompatibility(a, b, { mode: 'FULL' })
    ms.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return ms.sort((x, y) => x - y)[Math.floor(runs / 2)] ?? NaN
}

time(wide(200), wide(200, true), 5) // warm-up
let last: number | undefined
for (const n of [1000, 2000, 4000]) {
  const ms = time(wide(n), wide(n, true))
  console.log(`${String(n).padStart(5)} properties + 1 added (FULL): ${ms.toFixed(2)} ms${last ? `  ×${(ms / last).toFixed(2)} for 2× size` : ''}`)
  last = ms
}
const d8 = time(nested(8, { type: 'integer' }), nested(8, { type: ['integer', 'null'] }), 5)
console.log(`depth-8 nested anyOf/oneOf, leaf widened (FULL): ${d8.toFixed(2)} ms`)
