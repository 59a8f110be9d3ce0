import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Kafka, logLevel } from 'kafkajs'
import { formatIssues, isContractError, parseJson } from '../../core/index.ts'
import { createPublisher, type Published } from '../../publishers/index.ts'
import type { Command } from './command.ts'

export const DEFAULT_SOURCE = 'urn:event-contracts:cli'

export const publishCommand: Command = {
  name: 'publish',
  summary: 'validate an event file (filling a missing id, time and source) and send it to its resource topic',
  usage: 'contracts publish FILE [--brokers HOST:PORT,...] [--topic-prefix P] [--source URI] [--json]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        brokers: { type: 'string' },
        'topic-prefix': { type: 'string' },
        source: { type: 'string', default: DEFAULT_SOURCE },
        json: { type: 'boolean', default: false },
      },
      allowPositionals: true,
      strict: true,
    })
    const [file] = positionals
    if (file === undefined || positionals.length > 1) {
      io.err(`usage: ${this.usage}`)
      return 2
    }
    const brokers = (values.brokers ?? io.env.KAFKA_BROKERS ?? '')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean)
    if (brokers.length === 0) {
      io.err('publish: no brokers: pass --brokers or set KAFKA_BROKERS')
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

    const kafka = new Kafka({
      clientId: 'contracts-cli',
      brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3_000,
    })
    let publisher
    try {
      // One message: a bounded retry beats the idempotent producer's endless one when the broker is down.
      publisher = createPublisher({
        kafka,
        source: values.source,
        topicPrefix: values['topic-prefix'],
        producerConfig: { retry: { retries: 3 } },
      })
    } catch (e) {
      io.err(`publish: ${(e as Error).message}`)
      return 2
    }
    let sent: Published
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
    if (values.json) io.out(JSON.stringify({ file, sent: true, ...sent }))
    else
      io.out(`${file}: sent to ${sent.topic} partition ${sent.partition} offset ${sent.offset} id ${sent.id}`)
    return 0
  },
}

/** A missing id, time or source is filled in; anything else is left for validation to judge. */
function fillMetadata(value: unknown, source: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  return { id: randomUUID(), time: new Date().toISOString(), source, ...value }
}
