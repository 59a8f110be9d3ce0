import type { Sql } from '../../storage/database.ts'

/**
 * The audit trail: who registered, deleted or configured what, when, and with what outcome. A change and its row
 * are written in one transaction (no change without its row, no row without its change); a refused attempt is
 * written on its own after the refusal rolled back.
 */

export const AUDIT_ACTIONS = ['register', 'soft-delete', 'permanent-delete', 'set-mode'] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

/**
 * `created` / `unchanged` (identical content: a no-op re-registration, recorded because it is an authorised
 * write all the same), `deleted`, `changed` (a mode), or `refused` (detail: the code and the message).
 */
export const AUDIT_OUTCOMES = ['created', 'unchanged', 'deleted', 'changed', 'refused'] as const
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number]

export interface AuditRecord {
  /** The token's name (`seed` for what start-up registers from schemas/). */
  principal: string
  action: AuditAction
  /** null: the registry-wide default mode. */
  resource: string | null
  version: number | null
  outcome: AuditOutcome
  /** The mode set, or the refusal's code and message. */
  detail: string | null
}

export interface AuditEntry extends AuditRecord {
  /** Increasing: the cursor of GET /audit (`before`). */
  id: number
  /** ISO 8601, UTC: the time of the transaction that made the change. */
  at: string
}

export interface AuditQuery {
  limit: number
  /** Entries with a smaller id only (the next page). */
  before?: number | undefined
}

/** The longest detail kept: a refusal's message can list many issues. */
const MAX_DETAIL = 2000

export const insertAudit = (q: Sql, r: AuditRecord) =>
  q.query(
    'INSERT INTO registry_audit (principal, action, resource, version, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6)',
    [r.principal, r.action, r.resource, r.version, r.outcome, r.detail?.slice(0, MAX_DETAIL) ?? null],
  )

interface AuditRow {
  id: number
  at: Date | string
  principal: string
  action: AuditAction
  resource: string | null
  version: number | null
  outcome: AuditOutcome
  detail: string | null
}

/** Newest first. */
export async function readAudit(q: Sql, { limit, before }: AuditQuery): Promise<AuditEntry[]> {
  const rows = await q.query<AuditRow>(
    `SELECT id, at, principal, action, resource, version, outcome, detail FROM registry_audit
     WHERE ($1::integer IS NULL OR id < $1) ORDER BY id DESC LIMIT $2`,
    [before ?? null, limit],
  )
  return rows.map((r) => ({
    id: r.id,
    at: new Date(r.at).toISOString(),
    principal: r.principal,
    action: r.action,
    resource: r.resource,
    version: r.version,
    outcome: r.outcome,
    detail: r.detail,
  }))
}
