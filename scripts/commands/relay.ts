/**
 * `contracts relay`: the outbox relay on PostgreSQL, publishing through Kafka (default) or Redis Streams. The
 * outbox app knows no transport; this command composes it with one.
 */
import { createServer, type Server } from 'node:http'
import { parseArgs } from 'node:util'
import { formatIssues, isContractError, type Sink } from '../../core/index.ts'
import type { Database, Relay } from '../../outbox/index.ts'
// options.ts alone: the outbox's peers (pg, prom-client) load when the relay runs, through withPeers.
import { databaseError } from '../../outbox/errors.ts'
import { RELAY_DEFAULTS, type RelayErrorPhase } from '../../outbox/options.ts'
import type { Command, ExitCode, Io } from './command.ts'
import { withPeers } from './peers.ts'
import { loadKafka, loadRedis } from './transports.ts'

const PHASE_TEXT: Record<RelayErrorPhase, string> = {
  send: 'send failed, rows stay pending',
  database: 'database',
  row: 'a row that is not an event waits, with its aggregate',
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `7d`, `12h`, `30m`, `90s`, `250ms` or a number of milliseconds; undefined when it is none of those. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim())
  if (!m) return undefined
  return Number(m[1]) * (UNITS[m[2] ?? 'ms'] as number)
}

const positiveInt = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined
  const n = Number(text)
  return Number.isInteger(n) && n > 0 ? n : NaN
}

export const relayCommand: Command = {
  name: 'relay',
  summary:
    'publish the outbox table of a PostgreSQL database (DATABASE_URL) through Kafka or Redis Streams, at least once, in order per aggregate',
  usage:
    'contracts relay [--transport kafka|redis] [--brokers HOST:PORT,...] [--redis-url URL] [--database-url URL] [--database-schema S] [--table T] [--batch-size N] [--concurrency N] [--poll-interval MS] [--acknowledge delete|mark] [--retention DURATION] [--status-interval SECONDS] [--metrics-port P] [--metrics-host H] [--drain | --purge]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        transport: { type: 'string', default: 'kafka' },
        brokers: { type: 'string' },
        'redis-url': { type: 'string' },
        'database-url': { type: 'string' },
        'database-schema': { type: 'string' },
        table: { type: 'string', default: RELAY_DEFAULTS.table },
        'batch-size': { type: 'string' },
        concurrency: { type: 'string' },
        'poll-interval': { type: 'string' },
        acknowledge: { type: 'string', default: RELAY_DEFAULTS.acknowledge },
        retention: { type: 'string' },
        'status-interval': { type: 'string', default: '10' },
        'metrics-port': { type: 'string' },
        'metrics-host': { type: 'string', default: '127.0.0.1' },
        drain: { type: 'boolean', default: false },
        purge: { type: 'boolean', default: false },
      },
      allowPositionals: true,
      strict: true,
    })
    const usage = (why: string) => (io.err(`relay: ${why}\nusage: ${this.usage}`), 2 as const)
    if (positionals.length) return usage(`unexpected argument '${positionals[0]}'`)
    if (values.drain && values.purge) return usage('--drain and --purge do not go together')
    const transport = values.transport
    if (transport !== 'kafka' && transport !== 'redis')
      return usage(`--transport must be kafka or redis, not '${transport}'`)
    const url = values['database-url'] ?? io.env.DATABASE_URL
    if (!url) return usage('no database: pass --database-url or set DATABASE_URL')
    const batchSize = positiveInt(values['batch-size'])
    if (Number.isNaN(batchSize))
      return usage(`--batch-size must be a positive integer, not '${values['batch-size']}'`)
    const concurrency = positiveInt(values.concurrency)
    if (Number.isNaN(concurrency))
      return usage(`--concurrency must be a positive integer, not '${values.concurrency}'`)
    const pollIntervalMs = positiveInt(values['poll-interval'])
    if (Number.isNaN(pollIntervalMs))
      return usage(
        `--poll-interval must be a positive number of milliseconds, not '${values['poll-interval']}'`,
      )
    const acknowledge = values.acknowledge
    if (acknowledge !== 'delete' && acknowledge !== 'mark')
      return usage(`--acknowledge must be delete or mark, not '${acknowledge}'`)
    const retentionMs = values.retention === undefined ? undefined : parseDuration(values.retention)
    if (retentionMs === undefined && values.retention !== undefined)
      return usage(`--retention must be a duration like 7d, 12h, 30m or 90s, not '${values.retention}'`)
    const statusEvery = Number(values['status-interval'])
    if (!(statusEvery >= 0))
      return usage(`--status-interval must be a number of seconds, not '${values['status-interval']}'`)
    const metricsPort = values['metrics-port'] === undefined ? undefined : Number(values['metrics-port'])
    if (
      metricsPort !== undefined &&
      !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort < 65536)
    )
      return usage(`--metrics-port must be a port number, not '${values['metrics-port']}'`)

    const { createRelay, migrateOutbox, openPostgres, purgeOutbox } = await withPeers(
      'outbox',
      'contracts relay',
      async () => ({
        ...(await import('../../outbox/index.ts')),
        ...(await import('../../storage/postgres.ts')),
      }),
    )
    let sink: Sink | undefined
    if (!values.purge) {
      if (transport === 'redis') {
        const redisUrl = values['redis-url'] ?? io.env.REDIS_URL
        if (!redisUrl) return usage('no Redis: pass --redis-url or set REDIS_URL')
        const { redisSink } = await loadRedis('contracts relay --transport redis')
        sink = redisSink({ url: redisUrl })
      } else {
        const brokers = (values.brokers ?? io.env.KAFKA_BROKERS ?? '')
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean)
        if (brokers.length === 0) return usage('no brokers: pass --brokers or set KAFKA_BROKERS')
        const { Kafka, logLevel, kafkaSink } = await loadKafka('contracts relay')
        // The relay retries for ever and backs off; the producer gives up on one send within seconds, so an outage
        // shows in the status line and the metrics instead of hiding in kafkajs' own retries.
        const kafka = new Kafka({
          clientId: 'contracts-relay',
          brokers,
          logLevel: logLevel.NOTHING,
          connectionTimeout: 3_000,
          retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 5_000 },
        })
        sink = kafkaSink({ kafka })
      }
    }

    let db: Database
    try {
      db = await openPostgres({
        url,
        schema: values['database-schema'] ?? io.env.DATABASE_SCHEMA ?? 'public',
        onListenError: (e) => io.err(`relay: LISTEN connection: ${e.message}; polling meanwhile`),
      })
      const applied = await migrateOutbox(db, values.table)
      if (applied.length)
        io.out(`relay: created or updated table ${values.table} (migrations ${applied.join(', ')})`)
    } catch (e) {
      io.err(`relay: database: ${databaseError(e, 'opening the outbox').message}`)
      await sink?.close?.()
      return 2
    }

    try {
      if (values.purge) {
        const n = await purgeOutbox(db, {
          table: values.table,
          olderThanMs: retentionMs ?? RELAY_DEFAULTS.retentionMs,
        })
        io.out(`relay: purged ${n} sent rows older than ${values.retention ?? '7d'} from ${values.table}`)
        return 0
      }
      const relay = createRelay({
        db,
        sink: sink as Sink,
        table: values.table,
        acknowledge,
        ...(batchSize === undefined ? {} : { batchSize }),
        ...(concurrency === undefined ? {} : { concurrency }),
        ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }),
        ...(retentionMs === undefined ? {} : { retentionMs }),
        onError: (e, phase) =>
          io.err(
            `relay: ${PHASE_TEXT[phase]}: ${e instanceof Error ? e.message : String(e)}${isContractError(e) && e.issues.length ? `\n${formatIssues(e.issues, '  ')}` : ''}`,
          ),
      })
      if (values.drain) {
        const { sent, backlog } = await relay.drain()
        io.out(
          `relay: drained: ${sent} sent; ${backlog.pending} pending in ${backlog.deferred} deferred aggregates`,
        )
        return backlog.pending === 0 ? 0 : 1
      }
      return await runUntilStopped(relay, io, statusEvery, metricsPort, values['metrics-host'])
    } finally {
      await sink?.close?.()
      await db.close()
    }
  },
}

