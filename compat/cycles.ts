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
import { isObj, locate, resolveRef } from './resolve.ts'

export interface Cycle {
  /** Pointer to the keyword that closes the cycle (e.g. `/$defs/b/$ref`). */
  readonly path: string
  /** The nodes on the cycle, as pointers, the first repeated at the end. */
  readonly chain: readonly string[]
}

const REFS = ['$ref', '$dynamicRef', '$recursiveRef'] as const
/** Applicators to the same instance, besides references. */
const IN_PLACE_LISTS = ['allOf', 'anyOf', 'oneOf'] as const
const IN_PLACE_MAPS = ['dependentSchemas', 'dependencies'] as const
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
const CONSUMING_LISTS = ['items', 'prefixItems'] as const

/**
 * Calls `edge` for each applicator of `n` under its document's draft; `same` when it applies to the same instance.
 * A reference that does not resolve is passed as `undefined`.
 */
function forEachEdge(
  n: Obj,
  doc: Doc,
  edge: (target: unknown, keyword: string, same: boolean) => void,
): void {
  const d = doc.draft
  for (const kw of REFS) {
    if (!(kw in n) || !isAssertion(kw, d)) continue
    const r = resolveRef(n, kw, doc)
    edge(r.ok ? r.node : undefined, `/${kw}`, true)
  }
  if (d === '07' && '$ref' in n) return // draft-07 ignores the siblings of $ref
  for (const kw of IN_PLACE_LISTS) {
    const v = n[kw]
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) edge(v[i], `/${kw}/${i}`, true)
  }
  if ('not' in n) edge(n['not'], '/not', true)
  if ('if' in n) {
    edge(n['if'], '/if', true)
    if ('then' in n) edge(n['then'], '/then', true)
    if ('else' in n) edge(n['else'], '/else', true)
  }
  for (const kw of IN_PLACE_MAPS) {
    const v = n[kw]
    if (!isObj(v) || !isAssertion(kw, d)) continue
    for (const name in v)
      if (!Array.isArray(v[name])) edge(v[name], `/${kw}/${escapePointerToken(name)}`, true)
  }
  for (const kw of CONSUMING_ONE) if (kw in n && isAssertion(kw, d)) edge(n[kw], `/${kw}`, false)
  for (const kw of CONSUMING_MAPS) {
    const v = n[kw]
    if (isObj(v)) for (const name in v) edge(v[name], `/${kw}/${escapePointerToken(name)}`, false)
  }
  for (const kw of CONSUMING_LISTS) {
    const v = n[kw]
    if (v === undefined || !isAssertion(kw, d)) continue
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) edge(v[i], `/${kw}/${i}`, false)
    else edge(v, `/${kw}`, false)
  }
}

/**
 * The first cycle of same-instance applicators reachable from the root (through any applicator), or undefined.
 * (scanReferences below does the work.)
 * Linear in the reachable nodes: each is explored once, with the usual on-stack/done colouring restricted to
 * same-instance edges; nodes reached through a consuming edge are explored afterwards as fresh starts. Without
 * any reference there is nothing to do: a JSON document is a tree.
 */
export function inPlaceCycle(doc: Doc): Cycle | undefined {
  return scanReferences(doc).cycle
}

export interface ReferenceScan {
  readonly cycle: Cycle | undefined
  /** Some reachable reference does not resolve within the document (remote, dangling, ambiguous). */
  readonly unresolved: boolean
}

const NOTHING: ReferenceScan = { cycle: undefined, unresolved: false }

/** One pass over what the root reaches: the first same-instance cycle, and whether every reference resolves. */
export function scanReferences(doc: Doc): ReferenceScan {
  if (!doc.hasRefs || !isObj(doc.root)) return NOTHING
  let unresolved = false
  const state = new Map<Obj, 'active' | 'done'>()
  /** The same-instance chain being explored, each node with the keyword that led to it. */
  const stack: { node: Obj; keyword: string }[] = []
  const pending: Obj[] = [doc.root]
  let closing: { target: Obj; keyword: string } | undefined
  const visit = (n: Obj, keyword: string): boolean => {
    state.set(n, 'active')
    stack.push({ node: n, keyword })
    let found = false
    forEachEdge(n, doc, (t, kw, same) => {
      if (t === undefined) unresolved = true
      if (found || !isObj(t)) return
      const s = state.get(t)
      if (!same) {
        if (s === undefined) pending.push(t)
      } else if (s === 'active') {
        closing = { target: t, keyword: kw }
        found = true
      } else if (s === undefined) found = visit(t, kw)
    })
    if (found) return true
    stack.pop()
    state.set(n, 'done')
    return false
  }
  for (let n = pending.pop(); n; n = pending.pop()) {
    if (!state.has(n) && visit(n, ''))
      return { cycle: describe(doc, stack, closing as { target: Obj; keyword: string }), unresolved }
  }
  return { cycle: undefined, unresolved }
}

/** Pointers for the nodes of a cycle: where each sits in the document, else its predecessor's plus the keyword. */
function describe(
  doc: Doc,
  stack: readonly { node: Obj; keyword: string }[],
  closing: { target: Obj; keyword: string },
): Cycle {
  const from = stack.findIndex((e) => e.node === closing.target)
  const onCycle = stack.slice(Math.max(0, from))
  const where = locate(doc.root, new Set(stack.map((e) => e.node)))
  const paths: string[] = []
  stack.forEach((e, i) => {
    paths.push(where.get(e.node) ?? (i === 0 ? '(unlocated)' : `${paths[i - 1]}${e.keyword}`))
  })
  const chain = paths.slice(Math.max(0, from))
  return {
    path: `${paths[paths.length - 1]}${closing.keyword}`,
    chain: onCycle.length > 0 ? [...chain, chain[0] as string] : chain,
  }
}
