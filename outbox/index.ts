/**
 * The transactional outbox on PostgreSQL (and PGlite): `createOutbox` writes validated events into the caller's
 * transaction, `createRelay` publishes them through any transport's sink, `createInbox` skips re-delivered events
 * in a consumer's transaction. The tables come from `migrateOutbox` / `migrateInbox`; the database from
 * `openPostgres` (`event-contracts/postgres`) or `openPglite` (`event-contracts/pglite`).
 */
export { createOutbox } from './writer.ts'
export type { Enqueued, Outbox, OutboxOptions } from './writer.ts'
export { createRelay, purgeOutbox } from './relay.ts'
export type { DrainResult, Relay } from './relay.ts'
export { RELAY_DEFAULTS, resolveRelayOptions } from './options.ts'
export type { Acknowledge, RelayConfig, RelayErrorPhase, RelayOptions } from './options.ts'
export type { RoundResult } from './claim.ts'
export { formatStatus } from './metrics.ts'
export type { Backlog, RelayState, RelayStatus } from './metrics.ts'
export { createInbox } from './inbox.ts'
export type { Inbox, InboxEvent, InboxOptions } from './inbox.ts'
export {
  INBOX_MIGRATIONS,
  migrateInbox,
  migrateOutbox,
  migrateTable,
  OUTBOX_CHANNEL,
  OUTBOX_MIGRATIONS,
} from './schema.ts'
export type { Migration } from './schema.ts'
export { messageOf, rowError, rowsOf } from './rows.ts'
export { databaseError } from './errors.ts'
export type { OutboxRow, Queryable } from './rows.ts'
// The database opener is the caller's choice of driver: event-contracts/postgres (pg) or event-contracts/pglite, so a
// service installs the one it uses.
export type { Database, Sql } from '../storage/database.ts'
