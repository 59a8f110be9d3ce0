import { describe, expectTypeOf, it } from 'vitest'
import {
  checkEvent,
  parseEvent,
  type AnyEventOf,
  type ContentOf,
  type EventOf,
  type LatestOf,
  type ResourceOf,
  type ResourceReference,
  type UriOf,
  type VersionOf,
} from '../core/index.ts'
import { catalog, validateTimeEntryV2 } from '../generated/index.ts'
import type { ContractCatalog as C, PersonV1, TimeEntryV1, TimeEntryV2 } from '../generated/index.ts'

describe('types derived from the catalog given to the runtime', () => {
  it('names resources and versions', () => {
    expectTypeOf<ResourceOf<C>>().toEqualTypeOf<'accrual' | 'dataset' | 'person' | 'time-entry'>()
    expectTypeOf<VersionOf<C, 'time-entry'>>().toEqualTypeOf<1 | 2>()
    expectTypeOf<LatestOf<C, 'time-entry'>>().toEqualTypeOf<2>()
    expectTypeOf<UriOf<C, 'person', 1>>().toEqualTypeOf<'https://event-contracts.dev/schemas/person/1'>()
    expectTypeOf(catalog.resources['time-entry'].topic).toEqualTypeOf<'callisto-timecard-timeentries'>()
  })

  it('gives the content type of a version, the latest by default', () => {
    expectTypeOf<ContentOf<C, 'time-entry'>>().toEqualTypeOf<TimeEntryV2>()
    expectTypeOf<ContentOf<C, 'time-entry', 1>>().toEqualTypeOf<TimeEntryV1>()
    expectTypeOf<ContentOf<C, 'person', 1>>().toEqualTypeOf<PersonV1>()
    // @ts-expect-error not a version of time-entry
    expectTypeOf<ContentOf<C, 'time-entry', 3>>()
    // @ts-expect-error not a resource in the catalog
    expectTypeOf<ContentOf<C, 'no-such-resource'>>()
  })

  it('narrows an event by resource, action and version', () => {
    type Deleted = EventOf<C, 'time-entry', 'delete', 1>
    expectTypeOf<Deleted['action']>().toEqualTypeOf<'delete'>()
    expectTypeOf<
      Deleted['resource']['schema']
    >().toEqualTypeOf<'https://event-contracts.dev/schemas/time-entry/1'>()
    expectTypeOf<Deleted['resource']['content']>().toEqualTypeOf<TimeEntryV1 | ResourceReference>()
    expectTypeOf<AnyEventOf<C, 'time-entry'>['resource']['content']>().toEqualTypeOf<
      TimeEntryV1 | TimeEntryV2 | ResourceReference
    >()
  })

  it('narrows what checkEvent returns on resource, version and reference', () => {
    const r = checkEvent(catalog, {} as unknown)
    if (!r.ok) return
    const v = r.value
    if (v.resource === 'time-entry' && v.version === 2 && !v.reference)
      expectTypeOf(v.event.resource.content).toEqualTypeOf<TimeEntryV2>()
    if (v.resource === 'time-entry' && v.version === 1 && !v.reference)
      expectTypeOf(v.event.resource.content).toEqualTypeOf<TimeEntryV1>()
    if (v.resource === 'person' && v.reference)
      expectTypeOf(v.event.resource.content).toEqualTypeOf<ResourceReference>()
    if (v.resource === undefined) expectTypeOf(v.version).toEqualTypeOf<number | undefined>()
    const p = parseEvent(catalog, {} as unknown)
    if (p.resource === 'accrual') expectTypeOf(p.version).toEqualTypeOf<1 | 2>()
  })

  it('keeps the validators as type guards', () => {
    const data: unknown = {}
    if (validateTimeEntryV2(data)) expectTypeOf(data).toEqualTypeOf<TimeEntryV2>()
  })
})
