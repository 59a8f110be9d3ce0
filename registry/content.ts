import { createHash } from 'node:crypto'
import { canonicalJson, toPointer, unescapePointerToken } from '../core/json.ts'
import { ContractError, toIssue, type Issue } from '../core/index.ts'
import { createAjv, type Ajv } from '../core/ajv.ts'
import { formats } from '../core/formats.ts'

export type JsonObject = Record<string, unknown>

export const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema'

/** The identity of a schema's content: its canonical JSON without `$id` (which the registry assigns). */
export function contentHash(schema: JsonObject): string {
  const { $id: _id, ...rest } = schema
  return createHash('sha256').update(canonicalJson(rest)).digest('hex')
}

/** `$schema` first, then the canonical `$id`, then the rest in the author's order. */
export function withId(schema: JsonObject, uri: string): JsonObject {
  const { $schema, $id: _id, ...rest } = schema
  return $schema === undefined ? { $id: uri, ...rest } : { $schema, $id: uri, ...rest }
}

const pointer = toPointer

const invalid = (message: string, issues: Issue[]) => new ContractError('SCHEMA_INVALID', message, issues)

/** Keywords whose values are data, not subschemas: a `$ref` in there is just a string. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'examples', 'default'])

/** JSON Pointer fragment → the value it points at in `root`, or undefined. */
function resolvePointer(root: unknown, fragment: string): unknown {
  if (fragment === '') return root
  if (!fragment.startsWith('/')) return undefined
  let node: unknown = root
  for (const raw of fragment.slice(1).split('/')) {
    const token = unescapePointerToken(decodeURIComponent(raw))
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, token)) return undefined
    node = (node as JsonObject)[token]
  }
  return node
}

/**
 * The structural limits and the no-remote-reference rule: nesting depth, every `$ref`/`$dynamicRef` a fragment
 * of this document that resolves inside it, no embedded `$id` (it would change what references mean).
 */
export function checkStructure(schema: JsonObject, maxDepth: number): void {
  const issues: Issue[] = []
  const anchors = new Set<string>()
  const refs: { path: (string | number)[]; keyword: string; ref: string }[] = []
  const walk = (node: unknown, path: (string | number)[], depth: number, inData: boolean): void => {
    if (node === null || typeof node !== 'object') return
    if (depth > maxDepth) {
      if (!issues.some((i) => i.keyword === 'maxDepth'))
        issues.push({
          path: pointer(path),
          keyword: 'maxDepth',
          message: `nested deeper than ${maxDepth} levels`,
          params: { limit: maxDepth },
        })
      return
    }
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, [...path, i], depth + 1, inData))
      return
    }
    for (const [k, v] of Object.entries(node)) {
      if (!inData) {
        if ((k === '$ref' || k === '$dynamicRef') && typeof v === 'string')
          refs.push({ path: [...path, k], keyword: k, ref: v })
        if ((k === '$anchor' || k === '$dynamicAnchor') && typeof v === 'string') anchors.add(v)
        if (k === '$id' && path.length > 0 && typeof v === 'string')
          issues.push({
            path: pointer([...path, k]),
            keyword: '$id',
            message: 'embedded $id is not allowed: a contract is one document',
          })
      }
      walk(v, [...path, k], depth + 1, inData || DATA_KEYWORDS.has(k))
    }
  }
  walk(schema, [], 0, false)
  for (const { path, keyword, ref } of refs) {
    const at = pointer(path)
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
      fragment.startsWith('/') || fragment === ''
        ? resolvePointer(schema, fragment) !== undefined
        : anchors.has(fragment)
    if (!found)
      issues.push({
        path: at,
        keyword,
        message: `reference '${ref}' does not resolve inside the document`,
        params: { ref },
      })
  }
  if (issues.length) throw invalid('schema breaks the registry rules', issues)
}

/** Meta-schema validation and a strict compile, with the one ajv configuration and the generated formats. */
export function createSchemaChecker(): (schema: JsonObject) => void {
  const ajv: Ajv = createAjv({ formats })
  return (schema) => {
    if (schema.$schema !== undefined && schema.$schema !== DRAFT_2020_12)
      throw invalid('only JSON Schema draft 2020-12 is accepted', [
        {
          path: '/$schema',
          keyword: '$schema',
          message: `must be '${DRAFT_2020_12}' or absent`,
          params: { allowedValue: DRAFT_2020_12 },
        },
      ])
    if (!ajv.validateSchema(schema))
      throw invalid(
        'not a valid JSON Schema',
        (ajv.errors ?? []).map((e) => toIssue(e)),
      )
    const { $id: _id, ...rest } = schema
    try {
      ajv.compile(rest)
    } catch (cause) {
      throw new ContractError(
        'SCHEMA_INVALID',
        `schema does not compile: ${(cause as Error).message}`,
        [{ path: '', keyword: 'compile', message: (cause as Error).message }],
        { cause },
      )
    } finally {
      // ajv caches compiled schemas by object: forget this one, the registry never validates with it.
      ajv.removeSchema(rest)
    }
  }
}
