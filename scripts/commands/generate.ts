import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { IMPORT_EXTENSIONS, type ImportExtension } from '../../codegen/generate.ts'
import { loadSchemaTree } from '../../codegen/load.ts'
import { staleFiles, writeFiles } from '../generate/write.ts'
import type { Command, Io } from './command.ts'
import { envelopeOf, loadConfig } from './config.ts'
import { withPeers } from './peers.ts'

/** The generator with its optional peer (json-schema-to-typescript), for `generate` and `pull`. */
export const loadGenerator = (what: string) =>
  withPeers('generator', what, () => import('../../codegen/generate.ts'))

/** `--check`: lists what is stale and exits 1; otherwise writes what changed. */
export async function writeOrCheck(
  io: Io,
  shownOut: string,
  files: Map<string, string>,
  check: boolean,
  command: string,
): Promise<0 | 1> {
  const out = resolve(io.cwd, shownOut)
  if (check) {
    const stale = await staleFiles(out, files)
    if (stale.length === 0) {
      io.out(`${shownOut}/ is up to date (${files.size} files)`)
      return 0
    }
    io.err(`${shownOut}/ is stale; run \`${command}\` and commit the result:`)
    for (const f of stale) io.err(`  ${shownOut}/${f}`)
    return 1
  }
  const written = await writeFiles(out, files)
  io.out(
    written.length
      ? `wrote ${written.map((f) => `${shownOut}/${f}`).join(', ')}`
      : `${shownOut}/ was already up to date`,
  )
  return 0
}

export const isImportExtension = (s: string): s is ImportExtension =>
  (IMPORT_EXTENSIONS as readonly string[]).includes(s)

export const generateCommand: Command = {
  name: 'generate',
  summary: 'generate types, validators and the catalog from the schema tree (config "schemas") into "out"',
  usage:
    'contracts generate [--check] [--schemas DIR] [--out DIR] [--runtime MODULE] [--import-extension .js|.ts]',
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        check: { type: 'boolean', default: false },
        schemas: { type: 'string' },
        out: { type: 'string' },
        // Where the output imports the runtime's types from: `event-contracts` in a service's repo.
        runtime: { type: 'string' },
        'import-extension': { type: 'string' },
      },
      strict: true,
    })
    const { config } = await loadConfig(io.cwd)
    const ext = values['import-extension'] ?? config.importExtension
    if (!isImportExtension(ext)) {
      io.err(`generate: --import-extension must be .js or .ts, not '${ext}'\nusage: ${this.usage}`)
      return 2
    }
    const { generate } = await loadGenerator('contracts generate')
    let files: Map<string, string>
    try {
      const tree = await loadSchemaTree(resolve(io.cwd, values.schemas ?? config.schemas), {
        envelope: envelopeOf(config, io.cwd),
      })
      files = await generate(tree, { runtime: values.runtime ?? config.runtime, importExtension: ext })
    } catch (e) {
      io.err(`generate: ${(e as Error).message}`)
      return 1
    }
    return writeOrCheck(io, values.out ?? config.out, files, values.check, 'contracts generate')
  },
}
