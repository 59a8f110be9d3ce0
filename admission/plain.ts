/**
 * The admission rule for a plain schema subject of the Confluent API: a JSON Schema that is not a contract (no
 * `x-topic`, no `x-key`, its own `$id` kept), in draft 2020-12, 2019-09 or draft-07, whose references to other
 * subjects' schemas (Confluent's `references`) are bundled into it locally before anything judges it. Pure: the
 * caller hands in the referenced schemas; nothing is ever fetched.
 */
import Ajv07 from 'ajv'
import Ajv2019 from 'ajv/dist/2019.js'
import Ajv2020 from 'ajv/dist/2020.js'
import type { Issue } from '../core/errors.ts'
import { canonicalJson, draftOf, DRAFT_URIS, type Draft } from '../core/json.ts'
import { checkTransitive, type Mode, type Policy } from '../compat/index.ts'
import { isJsonObject, patternIssues, referenceIssues, tooDeep } from './document.ts'
import { DEFAULT_LIMITS, type AdmissionDifference, type JsonObject, type Refused } from './types.ts'

/** A referenced schema, with the references of its own (resolved the same way, recursively). */
export interface ReferencedSchema {
  readonly schema: JsonObject
  readonly references: readonly { readonly name: string; readonly schema: ReferencedSchema }[]
}

/** How deep references may chain (a → b → c …): a cycle or a longer chain is refused. */
const MAX_REFERENCE_DEPTH = 16

/** Every `$ref`-like keyword value in a subtree, rewritten by `map` (data keywords left alone). */
function rewriteRefs(node: unknown, map: (ref: string) => string, inData = false): unknown {
  if (Array.isArray(node)) return node.map((v) => rewriteRefs(v, map, inData))
  if (!isJsonObject(node)) return node
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(node))
    out[k] =
      !inData && (k === '$ref' || k === '$dynamicRef') && typeof v === 'string'
        ? map(v)
        : rewriteRefs(v, map, inData || k === 'const' || k === 'enum' || k === 'examples' || k === 'default')
  return out
}

const DEFS_KEY = (draft: Draft) => (draft === '07' ? 'definitions' : '$defs')

/**
 * The schema with each referenced schema embedded under `$defs` (`definitions` in draft-07) as
 * `ccompat-ref-<n>`, and every `$ref` naming a reference (`name` or `name#fragment`) pointing there instead. An
 * embedded schema loses its `$id` and `$schema`, and its own local references are re-rooted, so the result is one
 * document whose every reference is local.
 */
export function bundleReferences(root: ReferencedSchema): JsonObject {
  const draft = draftOf(root.schema)
  const defs = DEFS_KEY(draft)
  const embedded = new Map<ReferencedSchema, string>()
  const bundle: JsonObject = {}
  const place = (ref: ReferencedSchema, depth: number): string => {
    const known = embedded.get(ref)
    if (known) return known
    if (depth > MAX_REFERENCE_DEPTH) throw new RangeError('references nest too deep')
    const key = `ccompat-ref-${embedded.size + 1}`
    const at = `#/${defs}/${key}`
    embedded.set(ref, at)
    const { $id: _id, $schema: _s, ...rest } = ref.schema
    bundle[key] = rewriteRefs(rest, (r) => resolve(r, ref, depth + 1, at))
    return at
  }
  const resolve = (r: string, from: ReferencedSchema, depth: number, base: string): string => {
    if (r.startsWith('#')) return r === '#' ? base : `${base}${r.slice(1)}`
    const hash = r.indexOf('#')
    const name = hash < 0 ? r : r.slice(0, hash)
    const target = from.references.find((x) => x.name === name)
    if (!target) return r
    const at = place(target.schema, depth)
    return hash < 0 ? at : `${at}${r.slice(hash + 1)}`
  }
  const top = rewriteRefs(root.schema, (r) => resolve(r, root, 1, '#')) as JsonObject
  if (embedded.size === 0) return root.schema
  const own = isJsonObject(top[defs]) ? top[defs] : {}
  return { ...top, [defs]: { ...own, ...bundle } }
}

const ACCEPTED_SCHEMAS = new Set<string>([
  ...Object.values(DRAFT_URIS),
  'http://json-schema.org/draft-07/schema',
  'https://json-schema.org/draft-07/schema',
  'https://json-schema.org/draft-07/schema#',
])

