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
}

const docOf = new WeakMap<object, Doc>()
const baseOf = new WeakMap<object, string>()
/** Where indexDoc first met a node: a JSON Pointer from its document's root. */
const locOf = new WeakMap<object, string>()

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
  const doc: Doc = {
    root,
    draft: detectDraft(root),
    resources: new Map(),
    anchors: new Map(),
    dynamicAnchors: new Map(),
  }
  const walk = (node: unknown, base: string, at: string): void => {
    if (!isObj(node)) return
    if (docOf.has(node) && docOf.get(node) === doc) return
    docOf.set(node, doc)
    locOf.set(node, at)
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
    for (const k of SCHEMA_KEYWORDS) walk(node[k], base, `${at}/${k}`)
    for (const k of ARRAY_KEYWORDS) {
      const v = node[k]
      if (Array.isArray(v)) v.forEach((s, i) => walk(s, base, `${at}/${k}/${i}`))
    }
    for (const k of MAP_KEYWORDS) {
      const v = node[k]
      if (isObj(v))
        for (const [name, s] of Object.entries(v)) walk(s, base, `${at}/${k}/${escapePointerToken(name)}`)
    }
  }
  if (isObj(root)) {
    const rootBase =
      typeof root['$id'] === 'string'
        ? (safeUrl(root['$id'], DEFAULT_BASE) ?? new URL(DEFAULT_BASE))
        : new URL(DEFAULT_BASE)
    doc.resources.set(noHash(rootBase), root)
    walk(root, noHash(rootBase), '')
  }
  return doc
}

/** Registers a node made by the engine (a conjunction, a type filter) as belonging to `doc`. */
export function adopt<T extends Obj>(node: T, doc: Doc, base?: string): T {
  docOf.set(node, doc)
  if (base !== undefined) baseOf.set(node, base)
  return node
}

/** The JSON Pointer at which `node` sits in its document; undefined for a node the engine made. */
export const locationOf = (node: Obj): string | undefined => locOf.get(node)

export function docFor(node: Node, fallback: Doc): Doc {
  return isObj(node) ? (docOf.get(node) ?? fallback) : fallback
}

export type Resolved = { ok: true; node: Node } | { ok: false; reason: string }

/** Resolves `$ref`, `$dynamicRef` or `$recursiveRef` of `node` within its own document. */
export function resolveRef(node: Obj, keyword: '$ref' | '$dynamicRef' | '$recursiveRef', doc: Doc): Resolved {
  const ref = node[keyword]
  if (typeof ref !== 'string') return { ok: false, reason: `${keyword} is not a string` }
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
  const base = baseOf.get(node) ?? DEFAULT_BASE
  const abs = safeUrl(ref, base)
  if (!abs) return { ok: false, reason: `cannot resolve ${keyword} "${ref}"` }
  const resource = doc.resources.get(noHash(abs))
  if (!resource) return { ok: false, reason: `remote ${keyword} "${ref}" is not fetched` }
  const fragment = decodeURIComponent(abs.hash.slice(1))
  if (fragment === '') return { ok: true, node: resource }
  if (!fragment.startsWith('/')) {
    const target = doc.anchors.get(`${noHash(abs)}#${fragment}`)
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
