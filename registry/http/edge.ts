import type { ErrorObject } from 'ajv'
import type { Context, MiddlewareHandler } from 'hono'
import { check, ContractError, toIssue, type Issue } from '../../core/index.ts'
import type { Ajv } from '../../core/ajv.ts'
import { escapePointerToken } from '../../core/json.ts'
import { openApiPath, wireName, type JsonSchema, type ParamDecl, type Route } from './route.ts'

/**
 * The edge: what every route does before its handler, compiled once per route when the app is created (validators
 * included, never per request). In order: the token (write routes), the parameters (400 BAD_REQUEST naming each
 * one), the body (413 over the limit, 400 NOT_JSON, 400 BAD_REQUEST against an `edge` schema). Everything fails by
 * throwing a ContractError; the app turns it into a problem.
 */
export interface EdgeOptions {
  /** Compiles the parameter and body schemas (core's one configuration, with the generated formats). */
  ajv: Ajv
  maxBodyBytes: number
  /** Throws for a request that may not write; calls `next` otherwise (http/auth.ts `requireToken`). */
  authorize: MiddlewareHandler
}

export type Endpoint = (c: Context) => Response | Promise<Response>

/** Parameters of a route that has none: one frozen object, nothing allocated per request. */
const NONE: Record<string, unknown> = Object.freeze({})

/**
 * Checks the declaration against itself (once, at app creation): path segments and path parameters are the same
 * names, no parameter is declared twice on the wire, and the route does not declare what the edge answers.
 */
export function checkRoute(route: Route): void {
  const where = `${route.method} ${route.path}`
  const segments = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string).sort()
  const pathParams = Object.entries(route.params)
    .filter(([, d]) => d.in === 'path')
    .map(([k, d]) => wireName(k, d))
    .sort()
  if (segments.join() !== pathParams.join())
    throw new TypeError(`${where}: path segments [${segments}] but path parameters [${pathParams}]`)
  const seen = new Set<string>()
  for (const [key, d] of Object.entries(route.params)) {
    const id = `${d.in} ${d.in === 'header' ? wireName(key, d).toLowerCase() : wireName(key, d)}`
    if (seen.has(id)) throw new TypeError(`${where}: ${id} is declared twice`)
    seen.add(id)
  }
  for (const status of ['400', '401', '403', '413'])
    if (status in route.responses)
      throw new TypeError(`${where}: ${status} is described from the declaration, do not declare it`)
  if (!route.path.startsWith('/') || openApiPath(route.path).includes(':'))
    throw new TypeError(`${where}: not a path hono and OpenAPI agree on`)
}

/** The route as one hono handler: edge, then the handler. A synchronous public handler stays synchronous. */
export function compileRoute(route: Route, { ajv, maxBodyBytes, authorize }: EdgeOptions): Endpoint {
  checkRoute(route)
  const parameters = compileParams(route, ajv)
  const body = route.body && compileBody(route.body.validate === 'edge' ? route.body.schema : undefined, ajv)
  const maxBytes = Math.min(maxBodyBytes, route.body?.maxBytes ?? maxBodyBytes)
  const handler = route.handler
  const limit = route.limit
  const withBody: Endpoint = body
    ? async (c) => {
        const input = parameters(c)
        return handler(c, input, body(await readJson(c, maxBytes)))
      }
    : (c) => handler(c, parameters(c), undefined)
  // A limited route counts the request in before its body is read, and out when the answer is made.
  const afterAuth: Endpoint = limit
    ? async (c) => {
        const leave = limit.enter(c)
        try {
          return await withBody(c)
        } finally {
          leave()
        }
      }
    : withBody
  if (route.auth === 'public') return afterAuth
  return async (c) => {
    // Fail closed: only a `next` called by the guard lets the request through, whatever else it does.
    let allowed = false
    await authorize(c, async () => {
      allowed = true
    })
    if (!allowed) throw new ContractError('FORBIDDEN', 'the request is not authorised')
    return afterAuth(c)
  }
}

interface Plan {
  readonly key: string
  readonly wire: string
  readonly in: ParamDecl['in']
  readonly parse: (raw: string) => unknown
}

function compileParams(route: Route, ajv: Ajv): (c: Context) => Record<string, unknown> {
  const entries = Object.entries(route.params)
  if (entries.length === 0) return () => NONE
  const plans: Plan[] = entries.map(([key, d]) => ({
    key,
    wire: wireName(key, d),
    in: d.in,
    parse: parserFor(d.schema),
  }))
  // One validator per route over an object of the parsed values: ajv names each failing one by its pointer.
  const validate = ajv.compile({
    type: 'object',
    properties: Object.fromEntries(entries.map(([key, d]) => [key, d.schema])),
    required: entries.filter(([, d]) => d.in === 'path' || d.required).map(([key]) => key),
  })
  const n = plans.length
  return (c) => {
    const input: Record<string, unknown> = {}
    for (let i = 0; i < n; i++) {
      const p = plans[i] as Plan
      const raw =
        p.in === 'path' ? c.req.param(p.wire) : p.in === 'query' ? c.req.query(p.wire) : c.req.header(p.wire)
      input[p.key] = raw === undefined ? undefined : p.parse(raw)
    }
    if (validate(input)) return input
    throw badParameters(plans, validate.errors ?? [])
  }
}

