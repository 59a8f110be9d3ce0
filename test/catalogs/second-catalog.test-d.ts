/** Type-level tests against a second, unrelated catalog: the runtime's types come from whatever catalog it is given. */
import { describe, expectTypeOf, it } from 'vitest'
import {
  checkEvent,
  createPublisher,
  type ContentOf,
  type Published,
  type ResourceOf,
  type ResourceReference,
  type VersionOf,
} from '../../core/index.ts'
import { createKafkaConsumer } from '../../transports/kafka/index.ts'
import { createMemoryBus } from '../../transports/memory/index.ts'
import type {
  ContractCatalog as Shop,
  OrderV1,
  OrderV2,
  ShipmentV1,
} from '../fixtures/shop/generated/index.ts'
import { catalog as shop } from '../fixtures/shop/generated/index.ts'

declare const order: OrderV2
declare const shipment: ShipmentV1

describe('the shop catalog', () => {
  it('derives names, versions and content types', () => {
    expectTypeOf<ResourceOf<Shop>>().toEqualTypeOf<'order' | 'shipment'>()
    expectTypeOf<VersionOf<Shop, 'order'>>().toEqualTypeOf<1 | 2>()
    expectTypeOf<ContentOf<Shop, 'order'>>().toEqualTypeOf<OrderV2>()
    expectTypeOf<ContentOf<Shop, 'order', 1>>().toEqualTypeOf<OrderV1>()
    // @ts-expect-error time-entry is in this repository's catalog, not in the shop's
    expectTypeOf<ContentOf<Shop, 'time-entry'>>()
  })

  it('types the publisher by that catalog', () => {
    const p = createPublisher({ catalog: shop, sink: createMemoryBus().sink, source: 'urn:shop' })
    expectTypeOf(p.publish('order', 'create', order)).resolves.toEqualTypeOf<Published<{ offset: number }>>()
    void p.publish('shipment', 'update', shipment)
    void p.publish('order', 'update', { id: 'x', customerId: 'c', total: 1, currency: 'GBP' }, { version: 1 })
    // @ts-expect-error USD is not a currency of the shop's schema
    void p.publish('order', 'create', { ...order, currency: 'USD' })
    // @ts-expect-error not a resource of the shop's catalog
    void p.publish('person', 'create', order)
    // shipments are keyed by orderNumber, not id: a reference must name the key
    void p.publishReference('shipment', 'delete', { tenantId: 't', id: 1, version: 1 }, { key: '1001' })
    // @ts-expect-error the key is required for a resource keyed by another field
    void p.publishReference('shipment', 'delete', { tenantId: 't', id: 1, version: 1 })
  })

  it('types handlers by that catalog', () => {
    createKafkaConsumer({
      catalog: shop,
      groupId: 'g',
      handlers: {
        order: {
          create(event) {
            expectTypeOf(event.resource.content).toEqualTypeOf<OrderV1 | OrderV2 | ResourceReference>()
          },
        },
        shipment: {
          delete(event, { message }) {
            expectTypeOf(event.resource.content).toEqualTypeOf<ShipmentV1 | ResourceReference>()
            expectTypeOf(message.partition).toEqualTypeOf<number>()
          },
        },
      },
    })
    createKafkaConsumer({
      catalog: shop,
      groupId: 'g',
      // @ts-expect-error not a resource of the shop's catalog
      handlers: { person: { create() {} } },
    })
  })

  it('narrows checkEvent by that catalog', () => {
    const r = checkEvent(shop, {} as unknown)
    if (r.ok && r.value.resource === 'shipment' && !r.value.reference)
      expectTypeOf(r.value.event.resource.content).toEqualTypeOf<ShipmentV1>()
  })
})
