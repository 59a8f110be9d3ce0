/**
 * The broker a test may stop: its own node on other loopback ports (test/helpers/own-kafka.ts). What one acks=-1
 * send stored survives a clean stop and a SIGKILL, and the shared broker on 19092 is never involved.
 */
import { randomUUID } from 'node:crypto'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startOwnKafka, type OwnKafka } from '../helpers/own-kafka.ts'

describe('a broker of the test’s own', () => {
  let own: OwnKafka
  const topic = `it-own-broker-${randomUUID().slice(0, 8)}`

  beforeAll(async () => {
    own = await startOwnKafka()
  }, 180_000)
  afterAll(() => own?.destroy())

  const client = () => new Kafka({ clientId: 'it-own', brokers: [own.brokers], logLevel: logLevel.NOTHING })

  async function send(value: string) {
    const producer = client().producer({ allowAutoTopicCreation: true })
    await producer.connect()
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value }] })
    await producer.disconnect()
  }

  async function readAll(expected: number): Promise<string[]> {
    const consumer = client().consumer({ groupId: `it-own-${randomUUID()}` })
    const seen: string[] = []
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value?.toString() ?? '')
          if (seen.length >= expected) resolve()
        },
      })
    })
    await consumer.disconnect()
    return seen
  }

  it('runs on its own port, not the shared broker’s', () => {
    expect(own.brokers).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(inject('kafkaBrokers').split(',')).not.toContain(own.brokers)
  })

  it('keeps what it acknowledged across a clean stop and a SIGKILL', async () => {
    await send('before-stop')
    own.down()
    own.up()
    await send('before-kill')
    own.kill()
    own.up()
    expect(await readAll(2)).toEqual(['before-stop', 'before-kill'])
  }, 240_000)
})
