/** Which keywords mean what, per draft. */
import type { Draft, Node, Obj } from './resolve.ts'
import { isObj } from './resolve.ts'
import { patternTest } from './patterns.ts'

/** Keywords that never constrain an instance; `x-*` keywords too. `id` is draft-04's spelling of `$id`. */
export const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  'id',
  '$anchor',
  '$dynamicAnchor',
  '$recursiveAnchor',
  '$vocabulary',
  '$comment',
  '$defs',
  'definitions',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'contentEncoding',
  'contentMediaType',
  'contentSchema',
])

const COMMON = [
  'type',
  'enum',
  'const',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'items',
  'contains',
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'propertyNames',
  'minProperties',
  'maxProperties',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  '$ref',
]
const ASSERTIONS: Record<Draft, Set<string>> = {
  '07': new Set([...COMMON, 'additionalItems', 'dependencies']),
  '2019-09': new Set([
    ...COMMON,
    'additionalItems',
    'dependencies',
    'dependentRequired',
    'dependentSchemas',
    'minContains',
    'maxContains',
    'unevaluatedItems',
    'unevaluatedProperties',
    '$recursiveRef',
  ]),
  '2020-12': new Set([
    ...COMMON,
    'prefixItems',
    'dependentRequired',
    'dependentSchemas',
    'minContains',
    'maxContains',
    'unevaluatedItems',
    'unevaluatedProperties',
    '$dynamicRef',
  ]),
}

export const isAnnotation = (k: string) => ANNOTATIONS.has(k) || k.startsWith('x-')
export const isAssertion = (k: string, draft: Draft) => ASSERTIONS[draft].has(k)

/** A node with no assertion keyword accepts everything. */
export function isTrivial(node: Node, draft: Draft): boolean {
  if (node === true) return true
  if (node === false) return false
  return Object.keys(node).every((k) => !isAssertion(k, draft))
}

/** Array items as (prefix schemas, schema for the rest); `rest` undefined means unconstrained. */
export function tuple(node: Obj, draft: Draft): { prefix: Node[]; rest: Node | undefined } {
  const items = node['items']
  if (draft === '2020-12') {
    const prefix = Array.isArray(node['prefixItems']) ? (node['prefixItems'] as Node[]) : []
    return { prefix, rest: asNode(items) }
  }
  if (Array.isArray(items)) return { prefix: items as Node[], rest: asNode(node['additionalItems']) }
  return { prefix: [], rest: asNode(items) }
}

export const asNode = (v: unknown): Node | undefined => (typeof v === 'boolean' || isObj(v) ? v : undefined)

export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined

export interface Bound {
  value: number
  exclusive: boolean
}

/** Lower or upper bound of a node, reading both the numeric (06+) and boolean (04) forms of exclusive*. */
export function bound(node: Obj, side: 'min' | 'max'): Bound | undefined {
  const incl = num(node[side === 'min' ? 'minimum' : 'maximum'])
  const excl = node[side === 'min' ? 'exclusiveMinimum' : 'exclusiveMaximum']
  const candidates: Bound[] = []
  if (incl !== undefined) candidates.push({ value: incl, exclusive: excl === true })
  if (typeof excl === 'number' && Number.isFinite(excl)) candidates.push({ value: excl, exclusive: true })
  return candidates.reduce<Bound | undefined>(
    (best, b) => (best === undefined ? b : tighter(best, b, side)),
    undefined,
  )
}

export function tighter(a: Bound, b: Bound, side: 'min' | 'max'): Bound {
  if (a.value === b.value) return a.exclusive ? a : b
  return side === 'min' ? (a.value > b.value ? a : b) : a.value < b.value ? a : b
}

export const JSON_TYPES = ['null', 'boolean', 'object', 'array', 'number', 'integer', 'string'] as const
export type JsonType = (typeof JSON_TYPES)[number]

export function typeOf(v: unknown): JsonType {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  if (typeof v === 'boolean' || typeof v === 'string' || typeof v === 'object') return typeof v as JsonType
  return 'null'
}

/** The types a node's `type` keyword admits; undefined when it has none. */
export function declaredTypes(node: Obj): Set<JsonType> | undefined {
  const t = node['type']
  const list = typeof t === 'string' ? [t] : Array.isArray(t) ? t : undefined
  if (!list) return undefined
  const set = new Set<JsonType>()
  for (const x of list) if ((JSON_TYPES as readonly unknown[]).includes(x)) set.add(x as JsonType)
  if (set.has('number')) set.add('integer')
  return set
}

/** `a` is a multiple of `b`, tolerating float noise (0.3 / 0.1). */
export function isMultiple(a: number, b: number): boolean {
  if (b === 0) return false
  const r = a / b
  return Math.abs(r - Math.round(r)) < 1e-9 * Math.max(1, Math.abs(r))
}

/**
 * True when a `pattern` matches every string: it matches the empty string and has no anchor, lookaround, word
 * boundary or backreference, so its empty match does not depend on the input and is found at position 0 of any
 * string (e.g. "a*", ".*", "(x)?"). Conservative: anything unusual answers false.
 */
export function patternMatchesAll(pattern: unknown): boolean {
  if (typeof pattern !== 'string' || /[$^]|\\[bBk1-9]|\(\?/.test(pattern)) return false
  return patternTest(pattern, '') === true
}
