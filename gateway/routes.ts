/**
 * Routes: kedro-graphql's `{ pipeline: { source, type } }` generalised. Each route matches an event's `source` and
 * `type` (exact, or globs where `*` matches any run of characters) and says what happens to it: `publish` to the
 * resource's topic (the default), `webhook` (POST it, signed), or `both`. Every route that matches applies; an event
 * no route matches is published or refused (404), as `unmatched` says. The config is checked against a schema and
 * then across entries; a problem names the entry.
 */
import { check, createAjv, formats, type Checked, type Issue, type ValidateFn } from '../core/index.ts'
import { matchGlob } from '../http/tokens.ts'

export const ROUTE_ACTIONS = ['publish', 'webhook', 'both'] as const
export type RouteAction = (typeof ROUTE_ACTIONS)[number]

/** Where a route's webhook secret comes from: the CLI reads it (library code never reads env or files). */
export interface WebhookEntry {
  readonly url: string
  /** The name of an environment variable holding the Standard Webhooks secret (`whsec_…`). */
  readonly secretEnv?: string
  /** Or a file holding it. */
  readonly secretFile?: string
  readonly timeoutMs?: number
  /** Attempts within the request (backoff between them) before the gateway answers 502. */
  readonly attempts?: number
}

/** One route as the config file writes it. */
export interface RouteEntry {
  readonly name: string
  readonly source?: string
  readonly type?: string
  readonly action?: RouteAction
  readonly webhook?: WebhookEntry
}

/** The config file (or GATEWAY_ROUTES). */
export interface RoutesFile {
  readonly unmatched?: 'publish' | 'reject'
  readonly routes?: readonly RouteEntry[]
}

/** A webhook ready to call: the secret resolved. */
export interface Webhook {
  readonly url: string
  readonly secret: string
  readonly timeoutMs?: number
  readonly attempts?: number
}

/** A route as the gateway uses it. */
export interface Route {
  readonly name: string
  readonly source: string
  readonly type: string
  readonly publish: boolean
  readonly webhook: Webhook | undefined
}

export interface RoutesConfig {
  readonly unmatched: 'publish' | 'reject'
  readonly routes: readonly Route[]
}

const GLOB = { type: 'string', minLength: 1, maxLength: 1024 } as const

/** The shape of a routes file; the rules across fields and entries come after it (`checkRoutes`). */
export const ROUTES_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    unmatched: { enum: ['publish', 'reject'] },
    routes: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
          source: GLOB,
          type: GLOB,
          action: { enum: ROUTE_ACTIONS },
          webhook: {
            type: 'object',
            additionalProperties: false,
            required: ['url'],
            properties: {
              url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
              secretEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$' },
              secretFile: { type: 'string', minLength: 1, maxLength: 4096 },
              timeoutMs: { type: 'integer', minimum: 1, maximum: 300_000 },
              attempts: { type: 'integer', minimum: 1, maximum: 10 },
            },
          },
        },
      },
    },
  },
} as const

let validateFile: ValidateFn<RoutesFile> | undefined

/** The issue's message names the entry (`'kedro-event00': …`) when the path is inside one. */
function named(value: unknown, issue: Issue): Issue {
  const at = /^\/routes\/(\d+)/.exec(issue.path)
  if (!at) return issue
  const entries = (value as { routes?: unknown }).routes
  const entry: unknown = Array.isArray(entries) ? entries[Number(at[1])] : undefined
  const name = (entry as { name?: unknown } | undefined)?.name
  return typeof name === 'string'
    ? { ...issue, message: `'${name}': ${issue.message}`, params: { ...issue.params, route: name } }
    : issue
}

/**
 * A routes file's content → its entries, or one issue per problem, each at its JSON Pointer and naming its entry:
 * the schema, then names unique, a webhook exactly when the action POSTs one, one secret source per webhook.
 */
