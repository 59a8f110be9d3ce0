/**
 * The outbox's failures as ContractErrors (core/errors.ts, OUTBOX_ERROR_CODES). A database error keeps what the
 * driver said in its message and as its cause; whether trying again may help decides its code.
 */
import { ContractError, isContractError } from '../core/index.ts'

/** SQLSTATE classes of a database that is not answering (rather than refusing a statement). */
const UNAVAILABLE_STATES = /^(08|53|57P0)/

/** Whether `e` says the database did not answer: no SQLSTATE (a socket error) or a connection-class one. */
export function isUnavailable(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
  return sqlState === undefined || UNAVAILABLE_STATES.test(sqlState)
}

/**
 * A database error → DATABASE_UNAVAILABLE (retriable) or DATABASE_FAILED, `what` first. ContractErrors pass as
 * they are (already ours).
 */
export function databaseError(e: unknown, what: string): ContractError {
  if (isContractError(e)) return e
  const detail = e instanceof Error ? e.message || e.name : String(e)
  const code = (e as { code?: unknown } | null)?.code
  const reason = typeof code === 'string' && !detail.includes(code) ? `${detail} (${code})` : detail
  return isUnavailable(e)
    ? new ContractError('DATABASE_UNAVAILABLE', `${what}: the database did not answer: ${reason}`, [], {
        cause: e,
        retriable: true,
      })
    : new ContractError('DATABASE_FAILED', `${what}: ${reason}`, [], { cause: e })
}

/** Runs `f`, turning what the database throws into a ContractError (see databaseError). */
export async function inDatabase<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f()
  } catch (e) {
    throw databaseError(e, what)
  }
}
