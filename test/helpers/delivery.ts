/**
 * What a failover test counts: events published while something breaks (acknowledged, failed, how), and what a
 * plain kafkajs consumer then reads back (consumed, duplicated, lost). Shared by the single-broker restart test and
 * the cluster's failover tests.
 */
import { randomUUID } from 'node:crypto'
import { Kafka, logLevel } from 'kafkajs'
import { isContractError } from '../../core/index.ts'
import type { catalog } from '../../generated/index.ts'
import type { KafkaPublisher } from '../../transports/kafka/index.ts'

export interface PublishRun {
  attempted: number
  /** Ids of the events the publisher acknowledged. */
  acknowledged: string[]
  /** Ids of the events whose publish rejected, with the error. */
  failed: { id: string; error: unknown }[]
  /** Failures that were not SEND_FAILED with `retriable: true`: what code that trusts `retriable` would drop. */
  notRetriable: { id: string; error: unknown }[]
}

export interface PublishThroughOptions {
  publisher: KafkaPublisher<typeof catalog>
  total: number
  /** Publishes in flight at once. */
  concurrency?: number
  /** Once this many are acknowledged, `disrupt` runs while publishing goes on. */
  at: number
  disrupt: () => Promise<void>
}

/** Publishes `total` person events from `concurrency` workers, running `disrupt` once `at` are acknowledged. */
export async function publishThrough(options: PublishThroughOptions): Promise<PublishRun> {
  const { publisher, total, concurrency = 16, at, disrupt } = options
  const run: PublishRun = { attempted: 0, acknowledged: [], failed: [], notRetriable: [] }
  let disruption: Promise<void> | undefined
  const worker = async () => {
    while (run.attempted < total) {
      run.attempted++
      const id = randomUUID()
      const person = {
        id: randomUUID(),
        tenantId: id,
        firstName: 'Ada',
        lastName: 'Okafor',
        startDate: '2024-02-29',
      }
      try {
        await publisher.publish('person', 'update', person, { id })
        run.acknowledged.push(id)
      } catch (error) {
        run.failed.push({ id, error })
        if (!isContractError(error, 'SEND_FAILED') || !error.retriable) run.notRetriable.push({ id, error })
      }
      if (!disruption && run.acknowledged.length >= at) disruption = disrupt()
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  await disruption
  return run
}

export interface ReadBack {
  /** Times each event id was read. */
  seen: Map<string, number>
  /** Records read. */
  consumed: number
  /** Records read beyond the first of their id. */
  duplicated: number
  /** Every record's key and event id, in the order read (offset order within a partition). */
  records: { key: string; id: string }[]
  /** Acknowledged ids never read. */
  lost: string[]
}

/**
 * Reads `topic` from the beginning with a fresh group of a plain kafkajs consumer until every `expected` id was
 * seen or `idleMs` passed without a new record; counts by the `ce_id` header.
 */
export async function readBack(
  brokers: string[],
  topic: string,
  expected: readonly string[],
  idleMs = 15_000,
): Promise<ReadBack> {
  const kafka = new Kafka({ clientId: 'read-back', brokers, logLevel: logLevel.NOTHING })
  const consumer = kafka.consumer({ groupId: `read-back-${randomUUID()}`, maxWaitTimeInMs: 250 })
  const seen = new Map<string, number>()
  const records: { key: string; id: string }[] = []
  const missing = new Set(expected)
  let consumed = 0
  let last = Date.now()
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        const id = message.headers?.ce_id?.toString() ?? ''
        seen.set(id, (seen.get(id) ?? 0) + 1)
        records.push({ key: message.key?.toString() ?? '', id })
        missing.delete(id)
        consumed++
        last = Date.now()
      },
    })
    while (missing.size > 0 && Date.now() - last < idleMs) await new Promise((r) => setTimeout(r, 200))
  } finally {
    await consumer.disconnect()
  }
  return { seen, consumed, duplicated: consumed - seen.size, records, lost: [...missing] }
}

/** One line for the test output: what a failover case shows. */
export function countsLine(label: string, run: PublishRun, read: ReadBack): string {
  return (
    `${label}: attempted ${run.attempted}, acknowledged ${run.acknowledged.length}, consumed ${read.consumed}, ` +
    `duplicated ${read.duplicated}, failed ${run.failed.length} (not retriable ${run.notRetriable.length}), ` +
    `lost ${read.lost.length}`
  )
}

/** The distinct kinds of failure (code, retriable, the innermost cause), without event ids: a readable assertion. */
export const errorSummary = (failures: { error: unknown }[]): string[] => {
  const kind = (error: unknown): string => {
    let root = error
    while (root instanceof Error && root.cause instanceof Error && root.cause !== root) root = root.cause
    const { code, retriable } = error as { code?: string; retriable?: boolean }
    const inner = root instanceof Error ? `${root.name}: ${root.message}` : String(root)
    return `${code ?? 'no code'} retriable=${String(retriable)} (${inner})`
  }
  return [...new Set(failures.map(({ error }) => kind(error)))].sort()
}
