/**
 * The document part of the rule: is this one usable contract schema on its own? Limits, references, draft,
 * meta-schema and a strict compile with the one ajv configuration. Pure (the ajv instance is a compile cache).
 */
import { createAjv, recyclingAjv } from '../core/ajv.ts'
import type { Issue } from '../core/errors.ts'
import { formats } from '../core/formats.ts'
import {
  canonicalJson,
  draftOf,
  DRAFT_URIS,
  escapePointerToken,
  fromPointer,
  toPointer,
} from '../core/json.ts'
import { compilePattern, translatePattern } from '../core/patterns.ts'
import { toIssue } from '../core/validate.ts'
import type { JsonObject } from './types.ts'

export const DRAFT_2020_12 = DRAFT_URIS['2020-12']

/** Keywords whose values are data, not subschemas: an `$id` or `$anchor` in there declares nothing. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'examples', 'default'])

/** Every keyword a tool may follow (`$recursiveRef` is draft 2019-09's; a strict 2020-12 compile refuses it as a keyword, not in data). */
const REFERENCE_KEYWORDS = new Set(['$ref', '$dynamicRef', '$recursiveRef'])

export const isJsonObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The value a `#…` fragment names inside `root` (a JSON Pointer, percent-decoded), or undefined. */
export function resolveFragment(root: unknown, fragment: string): unknown {
  let decoded: string
  try {
    decoded = decodeURIComponent(fragment)
  } catch {
    return undefined
  }
  const tokens = fromPointer(decoded)
  if (!tokens) return undefined
  let node: unknown = root
  for (const token of tokens) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, token)) return undefined
    node = (node as JsonObject)[token]
  }
  return node
}

/** Deeper than `maxDepth` levels of objects and arrays: the first such place, else undefined. */
export function tooDeep(node: unknown, maxDepth: number, path: (string | number)[] = []): string | undefined {
  if (node === null || typeof node !== 'object') return undefined
  if (path.length > maxDepth) return toPointer(path)
  const entries: [string | number, unknown][] = Array.isArray(node)
    ? node.map((v, i) => [i, v])
    : Object.entries(node)
  for (const [k, v] of entries) {
    path.push(k)
    const at = tooDeep(v, maxDepth, path)
    path.pop()
    if (at !== undefined) return at
  }
  return undefined
}

/**
 * Every `$ref`/`$dynamicRef`/`$recursiveRef` anywhere in the document, data keywords included (a tool may follow
 * one found in `examples`, `default`, `const` or `enum`), must be a `#…` reference that resolves inside it. No embedded `$id`: a contract is
 * one document, and an inner `$id` would change what its references mean.
 */
export function referenceIssues(schema: JsonObject): Issue[] {
  const issues: Issue[] = []
  const anchors = new Set<string>()
  const refs: { path: (string | number)[]; keyword: string; ref: string }[] = []
  const walk = (node: unknown, path: (string | number)[], inData: boolean): void => {
    if (node === null || typeof node !== 'object') return
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, [...path, i], inData))
      return
    }
    for (const [k, v] of Object.entries(node)) {
      // Only a string is a reference: `properties: { "$ref": {…} }` declares a property named "$ref".
      if (REFERENCE_KEYWORDS.has(k) && typeof v === 'string')
        refs.push({ path: [...path, k], keyword: k, ref: v })
      if (!inData) {
        if ((k === '$anchor' || k === '$dynamicAnchor') && typeof v === 'string') anchors.add(v)
        if (k === '$id' && path.length > 0 && typeof v === 'string')
          issues.push({
            path: toPointer([...path, k]),
            keyword: '$id',
            message: 'an embedded $id is not allowed: a contract is one document',
          })
      }
      walk(v, [...path, k], inData || DATA_KEYWORDS.has(k))
    }
  }
  walk(schema, [], false)
  for (const { path, keyword, ref } of refs) {
    const at = toPointer(path)
    if (!ref.startsWith('#')) {
      issues.push({
        path: at,
        keyword,
        message: `remote reference '${ref}' is not allowed: only '#…' references into this document`,
        params: { ref },
      })
      continue
    }
    const fragment = ref.slice(1)
    const found =
      fragment === '' || fragment.startsWith('/')
        ? resolveFragment(schema, fragment) !== undefined
        : anchors.has(fragment)
    if (!found)
      issues.push({
        path: at,
        keyword,
        message: `reference '${ref}' does not resolve inside the document`,
        params: { ref },
      })
  }
  return issues
}

/** Keywords whose values are subschemas: one, a map of them, or a list of them (draft 2020-12). */
const ONE_SCHEMA = [
  'items',
  'additionalItems',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'additionalProperties',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
]
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems']

