import { STATUS, type ProblemCode } from '../../http/problem.ts'
import { openApiPath, wireName, type JsonSchema, type ResponseDecl, type Route } from './route.ts'

/** The parts of OpenAPI 3.1 this document uses, typed so that a typo in a field name does not compile. */
export type MediaType = { schema: JsonSchema; example?: unknown }
export type ResponseObject = ResponseDecl
export interface Parameter {
  name: string
  in: 'path' | 'query' | 'header'
  required: boolean
  description: string
  schema: JsonSchema
  example?: unknown
}
export interface Operation {
  operationId: string
  summary: string
  description?: string
  tags: string[]
  parameters?: Parameter[]
  requestBody?: { required: boolean; description?: string; content: Record<string, MediaType> }
  responses: Record<string, ResponseObject>
  security?: Record<string, string[]>[]
}
export type Method = 'get' | 'put' | 'post' | 'delete'
export type PathItem = Partial<Record<Method, Operation>>
export interface OpenApiDocument {
  openapi: '3.1.0'
  info: { title: string; version: string; description: string }
  paths: Record<string, PathItem>
  components: {
    schemas: Record<string, JsonSchema>
    securitySchemes: Record<string, { type: 'http'; scheme: 'bearer' | 'basic'; description: string }>
  }
}

/** RFC 9457 problem details, the body of every error (http/problem.ts). */
export const ProblemSchema: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details; branch on `code`',
  required: ['type', 'title', 'status', 'code', 'issues'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { enum: [...Object.keys(STATUS), 'NOT_FOUND', 'INTERNAL'] },
    issues: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'keyword', 'message'],
        properties: {
          path: { type: 'string' },
          keyword: { type: 'string' },
          message: { type: 'string' },
          params: { type: 'object' },
        },
      },
    },
  },
}

/** A problem+json response, naming the codes it may carry. */
export const problem = (description: string, ...codes: ProblemCode[]): ResponseDecl => ({
  description: `${description} (code ${codes.join(', ')})`,
  content: { 'application/problem+json': { schema: ProblemSchema } },
})

export interface DocumentOptions {
  info: OpenApiDocument['info']
  /** Named schemas: wherever a route uses one of these very objects, the document says `$ref` to it. */
  components: Record<string, JsonSchema>
  /** The body limit the edge enforces (the app's configuration). */
  maxBodyBytes: number
}

/** 262144 → `256 KiB`. */
export const formatBytes = (n: number): string =>
  n >= 1024 * 1024 && n % (1024 * 1024) === 0
    ? `${n / (1024 * 1024)} MiB`
    : n >= 1024 && n % 1024 === 0
      ? `${n / 1024} KiB`
      : `${n} bytes`

/**
 * The OpenAPI document of a route table: every route is one operation, its parameters emitted as declared, its
 * security, 400, 401, 403 and 413 derived from what the edge does for it. /openapi.json serves it, /docs renders it.
 */
export function openApiDocument(routes: readonly Route[], options: DocumentOptions): OpenApiDocument {
  const components = { ...options.components, Problem: ProblemSchema }
  const names = new Map<unknown, string>(Object.entries(components).map(([name, s]) => [s, name]))
  const refs = (schema: JsonSchema, self?: JsonSchema): JsonSchema =>
    withRefs(schema, names, self) as JsonSchema
  const paths: Record<string, PathItem> = {}
  for (const route of routes) {
    const item = (paths[openApiPath(route.path)] ??= {})
    const method = route.method.toLowerCase() as Method
    if (item[method]) throw new TypeError(`${route.method} ${route.path} is declared twice`)
    item[method] = operation(route, options.maxBodyBytes, refs)
  }
  return {
    openapi: '3.1.0',
    info: options.info,
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'a token the registry was started with (REGISTRY_TOKENS: admin; REGISTRY_TOKENS_FILE: named, scoped). Role `write`: a token whose `resources` match the resource the path names, or an admin token; role `admin`: an admin token',
        },
        basic: {
          type: 'http',
          scheme: 'basic',
          description:
            'the same tokens as HTTP Basic (`<name>:<token>`, as Confluent clients send `basic.auth.user.info`): the password is the token, the user part is ignored',
        },
      },
      schemas: Object.fromEntries(Object.entries(components).map(([name, s]) => [name, refs(s, s)])),
    },
  }
}

