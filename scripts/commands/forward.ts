/**
 * `contracts forward`: consumes a topic (or a Redis stream) and POSTs each valid event to a webhook, signed, through
 * the gateway's forwarder (gateway/webhook/forwarder.ts) on the kernel's inbound pipeline: retries, Retry-After,
 * dead letters after N attempts, commits only after a 2xx or a dead letter.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type {
  Catalog,
  DeadLetter,
  DecodedEvent,
  EventConsumer,
  InboundMessage,
  MessageContext,
  RetryInfo,
} from '../../core/index.ts'
// The shapes alone: the forwarder's peer (standardwebhooks) loads when it runs, through withPeers.
import { SHAPES, type Shape } from '../../gateway/webhook/body.ts'
import { loadCatalog, SCHEMAS_OPTION } from './catalog.ts'
import type { Command, ExitCode, Io } from './command.ts'
import { withPeers } from './peers.ts'
import { loadKafka, loadRedis } from './transports.ts'

const positiveInt = (s: string | undefined, what: string): number | undefined => {
  if (s === undefined) return undefined
  if (!/^[1-9][0-9]*$/.test(s)) throw new Error(`${what} must be a positive whole number, not '${s}'`)
  return Number(s)
}

export const forwardCommand: Command = {
  name: 'forward',
  summary:
    'POST each valid event of a topic (or stream) to a webhook, signed (Standard Webhooks; WEBHOOK_SECRET), with retries and dead letters',
  usage:
    'contracts forward --topic T --url URL [--group G] [--from-beginning] [--shape cloudevent|hdx] [--batch N] [--secret-env NAME | --secret-file PATH] [--timeout MS] [--attempts N] [--max-retry-after MS] [--max-failures N] [--max N] [--brokers B] [--schemas DIR]\n' +
    '  contracts forward --transport redis --stream S --group G --consumer C --url URL [same options] [--redis-url URL]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        transport: { type: 'string', default: 'kafka' },
        topic: { type: 'string' },
        stream: { type: 'string' },
        group: { type: 'string' },
        consumer: { type: 'string' },
        'from-beginning': { type: 'boolean', default: false },
        url: { type: 'string' },
        shape: { type: 'string', default: 'cloudevent' },
        batch: { type: 'string' },
        'secret-env': { type: 'string' },
        'secret-file': { type: 'string' },
        timeout: { type: 'string' },
        attempts: { type: 'string' },
        'max-retry-after': { type: 'string' },
        'max-failures': { type: 'string' },
        max: { type: 'string' },
        brokers: { type: 'string' },
        'redis-url': { type: 'string' },
        ...SCHEMAS_OPTION,
      },
      allowPositionals: true,
      strict: true,
    })
    const usage = (why: string) => (io.err(`forward: ${why}\nusage: ${this.usage}`), 2 as const)
    if (positionals.length) return usage(`unexpected argument '${positionals[0]}'`)
    const { url, transport } = values
    if (!url) return usage('--url is required')
    if (!/^https?:\/\//.test(url)) return usage(`--url must be an http(s) URL, not '${url}'`)
    if (transport !== 'kafka' && transport !== 'redis')
      return usage(`--transport must be kafka or redis, not '${transport}'`)
    if (!(SHAPES as readonly string[]).includes(values.shape))
      return usage(`--shape must be ${SHAPES.join(' or ')}, not '${values.shape}'`)
    if (values['secret-env'] !== undefined && values['secret-file'] !== undefined)
      return usage('give the secret by --secret-env or --secret-file, not both')

    const { checkSecret, createWebhookBatchForwarder, createWebhookForwarder } = await withPeers(
      'forward',
      'contracts forward',
      async () => ({
        ...(await import('../../gateway/webhook/deliver.ts')),
        ...(await import('../../gateway/webhook/forwarder.ts')),
      }),
    )
    let secret: string | undefined
    let numbers
    try {
      secret =
        values['secret-file'] !== undefined
          ? readFileSync(resolve(io.cwd, values['secret-file']), 'utf8').trim()
          : io.env[values['secret-env'] ?? 'WEBHOOK_SECRET']
      numbers = {
        timeoutMs: positiveInt(values.timeout, '--timeout'),
        maxAttempts: positiveInt(values.attempts, '--attempts'),
        maxRetryAfterMs: positiveInt(values['max-retry-after'], '--max-retry-after'),
        maxFailures: positiveInt(values['max-failures'], '--max-failures'),
        max: positiveInt(values.max, '--max'),
        batch: positiveInt(values.batch, '--batch'),
      }
    } catch (e) {
      return usage((e as Error).message)
    }
    if (!secret)
      return usage(
        `no signing secret: set ${values['secret-env'] ?? 'WEBHOOK_SECRET'} (whsec_… base64) or pass --secret-file`,
      )
    try {
      checkSecret(secret, 'forward')
    } catch (e) {
      return usage((e as Error).message)
    }
    const loaded = await loadCatalog(io, values.schemas)
    if (!loaded.ok) return usage(loaded.error)

    const forwarding = {
      url,
      secret,
      shape: values.shape as Shape,
      ...(numbers.timeoutMs === undefined ? {} : { timeoutMs: numbers.timeoutMs }),
      ...(numbers.maxAttempts === undefined ? {} : { maxAttempts: numbers.maxAttempts }),
      ...(numbers.maxRetryAfterMs === undefined ? {} : { maxRetryAfterMs: numbers.maxRetryAfterMs }),
    }
    const batchSize = numbers.batch
    let delivered = 0
    let consumer: EventConsumer | undefined
    const counted = (events: readonly DecodedEvent<Catalog>[], attempt: number) => {
      for (const e of events)
        io.out(
          `${e.name ?? e.event.resource.schema} ${e.event.action} ${e.event.id} delivered (attempt ${attempt})`,
        )
      delivered += events.length
      // Not awaited: stop() waits for this very handler. No further message is handled after it.
      if (delivered >= (numbers.max ?? Infinity)) void consumer?.stop()
    }
    const single = createWebhookForwarder<Catalog>(forwarding)
    const batched =
      batchSize === undefined ? undefined : createWebhookBatchForwarder<Catalog>({ ...forwarding, batchSize })
    const common = {
      catalog: loaded.catalog,
      retry: single.retry,
      ...(numbers.maxFailures === undefined ? {} : { maxConsecutiveErrors: numbers.maxFailures }),
      onDeadLetter: (d: DeadLetter) =>
        io.err(`${d.message.origin}: ${d.code}, dead-lettered to ${d.deadLetterDestination}: ${d.summary}`),
      onRetry: (r: RetryInfo) =>
        io.err(
          `${r.message.origin}: ${r.reason} failed (${(r.error as Error).message}); retrying in ${r.delayMs} ms`,
        ),
    }
    const handling = batched
      ? {
          batchSize: batched.batchSize,
          async handleBatch(
            events: readonly DecodedEvent<Catalog>[],
            contexts: readonly MessageContext<InboundMessage>[],
          ) {
            await batched.handleBatch(events, contexts)
            counted(events, contexts[0]?.attempt ?? 1)
          },
        }
      : undefined
    const handle = async (e: DecodedEvent<Catalog>, ctx: MessageContext<InboundMessage>) => {
      await single.handle(e, ctx)
      counted([e], ctx.attempt)
    }

    if (transport === 'redis') {
      const { stream, group, consumer: name } = values
      if (!stream || !group || !name)
        return usage('--stream, --group and --consumer are required with --transport redis')
      const redisUrl = values['redis-url'] ?? io.env.REDIS_URL
      if (!redisUrl) return usage('no Redis: pass --redis-url or set REDIS_URL')
      const redis = {
        ...common,
        url: redisUrl,
        destinations: [stream],
        group,
        consumer: name,
        blockMs: 1_000,
        onError: (e: unknown) => io.err(`forward: Redis: ${(e as Error).message}; retrying`),
      }
      const { createRedisBatchConsumer, createRedisTopicConsumer } = await loadRedis(
        'contracts forward --transport redis',
      )
      consumer = handling
        ? createRedisBatchConsumer({ ...redis, ...handling })
        : createRedisTopicConsumer({ ...redis, handle })
    } else {
      const topic = values.topic
      if (!topic) return usage('--topic is required')
      const brokers = (values.brokers ?? io.env.KAFKA_BROKERS ?? '')
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean)
      if (brokers.length === 0) return usage('no brokers: pass --brokers or set KAFKA_BROKERS')
      const { Kafka, logLevel, createKafkaBatchConsumer, createKafkaTopicConsumer } =
        await loadKafka('contracts forward')
      const kafka = new Kafka({
        clientId: 'contracts-forward',
        brokers,
        logLevel: logLevel.NOTHING,
        connectionTimeout: 3_000,
      })
      const onKafka = {
        ...common,
        kafka,
        groupId: values.group ?? `contracts-forward-${randomUUID().slice(0, 8)}`,
        destinations: [topic],
        start: { from: 'committed', otherwise: values['from-beginning'] ? 'earliest' : 'latest' } as const,
        consumerConfig: { sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 500 },
      }
      consumer = handling
        ? createKafkaBatchConsumer({ ...onKafka, ...handling })
        : createKafkaTopicConsumer({ ...onKafka, handle })
    }
    io.out(
      `forward: ${transport === 'redis' ? values.stream : values.topic} → ${new URL(url).origin}${new URL(url).pathname} (${values.shape})`,
    )
    return runUntilStopped(consumer, io)
  },
}

async function runUntilStopped(consumer: EventConsumer, io: Io): Promise<ExitCode> {
  const interrupt = () => void consumer.stop()
  process.once('SIGINT', interrupt)
  process.once('SIGTERM', interrupt)
  try {
    await consumer.start()
    await consumer.closed
    return 0
  } catch (e) {
    io.err(`forward: ${(e as Error).message}`)
    return 1
  } finally {
    process.off('SIGINT', interrupt)
    process.off('SIGTERM', interrupt)
  }
}
