import { Hono, type Context, type MiddlewareHandler, type Next } from 'hono'
import type { BlankEnv } from 'hono/types'
import { bodyLimit } from 'hono/body-limit'
import type { Logger } from 'pino'
import { ContractError, isContractError } from '../core/index.ts'
import { requireToken } from '../http/auth.ts'
import { renderDocsPage } from './http/docs-page.ts'
import type { Metrics } from './http/metrics.ts'
import { openApiDocument } from './http/openapi.ts'
import { problemFor, problemResponse, toProblem } from '../http/problem.ts'
import type { VersionEntry } from './memory.ts'
import type { SchemaService } from './service.ts'
import type { SchemaStore } from './store/store.ts'

export interface AppOptions {
  service: SchemaService
  store: Pick<SchemaStore, 'ping' | 'kind'>
  tokens: readonly string[]
  logger: Logger
  metrics: Metrics
  maxBodyBytes: number
}

const IMMUTABLE = 'public, max-age=31536000, immutable'
const REVALIDATE = 'no-cache'
const JSON_TYPE = { 'content-type': 'application/json' }
const SCHEMA_TYPE = 'application/schema+json'
/** The route label of requests no route matches (what `routePath` gave under the former `app.use` middleware). */
const UNMATCHED = '/*'

/** A route's handler or middleware, synchronous or not. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- hono's own default for the path of a Context
type Step<P extends string = any> = (
  c: Context<BlankEnv, P>,
  next: Next,
) => Response | void | Promise<Response | void>

/** If-None-Match names this ETag (exactly, in a list, weakly, or `*`). */
function notModified(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  if (header === etag || header === '*') return true
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)
}

/**
 * The hot path: bytes and ETag were computed when the version was loaded. A Response with a plain-object header
 * record, not `c.body`: hono turns more than one header into a `Headers` per response, which @hono/node-server
 * then copies back into an object; a plain record is written as is (nothing sets headers through `c.header`).
 */
