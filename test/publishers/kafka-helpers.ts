/** Helpers for the integration tests on the real broker: brokers, and reading topics back with a plain consumer. */
import { randomUUID } from 'node:crypto'
import { Kafka, logLevel, type Admin, type IHeaders } from 'kafkajs'
import { inject } from 'vitest'

export const brokers = inject('kafkaBrokers')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean)

export const newKafka = (clientId: string) => new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING })

/** A prefix of its own for every test file, so no two runs or files share a topic. */
export const uniquePrefix = (what: string) => `it-pub-${what}-${randomUUID().slice(0, 8)}`

export interface Received {
  topic: string
  partition: number
  offset: string
  key: string
  value: Record<string, unknown>
  headers: Record<string, string>
}

const headerText = (h: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries(h ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map(String).join(',') : String(v)]),
  )

/** Reads `count` messages from the beginning of `topics` with a fresh group, then deletes the group. */
export async function readBack(
  kafka: Kafka,
  admin: Admin,
  topics: string[],
  count: number,
  timeoutMs = 20_000,
): Promise<Received[]> {
  const groupId = `it-pub-group-${randomUUID()}`
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 })
  const got: Received[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topics, fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${got.length}/${count} messages after ${timeoutMs} ms`)),
        timeoutMs,
      )
      consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            got.push({
              topic,
              partition,
              offset: message.offset,
              key: message.key?.toString() ?? '',
              value: JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown>,
              headers: headerText(message.headers),
            })
            if (got.length >= count) {
              clearTimeout(timer)
              resolve()
            }
          },
        })
        .catch(reject)
    })
  } finally {
    await consumer.disconnect()
    await admin.deleteGroups([groupId]).catch(() => undefined)
  }
  return got
}

/** High watermarks of each topic's partitions: what "nothing was sent" is checked against. */
export async function endOffsets(admin: Admin, topics: string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const t of topics)
    out[t] = (await admin.fetchTopicOffsets(t)).sort((a, b) => a.partition - b.partition).map((p) => p.high)
  return out
}
