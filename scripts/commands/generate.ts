import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { generate, REPO_RUNTIME } from '../../codegen/generate.ts'
import { loadSchemaTree } from '../../codegen/load.ts'
import { staleFiles, writeFiles } from '../generate/write.ts'
import type { Command } from './command.ts'

export const generateCommand: Command = {
  name: 'generate',
  summary: 'generate types, validators and the catalog from schemas/ into generated/',
  usage: 'contracts generate [--check] [--schemas DIR] [--out DIR] [--runtime MODULE]',
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        check: { type: 'boolean', default: false },
        schemas: { type: 'string', default: 'schemas' },
        out: { type: 'string', default: 'generated' },
        // Where the output imports the runtime's types from: `event-contracts` in a service's repo.
        runtime: { type: 'string', default: REPO_RUNTIME },
      },
      strict: true,
    })
    const out = resolve(io.cwd, values.out)
    let files: Map<string, string>
    try {
      files = await generate(await loadSchemaTree(resolve(io.cwd, values.schemas)), {
        runtime: values.runtime,
      })
    } catch (e) {
      io.err(`generate: ${(e as Error).message}`)
      return 1
    }
    if (values.check) {
      const stale = await staleFiles(out, files)
      if (stale.length === 0) {
        io.out(`${values.out}/ is up to date (${files.size} files)`)
        return 0
      }
      io.err(`${values.out}/ is stale; run \`contracts generate\` and commit the result:`)
      for (const f of stale) io.err(`  ${values.out}/${f}`)
      return 1
    }
    const written = await writeFiles(out, files)
    io.out(
      written.length
        ? `wrote ${written.map((f) => `${values.out}/${f}`).join(', ')}`
        : `${values.out}/ was already up to date`,
    )
    return 0
  },
}