const INTEGER = /^-?(?:0|[1-9][0-9]*)$/
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/

/** Which JSON types a schema admits, looking through `anyOf`/`oneOf` (enough for parameters). */
function admits(schema: JsonSchema, type: 'integer' | 'number' | 'boolean'): boolean {
  const t = schema.type
  if (t === type || (Array.isArray(t) && t.includes(type))) return true
  const branches = [schema.anyOf, schema.oneOf].flatMap((b) => (Array.isArray(b) ? (b as JsonSchema[]) : []))
  return branches.some((b) => admits(b, type))
}

/**
 * Text → the value the schema judges. Only canonical spellings are parsed (an integer `1`, not `01`, ` 1` or `1e0`; `true`,
 * not `yes`): anything else stays a string, so the schema refuses it with its own message ("must be integer").
 */
function parserFor(schema: JsonSchema): (raw: string) => unknown {
  const numeric = admits(schema, 'number') ? NUMBER : admits(schema, 'integer') ? INTEGER : undefined
  const boolean = admits(schema, 'boolean')
  if (!numeric && !boolean) return (raw) => raw
  return (raw) => {
    if (numeric?.test(raw)) return Number(raw)
    if (boolean && (raw === 'true' || raw === 'false')) return raw === 'true'
    return raw
  }
}

/** ajv's errors → one issue per failing parameter, the pointer naming it as it is spelt on the wire. */
function badParameters(plans: readonly Plan[], errors: readonly ErrorObject[]): ContractError {
  const named: Plan[] = []
  const issues = paramIssues(errors).map((issue) => {
    const key = issue.path.split('/')[1] ?? ''
    const plan = plans.find((p) => p.key === key)
    if (!plan) return issue
    if (!named.includes(plan)) named.push(plan)
    return { ...issue, path: `/${escapePointerToken(plan.wire)}${issue.path.slice(key.length + 1)}` }
  })
  const [only] = named
  const title =
    only && issues.length === 1
      ? `invalid ${only.in} parameter '${only.wire}': ${issues[0]?.message}`
      : `invalid parameters: ${named.map((p) => `'${p.wire}' (${p.in})`).join(', ')}`
  return new ContractError('BAD_REQUEST', title, issues)
}

/**
 * One issue per failure. An `anyOf` that failed is one issue whose message joins its branches' ("must be integer
 * or must be \"latest\""), instead of one issue per branch plus ajv's "must match a schema in anyOf".
 */
function paramIssues(errors: readonly ErrorObject[]): Issue[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
  const inside = (e: ErrorObject, u: ErrorObject) => e !== u && e.schemaPath.startsWith(`${u.schemaPath}/`)
  const issues: Issue[] = []
  for (const e of errors) {
    if (unions.some((u) => inside(e, u))) continue
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
      const branches = [...new Set(errors.filter((b) => inside(b, e)).map((b) => messageOf(b)))]
      issues.push({
        path: e.instancePath,
        keyword: e.keyword,
        message: branches.join(' or ') || (e.message ?? e.keyword),
      })
    } else issues.push({ ...toIssue(e), message: messageOf(e) })
  }
  return issues
}

const messageOf = (e: ErrorObject): string =>
  e.keyword === 'const'
    ? `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`
    : toIssue(e).message

/** The body of a `handler` route as JSON; of an `edge` route, also checked against its schema. */
function compileBody(schema: JsonSchema | undefined, ajv: Ajv): (value: unknown) => unknown {
  if (!schema) return (value) => value
  const validate = ajv.compile(schema)
  return (value) => {
    const r = check(validate as Parameters<typeof check>[0], value)
    if (!r.ok) throw new ContractError('BAD_REQUEST', 'the body does not match its schema', r.issues)
    return r.value
  }
}

const tooLarge = (max: number) =>
  new ContractError('PAYLOAD_TOO_LARGE', `the body is over ${max} bytes`, [
    { path: '', keyword: 'maxBytes', message: `must be at most ${max} bytes`, params: { limit: max } },
  ])

const decoder = new TextDecoder()

/**
 * The body, at most `max` bytes (413 beyond: a declared Content-Length is refused before reading, a stream as soon
 * as it passes the limit, never buffered whole), parsed as JSON (400 NOT_JSON). Decoded as Request.text() does.
 */
export async function readJson(c: Context, max: number): Promise<unknown> {
  const declared = c.req.header('content-length')
  if (declared !== undefined && Number(declared) > max) throw tooLarge(max)
  const stream = c.req.raw.body
  let text = ''
  if (stream) {
    const reader = stream.getReader()
    const chunks: Uint8Array[] = []
    let size = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > max) {
        await reader.cancel()
        throw tooLarge(max)
      }
      chunks.push(value)
    }
    text = decoder.decode(Buffer.concat(chunks, size))
  }
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    throw new ContractError(
      'NOT_JSON',
      `the body is not JSON: ${(cause as Error).message}`,
      [{ path: '', keyword: 'json', message: (cause as Error).message }],
      { cause },
    )
  }
}
