import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { formatIssues, isContractError, parseJson } from '../../core/index.ts'
import type { KafkaPosition } from '../../transports/kafka/index.ts'
import type { RedisPosition } from '../../transports/redis/index.ts'
import type { Catalog, Published, Publisher } from '../../core/index.ts'
import { loadCatalog, SCHEMAS_OPTION } from './catalog.ts'
import type { Command } from './command.ts'
import { loadConfig } from './config.ts'
import { loadKafka, loadRedis } from './transports.ts'

export const DEFAULT_SOURCE = 'urn:event-contracts:cli'

export const publishCommand: Command = {
  name: 'publish',
  summary:
    'validate an event file (filling a missing id, time and source) and send it to its resource topic or stream',
  usage:
    'contracts publish FILE [--transport kafka|redis] [--brokers HOST:PORT,...] [--redis-url URL] [--topic-prefix P] [--source URI] [--schemas DIR] [--json]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        transport: { type: 'string', default: 'kafka' },
        brokers: { type: 'string' },
        'redis-url': { type: 'string' },
        'topic-prefix': { type: 'string' },
        source: { type: 'string', default: DEFAULT_SOURCE },
        json: { type: 'boolean', default: false },
        ...SCHEMAS_OPTION,
      },
      allowPositionals: true,
      strict: true,
    })
    const [file] = positionals
    if (file === undefined || positionals.length > 1) {
      io.err(`usage: ${this.usage}`)
      return 2
    }
    const transport = values.transport
    if (transport !== 'kafka' && transport !== 'redis') {
      io.err(`publish: --transport must be kafka or redis, not '${transport}'\nusage: ${this.usage}`)
      return 2
    }
    const brokers = (values.brokers ?? io.env.KAFKA_BROKERS ?? '')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean)
    const redisUrl = values['redis-url'] ?? io.env.REDIS_URL
    if (transport === 'kafka' && brokers.length === 0) {
      io.err('publish: no brokers: pass --brokers or set KAFKA_BROKERS')
      return 2
    }
    if (transport === 'redis' && !redisUrl) {
      io.err('publish: no Redis: pass --redis-url or set REDIS_URL')
      return 2
    }

    let text: string
    try {
      text = await readFile(resolve(io.cwd, file), 'utf8')
    } catch (e) {
      io.err(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
      return 2
    }
    const json = parseJson(text)
    if (!json.ok) {
      io.err(`${file}: ${json.issues[0]?.message ?? 'not JSON'}`)
      return 2
    }
    const event = fillMetadata(json.value, values.source)
    const loaded = await loadCatalog(io, values.schemas)
    if (!loaded.ok) {
      io.err(`publish: ${loaded.error}`)
      return 2
    }

    const topicPrefix = values['topic-prefix'] ?? (await loadConfig(io.cwd)).config.topicPrefix
    const kafkaModule = transport === 'kafka' ? await loadKafka('contracts publish') : undefined
    const redisModule =
      transport === 'redis' ? await loadRedis('contracts publish --transport redis') : undefined
    let publisher: Publisher<Catalog, KafkaPosition | RedisPosition>
    try {
      if (redisModule)
        publisher = redisModule.createRedisPublisher({
          catalog: loaded.catalog,
          url: redisUrl as string,
          timeoutMs: 3_000, // as Kafka's connectionTimeout: a CLI should not hang on a Redis that is down
          source: values.source,
          topicPrefix,
        })
      else {
        const { Kafka, logLevel, createKafkaPublisher } = kafkaModule as Awaited<ReturnType<typeof loadKafka>>
        const kafka = new Kafka({
          clientId: 'contracts-cli',
          brokers,
          logLevel: logLevel.NOTHING,
          connectionTimeout: 3_000,
        })
        // One message: a bounded retry beats the idempotent producer's endless one when the broker is down.
        publisher = createKafkaPublisher({
          catalog: loaded.catalog,
          kafka,
          source: values.source,
          topicPrefix,
          producerConfig: { retry: { retries: 3 } },
        })
      }
    } catch (e) {
      io.err(`publish: ${(e as Error).message}`)
      return 2
    }
    let sent: Published<KafkaPosition | RedisPosition>
    try {
      sent = await publisher.publishEvent(event)
    } catch (e) {
      if (isContractError(e, 'EVENT_INVALID') || isContractError(e, 'UNKNOWN_SCHEMA')) {
        if (values.json) io.out(JSON.stringify({ file, sent: false, issues: e.issues }))
        else io.out(`${file}: invalid, not sent\n${formatIssues(e.issues, '  ')}`)
        return 1
      }
      if (isContractError(e, 'SEND_FAILED')) {
        io.err(`${file}: not sent: ${e.message}`)
        return 2
      }
      throw e
    } finally {
      await publisher.disconnect()
    }
    const { destination: topic, id, position } = sent
    if (typeof position === 'string') {
      // Redis: the position is the stream entry id.
      if (values.json) io.out(JSON.stringify({ file, sent: true, stream: topic, entryId: position, id }))
      else io.out(`${file}: sent to ${topic} entry ${position} id ${id}`)
    } else if (values.json) io.out(JSON.stringify({ file, sent: true, topic, ...position, id }))
    else
      io.out(`${file}: sent to ${topic} partition ${position.partition} offset ${position.offset} id ${id}`)
    return 0
  },
}

/** A missing id, time or source is filled in; anything else is left for validation to judge. */
function fillMetadata(value: unknown, source: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  return { id: randomUUID(), time: new Date().toISOString(), source, ...value }
}
