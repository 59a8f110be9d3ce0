/**
 * The schema-aware diff of two versions of a resource's content (both already valid against the schema). Walks the
 * schema beside the two values (`properties`, `additionalProperties`, `items`, local `$ref`s):
 * - a field whose schema has `x-ignore-changes` is skipped, whatever is below it;
 * - a string whose schema has `x-normalize` is compared after that normaliser (the values reported are the raw ones);
 * - an array whose schema has `x-identity` matches items by that property, not by position: an item is added,
 *   removed, or its own fields changed (each change naming the item);
 * - any other array of scalars is a multiset: what was added and what was removed (order is not a change);
 * - anything else is compared field by field, by position in arrays.
 * Paths are JSON Pointers into the new content (into the old one for what was removed). Pure.
 */
import {
  canonicalJson,
  escapePointerToken,
  type Change,
  type ItemRef,
  type NormalizerName,
} from '../../core/index.ts'
import { NORMALIZER_FUNCTIONS, type Normalizer } from './normalize.ts'

type Json = unknown
type Schema = Readonly<Record<string, unknown>>

export interface DiffOptions {
  /** Replaces the normalisers by name (tests, or a project's own notion of Markdown). */
  readonly normalizers?: Partial<Record<NormalizerName, Normalizer>>
}

const isObject = (v: unknown): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const same = (a: Json, b: Json): boolean => a === b || canonicalJson(a) === canonicalJson(b)

/** A local `#/…` reference followed (a few hops); undefined when the schema says nothing usable. */
function resolve(root: Schema, node: unknown): Schema | undefined {
  let n = node
  for (let hops = 0; isObject(n) && typeof n.$ref === 'string' && hops < 16; hops++) {
    const ref = n.$ref
    if (!ref.startsWith('#/') && ref !== '#') return undefined
    let at: unknown = root
    for (const token of ref.slice(2).split('/').filter(Boolean))
      at = isObject(at) ? at[token.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined
    n = at
  }
  return isObject(n) ? n : undefined
}

const propertySchema = (root: Schema, schema: Schema | undefined, key: string): Schema | undefined => {
  if (!schema) return undefined
  const properties = schema.properties
  if (isObject(properties) && Object.hasOwn(properties, key)) return resolve(root, properties[key])
  return isObject(schema.additionalProperties) ? resolve(root, schema.additionalProperties) : undefined
}

const itemSchema = (root: Schema, schema: Schema | undefined): Schema | undefined =>
  schema && isObject(schema.items) ? resolve(root, schema.items) : undefined

/** The fields of an object, the schema's order first, then the rest sorted: the same diff every time. */
function keysOf(schema: Schema | undefined, a: Record<string, Json>, b: Record<string, Json>): string[] {
  const declared = schema && isObject(schema.properties) ? Object.keys(schema.properties) : []
  const present = new Set([...Object.keys(a), ...Object.keys(b)])
  const first = declared.filter((k) => present.has(k))
  const rest = [...present].filter((k) => !declared.includes(k)).sort()
  return [...first, ...rest]
}

const isScalar = (v: Json) => v === null || typeof v !== 'object'

export function diffContent(schema: Schema, before: Json, after: Json, options: DiffOptions = {}): Change[] {
  const normalizers = { ...NORMALIZER_FUNCTIONS, ...options.normalizers }
  const changes: Change[] = []
  const at = (item: ItemRef | undefined) => (item ? { item } : {})

  function walk(
    node: Schema | undefined,
    a: Json,
    b: Json,
    path: string,
    oldPath: string,
    item: ItemRef | undefined,
  ): void {
    if (node?.['x-ignore-changes'] === true) return
    if (a === undefined && b === undefined) return
    if (a === undefined) return void changes.push({ kind: 'changed', path, new: b, ...at(item) })
    if (b === undefined) return void changes.push({ kind: 'changed', path: oldPath, old: a, ...at(item) })
    const normalize = node?.['x-normalize']
    if (typeof a === 'string' && typeof b === 'string' && typeof normalize === 'string') {
      const n = normalizers[normalize as NormalizerName]
      if (!n) throw new TypeError(`x-normalize '${normalize}' at ${path || '/'}: no such normaliser`)
      if (a !== b && n(a) !== n(b)) changes.push({ kind: 'changed', path, old: a, new: b, ...at(item) })
      return
    }
    if (isObject(a) && isObject(b)) {
      for (const k of keysOf(node, a, b)) {
        const token = `/${escapePointerToken(k)}`
        walk(propertySchema(schema, node, k), a[k], b[k], path + token, oldPath + token, item)
      }
      return
    }
    if (Array.isArray(a) && Array.isArray(b)) return arrays(node, a, b, path, oldPath, item)
    if (!same(a, b)) changes.push({ kind: 'changed', path, old: a, new: b, ...at(item) })
  }

  function arrays(
    node: Schema | undefined,
    a: Json[],
    b: Json[],
    path: string,
    oldPath: string,
    item: ItemRef | undefined,
  ): void {
    const items = itemSchema(schema, node)
    const identity = node?.['x-identity']
    if (typeof identity === 'string') {
      const idOf = (v: Json) => (isObject(v) ? v[identity] : undefined)
      const olds = new Map<string, { index: number; value: Json }>()
      a.forEach((value, index) => {
        const id = idOf(value)
        const k = canonicalJson(id)
        if (id !== undefined && !olds.has(k)) olds.set(k, { index, value })
      })
      const seen = new Set<string>()
      b.forEach((value, index) => {
        const id = idOf(value) as string | number | undefined
        if (id === undefined) return
        const k = canonicalJson(id)
        if (seen.has(k)) return
        seen.add(k)
        const prior = olds.get(k)
        const here = `${path}/${index}`
        if (!prior) return void changes.push({ kind: 'item-added', path: here, id, new: value, ...at(item) })
        walk(items, prior.value, value, here, `${oldPath}/${prior.index}`, { path: here, id })
      })
      for (const [k, { index, value }] of olds)
        if (!seen.has(k))
          changes.push({
            kind: 'item-removed',
            path: `${oldPath}/${index}`,
            id: idOf(value) as string | number,
            old: value,
            ...at(item),
          })
      return
    }
    if (a.every(isScalar) && b.every(isScalar)) {
      const count = new Map<string, number>()
      for (const v of a) count.set(canonicalJson(v), (count.get(canonicalJson(v)) ?? 0) + 1)
      const added: Json[] = []
      for (const v of b) {
        const k = canonicalJson(v)
        const n = count.get(k) ?? 0
        if (n > 0) count.set(k, n - 1)
        else added.push(v)
      }
      const removed: Json[] = []
      const left = new Map(count)
      for (const v of a) {
        const k = canonicalJson(v)
        const n = left.get(k) ?? 0
        if (n > 0) {
          removed.push(v)
          left.set(k, n - 1)
        }
      }
      if (added.length || removed.length) changes.push({ kind: 'items', path, added, removed, ...at(item) })
      return
    }
    for (let i = 0; i < Math.max(a.length, b.length); i++)
      walk(items, a[i], b[i], `${path}/${i}`, `${oldPath}/${i}`, item)
  }

  walk(schema, before, after, '', '', undefined)
  return changes
}

/** The property whose value marks the content deleted (`x-deleted` on a property of the resource), if any. */
export function deletedMarker(schema: Schema): { property: string; value: Json } | undefined {
  const properties = schema.properties
  if (!isObject(properties)) return undefined
  for (const [property, sub] of Object.entries(properties)) {
    const s = resolve(schema, sub)
    if (s && s['x-deleted'] !== undefined) return { property, value: s['x-deleted'] }
  }
  return undefined
}
