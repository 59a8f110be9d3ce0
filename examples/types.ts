/**
 * README "Using the types and validators". No broker needed: `npx tsx examples/types.ts` from the checkout.
 * test/docs/examples.test.ts runs it and checks that it prints what the comment at the end says.
 */
import { readFile } from 'node:fs/promises'
import {
  checkEvent,
  isContractError,
  parseEvent,
  type AnyEventOf,
  type ContentOf,
  type EventOf,
} from 'event-contracts'
import { catalog } from 'event-contracts/generated'

type C = typeof catalog // also exported by event-contracts/generated as ContractCatalog
export type Entry = ContentOf<C, 'time-entry'> // TimeEntryV2, the latest; ContentOf<C, 'time-entry', 1> is TimeEntryV1
export type Deleted = EventOf<C, 'time-entry', 'delete'> // the envelope with action and content narrowed
export type AnyEntry = AnyEventOf<C, 'time-entry'> // any version of it: what a time-entry handler receives

const text = await readFile('schemas/examples/time-entry/valid/update-v2.json', 'utf8')
const r = checkEvent(catalog, JSON.parse(text)) // never throws: { ok: true, value } | { ok: false, issues }
if (!r.ok) for (const i of r.issues) console.log(i.path, i.keyword, i.message)
else if (r.value.resource === 'time-entry' && r.value.version === 2 && !r.value.reference) {
  const entry: Entry = r.value.event.resource.content // narrowed on resource, version and reference
  console.log(entry.ownerId, entry.notes)
}

try {
  parseEvent(catalog, { ...JSON.parse(text), action: 'archive' }) // checkEvent's value, or a ContractError
} catch (e) {
  if (isContractError(e, 'EVENT_INVALID')) for (const i of e.issues) console.log(e.code, i.path, i.keyword)
}

// Prints:
//   3c9e1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b Covered the front desk after 12:00.
//   EVENT_INVALID /action enum
