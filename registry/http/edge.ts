import type { ErrorObject } from 'ajv'
import type { Context } from 'hono'
import { check, ContractError, toIssue, type Issue } from '../../core/index.ts'
import type { Authorize, Need, Principal } from '../../http/auth.ts'
import type { Ajv } from '../../core/ajv.ts'
import { escapePointerToken } from '../../core/json.ts'
import { readJson } from '../../http/body.ts'
import { openApiPath, wireName, type JsonSchema, type ParamDecl, type Route } from './route.ts'

/**
 * The edge: what every route does before its handler, compiled once per route when the app is created (validators
 * included, never per request). In order: the token (routes not public), the parameters (400 BAD_REQUEST naming each
 * one), the body (413 over the limit, 400 NOT_JSON, 400 BAD_REQUEST against an `edge` schema). Everything fails by
 * throwing a ContractError; the app turns it into a problem.
 */
export interface EdgeOptions {
  /** Compiles the parameter and body schemas (core's one configuration, with the generated formats). */
  ajv: Ajv
  maxBodyBytes: number
  /** The principal of a request that may do what the route needs; throws otherwise (http/auth.ts). */
  authorize: Authorize
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
  if (typeof route.auth === 'object' && route.params[route.auth.write]?.in !== 'path')
    throw new TypeError(`${where}: auth writes '${route.auth.write}', which is not a path parameter`)
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
  const run = (c: Context, principal: Principal | undefined): Response | Promise<Response> => {
    const input = parameters(c)
    if (!body) return handler(c, input, undefined, principal as never)
    return readJson(c, maxBytes).then((raw) => handler(c, input, body(raw), principal as never))
  }
  // A limited route counts the request in before its body is read, and out when the answer is made.
  const limited = limit
    ? async (c: Context, principal: Principal | undefined) => {
        const leave = limit.enter(c)
        try {
          return await run(c, principal)
        } finally {
          leave()
        }
      }
    : run
  if (route.auth === 'public') return (c) => limited(c, undefined)
  const need = needOf(route)
  // The token first: nothing of the request (parameters, body) is looked at for a caller who may not make it.
  return (c) => limited(c, authorize(c.req.header('authorization'), need(c)))
}

/**
 * What a route needs of a request's token. A write names its resource by the raw path parameter (the parameters
 * are validated after the token): a name no token's globs match is refused as out of scope; one that is matched
 * but malformed is then refused as a bad parameter. Globs are matched without any regular expression.
 */
function needOf({ auth, params }: Route): (c: Context) => Need {
  if (typeof auth !== 'object') {
    const admin: Need = Object.freeze({ admin: true })
    return () => admin
  }
  const decl = params[auth.write]
  const wire = decl ? wireName(auth.write, decl) : auth.write
  const path = `/${escapePointerToken(wire)}`
  return (c) => ({ write: c.req.param(wire) ?? '', path })
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

/** Moved to http/body.ts (the gateway reads its bodies the same way); re-exported for callers of the edge. */
export { readJson }
