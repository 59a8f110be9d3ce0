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

/**
 * JSON text as a concatenation: literal parts (merged with their neighbours when rendered, so that a property's
 * name, its quotes and the comma before the next one are one constant) and code parts, each a string expression.
 */
type Part = { lit: string } | { code: string }

/** The concatenation of parts as one expression; adjacent literals merged, never starting with a number. */
function render(parts: Part[]): string {
  const out: string[] = []
  let lit: string | undefined
  for (const p of parts)
    if ('lit' in p) lit = (lit ?? '') + p.lit
    else {
      if (lit !== undefined) out.push(JSON.stringify(lit))
      lit = undefined
      out.push(p.code)
    }
  if (lit !== undefined) out.push(JSON.stringify(lit))
  return out.length ? out.join(' + ') : "''"
}

/** The parts that give the JSON text of `expr`, whose value is valid against `node`. */
function emit(node: unknown, expr: string, e: Emitter): Part[] {
  const generic: Part[] = [{ code: `JSON.stringify(${expr})` }]
  if (!isObject(node)) return generic
  if (typeof node.$ref === 'string') {
    const name = defFunction(node.$ref, e)
    // A $ref beside other keywords, or one that points outside $defs: not compiled.
    return name && Object.keys(node).every((k) => k === '$ref' || !isConstraining(k))
      ? [{ code: `${name}(${expr})` }]
      : generic
  }
  if (UNCOMPILED.some((k) => k in node)) return generic
  const type = node.type
  if (type === 'string') {
    const safeEnum =
      Array.isArray(node.enum) && node.enum.every((v) => typeof v === 'string' && SAFE_TEXT.test(v))
    const safeConst = typeof node.const === 'string' && SAFE_TEXT.test(node.const)
    const safeFormat = typeof node.format === 'string' && SAFE_FORMATS.has(node.format)
    return safeEnum || safeConst || safeFormat
      ? [{ lit: '"' }, { code: expr }, { lit: '"' }]
      : [{ code: `str(${expr})` }]
  }
  if (type === 'number' || type === 'integer') return [{ code: `('' + ${expr})` }]
  if (type === 'boolean') return [{ code: `(${expr} ? 'true' : 'false')` }]
  if (type === 'object' && node.additionalProperties === false && isObject(node.properties))
    return [{ code: `${objectFunction(node, e)}(${expr})` }]
  if (type === 'array' && isObject(node.items)) return [{ code: `${arrayFunction(node.items, e)}(${expr})` }]
  return generic
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
  const member = (prop: string, comma: string): Part[] => [
    { lit: comma + JSON.stringify(prop) + ':' },
    ...emit(properties[prop], `o[${JSON.stringify(prop)}]`, e),
  ]
  const lines: string[] = []
  const requiredParts = ordered.filter((p) => required.has(p)).flatMap((p, i) => member(p, i ? ',' : ''))
  const optional = ordered.filter((p) => !required.has(p))
  if (requiredParts.length) {
    // Every required property in one expression: the text between two values is one constant.
    lines.push(`  let j = ${render([{ lit: '{' }, ...requiredParts])}`)
    for (const p of optional)
      lines.push(`  if (o[${JSON.stringify(p)}] !== undefined) j += ${render(member(p, ','))}`)
  } else {
    lines.push(`  let j = '{'`)
    for (const p of optional)
      lines.push(
        `  if (o[${JSON.stringify(p)}] !== undefined) j += (j.length > 1 ? ',' : '') + ${render(member(p, ''))}`,
      )
  }
  e.functions.push([`function ${name}(o: any): string {`, ...lines, `  return j + '}'`, `}`].join('\n'))
  return name
}

function arrayFunction(items: unknown, e: Emitter): string {
  const name = fresh(e)
  const item = (at: string) => render(emit(items, at, e))
  e.functions.push(
    [
      `function ${name}(a: any[]): string {`,
      `  if (a.length === 0) return '[]'`,
      `  let j = '[' + ${item('a[0]')}`,
      `  for (let i = 1; i < a.length; i++) j += ',' + ${item('a[i]')}`,
      `  return j + ']'`,
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
  const body = render(emit(defs[m[1] as string], 'v', e))
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
  const body = render(emit(schema, 'content', e))
  const fn = `/** JSON of a valid ${typeName}. */\nexport function ${exported}(content: ${typeName}): string {\n  return ${body}\n}`
  return [...e.functions, fn].join('\n\n')
}
