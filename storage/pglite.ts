import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import type { Database, Sql } from './database.ts'

export const IN_MEMORY = 'memory://'

/** An embedded PostgreSQL (WASM) in `dataDir`, or in memory for `memory://`. One process owns a directory. */
export async function openPglite(dataDir: string): Promise<Database> {
  if (dataDir !== IN_MEMORY) await mkdir(dataDir, { recursive: true })
  const db = await PGlite.create(dataDir === IN_MEMORY ? undefined : dataDir)
  const sql = (q: Pick<PGlite, 'query'>): Sql => ({
    query: async <R extends object>(text: string, params: readonly unknown[] = []) =>
      (await q.query<R>(text, params as unknown[])).rows,
  })
  return {
    kind: 'pglite',
    description: dataDir === IN_MEMORY ? 'PGlite (in memory)' : `PGlite in ${dataDir}`,
    ...sql(db),
    transaction: (fn) => db.transaction((tx) => fn(sql(tx))),
    // PGlite delivers NOTIFY to listeners of the same instance: enough, one process owns the directory.
    listen: async (channel, onPayload) => void (await db.listen(channel, onPayload)),
    close: () => db.close(),
  }
}
