import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import type { Catalog, DecodedEvent, EventConsumer, MessageContext } from '../../core/index.ts'
import type { KafkaMessage } from '../../transports/kafka/index.ts'
import type { RedisMessage } from '../../transports/redis/index.ts'
import { loadCatalog, SCHEMAS_OPTION } from './catalog.ts'
import type { Command, ExitCode, Io } from './command.ts'
import { loadKafka, loadRedis } from './transports.ts'

export const consumeCommand: Command = {
  name: 'consume',
  summary: 'print the valid events of a topic or stream; dead-letter invalid ones to <topic>.dlq',
  usage:
    'contracts consume --topic T [--group G] [--from-beginning] [--max N] [--brokers HOST:PORT,...] [--schemas DIR] [--json]\n' +
    '  contracts consume --transport redis --stream S --group G --consumer C [--after ID] [--claim-idle MS] [--max N] [--redis-url URL] [--schemas DIR] [--json]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        transport: { type: 'string', default: 'kafka' },
        topic: { type: 'string' },
        stream: { type: 'string' },
        consumer: { type: 'string' },
        after: { type: 'string' },
        'claim-idle': { type: 'string' },
        'redis-url': { type: 'string' },
        group: { type: 'string' },
        'from-beginning': { type: 'boolean', default: false },
        max: { type: 'string' },
        brokers: { type: 'string' },
        json: { type: 'boolean', default: false },
        ...SCHEMAS_OPTION,
      },
      allowPositionals: true,
      strict: true,
    })
    const usage = (why: string) => (io.err(`consume: ${why}\nusage: ${this.usage}`), 2 as const)
    if (positionals.length) return usage(`unexpected argument '${positionals[0]}'`)
    const max = values.max === undefined ? Infinity : Number(values.max)
    if (!(Number.isInteger(max) && max > 0) && max !== Infinity)
      return usage(`--max must be a positive integer, not '${values.max}'`)
    if (values.transport === 'redis') return consumeRedis(values, max, io, usage)
    if (values.transport !== 'kafka')
      return usage(`--transport must be kafka or redis, not '${values.transport}'`)
    const topic = values.topic
    if (!topic) return usage('--topic is required')
    const brokers = (values.brokers ?? io.env.KAFKA_BROKERS ?? '')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean)
    if (brokers.length === 0) return usage('no brokers: pass --brokers or set KAFKA_BROKERS')

    const loaded = await loadCatalog(io, values.schemas)
    if (!loaded.ok) return usage(loaded.error)
    const { Kafka, logLevel, createKafkaTopicConsumer } = await loadKafka('contracts consume')
    const kafka = new Kafka({
      clientId: 'contracts-cli',
      brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3_000,
      retry: { retries: 3 },
    })
    let count = 0
    const print = (e: DecodedEvent<Catalog>, { message: m }: MessageContext<KafkaMessage>) => {
      const where = {
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
        key: m.key?.toString() ?? null,
      }
      if (values.json)
        io.out(
          JSON.stringify({
            ...where,
            resource: e.name ?? null,
            version: e.version ?? null,
            action: e.event.action,
            id: e.event.id,
            event: e.event,
          }),
        )
      else
        io.out(
          `${e.name ?? e.event.resource.schema} ${e.event.action} ${e.event.id}${e.version ? ` v${e.version}` : ''} ${m.topic}[${m.partition}]@${m.offset}`,
        )
    }
    const consumer = createKafkaTopicConsumer({
      catalog: loaded.catalog,
      kafka,
      groupId: values.group ?? `contracts-consume-${randomUUID().slice(0, 8)}`,
      destinations: [topic],
      // Like kafka-console-consumer: a group's committed offsets win; --from-beginning decides where a new group starts.
      start: { from: 'committed', otherwise: values['from-beginning'] ? 'earliest' : 'latest' },
      consumerConfig: { sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 500 },
      handle(e, ctx) {
        print(e, ctx)
        // Not awaited: stop() waits for this very handler. No further message is handled after it.
        if (++count >= max) void consumer.stop()
      },
      onDeadLetter: ({ message: m, code, deadLetterDestination, summary }) =>
        io.err(
          `${m.topic}[${m.partition}]@${m.offset}: ${code}, dead-lettered to ${deadLetterDestination}: ${summary}`,
        ),
      onRetry: ({ message: m, reason, delayMs }) => {
        if (reason !== 'handler')
          io.err(`${m.topic}[${m.partition}]@${m.offset}: ${reason} unavailable, retrying in ${delayMs} ms`)
      },
    })

    return runUntilStopped(consumer, io)
  },
}

