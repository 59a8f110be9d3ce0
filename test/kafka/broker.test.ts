/**
 * Integration test against the real broker from test/setup/kafka.global.ts (or KAFKA_BROKERS):
 * create a topic, produce with acks=all, consume from the beginning, check content and order.
 */
import { randomUUID } from 'node:crypto'
import { Kafka, logLevel } from 'kafkajs'
import type { Admin, Consumer, Producer } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'

const brokers = inject('kafkaBrokers')
  .split(',')
  .map((b) => b.trim())
  .filter((b) => b.length > 0)

describe('real Kafka broker', () => {
  const id = randomUUID().slice(0, 8)
  const topic = `it-broker-${id}`
  const groupId = `it-broker-group-${id}`
  const kafka = new Kafka({ clientId: `it-broker-${id}`, brokers, logLevel: logLevel.NOTHING })
  let admin: Admin
  let producer: Producer
  let consumer: Consumer | undefined

  beforeAll(async () => {
    admin = kafka.admin()
    await admin.connect()
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
      waitForLeaders: true,
    })
    expect(created).toBe(true)
    producer = kafka.producer({ allowAutoTopicCreation: false })
    await producer.connect()
  })

  afterAll(async () => {
    await consumer?.disconnect()
    await producer?.disconnect()
    if (admin) {
      await admin.deleteGroups([groupId]).catch(() => undefined)
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
      await admin.disconnect()
    }
  })

  it('produces 3 messages with acks=-1 and consumes them back in order', async () => {
    const sent = [0, 1, 2].map((i) => ({ key: `k${i}`, value: JSON.stringify({ seq: i, id }) }))
    const metadata = await producer.send({ topic, acks: -1, messages: sent })
    expect(metadata).toHaveLength(1)
    expect(metadata[0]?.errorCode).toBe(0)

    const c = kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    })
    consumer = c
    await c.connect()
    await c.subscribe({ topic, fromBeginning: true })

    const received: { key: string; value: string; offset: string }[] = []
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${received.length}/3 messages after 20s`)),
        20_000,
      )
      c.run({
        eachMessage: async ({ message }) => {
          received.push({
            key: message.key?.toString() ?? '',
            value: message.value?.toString() ?? '',
            offset: message.offset,
          })
          if (received.length >= sent.length) {
            clearTimeout(timer)
            resolve()
          }
        },
      }).catch(reject)
    })
    await done

    expect(received.map((m) => m.key)).toEqual(['k0', 'k1', 'k2'])
    expect(received.map((m) => JSON.parse(m.value))).toEqual([0, 1, 2].map((seq) => ({ seq, id })))
    expect(received.map((m) => Number(m.offset))).toEqual([0, 1, 2])
  })
})
