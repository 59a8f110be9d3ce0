/**
 * `contracts gateway`: the HTTP gateway on a transport (Kafka by default, `--transport redis`). The one place its
 * configuration is read from the environment and files: tokens (GATEWAY_TOKENS, GATEWAY_TOKENS_FILE), routes
 * (--routes FILE or GATEWAY_ROUTES) and the webhook secrets they name.
 */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { loadSchemaTree } from '../../codegen/load.ts'
import { compileCatalog } from '../../codegen/runtime-catalog.ts'
import { formatIssues, type Catalog, type Sink } from '../../core/index.ts'
// The routes' parser and the secret check alone: the gateway's peers (hono, cloudevents…) load when it starts.
import { parseRoutes, PUBLISH_ALL, resolveRoutes, type RoutesConfig } from '../../gateway/routes.ts'
import { parseTokenFile, resolveTokens, type TokenEntry } from '../../http/tokens.ts'
import type { Command, Io } from './command.ts'
import { envelopeOf, loadConfig } from './config.ts'
import { withPeers } from './peers.ts'
import { loadKafka, loadRedis } from './transports.ts'

const int = (s: string | undefined, what: string): number | undefined => {
  if (s === undefined || s === '') return undefined
  if (!/^[0-9]+$/.test(s)) throw new Error(`${what} must be a whole number, got '${s}'`)
  return Number(s)
}

