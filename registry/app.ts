import { Hono, type Context } from 'hono'
import type { Logger } from 'pino'
import { createAjv } from '../core/ajv.ts'
import { formats } from '../core/formats.ts'
import { isContractError } from '../core/index.ts'
import { createAuthorizer, type Authorize } from '../http/auth.ts'
import { problemFor, problemResponse, toProblem } from '../http/problem.ts'
import type { Tokens } from '../http/tokens.ts'
import { createCcompatApp } from './ccompat/app.ts'
import type { Ccompat } from './ccompat/service.ts'
import { renderDocsPage } from './http/docs-page.ts'
import { compileRoute, type Endpoint } from './http/edge.ts'
import { clientLimit } from './http/limits.ts'
import { logRequest } from './http/access-log.ts'
import type { Metrics } from './http/metrics.ts'
import { openApiDocument } from './http/openapi.ts'
import type { Route } from './http/route.ts'
import { API_INFO, COMPONENTS, registryRoutes } from './routes/index.ts'
import type { SchemaService } from './service.ts'
import type { SchemaStore } from './store/store.ts'

export interface AppOptions {
  service: SchemaService
  store: Pick<SchemaStore, 'ping' | 'kind'>
  /** Who may write what (http/tokens.ts `resolveTokens`); no grants: writes are refused. */
  tokens: Tokens
  logger: Logger
  metrics: Metrics
  /** Request body limit (413 beyond), enforced at the edge and stated in /openapi.json. */
  maxBodyBytes: number
  /** The nesting limit the service was created with: stated in /openapi.json when given. */
  maxDepth?: number
  /** The public compatibility check's own body limit and requests in flight per client (absent: none of its own). */
  compatibility?: { maxBodyBytes: number; perClient: number }
  /** Confluent's Schema Registry API over the same service, mounted at `path` (registry/ccompat/). */
  ccompat?: { path: string; ccompat: Ccompat }
}

/** The route label of requests no route matches (what `routePath` gave under the former `app.use` middleware). */
const UNMATCHED = '/*'

/**
 * The HTTP API over a service: the route table (registry/routes/) mounted on hono, and the OpenAPI document
 * derived from the same table. Handlers only throw; `onError` turns every failure into a problem response.
 */
export function createApp(options: AppOptions): Hono {
  const { service, store, tokens, logger, metrics, maxBodyBytes, maxDepth, compatibility, ccompat } = options
  const documents = { openapi: '', docs: '' }
  const routes = registryRoutes({
    service,
    store,
    metrics,
    maxDepth,
    documents,
    ...(compatibility
      ? {
          compatibility: {
            maxBodyBytes: compatibility.maxBodyBytes,
            limit: clientLimit(compatibility.perClient, 'compatibility check'),
          },
        }
      : {}),
  })
  const doc = openApiDocument(routes, { info: API_INFO, components: COMPONENTS, maxBodyBytes })
  documents.openapi = JSON.stringify(doc)
  documents.docs = renderDocsPage(doc)
  const authorize = createAuthorizer(tokens)
  const app = mountRoutes(routes, { logger, metrics, maxBodyBytes, authorize })
  if (ccompat)
    app.route(
      '/',
      createCcompatApp({
        ccompat: ccompat.ccompat,
        authorize,
        logger,
        metrics,
        maxBodyBytes,
        path: ccompat.path,
      }),
    )
  return app
}

/** A hono app serving `routes`: each one a single handler (edge + handler), timed, logged and counted. */
export function mountRoutes(
  routes: readonly Route[],
  {
    logger,
    metrics,
    maxBodyBytes,
    authorize,
  }: Pick<AppOptions, 'logger' | 'metrics' | 'maxBodyBytes'> & { authorize: Authorize },
): Hono {
  const app = new Hono()
  // One ajv for every parameter and body schema of the table, compiled here, once.
  const ajv = createAjv({ formats })

  // One log line (successful reads at debug: http/access-log.ts) and the metrics per request. Not an `app.use` middleware: with one, every route goes through
  // hono's compose (async, a promise per step) and @hono/node-server's slow path for promised responses. Wrapping
  // each route's one handler keeps a synchronous handler synchronous, and the route label is known up front.
  const observe = (c: Context, route: string, start: number, res: Response): Response => {
    const ms = performance.now() - start
    const status = res.status
    metrics.request(c.req.method, route, status, ms / 1000)
    logRequest(logger, c.req.method, c.req.path, status, ms)
    return res
  }
  const onError = (err: unknown, c: Context): Response => {
    const problem = toProblem(err)
    if (problem.status >= 500) logger.error({ err, path: c.req.path }, 'request failed')
    if (isContractError(err, 'INCOMPATIBLE_SCHEMA')) metrics.refused(c.req.param('name') ?? '')
    return problemResponse(c, problem)
  }
  /** `endpoint`, timed, logged and counted under `route`; whatever it throws becomes a problem. */
  const timed =
    (route: string, endpoint: Endpoint): Endpoint =>
    (c) => {
      const start = performance.now()
      let r: Response | Promise<Response>
      try {
        r = endpoint(c)
      } catch (err) {
        return observe(c, route, start, onError(err, c))
      }
      if (r instanceof Promise)
        return r.then(
          (res) => observe(c, route, start, res),
          (err: unknown) => observe(c, route, start, onError(err, c)),
        )
      return observe(c, route, start, r)
    }

  // Errors the wrapper does not see (none today: every route is one wrapped handler) would end up here: they are
  // logged and counted too, so that every answer has its line with a status.
  app.onError((err, c) => observe(c, UNMATCHED, performance.now(), onError(err, c)))
  app.notFound((c) =>
    observe(
      c,
      UNMATCHED,
      performance.now(),
      problemResponse(c, problemFor('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`, 404)),
    ),
  )
  for (const route of routes)
    app.on(
      route.method,
      [route.path],
      timed(route.path, compileRoute(route, { ajv, maxBodyBytes, authorize })),
    )
  return app
}
