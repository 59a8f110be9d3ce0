/** Typed round trip on the real broker: every resource and action, published with the publisher, handled by type. */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { createConsumer, type EventConsumer, type Handlers } from '../../consumers/index.ts'
import {
  ACTIONS,
  catalog,
  isReference,
  type Action,
  type AnyEventOf,
  type ContentOf,
  type ResourceName,
} from '../../core/index.ts'
import { createPublisher } from '../../publishers/index.ts'
import { eventMessage, uuid } from './events.ts'
import { consumerConfig, TestKafka, until } from './kafka.ts'

const RESOURCES = Object.keys(catalog) as ResourceName[]

describe('typed round trip', () => {
  const t = new TestKafka('rt')
  let consumer: EventConsumer | undefined
  beforeAll(() => t.setup(RESOURCES.map((r) => t.topic(r))))
  afterAll(async () => {
    await consumer?.stop()
    await t.cleanup()
  })

  it('every resource and action reaches its own handler, typed and validated', async () => {
    const seen: { type: string; id: string; version: number | undefined; reference: boolean }[] = []
    const record =
      (resource: ResourceName, action: Action) =>
      (e: { id: string; resource: { content: object } }, ctx: { version: number | undefined }) =>
        void seen.push({
          type: `${resource}.${action}`,
          id: e.id,
          version: ctx.version,
          reference: isReference(e.resource.content),
        })
    const handlers = {
      'time-entry': {
        create(event) {
          expectTypeOf(event).toEqualTypeOf<AnyEventOf<'time-entry', 'create'>>()
          expectTypeOf(event.action).toEqualTypeOf<'create'>()
          record('time-entry', 'create')(event, { version: undefined })
        },
        update: (e, ctx) => record('time-entry', 'update')(e, ctx),
        delete: (e, ctx) => record('time-entry', 'delete')(e, ctx),
      },
      person: {
        create: (e, c) => record('person', 'create')(e, c),
        update: (e, c) => record('person', 'update')(e, c),
        delete: (e, c) => record('person', 'delete')(e, c),
      },
      accrual: {
        create: (e, c) => record('accrual', 'create')(e, c),
        update: (e, c) => record('accrual', 'update')(e, c),
        delete: (e, c) => record('accrual', 'delete')(e, c),
      },
    } satisfies Handlers

    consumer = createConsumer({
      kafka: t.kafka,
      groupId: t.group(),
      handlers,
      topicPrefix: t.prefix,
      consumerConfig,
    })
    expect([...consumer.topics].sort()).toEqual(RESOURCES.map((r) => t.topic(r)).sort())
    await consumer.start()

    const publisher = createPublisher({ kafka: t.kafka, source: 'urn:test:roundtrip', topicPrefix: t.prefix })
    const expected: { type: string; id: string }[] = []
    try {
      for (const resource of RESOURCES)
        for (const action of ACTIONS) {
          const key = uuid()
          const built = JSON.parse(eventMessage(resource, action, { key }).value)
          const p =
            action === 'delete'
              ? await publisher.publishReference(
                  resource,
                  action,
                  { tenantId: uuid(), id: key, version: 1 },
                  { key },
                )
              : await publisher.publish(
                  resource,
                  action,
                  built.resource.content as ContentOf<typeof resource>,
                )
          expected.push({ type: `${resource}.${action}`, id: p.id })
        }
    } finally {
      await publisher.disconnect()
    }

    await until('9 events handled', () => seen.length >= expected.length)
    expect(seen.map(({ type, id }) => ({ type, id })).sort((a, b) => a.type.localeCompare(b.type))).toEqual(
      expected.sort((a, b) => a.type.localeCompare(b.type)),
    )
    expect(
      seen
        .filter((s) => s.reference)
        .map((s) => s.type)
        .sort(),
    ).toEqual(['accrual.delete', 'person.delete', 'time-entry.delete'])
    expect(new Set(seen.map((s) => s.version))).toEqual(new Set([2, undefined]))
  })
})

// Type-level: a handler for an action or resource the catalog does not have does not compile.
export const _unknownResource: Handlers = {
  // @ts-expect-error not a resource in the catalog
  'no-such-resource': { create() {} },
}
export const _typeChecks: Handlers = {
  person: {
    // @ts-expect-error not an action
    upsert() {},
    create(event) {
      expectTypeOf(event.resource.content).toEqualTypeOf<
        AnyEventOf<'person', 'create'>['resource']['content']
      >()
    },
  },
}
