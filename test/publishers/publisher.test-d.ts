/** Type-level tests (vitest --typecheck): the catalog decides what may be published. */
import { describe, expectTypeOf, it } from 'vitest'
import {
  createPublisher,
  type BatchEvent as AnyBatchEvent,
  type Published,
  type Publisher,
  type ResourceReference,
} from '../../core/index.ts'
import type { ContractCatalog, PersonV2, TimeEntryV1, TimeEntryV2 } from '../../generated/index.ts'
import { catalog } from '../../generated/index.ts'
import { createKafkaPublisher, type KafkaPosition } from '../../transports/kafka/index.ts'
import { createMemoryBus } from '../../transports/memory/index.ts'

type BatchEvent = AnyBatchEvent<ContractCatalog>
declare const publisher: Publisher<ContractCatalog, KafkaPosition>
declare const entryV2: TimeEntryV2
declare const entryV1: TimeEntryV1
declare const person: PersonV2
declare const ref: ResourceReference

describe('publisher types', () => {
  it('takes the latest version of a resource by default', () => {
    expectTypeOf(publisher.publish('time-entry', 'create', entryV2)).toEqualTypeOf<
      Promise<Published<KafkaPosition>>
    >()
    expectTypeOf(publisher.publish<'time-entry'>)
      .parameter(2)
      .toEqualTypeOf<TimeEntryV2>()
    expectTypeOf(publisher.publish<'person'>)
      .parameter(2)
      .toEqualTypeOf<PersonV2>()
  })

  it('takes an older version when it is named', () => {
    void publisher.publish('time-entry', 'update', entryV1, { version: 1 })
    expectTypeOf(publisher.publish<'time-entry', 1>)
      .parameter(2)
      .toEqualTypeOf<TimeEntryV1>()
    // @ts-expect-error v2-only field under version 1
    void publisher.publish('time-entry', 'update', { ...entryV1, notes: 'x' }, { version: 1 })
    // @ts-expect-error time-entry has no version 3
    void publisher.publish('time-entry', 'update', entryV2, { version: 3 })
  })

  it('refuses wrong shapes, unknown resources and actions', () => {
    // @ts-expect-error a person is not a time entry
    void publisher.publish('time-entry', 'create', person)
    // @ts-expect-error missing the required ownerId
    void publisher.publish('time-entry', 'create', {
      id: 'x',
      tenantId: 't',
      timePeriodTypeId: 'p',
      actualStartTime: 's',
    })
    // @ts-expect-error not a resource in the catalog
    void publisher.publish('no-such-resource', 'create', {})
    // @ts-expect-error not an action
    void publisher.publish('person', 'upsert', person)
  })

  it('publishes references for any resource', () => {
    void publisher.publishReference('person', 'delete', ref)
    void publisher.publishReference(
      'time-entry',
      'delete',
      { tenantId: 42, id: 1001, version: 3 },
      { key: 'owner' },
    )
    // @ts-expect-error a reference has no firstName
    void publisher.publishReference('person', 'delete', { ...ref, firstName: 'Ada' })
  })

  it('types batches per resource and version', () => {
    const ok: BatchEvent[] = [
      { resource: 'time-entry', action: 'create', content: entryV2 },
      { resource: 'time-entry', action: 'create', content: entryV1, version: 1 },
      { resource: 'person', action: 'delete', reference: ref },
    ]
    void ok
    // @ts-expect-error person content under time-entry
    const wrong: BatchEvent = { resource: 'time-entry', action: 'create', content: person }
    void wrong
  })

  it('needs a catalog, a sink (a producer or a Kafka client) and a source', () => {
    const producer = { connect: async () => {}, disconnect: async () => {}, send: async () => [] }
    // @ts-expect-error no source
    createKafkaPublisher({ catalog, producer })
    // @ts-expect-error neither producer nor kafka
    createKafkaPublisher({ catalog, source: 'urn:x' })
    // @ts-expect-error no catalog
    createKafkaPublisher({ producer, source: 'urn:x' })
    // @ts-expect-error no sink
    createPublisher({ catalog, source: 'urn:x' })
  })

  it('types the position by the transport', () => {
    const memory = createPublisher({ catalog, sink: createMemoryBus().sink, source: 'urn:x' })
    expectTypeOf(memory.publish('person', 'create', person)).resolves.toEqualTypeOf<
      Published<{ offset: number }>
    >()
    expectTypeOf(publisher.publish('person', 'create', person)).resolves.toHaveProperty('position')
  })
})

describe('publishReference keeps a resource keyed by another field in order', () => {
  it('asks for the key when x-key is not id', () => {
    const ref = { tenantId: 't', id: 'i', version: 1 }
    void publisher.publishReference('person', 'delete', ref) // person is keyed by id
    void publisher.publishReference('time-entry', 'delete', ref, { key: 'owner' })
    // @ts-expect-error a time entry is keyed by ownerId: the delete must name it
    void publisher.publishReference('time-entry', 'delete', ref)
  })
})

describe('wireFormat', () => {
  it("'confluent' needs schemaIds; 'json' takes none", () => {
    const sink = createMemoryBus().sink
    const schemaIds = { idOf: async () => 1, schemaOf: async () => undefined }
    createPublisher({ catalog, sink, source: 'urn:x', wireFormat: 'confluent', schemaIds })
    createPublisher({ catalog, sink, source: 'urn:x', wireFormat: 'json' })
    // @ts-expect-error Confluent's frame needs the ids
    createPublisher({ catalog, sink, source: 'urn:x', wireFormat: 'confluent' })
    // @ts-expect-error not a wire format
    createPublisher({ catalog, sink, source: 'urn:x', wireFormat: 'avro', schemaIds })
  })
})
