import { resolve } from 'node:path'
import type { Catalog } from '../../core/index.ts'
import { loadSchemaTree } from '../../codegen/load.ts'
import { compileCatalog } from '../../codegen/runtime-catalog.ts'
import type { Io } from './command.ts'

/** `--schemas DIR` for the commands that work on events: any schema tree, `schemas/` by default. */
export const SCHEMAS_OPTION = { schemas: { type: 'string', default: 'schemas' } } as const

export type LoadedCatalog = { ok: true; catalog: Catalog } | { ok: false; error: string }

const loaded = new Map<string, Catalog>()

/** The catalog of a schema tree, compiled at run time (once per directory and process). */
export async function loadCatalog(io: Io, dir: string): Promise<LoadedCatalog> {
  const root = resolve(io.cwd, dir)
  const hit = loaded.get(root)
  if (hit) return { ok: true, catalog: hit }
  try {
    const catalog = compileCatalog(await loadSchemaTree(root))
    loaded.set(root, catalog)
    return { ok: true, catalog }
  } catch (e) {
    return { ok: false, error: `cannot load the schema tree at ${dir}: ${(e as Error).message}` }
  }
}