type MetaValidator = { validateSchema(schema: object): boolean | Promise<unknown>; errors?: unknown }
const validators = new Map<Draft, MetaValidator>()
function metaValidator(draft: Draft): MetaValidator {
  let v = validators.get(draft)
  if (!v) {
    const options = { strict: false, validateFormats: false, allErrors: true } as const
    v =
      draft === '2020-12'
        ? new Ajv2020.default(options)
        : draft === '2019-09'
          ? new Ajv2019.default(options)
          : new Ajv07.default(options)
    validators.set(draft, v)
  }
  return v
}

/** The document part: an object within the limits, a known draft, valid against its meta-schema, references local. */
export function plainSchemaIssues(
  bundled: unknown,
  limits: { maxBytes: number; maxDepth: number } = DEFAULT_LIMITS,
): Issue[] {
  if (!isJsonObject(bundled))
    return [{ path: '', keyword: 'type', message: 'a JSON Schema here is a JSON object' }]
  const deep = tooDeep(bundled, limits.maxDepth)
  if (deep !== undefined)
    return [{ path: deep, keyword: 'maxDepth', message: `nested deeper than ${limits.maxDepth} levels` }]
  const bytes = new TextEncoder().encode(canonicalJson(bundled)).length
  if (bytes > limits.maxBytes)
    return [
      { path: '', keyword: 'maxBytes', message: `${bytes} bytes, over the limit of ${limits.maxBytes}` },
    ]
  const issues: Issue[] = []
  for (const k of ['x-topic', 'x-key'])
    if (k in bundled)
      issues.push({
        path: `/${k}`,
        keyword: k,
        message: `a plain schema subject holds no ${k}: register a contract under its subject <topic>-value`,
      })
  const given = bundled.$schema
  if (given !== undefined && (typeof given !== 'string' || !ACCEPTED_SCHEMAS.has(given)))
    issues.push({
      path: '/$schema',
      keyword: '$schema',
      message: `must name draft 2020-12, 2019-09 or draft-07 (${Object.values(DRAFT_URIS).join(', ')})`,
      params: { allowedValues: Object.values(DRAFT_URIS) },
    })
  issues.push(...referenceIssues(bundled), ...patternIssues(bundled))
  if (issues.length) return issues
  const ajv = metaValidator(draftOf(bundled))
  if (ajv.validateSchema(bundled) !== true) {
    const errors = (ajv.errors ?? []) as { instancePath: string; keyword: string; message?: string }[]
    return errors.map((e) => ({
      path: e.instancePath,
      keyword: e.keyword,
      message: `not a valid schema of its draft: ${e.instancePath || '/'} ${e.message ?? e.keyword}`,
    }))
  }
  return []
}

export interface PlainVerdict {
  readonly compatible: boolean
  readonly differences: readonly AdmissionDifference[]
}

/**
 * Whether `next` may follow `history` (bundled, active versions, oldest first, with their version numbers) under
 * `mode`: refused with SCHEMA_INVALID when it is not a usable schema, else the engine's verdict and differences.
 */
export function admitPlainSchema(
  next: unknown,
  history: readonly { version: number; schema: JsonObject }[],
  mode: Mode,
  options: { policy?: Policy; maxBytes?: number; maxDepth?: number } = {},
): { ok: true; value: PlainVerdict } | Refused {
  const issues = plainSchemaIssues(next, {
    maxBytes: options.maxBytes ?? DEFAULT_LIMITS.maxBytes,
    maxDepth: options.maxDepth ?? DEFAULT_LIMITS.maxDepth,
  })
  if (issues.length)
    return {
      ok: false,
      code: 'SCHEMA_INVALID',
      issues,
      summary: `not a usable JSON Schema: ${issues.length} problem${issues.length === 1 ? '' : 's'}`,
    }
  const r = checkTransitive(
    history.map((h) => h.schema),
    next as JsonObject,
    { mode, ...(options.policy ? { policy: options.policy } : {}) },
  )
  return {
    ok: true,
    value: {
      compatible: r.compatible,
      differences: r.differences.map(({ against, ...d }) => ({
        ...d,
        ...(against === undefined ? {} : { against: history[against - 1]?.version ?? against }),
      })),
    },
  }
}
