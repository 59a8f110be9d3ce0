/**
 * 10,000 events published while the leader of their partition is stopped (or killed) and started again, on the
 * three-node cluster, to a topic with replication 3 and min.insync.replicas 2 made by ensureTopics. Every event the
 * publisher acknowledged is read back; a send that fails is SEND_FAILED with `retriable: true`; with the
 * publisher's `retry`, none fails. The counts are printed.
 */
import { randomUUID } from 'node:crypto'
import { ConfigResourceTypes } from 'kafkajs'
import { afterAll, describe, expect, inject, it, vi } from 'vitest'
import { topicOf, type PublishRetry } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createKafkaPublisher, ensureTopics } from '../../transports/kafka/index.ts'
import { clusterOf } from '../helpers/cluster.ts'
import { countsLine, errorSummary, publishThrough, readBack } from '../helpers/delivery.ts'

const cluster = clusterOf(inject('kafkaCluster'))
const results: string[] = []
afterAll(() => console.log(results.join('\n')))

describe('publishing through a leader failover (three nodes)', () => {
  it('ensureTopics makes the topic with three replicas and min.insync.replicas 2', async () => {
    const kafka = cluster.kafka('it-ensure')
    const topicPrefix = `it-ensure-${randomUUID().slice(0, 8)}`
    const topic = topicOf(catalog, 'person', topicPrefix)
    await ensureTopics(kafka, {
      catalog,
      topicPrefix,
      resources: ['person'],
      replicationFactor: 3,
      minInsyncReplicas: 2,
    })
    const admin = kafka.admin()
    await admin.connect()
    try {
      // ensureTopics waited for leaders as one node saw them; the others learn of the topic a moment later.
      await vi.waitFor(
        async () => {
          const meta = await admin.fetchTopicMetadata({ topics: [topic] })
          expect(meta.topics[0]?.partitions.map((p) => [p.replicas.length, p.isr.length])).toEqual([
            [3, 3],
            [3, 3],
            [3, 3],
          ])
          const config = await admin.describeConfigs({
            resources: [
              { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] },
            ],
            includeSynonyms: false,
          })
          expect(config.resources[0]?.configEntries.map((e) => [e.configName, e.configValue])).toEqual([
            ['min.insync.replicas', '2'],
          ])
        },
        { timeout: 30_000, interval: 500 },
      )
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
      await admin.disconnect()
    }
  })

  it.each<[string, { kill: boolean; retry?: PublishRetry }]>([
    ['stopped (SIGTERM), no publisher retry', { kill: false }],
    ['killed (SIGKILL), no publisher retry', { kill: true }],
    ['killed (SIGKILL), retry { maxElapsedMs: 60 s }', { kill: true, retry: { maxElapsedMs: 60_000 } }],
  ])('leader %s: every acknowledged event is consumed', async (name, { kill, retry }) => {
    const kafka = cluster.kafka('it-failover')
    const topicPrefix = `it-failover-${randomUUID().slice(0, 8)}`
    const topic = topicOf(catalog, 'person', topicPrefix)
    // One partition: every event has the leader that is stopped.
    await ensureTopics(kafka, {
      catalog,
      topicPrefix,
      resources: ['person'],
      partitions: 1,
      replicationFactor: 3,
      minInsyncReplicas: 2,
    })
    const leader = await cluster.leaderOf(topic)
    const publisher = createKafkaPublisher({ catalog, kafka, source: 'urn:it:failover', topicPrefix, retry })
    await publisher.connect()
    let newLeader = leader
    let run
    try {
      run = await publishThrough({
        publisher,
        total: 10_000,
        at: 2_000,
        disrupt: async () => {
          await (kill ? cluster.killNode(leader) : cluster.stopNode(leader))
          // Down until another node leads the partition, and a while longer.
          const end = Date.now() + 60_000
          while (
            (newLeader = await cluster.leaderOf(topic).catch(() => leader)) === leader &&
            Date.now() < end
          )
            await new Promise((r) => setTimeout(r, 250))
          await new Promise((r) => setTimeout(r, 2000))
          await cluster.startNode(leader)
          await cluster.waitInSync([topic])
        },
      })
    } finally {
      await publisher.disconnect()
    }
    const read = await readBack(cluster.brokers, topic, run.acknowledged)
    results.push(countsLine(`leader (node ${leader}) ${name}, then led by node ${newLeader}`, run, read))
    expect(newLeader).not.toBe(leader)
    expect(read.lost).toEqual([])
    expect(errorSummary(run.notRetriable)).toEqual([])
    if (retry) expect(errorSummary(run.failed)).toEqual([])
    expect(run.acknowledged.length + run.failed.length).toBe(10_000)
    await cluster
      .kafka('it-failover-cleanup')
      .admin()
      .deleteTopics({ topics: [topic] })
      .catch(() => undefined)
  })
})
