/**
 * The gateway on the three-node cluster: an in-process gateway listening on loopback with a Kafka sink, eight
 * clients POSTing CloudEvents batches of 10 (3,000 events), the leader of the topic's partition stopped after the
 * first 1,000 were accepted. While the gateway's sink cannot write, requests are answered 503 SEND_FAILED with
 * Retry-After (retriable: nothing of the request was bad); each client sends such a request again, the same events
 * with the same ids, after the Retry-After, as a CloudEvents client should. Every event answered 202 is consumed;
 * the counts are printed (a 503 whose events Kafka wrote all the same is consumed twice once sent again).
 *
 * - Killed (SIGKILL), `min.insync.replicas` 2: 503s until another node leads the partition; then every event is
 *   accepted while the node is still down.
 * - Stopped (SIGTERM), `min.insync.replicas` 3: 503s (NOT_ENOUGH_REPLICAS) until the node is back and in sync; no
 *   202 while it is down.
 */
import { randomUUID } from 'node:crypto'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { topicOf } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createGateway, listenGateway, type ListeningGateway } from '../../gateway/index.ts'
import { ensureTopics, kafkaSink } from '../../transports/kafka/index.ts'
import { clusterOf } from '../helpers/cluster.ts'
import { readBack } from '../helpers/delivery.ts'
import { until } from '../consumers/events.ts'
import { ADMIN, BATCH, bearer, datasetEvent, tokens } from '../gateway/helpers.ts'

const cluster = clusterOf(inject('kafkaCluster'))
const results: string[] = []
afterAll(() => console.log(results.join('\n')))

const TOTAL = 3_000
const BEFORE = 1_000
const PER_REQUEST = 10
const CLIENTS = 8

/** What the clients saw. */
interface Posting {
  /** Requests made, retries included. */
  requests: number
  /** Ids of the events answered 202. */
  accepted: string[]
  /** Answers 503 SEND_FAILED with Retry-After: the request was sent again. */
  retriable: number
  /** Any other answer (status, code, whether Retry-After came): none expected. */
  unexpected: string[]
}

describe('the gateway through a leader failover (three nodes)', () => {
  it.each<[string, { kill: boolean; minInsyncReplicas: number }]>([
    ['killed (SIGKILL), min.insync.replicas 2', { kill: true, minInsyncReplicas: 2 }],
    ['stopped (SIGTERM), min.insync.replicas 3', { kill: false, minInsyncReplicas: 3 }],
  ])('leader %s: 503 (retriable) while it cannot write, every 202 consumed', async (name, c) => {
    const topicPrefix = `it-gateway-${randomUUID().slice(0, 8)}`
    const topic = topicOf(catalog, 'dataset', topicPrefix)
    // One partition: every event has the leader that is stopped.
    await ensureTopics(cluster.kafka('it-gateway-topics'), {
      catalog,
      topicPrefix,
      resources: ['dataset'],
      partitions: 1,
      replicationFactor: 3,
      minInsyncReplicas: c.minInsyncReplicas,
    })
    // kafkajs gives up on one send within about a second, so the outage reaches the gateway's answers.
    const kafka = new Kafka({
      clientId: topicPrefix,
      brokers: cluster.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1000 },
    })
    const sink = kafkaSink({ kafka })
    let gateway: ListeningGateway | undefined
    let rest: Promise<void> | undefined
    try {
      gateway = await listenGateway(createGateway({ catalog, sink, tokens, topicPrefix }), {
        port: 0,
        onClose: () => sink.close(),
      })
      const url = `${gateway.url}/events`
      const seen: Posting = { requests: 0, accepted: [], retriable: 0, unexpected: [] }
      let posted = 0
      /** One batch, sent again after each 503 until it is answered otherwise (or 120 s passed). */
      const post = async (events: Record<string, unknown>[]) => {
        const end = Date.now() + 120_000
        for (;;) {
          seen.requests++
          const res = await fetch(url, {
            method: 'POST',
            headers: { ...BATCH, ...bearer(ADMIN) },
            body: JSON.stringify(events),
          })
          const body = (await res.json()) as { code?: string }
          const retryAfter = res.headers.get('retry-after')
          if (res.status === 202) return void seen.accepted.push(...events.map((e) => e.id as string))
          if (res.status === 503 && body.code === 'SEND_FAILED' && retryAfter && Date.now() < end) {
            seen.retriable++
            await new Promise((r) => setTimeout(r, Number(retryAfter) * 1000))
            continue
          }
          return void seen.unexpected.push(`${res.status} ${body.code} retry-after ${retryAfter}`)
        }
      }
      /** `count` events from CLIENTS clients, PER_REQUEST to a request. */
      const postMany = async (count: number) => {
        const last = posted + count
        const client = async () => {
          while (posted < last) {
            const n = Math.min(PER_REQUEST, last - posted)
            posted += n
            await post(Array.from({ length: n }, () => datasetEvent()))
          }
        }
        await Promise.all(Array.from({ length: CLIENTS }, client))
      }

      await postMany(BEFORE)
      let restDone = false
      let retriableAtRestart = 0
      let acceptedAtRestart = 0
      const { leader, newLeader } = await cluster.leaderOutage(topic, {
        kill: c.kill,
        downMs: 5000,
        // The other 2,000 go while the node is down (and after, those answered 503 until it is back).
        whileDown: async () => {
          rest = postMany(TOTAL - BEFORE).finally(() => (restDone = true))
          await until(
            'a request answered 503 while the node is down',
            () => seen.retriable > 0 || restDone,
            60_000,
          )
        },
        beforeStart: async () => {
          // Two replicas suffice: every request goes through the new leader before the node is back.
          if (c.minInsyncReplicas === 2) await rest
          retriableAtRestart = seen.retriable
          acceptedAtRestart = seen.accepted.length
        },
      })
      await rest
      const read = await readBack(cluster.brokers, topic, seen.accepted)
      results.push(
        `gateway, leader (node ${leader}) ${name}, then led by node ${newLeader}: posted ${posted} events in ` +
          `${seen.requests} requests of ${PER_REQUEST}, accepted (202) ${seen.accepted.length}, rejected retriable ` +
          `(503) ${seen.retriable}, other answers ${seen.unexpected.length}; before the node was started again: ` +
          `${acceptedAtRestart} accepted, ${retriableAtRestart} rejected; ` +
          `consumed ${read.consumed}, duplicated ${read.duplicated}, lost ${read.lost.length}`,
      )
      expect(newLeader).not.toBe(leader)
      expect(seen.unexpected).toEqual([])
      expect(seen.retriable).toBeGreaterThan(0)
      expect(new Set(seen.accepted).size).toBe(TOTAL) // every event was answered 202 in the end
      expect(read.lost).toEqual([]) // and every event answered 202 was consumed
      expect(read.seen.size).toBe(TOTAL)
      // Two in-sync replicas needed: all accepted while the node was down. Three: none of those posted while it was.
      expect(acceptedAtRestart).toBe(c.minInsyncReplicas === 2 ? TOTAL : BEFORE)
    } finally {
      await gateway?.close()
      await rest?.catch(() => undefined) // a failed case: its clients stop once the gateway is closed
      await cluster.deleteTopics([topic])
    }
  })
})