function operation(route: Route, maxBodyBytes: number, refs: (s: JsonSchema) => JsonSchema): Operation {
  const parameters: Parameter[] = Object.entries(route.params).map(([key, d]) => ({
    name: wireName(key, d),
    in: d.in,
    required: d.in === 'path' || d.required === true,
    description: d.description,
    schema: d.schema,
    ...(d.example === undefined ? {} : { example: d.example }),
  }))
  const responses: Record<string, ResponseDecl> = { ...route.responses }
  const bad: { what: string; codes: ProblemCode[] }[] = []
  if (parameters.length)
    bad.push({ what: 'a bad parameter (an issue per parameter)', codes: ['BAD_REQUEST'] })
  const bodyBytes = Math.min(maxBodyBytes, route.body?.maxBytes ?? maxBodyBytes)
  if (route.body) {
    bad.push({ what: 'the body is not JSON', codes: ['NOT_JSON'] })
    if (route.body.validate === 'edge')
      bad.push({ what: 'the body does not match its schema', codes: ['BAD_REQUEST'] })
    responses['413'] = problem(`the body is over ${formatBytes(bodyBytes)}`, 'PAYLOAD_TOO_LARGE')
  }
  if (route.limit)
    responses['429'] = problem(
      `more than ${route.limit.perClient} of these requests in flight from this client, or the registry's work queue is full (Retry-After)`,
      'TOO_MANY_REQUESTS',
    )
  if (bad.length)
    responses['400'] = problem(bad.map((b) => b.what).join('; '), ...new Set(bad.flatMap((b) => b.codes)))
  if (route.auth !== 'public') {
    responses['401'] = problem(
      'no usable Authorization header (Bearer or Basic; issue path `/Authorization`)',
      'UNAUTHORIZED',
    )
    responses['403'] = problem(
      `${
        route.auth === 'admin'
          ? 'not an admin token (issue keyword `admin`)'
          : `the token may not write the resource \`{${route.auth.write}}\` names (issue keyword \`scope\`, path \`/${route.auth.write}\`)`
      }, an unknown token (keyword \`token\`), or no tokens configured (keyword \`writes-disabled\`)`,
      'FORBIDDEN',
    )
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    tags: [...route.tags],
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            description: `${route.body.description}; at most ${formatBytes(bodyBytes)}`,
            content: {
              'application/json': {
                schema: refs(route.body.schema),
                ...(route.body.example === undefined ? {} : { example: route.body.example }),
              },
            },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(responses)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([status, r]) => [status, response(r, refs)]),
    ),
    ...(route.auth === 'public' ? {} : { security: securityOf(route.auth) }),
  }
}

/** Either scheme, with the role the route needs (OpenAPI 3.1 allows roles for http schemes). */
function securityOf(auth: Exclude<Route['auth'], 'public'>): Record<string, string[]>[] {
  const role = auth === 'admin' ? 'admin' : 'write'
  return [{ bearer: [role] }, { basic: [role] }]
}

function response(r: ResponseDecl, refs: (s: JsonSchema) => JsonSchema): ResponseObject {
  return {
    ...r,
    ...(r.content
      ? {
          content: Object.fromEntries(
            Object.entries(r.content).map(([type, m]) => [type, { ...m, schema: refs(m.schema) }]),
          ),
        }
      : {}),
  }
}

/** A copy of `value` in which every object that is a named schema (other than `self`) is a `$ref` to it. */
function withRefs(value: unknown, names: ReadonlyMap<unknown, string>, self?: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  const name = value === self ? undefined : names.get(value)
  if (name !== undefined) return { $ref: `#/components/schemas/${name}` }
  if (Array.isArray(value)) return value.map((v) => withRefs(v, names))
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withRefs(v, names)]))
}
