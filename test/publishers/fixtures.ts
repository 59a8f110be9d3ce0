/** Valid content for every resource, typed by the catalog (the same values as schemas/examples). */
import type {
  ContentOf as ContentOfCatalog,
  LatestOf,
  ResourceReference,
  VersionOf,
} from '../../core/index.ts'
import type { ContractCatalog, ResourceName } from '../../generated/index.ts'

/** This repository's catalog, the one the tests publish and consume. */
type ContentOf<
  R extends ResourceName,
  V extends VersionOf<ContractCatalog, R> = LatestOf<ContractCatalog, R>,
> = ContentOfCatalog<ContractCatalog, R, V>

const tenantId = '7d1b4a2c-9e8f-4a6b-8c5d-1e2f3a4b5c6d'

export const timeEntry: ContentOf<'time-entry'> = {
  id: '0b6a1c8e-6f5d-4c1b-9d1e-2a3b4c5d6e7f',
  tenantId,
  ownerId: '3c9e1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
  timePeriodTypeId: '00000000-0000-0000-0000-000000000001',
  actualStartTime: '2026-11-20T06:00:00Z',
  actualEndTime: '2026-11-20T14:00:00Z',
  notes: 'Covered the front desk after 12:00.',
}

export const timeEntryV1: ContentOf<'time-entry', 1> = {
  id: '0b6a1c8e-6f5d-4c1b-9d1e-2a3b4c5d6e7f',
  tenantId,
  ownerId: '3c9e1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
  timePeriodTypeId: '00000000-0000-0000-0000-000000000001',
  actualStartTime: '2026-11-20T06:00:00Z',
}

export const person: ContentOf<'person'> = {
  id: '3c9e1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
  tenantId,
  firstName: 'Ada',
  lastName: 'Okafor',
  startDate: '2024-02-29',
  email: 'ada.okafor@example.gov.uk',
  grade: 'HEO',
}

export const accrual: ContentOf<'accrual'> = {
  id: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
  tenantId,
  personId: '3c9e1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
  agreementId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  accrualDate: '2026-11-20',
  accrualTypeId: '00000000-0000-0000-0000-00000000000a',
  contributions: { total: 480.5 },
  cumulativeTotal: 96000,
  cumulativeTarget: 131400,
  unit: 'minutes',
}

export const dataset: ContentOf<'dataset'> = {
  id: 'c0ffee00-1d2e-4f3a-9b8c-7d6e5f4a3b2c',
  name: 'afg-health-facilities',
  title: 'Afghanistan: health facilities',
  private: false,
  state: 'active',
  organization: { id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', name: 'who' },
  resources: [
    {
      id: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
      name: 'facilities.csv',
      format: 'CSV',
      url: 'https://data.example.org/afg/facilities.csv',
    },
  ],
}

export const contents: { [R in ResourceName]: ContentOf<R> } = {
  'time-entry': timeEntry,
  person,
  accrual,
  dataset,
}

/** The field each resource is keyed by, and its value in the fixture above. */
export const keys: { [R in ResourceName]: string } = {
  'time-entry': timeEntry.ownerId,
  person: person.id,
  accrual: accrual.personId,
  dataset: dataset.id,
}

export const reference = (r: ResourceName): ResourceReference => ({
  tenantId,
  id: contents[r].id,
  version: 4,
})
