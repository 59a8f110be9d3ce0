/**
 * The publisher through a broker restart, on a broker of this test's own (never the shared one): every send that
 * fails is SEND_FAILED with `retriable: true` (code that trusts `retriable` retries it rather than dropping it);
 * with the publisher's `retry` none fails; and every acknowledged event is on the topic afterwards.
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

  it.each<[string, { maxElapsedMs: number } | undefined]>([
    ['without retry: fails only with retriable SEND_FAILED', undefined],
    ['with retry { maxElapsedMs: 60 s }: retries through the outage', { maxElapsedMs: 60_000 }],
  ])(
    '%s; every acknowledged event is on the topic',
    async (_name, retry) => {
      // kafkajs' own retries cut short (about 0.3 s instead of about 9 s), so the outage outlasts them for sure.
      const kafka = new Kafka({
        clientId: 'it-restart',
        brokers: [own.brokers],
        logLevel: logLevel.NOTHING,
        retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
      })
      const topicPrefix = retry ? 'restart-retry' : 'restart'
      await ensureTopics(kafka, { catalog, topicPrefix, resources: ['person'] })
      const publisher = createKafkaPublisher({ catalog, kafka, source: 'urn:it:restart', topicPrefix, retry })
      await publisher.connect()
      let run
      try {
        run = await publishThrough({
          publisher,
          total: 5_000,
          at: 1_000,
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
      console.log(countsLine(`single broker stopped and started, ${retry ? 'retry' : 'no retry'}`, run, read))
      if (retry) expect(errorSummary(run.failed)).toEqual([])
      else expect(run.failed.length).toBeGreaterThan(0) // the outage was seen
      expect(errorSummary(run.notRetriable)).toEqual([])
      expect(read.lost).toEqual([])
      expect(run.acknowledged.length + run.failed.length).toBe(5_000)
    },
    300_000,
  )
})
