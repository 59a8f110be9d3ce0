/**
 * The publisher through a broker restart, on a broker of this test's own (never the shared one): every send that
 * fails is SEND_FAILED with `retriable: true` (code that trusts `retriable` retries it rather than dropping it),
 * and every acknowledged event is on the topic afterwards.
 */
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { topicOf } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createKafkaPublisher, ensureTopics } from '../../transports/kafka/index.ts'
import { countsLine, errorSummary, publishThrough, readBack } from '../helpers/delivery.ts'
import { startOwnKafka, type OwnKafka } from '../helpers/own-kafka.ts'

describe('the publisher through a broker restart (a broker of the test’s own)', () => {
  let own: OwnKafka
  beforeAll(async () => {
    own = await startOwnKafka()
  }, 180_000)
  afterAll(() => own?.destroy())

  it('fails only with retriable SEND_FAILED, and every acknowledged event is on the topic', async () => {
    // kafkajs' own retries cut short (about 0.3 s instead of about 9 s), so the outage outlasts them for sure.
    const kafka = new Kafka({
      clientId: 'it-restart',
      brokers: [own.brokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
    })
    const topicPrefix = 'restart'
    await ensureTopics(kafka, { catalog, topicPrefix, resources: ['person'] })
    const publisher = createKafkaPublisher({ catalog, kafka, source: 'urn:it:restart', topicPrefix })
    await publisher.connect()
    let run
    try {
      run = await publishThrough({
        publisher,
        total: 10_000,
        at: 2_000,
        disrupt: async () => {
          await own.stop()
          await new Promise((r) => setTimeout(r, 2000))
          await own.start()
        },
      })
    } finally {
      await publisher.disconnect()
    }
    const read = await readBack([own.brokers], topicOf(catalog, 'person', topicPrefix), run.acknowledged)
    console.log(countsLine('single broker, stop and start', run, read))
    expect(run.failed.length).toBeGreaterThan(0) // the outage was seen
    expect(errorSummary(run.notRetriable)).toEqual([])
    expect(read.lost).toEqual([])
    expect(run.acknowledged.length + run.failed.length).toBe(10_000)
  }, 300_000)
})
