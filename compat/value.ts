/**
 * A small three-valued validator: does a known value (an enum member, a property name) match a schema?
 * `undefined` means "cannot tell" (format, unevaluated*, unknown keywords), and callers then fall back to
 * comparing keywords.
 */
import { deepEqual } from './canonical.ts'
import { patternTest } from './patterns.ts'
import type { Doc, Node, Obj } from './resolve.ts'
import { docFor, isObj, resolveRef } from './resolve.ts'
import { bound, declaredTypes, isAnnotation, isMultiple, num, tuple, typeOf } from './keywords.ts'

type Tri = boolean | undefined

const and = (xs: Tri[]): Tri => (xs.includes(false) ? false : xs.includes(undefined) ? undefined : true)

const HANDLED = new Set([
  'type',
  'enum',
  'const',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'items',
  'prefixItems',
  'additionalItems',
  'contains',
  'minContains',
  'maxContains',
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
  'dependentRequired',
])

export function valueMatches(v: unknown, node: Node, fallback: Doc, depth = 0): Tri {
  if (typeof node === 'boolean') return node
  if (depth > 40) return undefined
  const doc = docFor(node, fallback)
  const sub = (s: unknown, x: unknown): Tri =>
    typeof s === 'boolean' || isObj(s) ? valueMatches(x, s, doc, depth + 1) : undefined
  const results: Tri[] = []
  const refOnly = doc.draft === '07' && '$ref' in node
  for (const k of Object.keys(node)) {
    if (isAnnotation(k) || (refOnly && k !== '$ref')) continue
    if (!HANDLED.has(k)) {
      if (k === 'format' && typeof v !== 'string') continue
      if (k === 'dependencies' || k === 'dependentSchemas' || k === 'unevaluatedProperties') {
        if (!isObj(v)) continue
      }
      if (k === 'unevaluatedItems' && !Array.isArray(v)) continue
      return undefined
    }
  }
  if ('$ref' in node) {
    const r = resolveRef(node, '$ref', doc)
    results.push(r.ok ? valueMatches(v, r.node, doc, depth + 1) : undefined)
    if (refOnly) return and(results)
  }
  const types = declaredTypes(node)
  if (types && !types.has(typeOf(v))) return false
  if (Array.isArray(node['enum']) && !node['enum'].some((e) => deepEqual(e, v))) return false
  if ('const' in node && !deepEqual(node['const'], v)) return false
  if (typeof v === 'string') results.push(stringMatches(v, node))
  if (typeof v === 'number') results.push(numberMatches(v, node))
  if (Array.isArray(v)) results.push(arrayMatches(v, node, doc, sub))
  if (isObj(v)) results.push(objectMatches(v, node, sub))
  if (Array.isArray(node['allOf'])) results.push(and(node['allOf'].map((s) => sub(s, v))))
  if (Array.isArray(node['anyOf'])) {
    const rs = node['anyOf'].map((s) => sub(s, v))
    results.push(rs.includes(true) ? true : rs.includes(undefined) ? undefined : false)
  }
  if (Array.isArray(node['oneOf'])) {
    const rs = node['oneOf'].map((s) => sub(s, v))
    results.push(rs.includes(undefined) ? undefined : rs.filter((r) => r).length === 1)
  }
  if ('not' in node) {
    const r = sub(node['not'], v)
    results.push(r === undefined ? undefined : !r)
  }
  if ('if' in node) {
    const c = sub(node['if'], v)
    if (c === undefined) results.push(undefined)
    else if (c && 'then' in node) results.push(sub(node['then'], v))
    else if (!c && 'else' in node) results.push(sub(node['else'], v))
  }
  return and(results)
}

function stringMatches(v: string, node: Obj): Tri {
  const len = [...v].length
  const min = num(node['minLength'])
  const max = num(node['maxLength'])
  if (min !== undefined && len < min) return false
  if (max !== undefined && len > max) return false
  const p = node['pattern']
  if (typeof p === 'string') {
    const matched = patternTest(p, v)
    if (matched === undefined) return undefined
    if (!matched) return false
  }
  return 'format' in node ? undefined : true
}

function numberMatches(v: number, node: Obj): boolean {
  const lo = bound(node, 'min')
  const hi = bound(node, 'max')
  if (lo && (v < lo.value || (lo.exclusive && v === lo.value))) return false
  if (hi && (v > hi.value || (hi.exclusive && v === hi.value))) return false
  const m = num(node['multipleOf'])
  return m === undefined || isMultiple(v, m)
}

function arrayMatches(v: unknown[], node: Obj, doc: Doc, sub: (s: unknown, x: unknown) => Tri): Tri {
  const min = num(node['minItems'])
  const max = num(node['maxItems'])
  if (min !== undefined && v.length < min) return false
  if (max !== undefined && v.length > max) return false
  if (node['uniqueItems'] === true && v.some((x, i) => v.findIndex((y) => deepEqual(x, y)) !== i))
    return false
  const { prefix, rest } = tuple(node, doc.draft)
  const results = v.map((x, i) => {
    const s = i < prefix.length ? prefix[i] : rest
    return s === undefined ? true : sub(s, x)
  })
  if ('contains' in node) {
    const rs = v.map((x) => sub(node['contains'], x))
    if (rs.includes(undefined)) return undefined
    const n = rs.filter((r) => r).length
    const lo = doc.draft === '07' ? 1 : (num(node['minContains']) ?? 1)
    const hi = doc.draft === '07' ? undefined : num(node['maxContains'])
    if (n < lo || (hi !== undefined && n > hi)) return false
  }
  return and(results)
}

function objectMatches(v: Obj, node: Obj, sub: (s: unknown, x: unknown) => Tri): Tri {
  const keys = Object.keys(v)
  const min = num(node['minProperties'])
  const max = num(node['maxProperties'])
  if (min !== undefined && keys.length < min) return false
  if (max !== undefined && keys.length > max) return false
  const required = Array.isArray(node['required']) ? node['required'] : []
  if (required.some((r) => typeof r === 'string' && !(r in v))) return false
  const dr = node['dependentRequired']
  if (isObj(dr)) {
    for (const [p, qs] of Object.entries(dr)) {
      if (p in v && Array.isArray(qs) && qs.some((q) => typeof q === 'string' && !(q in v))) return false
    }
  }
  const props = isObj(node['properties']) ? node['properties'] : {}
  const patterns = isObj(node['patternProperties']) ? node['patternProperties'] : {}
  const results: Tri[] = []
  for (const k of keys) {
    let governed = false
    if (Object.hasOwn(props, k)) {
      governed = true
      results.push(sub(props[k], v[k]))
    }
    for (const [p, s] of Object.entries(patterns)) {
      const matched = patternTest(p, k)
      if (matched === undefined) results.push(undefined)
      else if (matched) {
        governed = true
        results.push(sub(s, v[k]))
      }
    }
    if (!governed && 'additionalProperties' in node) results.push(sub(node['additionalProperties'], v[k]))
    if ('propertyNames' in node) results.push(sub(node['propertyNames'], k))
  }
  return and(results)
}
