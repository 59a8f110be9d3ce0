/** Compatibility engine cost (CPU ms): wide objects (linear growth per doubling) and deeply nested anyOf/oneOf. */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { checkCompatibility } from '../../compat/index.ts'
import type { Schema } from '../../compat/index.ts'

// Collect garbage before each timed run, so that a run does not pay for the garbage of the run before it.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const wide = (n: number, extra = false): Schema => {
  const properties: Record<string, Schema> = {}
  for (let i = 0; i < n; i++)
    properties[`field${i}`] =
      i % 3 === 0
        ? { type: 'string', maxLength: 100 }
        : i % 3 === 1
          ? { type: 'integer', minimum: 0 }
          : { enum: ['a', 'b', 'c'] }
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
              {
                type: 'object',
                properties: { level: { const: depth }, child: nested(depth - 1, leaf) },
                required: ['level'],
              },
              { type: 'array', items: nested(depth - 1, leaf) },
            ],
          },
        ],
      }

/**
 * Exponential tree shapes: each level's two copies of the next sit directly in combinator branches, so that the
 * checked side's branch conjunctions and the other side's branch search multiply level by level.
 */
const oneOfTree = (depth: number, leaf: Schema): Schema =>
  depth === 0
    ? leaf
    : {
        oneOf: ['a', 'b'].map((k) => ({
          allOf: [
            { type: 'object', properties: { k: { const: `${k}${depth}` } }, required: ['k'] },
            { properties: { v: oneOfTree(depth - 1, leaf) } },
          ],
        })),
      }
const anyOfTree = (depth: number, leaf: Schema): Schema =>
  depth === 0
    ? leaf
    : {
        anyOf: [
          { type: 'string', maxLength: depth * 10 },
          anyOfTree(depth - 1, leaf),
          { type: 'array', items: anyOfTree(depth - 1, leaf) },
        ],
      }

/**
 * Median of `runs` timings, in ms, each on fresh copies so that no cache survives between runs. The process's CPU
 * time (user + system), not wall time: on a shared machine wall time mostly measures the other processes.
 */
function time(prev: Schema, next: Schema, runs = 15): number {
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const [a, b] = [structuredClone(prev), structuredClone(next)]
    gc()
    const t = process.cpuUsage()
    checkCompatibility(a, b, { mode: 'FULL' })
    const d = process.cpuUsage(t)
    ms.push((d.user + d.system) / 1e3)
  }
  return ms.sort((x, y) => x - y)[Math.floor(runs / 2)] ?? NaN
}

time(wide(200), wide(200, true), 5) // warm-up
let last: number | undefined
for (const n of [1000, 2000, 4000]) {
  const ms = time(wide(n), wide(n, true))
  console.log(
    `${String(n).padStart(5)} properties + 1 added (FULL): ${ms.toFixed(2)} ms${last ? `  ×${(ms / last).toFixed(2)} for 2× size` : ''}`,
  )
  last = ms
}
const leaves: [Schema, Schema] = [{ type: 'integer' }, { type: ['integer', 'null'] }]
console.log(
  `depth-8 nested anyOf/oneOf behind properties/items, leaf widened (FULL): ${time(nested(8, leaves[0]), nested(8, leaves[1]), 5).toFixed(2)} ms`,
)
console.log(
  `depth-8 oneOf tree, two discriminated copies per level, leaf widened (FULL): ${time(oneOfTree(8, leaves[0]), oneOfTree(8, leaves[1]), 5).toFixed(2)} ms`,
)
console.log(
  `depth-8 anyOf tree, a copy inline and a copy in items per level, leaf widened (FULL): ${time(anyOfTree(8, leaves[0]), anyOfTree(8, leaves[1]), 5).toFixed(2)} ms`,
)
