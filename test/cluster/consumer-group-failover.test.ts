/**
 * A consumer group of two consumers on the three-node cluster while the node coordinating the group (and leading
 * some of the topic's partitions) is stopped and started again, with events published all along: the members
 * join the group again, no acknowledged event goes unhandled, and the events handled twice are counted.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { topicOf, type EventConsumer } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createKafkaPublisher, createKafkaTopicConsumer, ensureTopics } from '../../transports/kafka/index.ts'
import { clusterOf } from '../helpers/cluster.ts'
import { errorSummary, publishThrough } from '../helpers/delivery.ts'

const cluster = clusterOf(inject('kafkaCluster'))
const results: string[] = []
afterAll(() => console.log(results.join('\n')))

const until = async (what: string, predicate: () => boolean, timeoutMs: number) => {
  const end = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('a consumer group through a broker failover (three nodes)', () => {
  it('two consumers while the group coordinator’s node is stopped: they rejoin, nothing is lost', async () => {
    const id = randomUUID().slice(0, 8)
    const kafka = cluster.kafka('it-group')
    const topicPrefix = `it-group-${id}`
    const topic = topicOf(catalog, 'person', topicPrefix)
    await ensureTopics(kafka, {
      catalog,
      topicPrefix,
      resources: ['person'],
      partitions: 6,
      replicationFactor: 3,
      minInsyncReplicas: 2,
      deadLetters: true,
    })
    const groupId = `it-group-${id}`
    const handled = new Map<string, number>()
    const joins: { member: string; at: number }[] = []
    const failures: unknown[] = []
    const consumers: EventConsumer[] = ['a', 'b'].map((member) => {
      const consumer = kafka.consumer({
        groupId,
        sessionTimeout: 10_000,
        rebalanceTimeout: 10_000,
        heartbeatInterval: 500,
        maxWaitTimeInMs: 250,
      })
      consumer.on(consumer.events.GROUP_JOIN, () => void joins.push({ member, at: Date.now() }))
      const c = createKafkaTopicConsumer({
        catalog,
        kafka,
        consumer,
        groupId,
        destinations: [topic],
        handle: (e) => void handled.set(e.event.id, (handled.get(e.event.id) ?? 0) + 1),
      })
      c.closed.catch((e: unknown) => void failures.push(e))
      return c
    })
    const publisher = createKafkaPublisher({
      catalog,
      kafka,
      source: 'urn:it:group',
      topicPrefix,
      retry: { maxElapsedMs: 60_000 },
    })
    let stoppedAt = Infinity
    let coordinator = 0
    try {
      for (const c of consumers) await c.start()
      await until('both members joined', () => new Set(joins.map((j) => j.member)).size === 2, 60_000)
      coordinator = await cluster.coordinatorOf(groupId)
      const run = await publishThrough({
        publisher,
        total: 5_000,
        concurrency: 4,
        at: 1_500,
        disrupt: async () => {
          stoppedAt = Date.now()
          await cluster.outage(coordinator, { downMs: 5000, topics: [topic] })
        },
      })
      await until(
        `every acknowledged event handled (${run.acknowledged.filter((i) => handled.has(i)).length} of ${run.acknowledged.length})`,
        () => run.acknowledged.every((i) => handled.has(i)),
        120_000,
      )
      const consumed = [...handled.values()].reduce((a, b) => a + b, 0)
      const rejoined = joins.filter((j) => j.at >= stoppedAt)
      results.push(
        `consumer group of 2, coordinator (node ${coordinator}) stopped and started: attempted ${run.attempted}, ` +
          `acknowledged ${run.acknowledged.length}, consumed ${consumed}, duplicated ${consumed - handled.size}, ` +
          `failed ${run.failed.length}, lost ${run.acknowledged.filter((i) => !handled.has(i)).length}, ` +
          `group joins ${joins.length} (${rejoined.length} after the stop)`,
      )
      expect(errorSummary(run.failed)).toEqual([])
      expect(rejoined.length).toBeGreaterThan(0)
      expect(failures).toEqual([])
    } finally {
      await publisher.disconnect()
      await Promise.all(consumers.map((c) => c.stop().catch(() => undefined)))
      await cluster.deleteTopics([topic, `${topic}.dlq`])
    }
  })
})
