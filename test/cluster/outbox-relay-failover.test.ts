/**
 * The outbox relay on the three-node cluster, its rows on the real PostgreSQL (a schema of this test's own): 3,000
 * events enqueued in transactions while the relay runs, the leader of the topic's partition stopped after the first
 * 1,000 and the other 2,000 enqueued while it is down. Every enqueued event is then consumed, each key in order, and
 * no row is left. The counts are printed.
 *
 * - Killed (SIGKILL), `min.insync.replicas` 2: until the controller fences the dead node the partition has no
 *   leader, so the relay's sends fail, it backs off and the rows stay; once another node leads, the whole backlog
 *   drains while the node is still down (two replicas are enough).
 * - Stopped (SIGTERM), `min.insync.replicas` 3: another node leads at once, but no write can be acknowledged by
 *   three replicas while one is down (NOT_ENOUGH_REPLICAS), so nothing is sent until the node is back and in sync:
 *   every row enqueued during the outage is still there when it starts, and the backlog drains after.
 */
import { randomUUID } from 'node:crypto'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { isContractError, topicOf } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createRelay, type Relay } from '../../outbox/index.ts'
import { ensureTopics, kafkaSink, type KafkaSink } from '../../transports/kafka/index.ts'
import { clusterOf } from '../helpers/cluster.ts'
import { errorSummary, readBack } from '../helpers/delivery.ts'
import { until, uuid } from '../consumers/events.ts'
import { checkOrder, outboxFor, testDb, type TestDb } from '../outbox/helpers.ts'
import { person } from '../publishers/fixtures.ts'

const cluster = clusterOf(inject('kafkaCluster'))
const results: string[] = []
afterAll(() => console.log(results.join('\n')))

const isRetriable = (e: unknown) => isContractError(e, 'SEND_FAILED') && e.retriable

const TOTAL = 3_000
const BEFORE = 1_000
const PER_TRANSACTION = 10

