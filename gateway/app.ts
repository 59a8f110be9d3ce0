/**
 * The gateway app: `POST /events` (CloudEvents in: binary, structured, batch), `POST /change-events` (two versions
 * of a resource in, its change event out) and `GET /health`, on hono. Handlers only throw ContractErrors; each route
 * turns what it throws into a problem (http/problem.ts) in one place. No I/O until a request arrives: the sink
 * connects on its first send.
 */
import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import {
  check,
  checkTopicPrefix,
  ContractError,
  createAjv,
  createEncoder,
  formats,
  type ValidateFn,
} from '../core/index.ts'
import { createAuthorizer, credentialOf } from '../http/auth.ts'
import { readJson } from '../http/body.ts'
import { GATEWAY_STATUS, problemFor, problemMapper, problemResponse } from '../http/problem.ts'
import { createChangeEvents, type ChangeInput } from './changes/events.ts'
import { coalescingSink } from './coalesce.ts'
import { modeOf } from './cloudevents.ts'
import { resolveGatewayConfig, type GatewayConfig, type GatewayOptions } from './config.ts'
import { createDedup } from './dedup.ts'
import { createIngest } from './ingest.ts'
import { createRouter, type Route } from './routes.ts'
import { cloudEventMessage } from './webhook/body.ts'
import { createDelivery, deliverWithRetries, type Deliver } from './webhook/deliver.ts'

const toProblem = problemMapper(GATEWAY_STATUS)

/** The body of `POST /change-events`, checked at the edge (400 naming each field). */
export const CHANGE_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['resource'],
  properties: {
    resource: { type: 'string', minLength: 1, maxLength: 200 },
    old: { type: ['object', 'null'] },
    new: { type: ['object', 'null'] },
    actor: { type: 'string', minLength: 1, maxLength: 256 },
    version: { type: 'integer', minimum: 1 },
    id: { type: 'string', format: 'uuid' },
  },
} as const

/** The gateway's hono app over a sink and a catalog (see GatewayOptions). */
export function createGateway(options: GatewayOptions): Hono {
  const config = resolveGatewayConfig(options)
  checkTopicPrefix(config.topicPrefix, config.catalog)
  const sink = config.coalesce === false ? config.sink : coalescingSink(config.sink, config.coalesce)
  const authorize = createAuthorizer(config.tokens)
  const encoder = createEncoder(config.catalog, {
    source: config.source,
    topicPrefix: config.topicPrefix,
    newId: config.newId,
    now: config.now,
  })
  const ingest = createIngest({
    catalog: config.catalog,
    encoder,
    sink,
    router: createRouter(config.routes),
    authorize,
    dedup: createDedup({ windowMs: config.dedupWindowMs, maxEntries: config.dedupMaxEntries }),
    deliver: webhookDeliverer(config),
    maxBatchEvents: config.maxBatchEvents,
    now: config.now,
  })
  const changeEvents =
    config.schemas &&
    createChangeEvents({
      catalog: config.catalog,
      schemas: config.schemas,
      sink,
      source: config.source,
      topicPrefix: config.topicPrefix,
      newId: config.newId,
      now: config.now,
      diff: config.diff,
    })
  const validateChange = createAjv({ formats }).compile(CHANGE_REQUEST_SCHEMA) as ValidateFn<ChangeInput>

  const app = new Hono()
  const fail = (c: Context, err: unknown): Response => {
    const problem = toProblem(err)
    if (problem.status >= 500) config.logger?.error({ err, path: c.req.path }, 'request failed')
    const res = problemResponse(c, problem)
    // Only the transport or a webhook makes a 5xx: the same request may succeed soon.
    if (problem.status === 503 || problem.status === 502) res.headers.set('retry-after', '1')
    return res
  }
  const json = (c: Context, status: ContentfulStatusCode, body: unknown) =>
    c.body(JSON.stringify(body), status, { 'content-type': 'application/json' })

  app.post('/events', async (c) => {
    try {
      const headers = c.req.header()
      const authorization = headers.authorization
      credentialOf(authorization) // 401 before anything else; the scope is judged per event, once they are read
      const mode = modeOf(headers)
      const body = await readJson(c, config.maxBodyBytes)
      const answer = await ingest(authorization, { mode, headers, body })
      return json(c, answer.status, answer.body)
    } catch (err) {
      return fail(c, err)
    }
  })

  app.post('/change-events', async (c) => {
    try {
      if (!changeEvents)
        throw new ContractError('NO_ROUTE', 'change events are off: the gateway was started without schemas')
      const authorization = c.req.header('authorization')
      credentialOf(authorization)
      const body = await readJson(c, config.maxBodyBytes)
      const r = check(validateChange, body)
      if (!r.ok) throw new ContractError('BAD_REQUEST', 'the body is not a change request', r.issues)
      authorize(authorization, { write: r.value.resource, path: '/resource' })
      const result = await changeEvents.publish(r.value)
      const { outcome, published } = result
      return published
        ? json(c, 202, { published: true, ...published, changes: outcome.changes })
        : json(c, 200, {
            published: false,
            reason: outcome.publish ? undefined : outcome.reason,
            changes: outcome.changes,
          })
    } catch (err) {
      return fail(c, err)
    }
  })

  app.get('/health', (c) => json(c, 200, { status: 'ok' }))
  app.notFound((c) =>
    problemResponse(c, problemFor('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`, 404)),
  )
  app.onError((err, c) => fail(c, err))
  return app
}

/** One signer per route, made once; each POST retried within the request as the route (or the defaults) say. */
function webhookDeliverer(config: GatewayConfig) {
  const deliverers = new Map<string, Deliver>()
  for (const route of config.routes.routes)
    if (route.webhook)
      deliverers.set(
        route.name,
        createDelivery({
          url: route.webhook.url,
          secret: route.webhook.secret,
          timeoutMs: route.webhook.timeoutMs ?? config.webhookTimeoutMs,
          ...(config.fetch ? { fetch: config.fetch } : {}),
          now: config.now,
        }),
      )
  return (route: Route, message: Parameters<typeof cloudEventMessage>[0]) =>
    deliverWithRetries(deliverers.get(route.name) as Deliver, cloudEventMessage(message), {
      attempts: route.webhook?.attempts ?? config.webhookAttempts,
      ...config.webhookBackoffMs,
      maxRetryAfterMs: config.maxRetryAfterMs,
    })
}
