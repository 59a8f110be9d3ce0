/**
 * The little SQL surface the store needs, implemented by PostgreSQL (pg) and PGlite alike, so that both run the
 * same statements and the same migrations.
 */
export interface Sql {
  query<R extends object>(text: string, params?: readonly unknown[]): Promise<R[]>
}

export interface Database extends Sql {
  /** `postgres` or `pglite`, and where (password hidden), for the startup line and /ready. */
  readonly kind: 'postgres' | 'pglite'
  readonly description: string
  /** Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>
  /** Calls `onPayload` for every NOTIFY on `channel`, from any connection (any replica). */
  listen(channel: string, onPayload: (payload: string) => void): Promise<void>
  close(): Promise<void>
}