export function checkRoutes(value: unknown): Checked<RoutesFile> {
  validateFile ??= createAjv({ formats }).compile<RoutesFile>(ROUTES_SCHEMA)
  const shape = check(validateFile, value)
  if (!shape.ok) return { ok: false, issues: shape.issues.map((i) => named(value, i)) }
  const issues: Issue[] = []
  const names = new Set<string>()
  const add = (at: number, field: string, keyword: string, message: string) =>
    issues.push(named(value, { path: `/routes/${at}${field}`, keyword, message }))
  shape.value.routes?.forEach((r, i) => {
    if (names.has(r.name)) add(i, '/name', 'unique', 'another route has this name')
    names.add(r.name)
    const action = r.action ?? 'publish'
    if (action !== 'publish' && !r.webhook)
      add(i, '/webhook', 'required', `action '${action}' POSTs to a webhook: give webhook.url`)
    if (action === 'publish' && r.webhook)
      add(i, '/action', 'webhook', "a webhook is given but action is 'publish': say 'webhook' or 'both'")
    if (r.webhook && (r.webhook.secretEnv === undefined) === (r.webhook.secretFile === undefined))
      add(i, '/webhook', 'secret', 'give the signing secret as exactly one of secretEnv and secretFile')
  })
  return issues.length ? { ok: false, issues } : shape
}

/** A routes file's text (JSON) → its entries, or the issues (`json` when it does not parse). */
export function parseRoutes(text: string): Checked<RoutesFile> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    return { ok: false, issues: [{ path: '', keyword: 'json', message: (e as Error).message }] }
  }
  return checkRoutes(value)
}

/**
 * Checked entries → the routes the gateway uses, each webhook's secret given by `secretOf` (the CLI reads env and
 * files). Throws a TypeError naming the entry when a secret is missing.
 */
export function resolveRoutes(
  file: RoutesFile,
  secretOf: (webhook: WebhookEntry) => string | undefined,
): RoutesConfig {
  const routes = (file.routes ?? []).map((r): Route => {
    const action = r.action ?? 'publish'
    let webhook: Webhook | undefined
    if (r.webhook && action !== 'publish') {
      const secret = secretOf(r.webhook)
      if (!secret)
        throw new TypeError(
          `route '${r.name}': no webhook secret in ${r.webhook.secretEnv !== undefined ? `$${r.webhook.secretEnv}` : r.webhook.secretFile}`,
        )
      webhook = { url: r.webhook.url, secret, timeoutMs: r.webhook.timeoutMs, attempts: r.webhook.attempts }
    }
    return {
      name: r.name,
      source: r.source ?? '*',
      type: r.type ?? '*',
      publish: action !== 'webhook',
      webhook,
    }
  })
  return Object.freeze({ unmatched: file.unmatched ?? 'publish', routes: Object.freeze(routes) })
}

/** No routes: every event is published. */
export const PUBLISH_ALL: RoutesConfig = Object.freeze({ unmatched: 'publish', routes: Object.freeze([]) })

/** What happens to one event: published or not, the webhooks to POST it to; undefined when refused as unmatched. */
export interface Plan {
  readonly publish: boolean
  readonly webhooks: readonly Route[]
}

const PUBLISH_ONLY: Plan = Object.freeze({ publish: true, webhooks: Object.freeze([]) })

/** The router: `{ source, type }` → the plan, by every matching route (globs matched without regular expressions). */
export function createRouter(config: RoutesConfig): (source: string, type: string) => Plan | undefined {
  const { routes, unmatched } = config
  if (routes.length === 0) return () => (unmatched === 'publish' ? PUBLISH_ONLY : undefined)
  return (source, type) => {
    let publish = false
    let hit = false
    const webhooks: Route[] = []
    for (const r of routes) {
      if (!matchGlob(r.source, source) || !matchGlob(r.type, type)) continue
      hit = true
      publish ||= r.publish
      if (r.webhook) webhooks.push(r)
    }
    if (!hit) return unmatched === 'publish' ? PUBLISH_ONLY : undefined
    return { publish, webhooks }
  }
}
