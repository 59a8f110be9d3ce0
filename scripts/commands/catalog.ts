import { resolve } from 'node:path'
import type { Catalog } from '../../core/index.ts'
import { loadSchemaTree } from '../../codegen/load.ts'
import { compileCatalog } from '../../codegen/runtime-catalog.ts'
import type { Io } from './command.ts'
import { envelopeOf, loadConfig } from './config.ts'

/** `--schemas DIR` for the commands that work on events: any schema tree; the config's (`schemas/`) by default. */
export const SCHEMAS_OPTION = { schemas: { type: 'string' } } as const

export type LoadedCatalog = { ok: true; catalog: Catalog } | { ok: false; error: string }

const loaded = new Map<string, Catalog>()

/** The catalog of a schema tree, compiled at run time (once per directory and process). */
export async function loadCatalog(io: Io, dir: string | undefined): Promise<LoadedCatalog> {
  const { config } = await loadConfig(io.cwd)
  const shown = dir ?? config.schemas
  const root = resolve(io.cwd, shown)
  const envelope = envelopeOf(config, io.cwd)
  const hit = loaded.get(`${root}\0${envelope}`)
  if (hit) return { ok: true, catalog: hit }
  try {
    const catalog = compileCatalog(await loadSchemaTree(root, { envelope }))
    loaded.set(`${root}\0${envelope}`, catalog)
    return { ok: true, catalog }
  } catch (e) {
    return { ok: false, error: `cannot load the schema tree at ${shown}: ${(e as Error).message}` }
  }
}
