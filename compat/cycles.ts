/**
 * Reference cycles that consume no input. Following `$ref` (or allOf, anyOf, oneOf, not, if/then/else,
 * dependentSchemas, schema-valued dependencies) applies another schema to the *same* instance; when such a
 * chain reaches a node already on it, a validator recurses for ever and the schema means nothing, so no verdict
 * about it is sound. A chain that passes through a keyword descending into the instance (properties, items, …)
 * is ordinary recursion: each step consumes part of a finite instance, so it ends.
 */
import { escapePointerToken } from '../core/json.ts'
import { isAssertion } from './keywords.ts'
import type { Doc, Obj } from './resolve.ts'
import { isObj, locationOf, resolveRef } from './resolve.ts'

export interface Cycle {
  /** Pointer to the keyword that closes the cycle (e.g. `/$defs/b/$ref`). */
  readonly path: string
  /** The nodes on the cycle, as pointers, the first repeated at the end. */
  readonly chain: readonly string[]
}

const REFS = ['$ref', '$dynamicRef', '$recursiveRef'] as const
/** Applicators to the same instance, besides references. */
const IN_PLACE_LISTS = ['allOf', 'anyOf', 'oneOf'] as const
const IN_PLACE_ONE = ['not', 'if'] as const
/** Applicators to a part of the instance (a property value, an item, a property name). */
const CONSUMING_ONE = [
  'additionalProperties',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'additionalItems',
  'contains',
] as const
const CONSUMING_MAPS = ['properties', 'patternProperties'] as const

type Edge = readonly [target: unknown, keyword: string]

/** The applicators of `n` under its document's draft: those applied to the same instance, and the others. */
function edges(n: Obj, doc: Doc): { inPlace: Edge[]; consuming: Edge[] } {
  const d = doc.draft
  const inPlace: Edge[] = []
  const consuming: Edge[] = []
  for (const kw of REFS) {
    if (!(kw in n) || !isAssertion(kw, d)) continue
    const r = resolveRef(n, kw, doc)
    if (r.ok) inPlace.push([r.node, `/${kw}`])
  }
  if (d === '07' && '$ref' in n) return { inPlace, consuming } // draft-07 ignores the siblings of $ref
  for (const kw of IN_PLACE_LISTS) {
    const v = n[kw]
    if (Array.isArray(v)) v.forEach((s, i) => inPlace.push([s, `/${kw}/${i}`]))
  }
  for (const kw of IN_PLACE_ONE) if (kw in n) inPlace.push([n[kw], `/${kw}`])
  if ('if' in n) for (const kw of ['then', 'else']) if (kw in n) inPlace.push([n[kw], `/${kw}`])
  for (const kw of ['dependentSchemas', 'dependencies']) {
    const v = n[kw]
    if (!isObj(v) || !isAssertion(kw, d)) continue
    for (const [name, s] of Object.entries(v))
      if (!Array.isArray(s)) inPlace.push([s, `/${kw}/${escapePointerToken(name)}`])
  }
  for (const kw of CONSUMING_ONE) if (kw in n && isAssertion(kw, d)) consuming.push([n[kw], `/${kw}`])
  for (const kw of CONSUMING_MAPS) {
    const v = n[kw]
    if (isObj(v))
      for (const [name, s] of Object.entries(v)) consuming.push([s, `/${kw}/${escapePointerToken(name)}`])
  }
  for (const kw of ['items', 'prefixItems']) {
    const v = n[kw]
    if (!isAssertion(kw, d)) continue
    if (Array.isArray(v)) v.forEach((s, i) => consuming.push([s, `/${kw}/${i}`]))
    else if (v !== undefined) consuming.push([v, `/${kw}`])
  }
  return { inPlace, consuming }
}

/**
 * The first cycle of same-instance applicators reachable from the root (through any applicator), or undefined.
 * Linear in the reachable nodes: each is explored once, with the usual on-stack/done colouring restricted to
 * same-instance edges; nodes reached through a consuming edge are explored afterwards as fresh starts.
 */
export function inPlaceCycle(doc: Doc): Cycle | undefined {
  const state = new Map<Obj, 'active' | 'done'>()
  const stack: { node: Obj; at: string }[] = []
  const pending: [Obj, string][] = []
  const where = (n: Obj, fallback: string) => locationOf(n) ?? fallback
  const visit = (n: Obj, at: string): Cycle | undefined => {
    state.set(n, 'active')
    stack.push({ node: n, at })
    const { inPlace, consuming } = edges(n, doc)
    for (const [t, kw] of consuming) if (isObj(t) && !state.has(t)) pending.push([t, `${at}${kw}`])
    for (const [t, kw] of inPlace) {
      if (!isObj(t)) continue
      const s = state.get(t)
      if (s === 'active') {
        const from = stack.findIndex((e) => e.node === t)
        const chain = stack.slice(from).map((e) => where(e.node, e.at))
        return { path: `${where(n, at)}${kw}`, chain: [...chain, chain[0] as string] }
      }
      if (s === undefined) {
        const found = visit(t, `${at}${kw}`)
        if (found) return found
      }
    }
    stack.pop()
    state.set(n, 'done')
    return undefined
  }
  if (isObj(doc.root)) pending.push([doc.root, ''])
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [n, at] = next
    if (state.has(n)) continue
    const found = visit(n, at)
    if (found) return found
  }
  return undefined
}