const readText = (path: string, what: string): string => {
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    throw new Error(
      `${what} ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      {
        cause: e,
      },
    )
  }
}

/** GATEWAY_TOKENS_FILE → its entries (the registry's token file format); a bad file names each entry and field. */
function tokenEntries(path: string): TokenEntry[] {
  const r = parseTokenFile(readText(path, 'GATEWAY_TOKENS_FILE'))
  if (!r.ok)
    throw new Error(
      `GATEWAY_TOKENS_FILE ${path} is not a valid token file (see docs/registry.md#tokens):\n${formatIssues(r.issues, '  ')}`,
    )
  return [...r.value]
}

/**
 * --routes FILE or GATEWAY_ROUTES (JSON) → routes, each webhook's secret read from the variable or file it names
 * (a file relative to the routes file). A problem names the entry and field.
 */
export function routesFrom(
  io: Io,
  file: string | undefined,
  checkSecret: (secret: string, what: string) => void,
): RoutesConfig {
  const path = file === undefined ? undefined : resolve(io.cwd, file)
  const text = path ? readText(path, '--routes') : io.env.GATEWAY_ROUTES
  if (text === undefined || text.trim() === '') return PUBLISH_ALL
  const where = path ?? 'GATEWAY_ROUTES'
  const r = parseRoutes(text)
  if (!r.ok) throw new Error(`${where} is not a valid routes config:\n${formatIssues(r.issues, '  ')}`)
  const base = path ? dirname(path) : io.cwd
  const routes = resolveRoutes(r.value, (w) =>
    w.secretEnv !== undefined
      ? io.env[w.secretEnv]
      : readText(resolve(base, w.secretFile as string), 'webhook secretFile').trim(),
  )
  for (const route of routes.routes)
    if (route.webhook) checkSecret(route.webhook.secret, `${where}: route '${route.name}'`)
  return routes
}

/** The schema tree: its run-time catalog, and its schemas by URI for the change-event diff. */
async function loadTree(
  dir: string,
  envelope: string | undefined,
): Promise<{ catalog: Catalog; schemas: Record<string, unknown> }> {
  const tree = await loadSchemaTree(dir, { envelope })
  const schemas: Record<string, unknown> = {}
  for (const r of tree.resources) schemas[String(r.schema.$id)] = r.schema
  return { catalog: compileCatalog(tree), schemas }
}

export const gatewayCommand: Command = {
  name: 'gateway',
  summary:
    'run the HTTP gateway: CloudEvents in (POST /events), change events (POST /change-events), routes to webhooks (GATEWAY_TOKENS, GATEWAY_TOKENS_FILE, GATEWAY_ROUTES, LOG_LEVEL)',
  usage:
    'contracts gateway [--port N] [--host H] [--transport kafka|redis] [--brokers B] [--redis-url URL] [--topic-prefix P] [--routes FILE] [--schemas DIR] [--source URI] [--max-body BYTES] [--max-batch N] [--dedup-minutes N]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        transport: { type: 'string', default: 'kafka' },
        brokers: { type: 'string' },
        'redis-url': { type: 'string' },
        'topic-prefix': { type: 'string' },
        routes: { type: 'string' },
        schemas: { type: 'string' },
        source: { type: 'string' },
        'max-body': { type: 'string' },
        'max-batch': { type: 'string' },
        'dedup-minutes': { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    })
    const usage = (why: string) => (io.err(`gateway: ${why}\nusage: ${this.usage}`), 2 as const)
    if (positionals.length) return usage(`unexpected argument '${positionals[0]}'`)
    const transport = values.transport
    if (transport !== 'kafka' && transport !== 'redis')
      return usage(`--transport must be kafka or redis, not '${transport}'`)
    const brokers = (values.brokers ?? io.env.KAFKA_BROKERS ?? '')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean)
    const redisUrl = values['redis-url'] ?? io.env.REDIS_URL
    if (transport === 'kafka' && brokers.length === 0)
      return usage('no brokers: pass --brokers or set KAFKA_BROKERS')
    if (transport === 'redis' && !redisUrl) return usage('no Redis: pass --redis-url or set REDIS_URL')

    const { checkSecret, createGateway, listenGateway, pino } = await withPeers(
      'gateway',
      'contracts gateway',
      async () => ({ ...(await import('../../gateway/index.ts')), pino: (await import('pino')).pino }),
    )
    let settings
    try {
      const dedupMinutes = int(values['dedup-minutes'], '--dedup-minutes')
      settings = {
        port: int(values.port ?? io.env.PORT, '--port') ?? 8090,
        host: values.host ?? io.env.HOST ?? '127.0.0.1',
        maxBodyBytes: int(values['max-body'], '--max-body'),
        maxBatchEvents: int(values['max-batch'], '--max-batch'),
        dedupWindowMs: dedupMinutes === undefined ? undefined : dedupMinutes * 60_000,
        tokens: resolveTokens({
          admin: (io.env.GATEWAY_TOKENS ?? '')
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
          entries: io.env.GATEWAY_TOKENS_FILE
            ? tokenEntries(resolve(io.cwd, io.env.GATEWAY_TOKENS_FILE))
            : [],
        }),
        routes: routesFrom(io, values.routes, checkSecret),
      }
    } catch (e) {
      io.err(`gateway: ${(e as Error).message}`)
      return 2
    }
    const { config } = await loadConfig(io.cwd)
    const schemasDir = values.schemas ?? config.schemas
    let tree
    try {
      tree = await loadTree(resolve(io.cwd, schemasDir), envelopeOf(config, io.cwd))
    } catch (e) {
      return usage(`cannot load the schema tree at ${schemasDir}: ${(e as Error).message}`)
    }

    let sink: Sink & { close(): Promise<void> }
    let where: string
    if (transport === 'redis') {
      const { redisSink } = await loadRedis('contracts gateway --transport redis')
      sink = redisSink({ url: redisUrl as string, timeoutMs: 3_000 })
      where = `Redis Streams at ${redisUrl}`
    } else {
      const { Kafka, logLevel, kafkaSink } = await loadKafka('contracts gateway')
      const kafka = new Kafka({
        clientId: 'contracts-gateway',
        brokers,
        logLevel: logLevel.NOTHING,
        connectionTimeout: 3_000,
      })
      // Bounded retries: a broker that stays down is a 503 the client may retry, not a request held for minutes.
      sink = kafkaSink({ kafka, producerConfig: { retry: { retries: 3, maxRetryTime: 5_000 } } })
      where = `Kafka at ${brokers.join(',')}`
    }
    const logger = pino({ level: io.env.LOG_LEVEL || 'info' })
    let app
    try {
      app = createGateway({
        catalog: tree.catalog,
        schemas: tree.schemas,
        sink,
        tokens: settings.tokens,
        routes: settings.routes,
        source: values.source,
        topicPrefix: values['topic-prefix'] ?? config.topicPrefix,
        maxBodyBytes: settings.maxBodyBytes,
        maxBatchEvents: settings.maxBatchEvents,
        dedupWindowMs: settings.dedupWindowMs,
        logger,
      })
    } catch (e) {
      await sink.close()
      return usage((e as Error).message)
    }
    let server
    try {
      server = await listenGateway(app, {
        port: settings.port,
        host: settings.host,
        onClose: () => sink.close(),
      })
    } catch (e) {
      await sink.close()
      io.err(`gateway: cannot listen on ${settings.host}:${settings.port}: ${(e as Error).message}`)
      return 1
    }
    const grants = settings.tokens.grants
    io.out(`gateway: listening on ${server.url}  (POST /events, POST /change-events)`)
    io.out(
      `gateway: publishing to ${where}${values['topic-prefix'] ? ` with prefix '${values['topic-prefix']}'` : ''}`,
    )
    io.out(
      `gateway: ${settings.routes.routes.length} route${settings.routes.routes.length === 1 ? '' : 's'}; unmatched events are ${settings.routes.unmatched === 'publish' ? 'published' : 'refused (404)'}`,
    )
    io.out(
      grants.length
        ? `gateway: writes enabled (${grants.length} token${grants.length === 1 ? '' : 's'})`
        : 'gateway: writes DISABLED; set GATEWAY_TOKENS=<token>[,<token>…] or GATEWAY_TOKENS_FILE to enable them',
    )
    await new Promise<void>((done) => {
      const stop = (signal: NodeJS.Signals) => {
        io.out(`gateway: ${signal}, finishing in-flight requests`)
        process.off('SIGTERM', stop)
        process.off('SIGINT', stop)
        server.close().then(done, (e: unknown) => {
          io.err(`gateway: shutdown: ${(e as Error).message}`)
          done()
        })
      }
      process.on('SIGTERM', stop)
      process.on('SIGINT', stop)
    })
    io.out('gateway: stopped')
    return 0
  },
}
