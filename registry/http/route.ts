import type { Context } from 'hono'
import type { Principal } from '../../http/auth.ts'
import type { ClientLimit } from './limits.ts'

/**
 * One route, declared once: method, path, auth, parameters, body, responses and handler. `mountRoutes` (edge.ts)
 * turns a table of them into hono routes that validate at the edge; `openApiDocument` (openapi.ts) turns the same
 * table into /openapi.json. Nothing else describes a route, so the two cannot drift.
 */

/** A JSON Schema (draft 2020-12) as a plain object: compiled by ajv and emitted verbatim into OpenAPI. */
export type JsonSchema = { readonly [keyword: string]: unknown }

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

/**
 * Who may call a route, checked before anything else of the request (http/auth.ts): anyone; a token whose
 * `resources` match the resource the path parameter `write` names (or an admin token); an admin token.
 */
export type Auth = 'public' | { readonly write: string } | 'admin'

/** What a handler receives as its principal: none on a public route, the token's on the others. */
export type PrincipalOf<A> = A extends 'public' ? undefined : Principal

/** A path, query or header parameter. The handler receives it parsed (`schema` decides the type) and validated. */
export interface ParamDecl {
  readonly in: 'path' | 'query' | 'header'
  /** The name on the wire, when it is not the key (headers: `If-None-Match` for `ifNoneMatch`). */
  readonly name?: string
  /** Path parameters always are. */
  readonly required?: boolean
  readonly description: string
  /** `integer`, `number` and `boolean` (alone or in an `anyOf`) parse the text first; anything else stays a string. */
  readonly schema: JsonSchema
  readonly example?: unknown
}

export type Params = { readonly [key: string]: ParamDecl }

export interface BodyDecl {
  readonly description: string
  readonly schema: JsonSchema
  readonly example?: unknown
  /**
   * `edge`: parsed as JSON and validated against `schema` before the handler (400 BAD_REQUEST naming each issue);
   * the handler receives the typed value. `handler`: parsed as JSON only; the handler (the service) judges it and
   * receives `unknown`, e.g. a contract schema, which the service answers with 422 and its own issues.
   */
  readonly validate: 'edge' | 'handler'
  /** This route's own body limit, below the app's `maxBodyBytes` (413 beyond). */
  readonly maxBytes?: number
}

/** The parts of an OpenAPI response object a route declares. Schemas are plain objects (components by identity). */
export interface ResponseDecl {
  readonly description: string
  readonly headers?: {
    readonly [name: string]: { readonly description: string; readonly schema: JsonSchema }
  }
  readonly content?: {
    readonly [mediaType: string]: { readonly schema: JsonSchema; readonly example?: unknown }
  }
}

/**
 * Statuses the edge itself answers, described from the declaration (openapi.ts): 400 for parameters or a body,
 * 401/403 for `write`, 413 for a body. A route does not declare them. (429 is derived for a route with a `limit`.)
 */
export type DerivedStatus = '400' | '401' | '403' | '413'
export type Responses = { readonly [status: string]: ResponseDecl } & {
  readonly [S in DerivedStatus]?: never
}

/** The TypeScript type of the values a JSON Schema accepts, for the few keywords parameters and bodies use. */
export type FromSchema<S> = S extends { const: infer C }
  ? C
  : S extends { enum: readonly (infer E)[] }
    ? E
    : S extends { anyOf: readonly (infer A)[] }
      ? FromSchema<A>
      : S extends { oneOf: readonly (infer A)[] }
        ? FromSchema<A>
        : S extends { type: 'integer' | 'number' }
          ? number
          : S extends { type: 'string' }
            ? string
            : S extends { type: 'boolean' }
              ? boolean
              : S extends { type: 'object'; properties: infer P }
                ? ObjectOf<P, S extends { required: readonly (infer R)[] } ? R : never>
                : unknown

type ObjectOf<P, R> = { -readonly [K in keyof P as K extends R ? K : never]: FromSchema<P[K]> } & {
  -readonly [K in keyof P as K extends R ? never : K]?: FromSchema<P[K]>
}