/** The relay until SIGINT or SIGTERM, a status line every `statusEvery` seconds, /metrics when asked. */
async function runUntilStopped(
  relay: Relay,
  io: Io,
  statusEvery: number,
  metricsPort: number | undefined,
  metricsHost: string,
): Promise<ExitCode> {
  let server: Server | undefined
  if (metricsPort !== undefined) {
    const { collectDefaultMetrics } = await import('prom-client') // a peer of 'outbox', checked by run
    collectDefaultMetrics({ register: relay.metrics })
    server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end()
        return
      }
      relay.metrics.metrics().then(
        (text) => res.writeHead(200, { 'content-type': relay.metrics.contentType }).end(text),
        (e: unknown) => res.writeHead(503).end(String(e)),
      )
    })
    await new Promise<void>((resolve) => server?.listen(metricsPort, metricsHost, resolve))
    const address = server.address()
    io.out(
      `relay: metrics on http://${metricsHost}:${typeof address === 'object' && address ? address.port : metricsPort}/metrics`,
    )
  }
  const status = async () => {
    try {
      await relay.refreshStatus()
    } catch {
      // the line below shows the last backlog read
    }
    io.out(relay.statusLine())
  }
  const timer = statusEvery > 0 ? setInterval(() => void status(), statusEvery * 1000) : undefined
  const stop = (signal: NodeJS.Signals) => {
    io.out(`relay: ${signal}, finishing the round in flight`)
    void relay.stop()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    const { table, batchSize, acknowledge } = relay.config
    io.out(`relay: publishing ${table} (batches of ${batchSize}, ${acknowledge} when sent)`)
    try {
      await relay.start()
    } catch (e) {
      io.err(`relay: cannot start: ${(e as Error).message}`)
      return 2
    }
    await relay.closed
    await status()
    return 0
  } finally {
    clearInterval(timer)
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  }
}
