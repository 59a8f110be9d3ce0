import pg from 'pg'
import type { Database, Sql, TransactionSql } from './database.ts'

export interface PostgresOptions {
  url: string
  /** search_path for every connection; the schema is created if missing. */
  schema: string
  /** Told about LISTEN connection trouble; the periodic reload covers what is missed meanwhile. */
  onListenError?: (error: Error) => void
  max?: number
}

const redact = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')

/** PostgreSQL through a pg Pool, plus one dedicated client for LISTEN that reconnects when it drops. */
export async function openPostgres({
  url,
  schema,
  onListenError,
  max = 10,
}: PostgresOptions): Promise<Database> {
  const connection = { connectionString: url, options: `-c search_path=${schema}` }
  if (schema !== 'public') {
    const c = new pg.Client({ connectionString: url })
    await c.connect()
    try {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
    } finally {
      await c.end()
    }
  }
  const pool = new pg.Pool({ ...connection, max })
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', (e) => onListenError?.(e))
  const listeners: { channel: string; onPayload: (payload: string) => void }[] = []
  let listener: pg.Client | undefined
  let closed = false
  let retry: NodeJS.Timeout | undefined

  async function connectListener(): Promise<void> {
    const client = new pg.Client(connection)
    client.on('notification', (n) => {
      for (const l of listeners) if (l.channel === n.channel) l.onPayload(n.payload ?? '')
    })
    client.on('error', (e) => {
      onListenError?.(e)
      if (listener === client) listener = undefined
      void client.end().catch(() => undefined)
      scheduleReconnect()
    })
    await client.connect()
    for (const channel of new Set(listeners.map((l) => l.channel)))
      await client.query(`LISTEN ${quoteIdent(channel)}`)
    listener = client
  }
  function scheduleReconnect(): void {
    if (closed || retry) return
    retry = setTimeout(() => {
      retry = undefined
      connectListener().catch((e: unknown) => {
        onListenError?.(e as Error)
        scheduleReconnect()
      })
    }, 1000)
    retry.unref()
  }

  const sql: Sql = {
    query: async <R extends object>(text: string, params: readonly unknown[] = []) =>
      (await pool.query<R>(text, params as unknown[])).rows,
  }
  return {
    kind: 'postgres',
    description: `PostgreSQL ${redact(url)}${schema === 'public' ? '' : ` (schema ${schema})`}`,
    ...sql,
    async transaction(fn) {
      const client = await pool.connect()
      // BEGIN goes with the first statement when that is a script (one round trip, not two); a transaction that ran
      // nothing sends neither BEGIN nor COMMIT.
      let begun = false
      let committed = false
      const open = async () => {
        if (committed) throw new Error('the transaction has committed: nothing runs in it afterwards')
        if (!begun) {
          begun = true
          await client.query('BEGIN')
        }
      }
      const simple = async <R extends object>(text: string): Promise<R[]> => {
        if (committed) throw new Error('the transaction has committed: nothing runs in it afterwards')
        const first = !begun
        begun = true
        const results = (await client.query(first ? `BEGIN; ${text}` : text)) as unknown
        const last = (Array.isArray(results) ? results.at(-1) : results) as pg.QueryResult<R> | undefined
        return last?.rows ?? []
      }
      const tx: TransactionSql = {
        query: async <R extends object>(text: string, params: readonly unknown[] = []) => {
          await open()
          return (await client.query<R>(text, params as unknown[])).rows
        },
        script: simple,
        async commitWith(text) {
          await simple(`${text}; COMMIT`)
          committed = true
        },
      }
      try {
        const result = await fn(tx)
        if (begun && !committed) await client.query('COMMIT')
        return result
      } catch (e) {
        if (begun && !committed) await client.query('ROLLBACK').catch(() => undefined)
        throw e
      } finally {
        client.release()
      }
    },
    async listen(channel, onPayload) {
      listeners.push({ channel, onPayload })
      if (listener) await listener.query(`LISTEN ${quoteIdent(channel)}`)
      else await connectListener()
    },
    async close() {
      closed = true
      clearTimeout(retry)
      const l = listener
      listener = undefined
      await l?.end().catch(() => undefined)
      await pool.end()
    },
  }
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`
