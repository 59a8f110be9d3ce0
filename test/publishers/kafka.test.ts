/**
 * Integration tests on the real broker (test/setup/kafka.global.ts or KAFKA_BROKERS): every resource and action
 * round-trips through a publisher and a plain kafkajs consumer; invalid events never reach Kafka.
 */
import type { Admin } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ACTIONS,
  isContractError,
  topicOf as topicIn,
  type CatalogResource,
  type Published,
} from '../../core/index.ts'
import { catalog, type ResourceName } from '../../generated/index.ts'
import {
  createKafkaPublisher,
  ensureTopics,
  type KafkaPosition,
  type KafkaPublisher,
} from '../../transports/kafka/index.ts'
import { contents, keys, person, reference } from './fixtures.ts'
import { endOffsets, newKafka, readBack, uniquePrefix } from './kafka-helpers.ts'

const prefix = uniquePrefix('rt')
const topicOf = (r: ResourceName, p?: string) => topicIn(catalog, r, p)
const resources = Object.keys(catalog.resources) as ResourceName[]
const topics = resources.map((r) => topicOf(r, prefix)).sort()
const SOURCE = 'urn:event-contracts:it'
const kafka = newKafka(prefix)

describe('publisher on a real broker', () => {
  let admin: Admin
  let publisher: KafkaPublisher<typeof catalog>
  let first: Awaited<ReturnType<typeof ensureTopics>>

  beforeAll(async () => {
    admin = kafka.admin()
    await admin.connect()
    first = await ensureTopics(admin, { catalog, topicPrefix: prefix, deadLetters: true })
    publisher = createKafkaPublisher({ catalog, kafka, source: SOURCE, topicPrefix: prefix })
    await publisher.connect()
  })

  afterAll(async () => {
    await publisher?.disconnect()
    if (!admin) return
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`))
    if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined)
    await admin.disconnect()
  })

  it('ensureTopics creates the prefixed topics and their .dlq once, then finds them', async () => {
    expect(first.created).toEqual(topics.flatMap((t) => [t, `${t}.dlq`]).sort())
    const again = await ensureTopics(admin, { catalog, topicPrefix: prefix, deadLetters: true })
    expect(again).toEqual({ created: [], existing: first.created })
    const meta = await admin.fetchTopicMetadata({ topics })
    expect(meta.topics.map((t) => t.partitions.length)).toEqual(topics.map(() => 3))
  })

  it('round-trips every resource and action: value, key, headers, partition and offset', async () => {
    const sent = new Map<
      string,
      {
        published: Published<KafkaPosition>
        resource: ResourceName
        action: string
        content: object
        key: string
      }
    >()
    for (const resource of resources) {
      for (const action of ACTIONS) {
        const published = await publisher.publish(resource, action, contents[resource] as never)
        sent.set(published.id, {
          published,
          resource,
          action,
          content: contents[resource],
          key: keys[resource],
        })
      }
      const ref = reference(resource)
      // The resource's own key keeps the delete behind its earlier events.
      const published = await publisher.publishReference(resource, 'delete', ref, { key: keys[resource] })
      sent.set(published.id, { published, resource, action: 'delete', content: ref, key: keys[resource] })
    }
    const batch = await publisher.publishBatch([
      { resource: 'person', action: 'update', content: person },
      {
        resource: 'time-entry',
        action: 'delete',
        reference: reference('time-entry'),
        key: keys['time-entry'],
      },
    ])
    expect(batch.ids).toHaveLength(2)

    const received = await readBack(kafka, admin, topics, sent.size + 2)
    expect(received).toHaveLength(sent.size + 2)
    for (const m of received) {
      const s = sent.get(String(m.value.id))
      if (!s) {
        expect(batch.ids).toContain(m.value.id)
        continue
      }
      const entry: CatalogResource = catalog.resources[s.resource]
      const uri = entry.versions[entry.latest]?.uri
      expect(m.topic).toBe(topicOf(s.resource, prefix))
      expect([m.partition, m.offset]).toEqual([s.published.position.partition, s.published.position.offset])
      expect(m.key).toBe(s.key)
      expect(m.value).toMatchObject({
        source: SOURCE,
        action: s.action,
        resource: { schema: uri, content: s.content },
      })
      expect(m.headers).toEqual({
        ce_specversion: '1.0',
        ce_id: s.published.id,
        ce_source: SOURCE,
        ce_type: `${s.resource}.${s.action}`,
        ce_time: m.value.time,
        ce_dataschema: uri,
        'content-type': 'application/json',
      })
    }
    // One resource's events share a partition: the key keeps them in order.
    const personPartitions = new Set(
      received
        .filter((m) => m.topic === topicOf('person', prefix) && m.key === keys.person)
        .map((m) => m.partition),
    )
    expect(personPartitions.size).toBe(1)
  })

  it('an invalid event, or a batch with one, never reaches Kafka', async () => {
    const before = await endOffsets(admin, topics)
    const attempts = [
      publisher.publish('person', 'create', { ...person, startDate: '2025-02-29' }),
      publisher.publish('time-entry', 'create', { ...contents['time-entry'], ownerId: 'not-a-uuid' }),
      publisher.publishReference('accrual', 'delete', { tenantId: '', id: 'x', version: -1 }, { key: 'x' }),
      publisher.publishBatch([
        { resource: 'person', action: 'create', content: person },
        { resource: 'person', action: 'create', content: { ...person, fteValue: 2 } },
      ]),
    ]
    for (const a of attempts) {
      const e: unknown = await a.then(
        () => undefined,
        (err: unknown) => err,
      )
      expect(isContractError(e, 'EVENT_INVALID')).toBe(true)
    }
    expect(await endOffsets(admin, topics)).toEqual(before)
  })
})
