import { describe, expectTypeOf, it } from 'vitest'
import type {
  AnyEventOf,
  ContentOf,
  EventOf,
  LatestOf,
  ResourceName,
  ResourceReference,
  UriOf,
  VersionOf,
} from '../core/index.ts'
import { catalog } from '../core/index.ts'
import type { PersonV1, TimeEntryV1, TimeEntryV2 } from '../generated/index.ts'
import { validateTimeEntryV2 } from '../generated/index.ts'

describe('types derived from the generated catalog', () => {
  it('names resources and versions', () => {
    expectTypeOf<ResourceName>().toEqualTypeOf<'accrual' | 'person' | 'time-entry'>()
    expectTypeOf<VersionOf<'time-entry'>>().toEqualTypeOf<1 | 2>()
    expectTypeOf<LatestOf<'time-entry'>>().toEqualTypeOf<2>()
    expectTypeOf<UriOf<'person', 1>>().toEqualTypeOf<'https://event-contracts.dev/schemas/person/1'>()
    expectTypeOf(catalog['time-entry'].topic).toEqualTypeOf<'callisto-timecard-timeentries'>()
  })

  it('gives the content type of a version, the latest by default', () => {
    expectTypeOf<ContentOf<'time-entry'>>().toEqualTypeOf<TimeEntryV2>()
    expectTypeOf<ContentOf<'time-entry', 1>>().toEqualTypeOf<TimeEntryV1>()
    expectTypeOf<ContentOf<'person', 1>>().toEqualTypeOf<PersonV1>()
    // @ts-expect-error not a version of time-entry
    expectTypeOf<ContentOf<'time-entry', 3>>()
    // @ts-expect-error not a resource in the catalog
    expectTypeOf<ContentOf<'no-such-resource'>>()
  })

  it('narrows an event by resource, action and version', () => {
    type Deleted = EventOf<'time-entry', 'delete', 1>
    expectTypeOf<Deleted['action']>().toEqualTypeOf<'delete'>()
    expectTypeOf<
      Deleted['resource']['schema']
    >().toEqualTypeOf<'https://event-contracts.dev/schemas/time-entry/1'>()
    expectTypeOf<Deleted['resource']['content']>().toEqualTypeOf<TimeEntryV1 | ResourceReference>()
    expectTypeOf<AnyEventOf<'time-entry'>['resource']['content']>().toEqualTypeOf<
      TimeEntryV1 | TimeEntryV2 | ResourceReference
    >()
  })

  it('keeps the validators as type guards', () => {
    const data: unknown = {}
    if (validateTimeEntryV2(data)) expectTypeOf(data).toEqualTypeOf<TimeEntryV2>()
  })
})
