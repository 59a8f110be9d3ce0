/** Type-level tests (vitest --typecheck): enqueue is typed by the catalog exactly like publish; tx is any client. */
import type { PGlite, Transaction } from '@electric-sql/pglite'
import type pg from 'pg'
import { describe, expectTypeOf, it } from 'vitest'
import type { AnyEventOf, MessageContext, PublishOptions, ResourceReference } from '../../core/index.ts'
import type { ContractCatalog, PersonV2, TimeEntryV1, TimeEntryV2 } from '../../generated/index.ts'
import {
  createInbox,
  type Database,
  type Enqueued,
  type Outbox,
  type Queryable,
  type Sql,
} from '../../outbox/index.ts'
import type { MemoryMessage } from '../../transports/memory/index.ts'

declare const outbox: Outbox<ContractCatalog>
declare const tx: Queryable
declare const entryV2: TimeEntryV2
declare const entryV1: TimeEntryV1
declare const person: PersonV2
declare const ref: ResourceReference
declare const db: Database

describe('outbox types', () => {
  it('takes the content the publisher takes, per resource and version', () => {
    expectTypeOf(outbox.enqueue(tx, 'time-entry', 'create', entryV2)).toEqualTypeOf<Promise<Enqueued>>()
    expectTypeOf(outbox.enqueue<'time-entry'>)
      .parameter(3)
      .toEqualTypeOf<TimeEntryV2>()
    expectTypeOf(outbox.enqueue<'time-entry', 1>)
      .parameter(4)
      .toEqualTypeOf<PublishOptions<1> | undefined>() // the publisher's options
    expectTypeOf(outbox.enqueue<'time-entry', 1>)
      .parameter(3)
      .toEqualTypeOf<TimeEntryV1>()
    void outbox.enqueue(tx, 'time-entry', 'update', entryV1, { version: 1 })
    // @ts-expect-error v2-only field under version 1
    void outbox.enqueue(tx, 'time-entry', 'update', { ...entryV1, notes: 'x' }, { version: 1 })
    // @ts-expect-error a person is not a time entry
    void outbox.enqueue(tx, 'time-entry', 'create', person)
    // @ts-expect-error not a resource in the catalog
    void outbox.enqueue(tx, 'no-such-resource', 'create', {})
    // @ts-expect-error not an action
    void outbox.enqueue(tx, 'person', 'upsert', person)
  })

  it('asks for the key of a reference to a resource keyed by another field', () => {
    void outbox.enqueueReference(tx, 'person', 'delete', ref)
    void outbox.enqueueReference(tx, 'time-entry', 'delete', ref, { key: entryV2.ownerId })
    // @ts-expect-error time entries are keyed by ownerId: the key is required
    void outbox.enqueueReference(tx, 'time-entry', 'delete', ref)
  })

  it('writes in a pg client, a PGlite transaction or storage’s Sql', () => {
    expectTypeOf<pg.Client>().toExtend<Queryable>()
    expectTypeOf<pg.PoolClient>().toExtend<Queryable>()
    expectTypeOf<Transaction>().toExtend<Queryable>()
    expectTypeOf<PGlite>().toExtend<Queryable>()
    expectTypeOf<Sql>().toExtend<Queryable>()
    // @ts-expect-error a string is not a client
    void outbox.enqueue('BEGIN', 'person', 'create', person)
  })

  it('wraps a kernel handler and hands it the transaction', () => {
    const inbox = createInbox({ db, consumer: 'c' })
    type Event = AnyEventOf<ContractCatalog, 'person', 'create'>
    const handler = inbox.wrap(async (event: Event, context: MessageContext<MemoryMessage>, t: Sql) => {
      expectTypeOf(event.id).toEqualTypeOf<string>()
      expectTypeOf(context.message).toEqualTypeOf<MemoryMessage>()
      expectTypeOf(t).toEqualTypeOf<Sql>()
    })
    expectTypeOf(handler).toEqualTypeOf<
      (event: Event, context: MessageContext<MemoryMessage>) => Promise<void>
    >()
    // @ts-expect-error an event without an id cannot be recorded
    inbox.wrap(async (_event: { name: string }, _context: unknown, _t: Sql) => undefined)
  })
})
