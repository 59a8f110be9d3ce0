import { createServer, STATUS_CODES } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { getRequestListener, type ServerType } from '@hono/node-server'
import type { Hono } from 'hono'
import { pino, type Logger } from 'pino'
import { createApp } from './app.ts'
import { createCcompatFastPath, type FastPath } from './ccompat/app.ts'
import { createCcompat, type Ccompat } from './ccompat/service.ts'
import { resolveConfig, type RegistryOptions, type ResolvedConfig } from './config.ts'
import { createMetrics, type Metrics } from './http/metrics.ts'
import { createSchemaService, type SchemaService } from './service.ts'
import type { Database } from '../storage/database.ts'
import { openPglite } from '../storage/pglite.ts'
import { openPostgres } from '../storage/postgres.ts'
import { createSqlStore, type SchemaStore } from './store/store.ts'
import { createWorkPool, type Work } from './work/pool.ts'

export interface Registry {
  app: Hono
  service: SchemaService
  store: SchemaStore
  config: ResolvedConfig
  logger: Logger
  metrics: Metrics
  /** Confluent's Schema Registry API's behaviour (served under config.ccompatPath). */
  ccompat: Ccompat
  /** What start-up seeding did with schemas/. */
  seeded: { inserted: number; unchanged: number; purged: number }
  /** Requests `listen` answers on node:http before the app (the Confluent API's `GET /schemas/ids/{id}`). */
  fastPath: FastPath | undefined
  /** Writes out the buffered request log now, synchronously (e.g. on process exit). */
  flushLogs(): void
  /** Where the expensive steps run (a worker pool with a time budget). */
  work: Work
  /** Stops the reload timer and closes storage (pool, LISTEN client, PGlite). */
  close(): Promise<void>
}

/**
 * Opens storage (PostgreSQL when `databaseUrl` is set, else PGlite), migrates, seeds, loads everything into memory,
 * subscribes to changes from other replicas, and builds the app. No socket: see `listen`.
 */
export async function createRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const config = resolveConfig(options)
  // Buffered, asynchronous writes: a synchronous write per request line was the largest cost of a cached GET.
  // Flushed at least every logFlushMs, so that a quiet registry's lines do not wait for the buffer to fill.
  const destination = config.logger ? undefined : pino.destination({ sync: false, minLength: 4096 })
  const logger = config.logger ?? pino({ level: config.logLevel }, destination)
  const flusher = destination && setInterval(() => destination.flush(), config.logFlushMs)
  flusher?.unref()
  const flushLogs = () => destination?.flushSync()
  const db: Database = config.databaseUrl
    ? await openPostgres({
        url: config.databaseUrl,
        schema: config.databaseSchema,
        onListenError: (err) =>
          logger.warn(
            { err },
            'PostgreSQL connection trouble; the periodic reload covers missed notifications',
          ),
      })
    : await openPglite(config.dataDir)
  let timer: NodeJS.Timeout | undefined
  let store: SchemaStore | undefined
  const work = createWorkPool({
    threads: config.workerThreads,
    budgetMs: config.workBudgetMs,
    maxQueue: config.workQueue,
    memoryMb: config.workerMemoryMb,
  })
  try {
    store = await createSqlStore(db)
    const service = createSchemaService({
      store,
      defaultMode: config.defaultMode,
      policy: config.policy,
      maxDepth: config.maxDepth,
      logger,
      work,
    })
    const seeded = await service.seed(config.seed)
    const refresh = (name: string | null) =>
      (name === null ? service.reloadAll() : service.reload(name)).catch((err: unknown) =>
        logger.warn({ err, name }, 'reload failed'),
      )
    // Subscribe before the first load, so that nothing registered in between is missed.
    await store.onChange((name) => void refresh(name))
    await service.reloadAll()
    if (config.reloadIntervalMs > 0) {
      timer = setInterval(() => void refresh(null), config.reloadIntervalMs)
      timer.unref()
    }
    const metrics = createMetrics({ processMetrics: config.processMetrics, workRunning: () => work.running })
    const ccompat = createCcompat({
      service,
      store,
      policy: config.policy,
      defaultMode: config.defaultMode,
      maxDepth: config.maxDepth,
      maxBytes: config.maxBodyBytes,
      work,
    })
    const app = createApp({
      service,
      store,
      tokens: config.tokens,
      logger,
      metrics,
      maxBodyBytes: config.maxBodyBytes,
      maxDepth: config.maxDepth,
      compatibility: {
        maxBodyBytes: config.compatibilityMaxBodyBytes,
        perClient: config.compatibilityPerClient,
      },
      ...(config.ccompatPath ? { ccompat: { path: config.ccompatPath, ccompat } } : {}),
    })
    const opened = store
    return {
      app,
      service,
      store: opened,
      config,
      logger,
      metrics,
      ccompat,
      fastPath:
        config.ccompatPath === ''
          ? undefined
          : createCcompatFastPath({ ccompat, logger, metrics, path: config.ccompatPath }),
      seeded,
      flushLogs,
      work,
      async close() {
        clearInterval(timer)
        clearInterval(flusher)
        await work.close()
        await opened.close()
        flushLogs()
      },
    }
  } catch (e) {
    clearInterval(timer)
    clearInterval(flusher)
    await work.close()
    await (store ?? db).close().catch(() => undefined)
    flushLogs()
    throw e
  }
}

export interface Listening {
  server: ServerType
  /** The port actually bound (useful with port 0). */
  port: number
  url: string
  /** Graceful: stop accepting, let in-flight requests finish (up to shutdownTimeoutMs), then close the registry. */
  close(): Promise<void>
}

/** The route label of requests Node's HTTP parser refused before the app saw them. */
const UNPARSED = '(unparsed)'

/** Serves a registry over HTTP on @hono/node-server. */
export async function listen(registry: Registry): Promise<Listening> {
  const { port, host, shutdownTimeoutMs } = registry.config
  const { server, bound } = await new Promise<{ server: ServerType; bound: number }>((resolve, reject) => {
    // What @hono/node-server's serve() does, with the fast path (if any) in front of the app.
    const app = getRequestListener(registry.app.fetch, { hostname: host })
    const { fastPath } = registry
    const s = createServer(
      fastPath
        ? (req, res) => {
            if (!fastPath(req, res)) void app(req, res)
          }
        : app,
    )
    s.once('error', reject)
    s.listen(port, host, () => resolve({ server: s, bound: (s.address() as AddressInfo).port }))
  })
  // Requests Node's parser refuses (a malformed request line, an unknown method) never reach the app: answer them
  // as Node would, and give them their log line and count like every other answer.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400
    registry.metrics.request('OTHER', UNPARSED, status, 0)
    registry.logger.info({ status, ms: 0, error: err.code }, 'request')
    if (socket.writable) socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`)
    else socket.destroy(err)
  })
  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          if ('closeAllConnections' in server) server.closeAllConnections()
        }, shutdownTimeoutMs)
        force.unref()
        server.close(() => {
          clearTimeout(force)
          resolve()
        })
        // Keep-alive connections with no request in flight would hold close() open.
        if ('closeIdleConnections' in server) server.closeIdleConnections()
      })
      await registry.close()
    })())
  const shown = host.includes(':') ? `[${host}]` : host
  return { server, port: bound, url: `http://${shown}:${bound}`, close }
}
