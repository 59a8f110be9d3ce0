/** Valid content for every resource, typed by the catalog (the same values as schemas/examples). */
import type { ContentOf as ContentOfCatalog, ResourceReference } from '../../core/index.ts'
import type { ContractCatalog, ResourceName } from '../../generated/index.ts'

/** This repository's catalog, the one the tests publish and consume. */
type ContentOf<R extends ResourceName, V extends 1 | 2 = 2> = ContentOfCatalog<ContractCatalog, R, V>

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

export const contents: { [R in ResourceName]: ContentOf<R> } = { 'time-entry': timeEntry, person, accrual }

/** The field each resource is keyed by, and its value in the fixture above. */
export const keys: { [R in ResourceName]: string } = {
  'time-entry': timeEntry.ownerId,
  person: person.id,
  accrual: accrual.personId,
}

export const reference = (r: ResourceName): ResourceReference => ({
  tenantId,
  id: contents[r].id,
  version: 4,
})
