/**
 * An encoded event ↔ an outbox row. Pure: the writer stores what the kernel's encoder produced, and the relay turns
 * the row back into the same OutboundMessage, so nothing is validated or encoded twice and the id never changes.
 */
import {
  ContractError,
  parseEventType,
  type EncodedMessage,
  type Issue,
  type OutboundMessage,
} from '../core/index.ts'

/** Anything that runs a parameterised statement: a pg Client or PoolClient, a PGlite transaction, storage's Sql. */
export interface Queryable {
  query(text: string, params?: unknown[]): Promise<unknown>
}

/** The rows a query answered, whichever client ran it (pg and PGlite: `{ rows }`; storage's Sql: the array). */
export function rowsOf<R>(result: unknown): R[] {
  if (Array.isArray(result)) return result as R[]
  const rows = (result as { rows?: unknown } | null)?.rows
  return Array.isArray(rows) ? (rows as R[]) : []
}

/** The columns a writer fills, in this order. */
export const INSERT_COLUMNS = [
  'id',
  'aggregatetype',
  'aggregateid',
  'type',
  'payload',
  'destination',
  'ce_source',
  'ce_time',
  'ce_dataschema',
  'headers',
] as const
const TYPES = ['uuid', 'text', 'text', 'text', 'json', 'text', 'text', 'text', 'text', 'jsonb'] as const

/** One row's values, in INSERT_COLUMNS order. */
export function rowValues(m: OutboundMessage): unknown[] {
  const a = m.attributes
  return [
    m.id,
    parseEventType(a.type)?.resource ?? a.type,
    m.key,
    a.type,
    m.value,
    m.destination,
    a.source,
    a.time,
    a.dataschema,
    m.headers === undefined ? null : JSON.stringify(m.headers),
  ]
}

/** One row: a plain VALUES list. */
export const insertOne = (table: string) =>
  `INSERT INTO ${table} (${INSERT_COLUMNS.join(', ')}) VALUES (${TYPES.map((t, i) => `$${i + 1}::${t}`).join(', ')})`

/** Any number of rows in one statement: one array per column, unnested (ten parameters, whatever the count). */
export const insertMany = (table: string) =>
  `INSERT INTO ${table} (${INSERT_COLUMNS.join(', ')}) SELECT * FROM unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`

/** The values of insertMany: one array per column. */
export function columnArrays(messages: readonly OutboundMessage[]): unknown[][] {
  const columns: unknown[][] = INSERT_COLUMNS.map(() => new Array<unknown>(messages.length))
  messages.forEach((m, i) => rowValues(m).forEach((v, c) => ((columns[c] as unknown[])[i] = v)))
  return columns
}

/** A pending row as the relay claims it. */
export interface OutboxRow {
  id: string
  aggregateid: string
  type: string
  payload: string
  destination: string
  ce_source: string
  ce_time: string
  ce_dataschema: string
  headers: Record<string, string> | null
  lock_key: number
}

/** The columns the relay reads: `payload::text` keeps the stored bytes (pg would parse a json column). */
export const CLAIM_COLUMNS =
  'id, aggregateid, type, payload::text AS payload, destination, ce_source, ce_time, ce_dataschema, headers, lock_key'

/**
 * What the relay checks before it sends a row: the writer's rows always pass, but the table is Debezium's, and a
 * row written by hand or by another writer may not be an event (an empty key, a payload that is not a JSON object,
 * headers that are not strings). Cheap: no parsing. ROW_INVALID, its issues pointing at the columns, or undefined.
 */
export function rowError(row: OutboxRow): ContractError | undefined {
  const issues: Issue[] = []
  const need = (ok: boolean, column: string, message: string) => {
    if (!ok) issues.push({ path: `/${column}`, keyword: 'row', message })
  }
  need(row.destination !== '', 'destination', 'must name a topic or stream')
  need(row.aggregateid !== '', 'aggregateid', 'must be the event key, not empty')
  need(parseEventType(row.type) !== undefined, 'type', 'must be <resource>.<action>')
  need(row.payload.trimStart().startsWith('{'), 'payload', 'must be a JSON object: the event envelope')
  const h = row.headers as unknown
  if (h !== null) {
    if (typeof h !== 'object' || Array.isArray(h))
      need(false, 'headers', 'must be a JSON object of strings, or null')
    else
      for (const [k, v] of Object.entries(h))
        need(
          typeof v === 'string',
          `headers/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`,
          'must be a string',
        )
  }
  return issues.length
    ? new ContractError('ROW_INVALID', `outbox row ${row.id} is not an event the relay can send`, issues)
    : undefined
}

/** A claimed row as the sink takes it: the message the encoder produced at enqueue. */
export function messageOf(row: OutboxRow): EncodedMessage {
  return {
    destination: row.destination,
    key: row.aggregateid,
    value: row.payload,
    attributes: {
      specversion: '1.0',
      id: row.id,
      source: row.ce_source,
      type: row.type,
      time: row.ce_time,
      dataschema: row.ce_dataschema,
      datacontenttype: 'application/json',
    },
    headers: row.headers ?? undefined,
    id: row.id,
  }
}
