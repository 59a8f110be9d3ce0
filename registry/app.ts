import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { routePath } from 'hono/route'
import type { Logger } from 'pino'
import { ContractError, isContractError } from '../core/index.ts'
import { requireToken } from './http/auth.ts'
import { renderDocsPage } from './http/docs-page.ts'
import type { Metrics } from './http/metrics.ts'
import { openApiDocument } from './http/openapi.ts'
import { problemFor, problemResponse, toProblem } from './http/problem.ts'
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

/** If-None-Match names this ETag (exactly, in a list, weakly, or `*`). */
function notModified(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  if (header === etag || header === '*') return true
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)
}

/** The hot path: bytes and ETag were computed when the version was loaded. */
function sendSchema(c: Context, entry: VersionEntry, cacheControl: string): Response {
  const headers = { etag: entry.etag, 'cache-control': cacheControl }
  if (notModified(c.req.header('if-none-match'), entry.etag)) return c.body(null, 304, headers)
  return c.body(entry.bytes, 200, { ...headers, 'content-type': 'application/schema+json' })
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

  app.use(async (c, next) => {
    const start = performance.now()
    await next()
    const ms = performance.now() - start
    const status = c.res.status
    metrics.request(c.req.method, routePath(c, -1), status, ms / 1000)
    logger.info(
      { method: c.req.method, path: c.req.path, status, ms: Math.round(ms * 1000) / 1000 },
      'request',
    )
  })

  app.onError((err, c) => {
    const problem = toProblem(err)
    if (problem.status >= 500) logger.error({ err, path: c.req.path }, 'request failed')
    if (isContractError(err, 'INCOMPATIBLE_SCHEMA')) metrics.refused(c.req.param('name') ?? '')
    return problemResponse(c, problem)
  })
  app.notFound((c) =>
    problemResponse(c, problemFor('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`, 404)),
  )

  app.get('/health', (c) => c.json({ status: 'ok' }))
  app.get('/ready', async (c) => {
    await store.ping()
    return c.json({ status: 'ready', storage: store.kind })
  })
  app.get('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
  )
  app.get('/openapi.json', (c) => c.body(openapi, 200, JSON_TYPE))
  app.get('/docs', (c) => c.html(docs))

  app.get('/schemas', (c) => c.body(service.list(), 200, JSON_TYPE))
  app.get('/schemas/:name/versions', (c) =>
    c.body(service.subject(c.req.param('name')).versionsBytes, 200, JSON_TYPE),
  )
  app.get('/schemas/:name/versions/:version', (c) => {
    const version = c.req.param('version')
    return sendSchema(
      c,
      service.version(c.req.param('name'), version),
      version === 'latest' ? REVALIDATE : IMMUTABLE,
    )
  })
  app.get('/schemas/:name/versions/:version/types.ts', async (c) => {
    const version = c.req.param('version')
    const entry = service.version(c.req.param('name'), version)
    const ts = await service.types(entry)
    return c.body(ts, 200, {
      'content-type': 'text/plain; charset=utf-8',
      etag: entry.etag,
      'cache-control': version === 'latest' ? REVALIDATE : IMMUTABLE,
    })
  })
  app.get('/resolve', (c) => {
    const uri = c.req.query('uri')
    if (!uri)
      throw new ContractError('BAD_REQUEST', 'the uri query parameter is required', [
        { path: '/uri', keyword: 'required', message: 'missing' },
      ])
    return sendSchema(c, service.resolve(uri), IMMUTABLE)
  })

  app.post('/schemas/:name/versions', write, limit, async (c) => {
    const r = await service.register(c.req.param('name'), await jsonBody(c))
    metrics.registered(r.created)
    return c.json({ name: r.name, version: r.version, uri: r.uri }, r.created ? 201 : 200)
  })
  app.post('/compatibility/:name', limit, async (c) =>
    c.json(service.compatibility(c.req.param('name'), await jsonBody(c))),
  )
  app.delete('/schemas/:name/versions/:version', write, async (c) =>
    c.json(
      await service.remove(c.req.param('name'), c.req.param('version'), c.req.query('permanent') === 'true'),
    ),
  )

  app.get('/config', (c) => c.json({ compatibility: service.mode() }))
  app.get('/config/:name', (c) => c.json({ compatibility: service.mode(c.req.param('name')) }))
  app.put('/config', write, limit, async (c) =>
    c.json({ compatibility: await service.setMode(undefined, modeOf(await jsonBody(c))) }),
  )
  app.put('/config/:name', write, limit, async (c) =>
    c.json({ compatibility: await service.setMode(c.req.param('name'), modeOf(await jsonBody(c))) }),
  )
  return app
}

const modeOf = (body: unknown): unknown =>
  body !== null && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>).compatibility
    : undefined