/**
 * Every `pattern` and `patternProperties` key must run on the linear-time engine every validator uses
 * (core/patterns.ts): a backreference or a lookaround is refused here, naming the pattern and where it is,
 * rather than failing the compile with a message about the whole document. Also ajv's strict rule that no
 * declared property name matches a `patternProperties` key (a name governed twice), checked on RE2: ajv's own
 * check runs the patterns on RegExp, so it is turned off in core/ajv.ts.
 */
export function patternIssues(schema: unknown): Issue[] {
  const issues: Issue[] = []
  const check = (pattern: string, at: string): boolean => {
    const t = translatePattern(pattern)
    if (!t.ok)
      issues.push({
        path: at,
        keyword: 'pattern',
        message: `pattern ${JSON.stringify(pattern)} cannot run on the linear-time engine (RE2): ${t.reason}`,
        params: { pattern, reason: t.reason },
      })
    return t.ok
  }
  const walk = (node: unknown, at: string): void => {
    if (!isJsonObject(node)) return
    if (typeof node.pattern === 'string') check(node.pattern, `${at}/pattern`)
    if (isJsonObject(node.patternProperties)) {
      const names = isJsonObject(node.properties) ? Object.keys(node.properties) : []
      for (const key of Object.keys(node.patternProperties)) {
        if (!check(key, `${at}/patternProperties/${escapePointerToken(key)}`)) continue
        const matcher = compilePattern(key)
        for (const name of names)
          if (matcher.test(name))
            issues.push({
              path: `${at}/properties/${escapePointerToken(name)}`,
              keyword: 'patternProperties',
              message: `property ${JSON.stringify(name)} also matches patternProperties ${JSON.stringify(key)}: govern each name in one place`,
              params: { property: name, pattern: key },
            })
      }
    }
    for (const k of ONE_SCHEMA) if (k in node) walk(node[k], `${at}/${k}`)
    for (const k of SCHEMA_MAPS)
      if (isJsonObject(node[k]))
        for (const [name, sub] of Object.entries(node[k])) walk(sub, `${at}/${k}/${escapePointerToken(name)}`)
    for (const k of SCHEMA_LISTS) {
      const list = node[k]
      if (Array.isArray(list)) list.forEach((sub, i) => walk(sub, `${at}/${k}/${i}`))
    }
    if (Array.isArray(node.items)) node.items.forEach((sub, i) => walk(sub, `${at}/items/${i}`))
  }
  walk(schema, '')
  return issues
}

const nextAjv = recyclingAjv(() => createAjv({ formats }))

/** Meta-schema validation, then a strict compile (unknown keywords and formats fail), forgotten afterwards. */
function schemaIssues(schema: JsonObject): Issue[] {
  const ajv = nextAjv()
  if (!ajv.validateSchema(schema)) return (ajv.errors ?? []).map((e) => toIssue(e))
  const { $id: _id, ...rest } = schema
  try {
    ajv.compile(rest)
    return []
  } catch (cause) {
    const message = (cause as Error).message
    return [{ path: '', keyword: 'compile', message: `does not compile: ${message}` }]
  } finally {
    // ajv caches compiled schemas by object: forget this one, admission never validates with it.
    ajv.removeSchema(rest)
  }
}

/**
 * The schema as a document: a JSON object, within the limits (depth first, so that nothing deep is walked
 * twice), only local references, patterns the linear-time engine runs, draft 2020-12, valid against its
 * meta-schema, compiling strictly.
 * Stops at the first group that fails: later checks would only repeat it.
 */
export function documentIssues(schema: unknown, limits: { maxBytes: number; maxDepth: number }): Issue[] {
  if (!isJsonObject(schema))
    return [{ path: '', keyword: 'type', message: 'a contract schema is a JSON object' }]
  const deep = tooDeep(schema, limits.maxDepth)
  if (deep !== undefined)
    return [
      {
        path: deep,
        keyword: 'maxDepth',
        message: `nested deeper than ${limits.maxDepth} levels`,
        params: { limit: limits.maxDepth },
      },
    ]
  const bytes = new TextEncoder().encode(canonicalJson(schema)).length
  if (bytes > limits.maxBytes)
    return [
      {
        path: '',
        keyword: 'maxBytes',
        message: `${bytes} bytes of canonical JSON, over the limit of ${limits.maxBytes}`,
        params: { limit: limits.maxBytes, bytes },
      },
    ]
  const refs = referenceIssues(schema)
  if (schema.$schema !== DRAFT_2020_12 || draftOf(schema) !== '2020-12')
    return [
      ...refs,
      {
        path: '/$schema',
        keyword: '$schema',
        message: `must be '${DRAFT_2020_12}': a resource version is draft 2020-12${schema.$schema === undefined ? ' (without $schema it would be read as draft-07)' : ''}`,
        params: { allowedValue: DRAFT_2020_12 },
      },
    ]
  const patterns = patternIssues(schema)
  if (refs.length || patterns.length) return [...refs, ...patterns]
  return schemaIssues(schema)
}
