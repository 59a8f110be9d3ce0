/**
 * The little SQL surface the store needs, implemented by PostgreSQL (pg) and PGlite alike, so that both run the
 * same statements and the same migrations.
 */
export interface Sql {
  query<R extends object>(text: string, params?: readonly unknown[]): Promise<R[]>
}

/**
 * A transaction's statements. `script` and `commitWith` take statements without parameters (values written into
 * the text by the caller, which must make them safe: numbers, timestamps and ids it read from the database), so that
 * PostgreSQL runs several in one round trip: a transaction's first script goes with its BEGIN, `commitWith` with its
 * COMMIT. A hot loop of short transactions (the outbox relay's rounds) then costs two round trips instead of four.
 */
export interface TransactionSql extends Sql {
  /** `;`-separated statements without parameters, in one round trip; the rows of the last. */
  script<R extends object>(text: string): Promise<R[]>
  /** Like `script`, the transaction's last statements: it commits with them. Nothing runs in it afterwards. */
  commitWith(text: string): Promise<void>
}

export interface Database extends Sql {
  /** `postgres` or `pglite`, and where (password hidden), for the startup line and /ready. */
  readonly kind: 'postgres' | 'pglite'
  readonly description: string
  /** Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: TransactionSql) => Promise<T>): Promise<T>
  /** Calls `onPayload` for every NOTIFY on `channel`, from any connection (any replica). */
  listen(channel: string, onPayload: (payload: string) => void): Promise<void>
  close(): Promise<void>
}
