import { draftOf, escapePointerToken, unescapePointerToken, type Draft } from '../core/json.ts'
/** Documents: draft detection, $id/$anchor indexing and local $ref resolution. Remote references are never fetched. */

export type { Draft }
export type Obj = { readonly [keyword: string]: unknown }
export type Node = boolean | Obj

export interface Doc {
  readonly root: Node
  readonly draft: Draft
  /** Absolute URI (without fragment) → resource node. */
  readonly resources: Map<string, Obj>
  /** `uri#name` → node, for $anchor (and draft-07 `$id: "#name"`). */
  readonly anchors: Map<string, Obj>
  /** `name` → nodes with that $dynamicAnchor. */
  readonly dynamicAnchors: Map<string, Obj[]>
  /** Some node has `$ref`, `$dynamicRef` or `$recursiveRef` (without one, no reference cycle is possible). */
  readonly hasRefs: boolean
}

const docOf = new WeakMap<object, Doc>()
const baseOf = new WeakMap<object, string>()

const DEFAULT_BASE = 'https://compat.invalid/schema.json'

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The draft a document's `$schema` names (core's one detector). */
export const detectDraft = draftOf

const SCHEMA_KEYWORDS = [
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
const ARRAY_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items']
const MAP_KEYWORDS = [
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
  'dependentSchemas',
  'dependencies',
]

/** Indexes a schema document so that its nodes know their draft, base URI and reference targets. */
export function indexDoc(root: Node): Doc {
  const doc: { -readonly [K in keyof Doc]: Doc[K] } = {
    root,
    draft: detectDraft(root),
    resources: new Map(),
    anchors: new Map(),
    dynamicAnchors: new Map(),
    hasRefs: false,
  }
  const walk = (node: unknown, base: string): void => {
    if (!isObj(node)) return
    if (docOf.has(node) && docOf.get(node) === doc) return
    docOf.set(node, doc)
    if ('$ref' in node || '$dynamicRef' in node || '$recursiveRef' in node) doc.hasRefs = true
    const id = node['$id']
    if (typeof id === 'string') {
      const abs = safeUrl(id, base)
      if (abs) {
        if (abs.hash && abs.hash !== '#') doc.anchors.set(`${noHash(abs)}#${abs.hash.slice(1)}`, node)
        else {
          base = noHash(abs)
          doc.resources.set(base, node)
        }
      }
    }
    baseOf.set(node, base)
    if (typeof node['$anchor'] === 'string') doc.anchors.set(`${base}#${node['$anchor']}`, node)
    const dyn = node['$dynamicAnchor']
    if (typeof dyn === 'string') {
      doc.anchors.set(`${base}#${dyn}`, node)
      doc.dynamicAnchors.set(dyn, [...(doc.dynamicAnchors.get(dyn) ?? []), node])
    }
    for (const k of SCHEMA_KEYWORDS) walk(node[k], base)
    for (const k of ARRAY_KEYWORDS) {
      const v = node[k]
      if (Array.isArray(v)) for (const s of v) walk(s, base)
    }
    for (const k of MAP_KEYWORDS) {
      const v = node[k]
      if (isObj(v)) for (const s of Object.values(v)) walk(s, base)
    }
  }
  if (isObj(root)) {
    const rootBase =
      typeof root['$id'] === 'string'
        ? (safeUrl(root['$id'], DEFAULT_BASE) ?? new URL(DEFAULT_BASE))
        : new URL(DEFAULT_BASE)
    doc.resources.set(noHash(rootBase), root)
    walk(root, noHash(rootBase))
  }
  return doc
}

/**
 * Where each of `wanted` sits in the document, as a JSON Pointer from the root (the first place met, walking as
 * indexDoc does). Nodes found nowhere (reached only through a pointer into an unusual place) are left out.
 */
export function locate(root: Node, wanted: ReadonlySet<Obj>): Map<Obj, string> {
  const found = new Map<Obj, string>()
  const seen = new Set<Obj>()
  const walk = (node: unknown, at: string): void => {
    if (!isObj(node) || seen.has(node) || found.size === wanted.size) return
    seen.add(node)
    if (wanted.has(node)) found.set(node, at)
    for (const k of SCHEMA_KEYWORDS) walk(node[k], `${at}/${k}`)
    for (const k of ARRAY_KEYWORDS) {
      const v = node[k]
      if (Array.isArray(v)) v.forEach((s, i) => walk(s, `${at}/${k}/${i}`))
    }
    for (const k of MAP_KEYWORDS) {
      const v = node[k]
      if (isObj(v))
        for (const [name, s] of Object.entries(v)) walk(s, `${at}/${k}/${escapePointerToken(name)}`)
    }
  }
  walk(root, '')
  return found
}

/** Registers a node made by the engine (a conjunction, a type filter) as belonging to `doc`. */
export function adopt<T extends Obj>(node: T, doc: Doc, base?: string): T {
  docOf.set(node, doc)
  if (base !== undefined) baseOf.set(node, base)
  return node
}

export function docFor(node: Node, fallback: Doc): Doc {
  return isObj(node) ? (docOf.get(node) ?? fallback) : fallback
}

export type Resolved = { ok: true; node: Node } | { ok: false; reason: string }

type RefKeyword = '$ref' | '$dynamicRef' | '$recursiveRef'
/** Per document: `keyword base ref` → its resolution. References repeat (every use of a definition). */
const resolutions = new WeakMap<Doc, Map<string, Resolved>>()

/** Resolves `$ref`, `$dynamicRef` or `$recursiveRef` of `node` within its own document (memoised). */
export function resolveRef(node: Obj, keyword: RefKeyword, doc: Doc): Resolved {
  const ref = node[keyword]
  if (typeof ref !== 'string') return { ok: false, reason: `${keyword} is not a string` }
  const base = baseOf.get(node) ?? DEFAULT_BASE
  let memo = resolutions.get(doc)
  if (!memo) resolutions.set(doc, (memo = new Map()))
  const key = `${keyword} ${base} ${ref}`
  let result = memo.get(key)
  if (result === undefined) {
    try {
      result = resolveOnce(ref, keyword, doc, base)
    } catch {
      result = { ok: false, reason: `cannot resolve ${keyword} "${ref}"` } // e.g. a bad %-escape
    }
    memo.set(key, result)
  }
  return result
}

/**
 * A fragment-only reference (`#…`) resolves against the node's own base, so the URL parser is skipped for it,
 * except where the parser would alter the text: it drops tabs and newlines, and trailing spaces and controls.
 */
const plainFragment = (ref: string) =>
  ref.startsWith('#') && !/[\t\n\r]/.test(ref) && (ref.length === 1 || ref.charCodeAt(ref.length - 1) > 0x20)

function resolveOnce(ref: string, keyword: RefKeyword, doc: Doc, base: string): Resolved {
  if (keyword === '$recursiveRef') {
    return ref === '#'
      ? { ok: true, node: doc.root }
      : { ok: false, reason: `$recursiveRef "${ref}" is not "#"` }
  }
  if (keyword === '$dynamicRef' && ref.startsWith('#') && !ref.startsWith('#/')) {
    const dyn = doc.dynamicAnchors.get(ref.slice(1)) ?? []
    if (dyn.length === 1 && dyn[0]) return { ok: true, node: dyn[0] }
    if (dyn.length > 1) return { ok: false, reason: `$dynamicRef "${ref}" has several dynamic anchors` }
  }
  let uri: string
  let hash: string
  if (plainFragment(ref)) {
    uri = base
    hash = ref
  } else {
    const abs = safeUrl(ref, base)
    if (!abs) return { ok: false, reason: `cannot resolve ${keyword} "${ref}"` }
    uri = noHash(abs)
    hash = abs.hash
  }
  const resource = doc.resources.get(uri)
  if (!resource) return { ok: false, reason: `remote ${keyword} "${ref}" is not fetched` }
  const fragment = decodeURIComponent(hash.slice(1))
  if (fragment === '') return { ok: true, node: resource }
  if (!fragment.startsWith('/')) {
    const target = doc.anchors.get(`${uri}#${fragment}`)
    return target
      ? { ok: true, node: target }
      : { ok: false, reason: `unknown anchor in ${keyword} "${ref}"` }
  }
  let cur: unknown = resource
  for (const raw of fragment.slice(1).split('/')) {
    const key = unescapePointerToken(raw)
    if (Array.isArray(cur)) cur = cur[Number(key)]
    else if (isObj(cur)) cur = cur[key]
    else cur = undefined
    if (cur === undefined) return { ok: false, reason: `${keyword} "${ref}" points nowhere` }
  }
  if (typeof cur === 'boolean' || isObj(cur)) {
    if (isObj(cur) && !docOf.has(cur)) adopt(cur, doc, base)
    return { ok: true, node: cur }
  }
  return { ok: false, reason: `${keyword} "${ref}" does not point at a schema` }
}

function safeUrl(ref: string, base: string): URL | undefined {
  try {
    return new URL(ref, base)
  } catch {
    return undefined
  }
}

const noHash = (u: URL) => u.href.replace(/#.*$/, '')
