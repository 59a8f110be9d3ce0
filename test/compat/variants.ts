/**
 * Rewritings of a schema that keep its meaning, for reflexivity tests. Each returns a fresh copy; only schema
 * positions are touched (never `enum`/`const`/`default` values, nor the `properties` map itself).
 */
import type { Schema } from '../../compat/index.ts'

type Obj = { [keyword: string]: unknown }
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

const ONE = [
  'not',
  'if',
  'then',
  'else',
  'items',
  'additionalItems',
  'contains',
  'additionalProperties',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
  'contentSchema',
]
const LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items']
const MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'dependencies']

/** Copies `s`, rebuilding every subschema bottom-up through `f` (which gets a fresh copy it may change). */
function mapSchemas(s: unknown, f: (node: Obj) => Obj): unknown {
  if (!isObj(s)) return structuredClone(s)
  const copy: Obj = { ...s }
  for (const k of ONE) if (k in copy && !Array.isArray(copy[k])) copy[k] = mapSchemas(copy[k], f)
  for (const k of LISTS) {
    const v = copy[k]
    if (Array.isArray(v)) copy[k] = v.map((x) => mapSchemas(x, f))
  }
  for (const k of MAPS) {
    const v = copy[k]
    if (isObj(v))
      copy[k] = Object.fromEntries(
        Object.entries(v).map(([name, x]) => [name, Array.isArray(x) ? [...x] : mapSchemas(x, f)]),
      )
  }
  for (const k of Object.keys(copy))
    if (![...ONE, ...LISTS, ...MAPS].includes(k)) copy[k] = structuredClone(copy[k])
  return f(copy)
}

/** A `$comment` on every subschema: no two nodes have the same text any more, so no textual shortcut applies. */
export const annotated = (s: Schema): Schema =>
  mapSchemas(s, (n) => ({ ...n, $comment: 'an annotated copy' })) as Schema

/** True when some `$ref`-like keyword points into an anyOf/oneOf list (reordering would move its target). */
const refersIntoBranches = (s: Schema) =>
  /"\$(ref|dynamicRef)":"[^"]*\/(anyOf|oneOf)\//.test(JSON.stringify(s))

/** anyOf and oneOf branches reversed; undefined when a reference points into such a list. */
export function reordered(s: Schema): Schema | undefined {
  if (refersIntoBranches(s)) return undefined
  return mapSchemas(s, (n) => {
    for (const k of ['anyOf', 'oneOf']) if (Array.isArray(n[k])) n[k] = [...(n[k] as unknown[])].reverse()
    return n
  }) as Schema
}

/**
 * Every anyOf/oneOf branch moved into the root's `$defs` and reached through `$ref`. Undefined for a schema whose
 * references or `$id`s would resolve differently once moved (any of them present), or a boolean root.
 */
export function referencedBranches(s: Schema): Schema | undefined {
  if (
    typeof s === 'boolean' ||
    /"\$(ref|dynamicRef|recursiveRef|id|anchor|dynamicAnchor)"|"id"/.test(JSON.stringify(s))
  )
    return undefined
  const defs: Record<string, unknown> = {}
  const root = mapSchemas(s, (n) => {
    for (const k of ['anyOf', 'oneOf'])
      if (Array.isArray(n[k]))
        n[k] = (n[k] as unknown[]).map((b) => {
          const name = `branch${Object.keys(defs).length}`
          defs[name] = b
          return { $ref: `#/$defs/${name}` }
        })
    return n
  }) as Obj
  if (Object.keys(defs).length === 0) return undefined
  // draft-07 ignores the siblings of a $ref, so the root must not carry one (it does not: none was present).
  return { ...root, $defs: { ...(isObj(root['$defs']) ? root['$defs'] : {}), ...defs } }
}