function sendSchema(c: Context, entry: VersionEntry, cacheControl: string): Response {
  if (notModified(c.req.header('if-none-match'), entry.etag))
    return new Response(null, { status: 304, headers: { etag: entry.etag, 'cache-control': cacheControl } })
  return new Response(entry.bytes, {
    status: 200,
    headers: { 'content-type': SCHEMA_TYPE, etag: entry.etag, 'cache-control': cacheControl },
  })
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text()
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

/** The HTTP API over a service. Handlers only throw; `onError` turns every failure into a problem response. */
export function createApp({ service, store, tokens, logger, metrics, maxBodyBytes }: AppOptions): Hono {
  const app = new Hono()
  const write = requireToken(tokens)
  const limit = bodyLimit({
    maxSize: maxBodyBytes,
    onError: () => {
      throw new ContractError('PAYLOAD_TOO_LARGE', `the body is over ${maxBodyBytes} bytes`, [
        {
          path: '',
          keyword: 'maxBytes',
          message: `must be at most ${maxBodyBytes} bytes`,
          params: { limit: maxBodyBytes },
        },
      ])
    },
  })
  const openapi = JSON.stringify(openApiDocument())
  const docs = renderDocsPage(openApiDocument())

  // One log line and the metrics per request. Not an `app.use` middleware: with one, every route goes through
  // hono's compose (async, a promise per step) and @hono/node-server's slow path for promised responses. Wrapping
  // each route's first handler keeps a synchronous handler synchronous, and the route label is known up front.
  const observe = (c: Context, route: string, start: number, res: Response): Response => {
    const ms = performance.now() - start
    const status = res.status
    metrics.request(c.req.method, route, status, ms / 1000)
    logger.info(
      { method: c.req.method, path: c.req.path, status, ms: Math.round(ms * 1000) / 1000 },
      'request',
    )
    return res
  }
  const onError = (err: unknown, c: Context): Response => {
    const problem = toProblem(err)
    if (problem.status >= 500) logger.error({ err, path: c.req.path }, 'request failed')
    if (isContractError(err, 'INCOMPATIBLE_SCHEMA')) metrics.refused(c.req.param('name') ?? '')
    return problemResponse(c, problem)
  }
  /** `handler` (a route's first handler or middleware), timed, logged and counted under `route`; errors → problems. */
  const timed =
    (route: string, handler: Step): Step =>
    (c, next) => {
      const start = performance.now()
      let r: ReturnType<Step>
      try {
        r = handler(c, next)
      } catch (err) {
        return observe(c, route, start, onError(err, c))
      }
      if (r instanceof Promise)
        return r.then(
          (res) => observe(c, route, start, res ?? c.res),
          (err: unknown) => observe(c, route, start, onError(err, c)),
        )
      return observe(c, route, start, r ?? c.res)
    }

  const on = <P extends string>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: P,
    first: Step<P>,
    ...rest: Step<P>[]
  ) => {
    app.on(method, [path], ...([timed(path, first as Step), ...rest] as MiddlewareHandler[]))
  }

  // Errors the wrapper does not see (a later middleware's or handler's, caught by hono's compose) end up here.
  app.onError(onError)
  app.notFound((c) =>
    observe(
      c,
      UNMATCHED,
      performance.now(),
      problemResponse(c, problemFor('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`, 404)),
    ),
  )

  on('GET', '/health', (c) => c.json({ status: 'ok' }))
  on('GET', '/ready', async (c) => {
    await store.ping()
    return c.json({ status: 'ready', storage: store.kind })
  })
  on('GET', '/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
  )
  on('GET', '/openapi.json', (c) => c.body(openapi, 200, JSON_TYPE))
  on('GET', '/docs', (c) => c.html(docs))

  on('GET', '/schemas', (c) => c.body(service.list(), 200, JSON_TYPE))
  on('GET', '/schemas/:name/versions', (c) =>
    c.body(service.subject(c.req.param('name')).versionsBytes, 200, JSON_TYPE),
  )
  on('GET', '/schemas/:name/versions/:version', (c) => {
    const version = c.req.param('version')
    return sendSchema(
      c,
      service.version(c.req.param('name'), version),
      version === 'latest' ? REVALIDATE : IMMUTABLE,
    )
  })
  on('GET', '/schemas/:name/versions/:version/types.ts', async (c) => {
    const version = c.req.param('version')
    const entry = service.version(c.req.param('name'), version)
    const ts = await service.types(entry)
    return c.body(ts, 200, {
      'content-type': 'text/plain; charset=utf-8',
      etag: entry.etag,
      'cache-control': version === 'latest' ? REVALIDATE : IMMUTABLE,
    })
  })
  on('GET', '/resolve', (c) => {
    const uri = c.req.query('uri')
    if (!uri)
      throw new ContractError('BAD_REQUEST', 'the uri query parameter is required', [
        { path: '/uri', keyword: 'required', message: 'missing' },
      ])
    return sendSchema(c, service.resolve(uri), IMMUTABLE)
  })

  on('POST', '/schemas/:name/versions', write, limit, async (c) => {
    const r = await service.register(c.req.param('name'), await jsonBody(c))
    metrics.registered(r.created)
    return c.json({ name: r.name, version: r.version, uri: r.uri }, r.created ? 201 : 200)
  })
  on('POST', '/compatibility/:name', limit, async (c) =>
    c.json(service.compatibility(c.req.param('name'), await jsonBody(c))),
  )
  on('DELETE', '/schemas/:name/versions/:version', write, async (c) =>
    c.json(
      await service.remove(c.req.param('name'), c.req.param('version'), c.req.query('permanent') === 'true'),
    ),
  )

  on('GET', '/config', (c) => c.json({ compatibility: service.mode() }))
  on('GET', '/config/:name', (c) => c.json({ compatibility: service.mode(c.req.param('name')) }))
  on('PUT', '/config', write, limit, async (c) =>
    c.json({ compatibility: await service.setMode(undefined, modeOf(await jsonBody(c))) }),
  )
  on('PUT', '/config/:name', write, limit, async (c) =>
    c.json({ compatibility: await service.setMode(c.req.param('name'), modeOf(await jsonBody(c))) }),
  )
  return app
}

const modeOf = (body: unknown): unknown =>
  body !== null && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>).compatibility
    : undefined
