/**
 * Schema-compiled serializers, generated beside the validators: for content that has just been validated, the
 * schema says which properties exist and what they hold, so JSON can be written without JSON.stringify's generic
 * walk. Closed objects (`additionalProperties: false`), arrays of one item schema, strings, numbers, booleans and
 * local `$ref`s are compiled; anything else (open objects, combinators, conditionals) falls back to
 * JSON.stringify for that subtree, so the output is always JSON.stringify's meaning (key order may differ: required
 * properties first, then optional ones, each in schema order).
 */
import type { JsonSchema } from './load.ts'

/** Formats whose valid values never need escaping in JSON (checked by core/formats.ts before serialising). */
const SAFE_FORMATS = new Set(['uuid', 'date-time', 'date', 'time'])

// Control characters are exactly what JSON must escape: the point of this pattern.
// eslint-disable-next-line no-control-regex
const SAFE_TEXT = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/

/** The helpers every generated serializer file starts with. */
export const SERIALIZER_PRELUDE = `// Strings that need no escaping are written as they are; any other goes through JSON.stringify.
const NEEDS_ESCAPE = /["\\\\\\u0000-\\u001f\\ud800-\\udfff]/
const str = (s: string): string => (s.length > 4096 || NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"')
`

interface Emitter {
  /** Functions emitted so far, in order. */
  functions: string[]
  /** `#/$defs/X` of the document being compiled → function name. */
  defs: Map<string, string>
  root: JsonSchema
  prefix: string
  next: number
}

const isObject = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Keywords that change what a value may be beyond its type: their presence means "fall back". */
const UNCOMPILED = [
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  'if',
  'then',
  'else',
  'patternProperties',
  'dependentSchemas',
  'unevaluatedProperties',
  'unevaluatedItems',
  'prefixItems',
  'contains',
  'propertyNames',
  '$dynamicRef',
]

/** An expression that gives the JSON text of `expr`, whose value is valid against `node`. */
function emit(node: unknown, expr: string, e: Emitter): string {
  if (!isObject(node)) return `JSON.stringify(${expr})`
  if (typeof node.$ref === 'string') {
    const name = defFunction(node.$ref, e)
    // A $ref beside other keywords, or one that points outside $defs: not compiled.
    return name && Object.keys(node).every((k) => k === '$ref' || !isConstraining(k))
      ? `${name}(${expr})`
      : `JSON.stringify(${expr})`
  }
  if (UNCOMPILED.some((k) => k in node)) return `JSON.stringify(${expr})`
  const type = node.type
  if (type === 'string') {
    const safeEnum =
      Array.isArray(node.enum) && node.enum.every((v) => typeof v === 'string' && SAFE_TEXT.test(v))
    const safeConst = typeof node.const === 'string' && SAFE_TEXT.test(node.const)
    const safeFormat = typeof node.format === 'string' && SAFE_FORMATS.has(node.format)
    return safeEnum || safeConst || safeFormat ? `'"' + ${expr} + '"'` : `str(${expr})`
  }
  if (type === 'number' || type === 'integer') return `('' + ${expr})`
  if (type === 'boolean') return `(${expr} ? 'true' : 'false')`
  if (type === 'object' && node.additionalProperties === false && isObject(node.properties))
    return `${objectFunction(node, e)}(${expr})`
  if (type === 'array' && isObject(node.items)) return `${arrayFunction(node.items, e)}(${expr})`
  return `JSON.stringify(${expr})`
}

/** Keywords that only constrain values (bounds, formats) or annotate: they do not change how a value is written. */
const ANNOTATIONS = new Set([
  'description',
  'title',
  '$comment',
  'examples',
  'default',
  '$defs',
  '$schema',
  '$id',
])
const isConstraining = (k: string) => !ANNOTATIONS.has(k) && !k.startsWith('x-')

function fresh(e: Emitter): string {
  return `${e.prefix}${e.next++}`
}

function objectFunction(node: JsonSchema, e: Emitter): string {
  const name = fresh(e)
  const properties = node.properties as Record<string, unknown>
  const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : [])
  const names = Object.keys(properties)
  const ordered = [...names.filter((n) => required.has(n)), ...names.filter((n) => !required.has(n))]
  const lines: string[] = []
  const firstRequired = ordered.length > 0 && required.has(ordered[0] as string)
  ordered.forEach((prop, i) => {
    const key = JSON.stringify(prop)
    const access = `o[${JSON.stringify(prop)}]`
    const value = emit(properties[prop], access, e)
    const comma = i === 0 && firstRequired ? '' : ','
    const piece = `j += ${JSON.stringify(comma + key + ':')} + ${value}`
    lines.push(required.has(prop) ? `  ${piece}` : `  if (${access} !== undefined) ${piece}`)
  })
  const close = firstRequired ? `  return '{' + j + '}'` : `  return '{' + j.slice(1) + '}'`
  e.functions.push([`function ${name}(o: any): string {`, `  let j = ''`, ...lines, close, `}`].join('\n'))
  return name
}

function arrayFunction(items: unknown, e: Emitter): string {
  const name = fresh(e)
  const value = emit(items, 'a[i]', e)
  e.functions.push(
    [
      `function ${name}(a: any[]): string {`,
      `  let j = ''`,
      `  for (let i = 0; i < a.length; i++) j += ',' + ${value}`,
      `  return '[' + j.slice(1) + ']'`,
      `}`,
    ].join('\n'),
  )
  return name
}

function defFunction(ref: string, e: Emitter): string | undefined {
  const hit = e.defs.get(ref)
  if (hit) return hit
  const m = /^#\/\$defs\/([^/~]+)$/.exec(ref)
  const defs = e.root.$defs
  if (!m || !isObject(defs) || !isObject(defs[m[1] as string])) return undefined
  const name = fresh(e)
  e.defs.set(ref, name) // before compiling the body: a recursive definition calls itself
  const body = emit(defs[m[1] as string], 'v', e)
  e.functions.push(`function ${name}(v: any): string {\n  return ${body}\n}`)
  return name
}

/** The functions for one schema, the last of which is `exported(content)`. */
export function compileSerializer(
  schema: JsonSchema,
  exported: string,
  typeName: string,
  prefix: string,
): string {
  const e: Emitter = { functions: [], defs: new Map(), root: schema, prefix, next: 0 }
  const body = emit(schema, 'content', e)
  const fn = `/** JSON of a valid ${typeName}. */\nexport function ${exported}(content: ${typeName}): string {\n  return ${body}\n}`
  return [...e.functions, fn].join('\n\n')
}