describe('the outbox relay through a leader failover (three nodes)', () => {
  it.each<[string, { kill: boolean; minInsyncReplicas: number }]>([
    ['killed (SIGKILL), min.insync.replicas 2', { kill: true, minInsyncReplicas: 2 }],
    ['stopped (SIGTERM), min.insync.replicas 3', { kill: false, minInsyncReplicas: 3 }],
  ])('leader %s: the relay backs off, the rows stay, the backlog drains; nothing lost', async (name, c) => {
    const topicPrefix = `it-relay-${randomUUID().slice(0, 8)}`
    const topic = topicOf(catalog, 'person', topicPrefix)
    const outbox = outboxFor(topicPrefix)
    // One partition: every event has the leader that is stopped.
    await ensureTopics(cluster.kafka('it-relay-topics'), {
      catalog,
      topicPrefix,
      resources: ['person'],
      partitions: 1,
      replicationFactor: 3,
      minInsyncReplicas: c.minInsyncReplicas,
    })
    // kafkajs gives up on one send within about a second (the relay itself retries for ever), so the time without a
    // leader reaches the relay instead of being hidden in the client's retries.
    const kafka = new Kafka({
      clientId: topicPrefix,
      brokers: cluster.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1000 },
    })
    let t: TestDb | undefined
    let sink: KafkaSink | undefined
    let relay: Relay | undefined
    let sampling = false
    let sampled: Promise<void> | undefined
    try {
      t = await testDb('postgres')
      const db = t.db
      sink = kafkaSink({ kafka })
      const sendErrors: unknown[] = []
      relay = createRelay({
        db,
        sink,
        pollIntervalMs: 200,
        backoff: { initialMs: 100, maxMs: 1000 },
        onError: (e, phase) => void (phase === 'send' && sendErrors.push(e)),
      })
      const r = relay
      await r.start()

      const keys = Array.from({ length: 50 }, uuid)
      const expected = new Map<string, string[]>(keys.map((k) => [k, []]))
      let enqueued = 0
      const enqueue = async (count: number) => {
        for (let end = enqueued + count; enqueued < end; enqueued += PER_TRANSACTION) {
          const events = Array.from({ length: PER_TRANSACTION }, (_, j) => ({
            resource: 'person' as const,
            action: 'update' as const,
            content: { ...person, id: keys[(enqueued + j) % keys.length] as string },
          }))
          for (const d of await db.transaction((tx) => outbox.enqueueBatch(tx, events)))
            expected.get(d.key)?.push(d.id)
        }
      }
      /** Pending rows, sampled while the node is down: the most seen, and the most with a failed send on them. */
      const during = { pending: 0, failedRows: 0 }
      const sample = async () => {
        while (sampling) {
          const [row] = await db.query<{ pending: number; failed: number }>(
            `SELECT count(*)::int AS pending, count(*) FILTER (WHERE attempts > 0)::int AS failed FROM outbox`,
          )
          during.pending = Math.max(during.pending, row?.pending ?? 0)
          during.failedRows = Math.max(during.failedRows, row?.failed ?? 0)
          await new Promise((res) => setTimeout(res, 100))
        }
      }

      await enqueue(BEFORE)
      await until('the first 1,000 are sent', () => r.status().sent >= BEFORE, 60_000)
      let pendingAtRestart = 0
      sampling = true
      sampled = sample()
      const { leader, newLeader } = await cluster.leaderOutage(topic, {
        kill: c.kill,
        downMs: 5000,
        whileDown: () => enqueue(TOTAL - BEFORE),
        beforeStart: async () => {
          // Two replicas suffice: the new leader takes everything before the node is back.
          if (c.minInsyncReplicas === 2)
            await until('the backlog drains on the two nodes left', () => r.status().sent >= TOTAL, 60_000)
          pendingAtRestart = (await r.backlog()).pending
        },
      })
      sampling = false
      await sampled
      await until(`all ${TOTAL} are sent`, () => r.status().sent >= TOTAL, 120_000)
      await r.idle()
      const left = (await r.backlog()).pending
      const ids = [...expected.values()].flat()
      const read = await readBack(cluster.brokers, topic, ids)
      const order = checkOrder(expected, read.records)
      const { sent, failedSends } = r.status()
      results.push(
        `outbox relay, leader (node ${leader}) ${name}, then led by node ${newLeader}: enqueued ${enqueued}, ` +
          `published ${sent}, consumed ${read.consumed}, duplicated ${read.duplicated}, lost ${read.lost.length}, ` +
          `rows left ${left}; failed sends ${failedSends} (rows with a failed send at most ${during.failedRows}, ` +
          `pending at most ${during.pending}; ${pendingAtRestart} when the node was started again)`,
      )
      expect(newLeader).not.toBe(leader)
      expect(enqueued).toBe(TOTAL)
      expect(read.lost).toEqual([])
      expect(left).toBe(0)
      expect(sent).toBe(TOTAL) // each row acknowledged once: none deleted unsent, none sent after its acknowledgement
      expect(order).toEqual({ outOfOrder: [], duplicates: read.duplicated, missing: 0 })
      // It could not send while the node was down (no leader, or too few replicas in sync): sends failed, each a
      // retriable SEND_FAILED, and the rows stayed with their attempts.
      expect(failedSends).toBeGreaterThan(0)
      expect(sendErrors.length).toBe(failedSends)
      expect(errorSummary(sendErrors.filter((e) => !isRetriable(e)).map((error) => ({ error })))).toEqual([])
      expect(during.failedRows).toBeGreaterThan(0)
      // Two in-sync replicas needed: all sent while the node was down. Three: nothing enqueued during the outage
      // went before the node was back.
      expect(pendingAtRestart).toBe(c.minInsyncReplicas === 2 ? 0 : TOTAL - BEFORE)
    } finally {
      sampling = false
      await sampled?.catch(() => undefined)
      await relay?.stop()
      await sink?.close().catch(() => undefined)
      await t?.drop()
      await cluster.deleteTopics([topic])
    }
  })
})
