import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join, relative, isAbsolute } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { ContractError } from '../core/index.ts'
import type { Database, Sql } from './database.ts'

export const IN_MEMORY = 'memory://'

/** The lock file inside a PGlite directory: the pid of the process that has it open. */
export const LOCK_FILE = 'registry.lock'

/** Directories this process holds, so that a lock naming our own pid is told apart from a stale one (pid reuse). */
const held = new Set<string>()

/** `dataDir` as people typed it: `./.data` under the working directory, else the absolute path. */
function shown(dataDir: string): string {
  const rel = relative(process.cwd(), dataDir)
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? dataDir : `./${rel}`
}

/** Whether a process with this pid exists (EPERM: it does, and belongs to someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes the directory for this process, or refuses at once: PGlite has no lock of its own, and a second process on
 * the same files either opened them beside the first or died with `Aborted()`. A lock whose pid is dead (a crash,
 * kill -9) is stale and taken over. Two processes taking over one stale lock at the same instant can race; the
 * common cases (a second start, a start after a crash) are exact. Returns the release.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = join(dataDir, LOCK_FILE)
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' })
      held.add(file)
      return async () => {
        held.delete(file)
        // Only our own lock: never one another process took over meanwhile.
        const owner = (await readFile(file, 'utf8').catch(() => '')).trim()
        if (owner === String(process.pid)) await rm(file, { force: true })
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim())
      const ours = pid === process.pid && held.has(file)
      if (Number.isInteger(pid) && pid > 0 && (ours || (pid !== process.pid && alive(pid))))
        throw new ContractError(
          'REGISTRY_UNAVAILABLE',
          `another registry (pid ${pid}) is using ${shown(dataDir)}`,
          [
            {
              path: '',
              keyword: 'lock',
              message: `${file} names a running process: stop it, or give this one another DATA_DIR`,
              params: { pid, file },
            },
          ],
        )
      if (attempt > 0) throw new Error(`cannot take the lock ${file}`, { cause: e })
      // Stale: its process is gone. Remove it and try once more.
      await rm(file, { force: true })
    }
  }
}

/** An embedded PostgreSQL (WASM) in `dataDir`, or in memory for `memory://`. One process owns a directory. */
export async function openPglite(dataDir: string): Promise<Database> {
  let unlock = async (): Promise<void> => undefined
  if (dataDir !== IN_MEMORY) {
    await mkdir(dataDir, { recursive: true })
    unlock = await lockDataDir(dataDir)
  }
  let db: PGlite
  try {
    db = await PGlite.create(dataDir === IN_MEMORY ? undefined : dataDir)
  } catch (e) {
    await unlock()
    throw e
  }
  const sql = (q: Pick<PGlite, 'query'>): Sql => ({
    query: async <R extends object>(text: string, params: readonly unknown[] = []) =>
      (await q.query<R>(text, params as unknown[])).rows,
  })
  return {
    kind: 'pglite',
    description: dataDir === IN_MEMORY ? 'PGlite (in memory)' : `PGlite in ${dataDir}`,
    ...sql(db),
    // In process: no round trips to save; a script is PGlite's exec, and commitWith leaves the commit to the end.
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          ...sql(tx),
          script: async <R extends object>(text: string) => ((await tx.exec(text)).at(-1)?.rows ?? []) as R[],
          commitWith: async (text) => void (await tx.exec(text)),
        }),
      ),
    // PGlite delivers NOTIFY to listeners of the same instance: enough, one process owns the directory.
    listen: async (channel, onPayload) => void (await db.listen(channel, onPayload)),
    close: async () => {
      try {
        await db.close()
      } finally {
        await unlock()
      }
    },
  }
}
