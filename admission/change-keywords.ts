/**
 * The keywords a change-event diff reads (`x-identity`, `x-ignore-changes`, `x-normalize`, `x-deleted`: see
 * core/ajv.ts), judged where their meaning needs more than a JSON type: an identity names a required string or
 * integer property of the items of an array of objects; a normaliser is one the diff has and sits on a string;
 * `x-deleted` sits on a property of the resource itself. Pure.
 */
import { NORMALIZERS } from '../core/ajv.ts'
import type { Issue } from '../core/errors.ts'
import { escapePointerToken } from '../core/json.ts'
import { isJsonObject, resolveFragment } from './document.ts'
import type { JsonObject } from './types.ts'

/** Keywords whose values are data, not subschemas: an `x-identity` in an `enum` declares nothing. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'examples', 'default'])

/** A property of the resource itself: `x-deleted` reads the content's own field, not a nested one. */
const TOP_LEVEL_PROPERTY = /^\/properties\/[^/]+$/

const typeIncludes = (schema: JsonObject, type: string): boolean =>
  schema.type === type || (Array.isArray(schema.type) && schema.type.includes(type))

/** A local `$ref` followed (a few hops), else the node itself. */
function deref(root: JsonObject, node: unknown): JsonObject | undefined {
  let n = node
  for (let hops = 0; isJsonObject(n) && typeof n.$ref === 'string' && hops < 8; hops++)
    n = n.$ref.startsWith('#') ? resolveFragment(root, n.$ref.slice(1)) : undefined
  return isJsonObject(n) ? n : undefined
}

const issue = (path: string, keyword: string, message: string, params?: Record<string, unknown>): Issue => ({
  path,
  keyword,
  message,
  ...(params ? { params } : {}),
})

function identityIssue(root: JsonObject, node: JsonObject, at: string): Issue | undefined {
  const id = node['x-identity'] as string
  const path = `${at}/x-identity`
  const items = deref(root, node.items)
  if (!typeIncludes(node, 'array') || !items || !typeIncludes(items, 'object'))
    return issue(path, 'x-identity', 'x-identity belongs on an array whose items are objects')
  const property = isJsonObject(items.properties) ? deref(root, items.properties[id]) : undefined
  const required = Array.isArray(items.required) && items.required.includes(id)
  if (!property || !required || !(typeIncludes(property, 'string') || typeIncludes(property, 'integer')))
    return issue(
      path,
      'x-identity',
      `x-identity '${id}' must name a required string or integer property of the items`,
      { identity: id },
    )
  return undefined
}

/** Every misplaced or unknown change keyword in a resource schema, each at its pointer. */
export function changeKeywordIssues(schema: JsonObject): Issue[] {
  const issues: Issue[] = []
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${path}/${i}`))
    if (!isJsonObject(node)) return
    if (node['x-identity'] !== undefined) {
      const found = identityIssue(schema, node, path)
      if (found) issues.push(found)
    }
    const normalize = node['x-normalize']
    if (normalize !== undefined) {
      if (!(NORMALIZERS as readonly unknown[]).includes(normalize))
        issues.push(
          issue(
            `${path}/x-normalize`,
            'x-normalize',
            `x-normalize must be one of ${NORMALIZERS.join(', ')}`,
            {
              allowedValues: NORMALIZERS,
            },
          ),
        )
      else if (!typeIncludes(node, 'string'))
        issues.push(issue(`${path}/x-normalize`, 'x-normalize', 'x-normalize belongs on a string'))
    }
    if (node['x-deleted'] !== undefined && !TOP_LEVEL_PROPERTY.test(path))
      issues.push(
        issue(`${path}/x-deleted`, 'x-deleted', 'x-deleted belongs on a property of the resource itself'),
      )
    for (const [k, v] of Object.entries(node))
      if (!DATA_KEYWORDS.has(k)) walk(v, `${path}/${escapePointerToken(k)}`)
  }
  walk(schema, '')
  return issues
}