/** What a handler receives for its parameters: each parsed; `undefined` when optional and absent. */
export type Input<P extends Params> = {
  -readonly [K in keyof P]: P[K] extends { in: 'path' } | { required: true }
    ? FromSchema<P[K]['schema']>
    : FromSchema<P[K]['schema']> | undefined
}

export type BodyOf<B> = B extends { validate: 'edge'; schema: infer S } ? FromSchema<S> : unknown

export type Handler<P extends Params, B, A extends Auth = Auth> = (
  c: Context,
  input: Input<P>,
  body: BodyOf<B>,
  principal: PrincipalOf<A>,
) => Response | Promise<Response>

/** The `:name` segments of a hono path. */
export type PathKeys<S extends string> = S extends `${string}:${infer K}/${infer Rest}`
  ? K | PathKeys<`/${Rest}`>
  : S extends `${string}:${infer K}`
    ? K
    : never

type PathParamKeys<P extends Params> = { [K in keyof P]: P[K] extends { in: 'path' } ? K : never }[keyof P]

/** Compiles only when the path's `:segments` and the parameters declared `in: 'path'` are the same names. */
type SamePathKeys<Path extends string, P extends Params> = [PathKeys<Path>] extends [PathParamKeys<P>]
  ? [PathParamKeys<P>] extends [PathKeys<Path>]
    ? unknown
    : { 'path parameters not in the path': Exclude<PathParamKeys<P>, PathKeys<Path>> }
  : { 'path segments without a parameter': Exclude<PathKeys<Path>, PathParamKeys<P>> }

/** A route's auth, with `write` naming one of its path parameters (the resource written). */
type AuthOf<P extends Params> = 'public' | 'admin' | { readonly write: PathParamKeys<P> & string }

export interface RouteDecl<
  Path extends string,
  P extends Params,
  B extends BodyDecl | undefined,
  A extends Auth = Auth,
> {
  readonly method: Method
  /** hono syntax (`/schemas/:name/versions`); OpenAPI gets `{name}`. Also the route label of metrics. */
  readonly path: Path
  readonly operationId: string
  readonly tags: readonly string[]
  readonly summary: string
  readonly description?: string
  readonly auth: A
  readonly params?: P
  readonly body?: B
  /** Requests one client may have in flight (429 beyond), counted before the body is read. */
  readonly limit?: ClientLimit
  readonly responses: Responses
  readonly handler: Handler<P, B, A>
}

/** A declared route with its types erased, as the table holds it. */
export interface Route {
  readonly method: Method
  readonly path: string
  readonly operationId: string
  readonly tags: readonly string[]
  readonly summary: string
  readonly description?: string
  readonly auth: Auth
  readonly params: Params
  readonly body: BodyDecl | undefined
  readonly limit?: ClientLimit
  readonly responses: Responses
  readonly handler: (
    c: Context,
    input: Record<string, unknown>,
    body: unknown,
    principal: Principal | undefined,
  ) => Response | Promise<Response>
}

/** Declares a route; the handler's `input`, `body` and `principal` are typed from the declaration. */
export function route<
  const Path extends string,
  const P extends Params = Record<never, never>,
  const B extends BodyDecl | undefined = undefined,
  const A extends Auth = Auth,
>(
  decl: RouteDecl<Path, P, B, A> & {
    readonly params?: P & SamePathKeys<Path, P>
    readonly auth: A & AuthOf<P>
  },
): Route {
  return { ...decl, params: decl.params ?? {}, body: decl.body } as unknown as Route
}

/** Declares a parameter shared by several routes, keeping its literal schema for the handlers' types. */
export const param = <const D extends ParamDecl>(decl: D): D => decl

/** hono `/schemas/:name` → OpenAPI `/schemas/{name}`. */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

/** The name a parameter has on the wire. */
export const wireName = (key: string, decl: ParamDecl): string => decl.name ?? key
