/**
 * JSON helpers every part shares: one canonical form, one JSON Pointer escaper, one draft detector. Pure.
 */

/**
 * JSON with object keys sorted at every level, so that equal content has equal text. It follows JSON.stringify
 * otherwise: a property whose value is undefined is left out, an undefined array element is `null`. A top-level
 * undefined gives `'undefined'`, which equals no JSON text (absent is never the same as null).
 * `memo` caches the text per object (pass one WeakMap per set of objects that are not mutated meanwhile).
 */
export function canonicalJson(value: unknown, memo?: WeakMap<object, string>): string {
  if (value === undefined) return 'undefined'
  return canonical(value, memo)
}

function canonical(value: unknown, memo: WeakMap<object, string> | undefined): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  const hit = memo?.get(value)
  if (hit !== undefined) return hit
  let text: string
  if (Array.isArray(value)) text = `[${value.map((v) => canonical(v, memo)).join(',')}]`
  else {
    const o = value as Record<string, unknown>
    const parts: string[] = []
    for (const k of Object.keys(o).sort()) {
      const v = o[k]
      if (v === undefined) continue
      parts.push(`${JSON.stringify(k)}:${canonical(v, memo)}`)
    }
    text = `{${parts.join(',')}}`
  }
  memo?.set(value, text)
  return text
}

/**
 * Whether objects and arrays nest deeper than `limit` levels, found without recursion: a value JSON.parse accepted
 * can be nested far deeper than the call stack allows the recursive helpers (canonicalJson) to walk.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]]
  while (stack.length) {
    const [node, depth] = stack.pop() as [unknown, number]
    if (node === null || typeof node !== 'object') continue
    if (depth > limit) return true
    for (const v of Array.isArray(node) ? node : Object.values(node)) stack.push([v, depth + 1])
  }
  return false
}

/** One reference token of a JSON Pointer (RFC 6901): `~` → `~0`, `/` → `~1`. */
export const escapePointerToken = (token: string | number): string =>
  String(token).replace(/~/g, '~0').replace(/\//g, '~1')

/** The inverse of escapePointerToken. */
export const unescapePointerToken = (token: string): string => token.replace(/~1/g, '/').replace(/~0/g, '~')

/** `['properties', 'a/b']` → `/properties/a~1b`; `[]` → `''` (the whole document). */
export const toPointer = (tokens: readonly (string | number)[]): string =>
  tokens.map((t) => '/' + escapePointerToken(t)).join('')

/** `/properties/a~1b` → `['properties', 'a/b']`; undefined for a string that is not a pointer. */
export function fromPointer(pointer: string): string[] | undefined {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) return undefined
  return pointer.slice(1).split('/').map(unescapePointerToken)
}

export type Draft = '07' | '2019-09' | '2020-12'

export const DRAFT_URIS = {
  '2020-12': 'https://json-schema.org/draft/2020-12/schema',
  '2019-09': 'https://json-schema.org/draft/2019-09/schema',
  '07': 'http://json-schema.org/draft-07/schema#',
} as const satisfies Record<Draft, string>

/** The draft a schema's `$schema` names; draft-07 when absent or unrecognised (what ajv and Confluent assume). */
export function draftOf(schema: unknown): Draft {
  const s =
    typeof schema === 'object' && schema !== null && !Array.isArray(schema)
      ? (schema as Record<string, unknown>)['$schema']
      : undefined
  if (typeof s !== 'string') return '07'
  if (s.includes('2020-12')) return '2020-12'
  if (s.includes('2019-09')) return '2019-09'
  return '07'
}