/** Runs a consumer until it stops (--max, SIGINT, SIGTERM, a fatal error). */
async function runUntilStopped(consumer: EventConsumer, io: Io): Promise<ExitCode> {
  const interrupt = () => void consumer.stop()
  process.once('SIGINT', interrupt)
  process.once('SIGTERM', interrupt)
  try {
    await consumer.start()
    await consumer.closed
    return 0
  } catch (e) {
    io.err(`consume: ${(e as Error).message}`)
    return 2
  } finally {
    process.off('SIGINT', interrupt)
    process.off('SIGTERM', interrupt)
  }
}

interface RedisValues {
  stream?: string | undefined
  group?: string | undefined
  consumer?: string | undefined
  after?: string | undefined
  'claim-idle'?: string | undefined
  'redis-url'?: string | undefined
  schemas?: string | undefined
  json?: boolean | undefined
}

/** `--transport redis`: a consumer group on one stream, this consumer named; the group's backlog unless --after. */
async function consumeRedis(
  values: RedisValues,
  max: number,
  io: Io,
  usage: (why: string) => ExitCode,
): Promise<ExitCode> {
  const { stream, group, consumer: name } = values
  if (!stream) return usage('--stream is required with --transport redis')
  if (!group) return usage('--group is required with --transport redis')
  if (!name) return usage('--consumer is required with --transport redis (its name in the group)')
  if (values.after !== undefined && !/^\d+(-\d+)?$/.test(values.after))
    return usage(`--after must be an entry id like 1700000000000-0, not '${values.after}'`)
  const claimIdleMs = values['claim-idle'] === undefined ? undefined : Number(values['claim-idle'])
  if (claimIdleMs !== undefined && !(Number.isInteger(claimIdleMs) && claimIdleMs > 0))
    return usage(`--claim-idle must be a positive number of milliseconds, not '${values['claim-idle']}'`)
  const url = values['redis-url'] ?? io.env.REDIS_URL
  if (!url) return usage('no Redis: pass --redis-url or set REDIS_URL')
  const loaded = await loadCatalog(io, values.schemas)
  if (!loaded.ok) return usage(loaded.error)
  const { createRedisTopicConsumer } = await loadRedis('contracts consume --transport redis')

  let count = 0
  const where = (m: RedisMessage) => `${m.stream}@${m.id}`
  const consumer = createRedisTopicConsumer({
    catalog: loaded.catalog,
    url,
    destinations: [stream],
    group,
    consumer: name,
    ...(values.after === undefined ? {} : { start: { after: values.after } }),
    ...(claimIdleMs === undefined ? {} : { claimIdleMs }),
    blockMs: 1_000,
    handle(e: DecodedEvent<Catalog>, { message: m }: MessageContext<RedisMessage>) {
      if (values.json)
        io.out(
          JSON.stringify({
            stream: m.stream,
            entryId: m.id,
            key: m.key,
            resource: e.name ?? null,
            version: e.version ?? null,
            action: e.event.action,
            id: e.event.id,
            event: e.event,
          }),
        )
      else
        io.out(
          `${e.name ?? e.event.resource.schema} ${e.event.action} ${e.event.id}${e.version ? ` v${e.version}` : ''} ${where(m)}`,
        )
      // Not awaited: stop() waits for this very handler (and acknowledges it). No further entry is handled.
      if (++count >= max) void consumer.stop()
    },
    onDeadLetter: ({ message: m, code, deadLetterDestination, summary }) =>
      io.err(`${where(m)}: ${code}, dead-lettered to ${deadLetterDestination}: ${summary}`),
    onRetry: ({ message: m, reason, delayMs }) => {
      if (reason !== 'handler') io.err(`${where(m)}: ${reason} unavailable, retrying in ${delayMs} ms`)
    },
    onError: (e) => io.err(`consume: Redis: ${(e as Error).message ?? String(e)}; retrying`),
  })
  return runUntilStopped(consumer, io)
}
