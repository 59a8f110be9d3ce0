import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { checkEvent, formatIssues, parseJson, type Catalog, type Issue } from '../../core/index.ts'
import { loadCatalog, SCHEMAS_OPTION } from './catalog.ts'
import type { Command, ExitCode } from './command.ts'

interface FileResult {
  file: string
  valid: boolean
  /** Set when the file could not be read or parsed: exit 2. */
  error?: string
  resource?: string
  version?: number
  issues: Issue[]
}

export const validateCommand: Command = {
  name: 'validate',
  summary: 'validate event files: the envelope, then the content against the schema resource.schema names',
  usage: 'contracts validate FILE... [--schemas DIR] [--json]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean', default: false }, ...SCHEMAS_OPTION },
      allowPositionals: true,
      strict: true,
    })
    if (positionals.length === 0) {
      io.err(`usage: ${this.usage}`)
      return 2
    }
    const loaded = await loadCatalog(io, values.schemas)
    if (!loaded.ok) {
      io.err(`validate: ${loaded.error}`)
      return 2
    }
    const results: FileResult[] = []
    for (const file of positionals)
      results.push(await validateFile(loaded.catalog, resolve(io.cwd, file), file))
    const code: ExitCode = results.some((r) => r.error) ? 2 : results.some((r) => !r.valid) ? 1 : 0
    if (values.json) {
      io.out(JSON.stringify({ valid: code === 0, files: results }))
      return code
    }
    for (const r of results) {
      if (r.error) io.err(`${r.file}: ${r.error}`)
      else if (r.valid) io.out(`${r.file}: valid${r.resource ? ` ${r.resource} v${r.version}` : ''}`)
      else io.out(`${r.file}: invalid\n${formatIssues(r.issues, '  ')}`)
    }
    return code
  },
}

async function validateFile(catalog: Catalog, path: string, file: string): Promise<FileResult> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    return {
      file,
      valid: false,
      error: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      issues: [],
    }
  }
  const json = parseJson(text)
  if (!json.ok)
    return { file, valid: false, error: json.issues[0]?.message ?? 'not JSON', issues: json.issues }
  const r = checkEvent(catalog, json.value)
  if (!r.ok) return { file, valid: false, issues: r.issues }
  const { resource, version } = r.value
  return {
    file,
    valid: true,
    ...(resource === undefined ? {} : { resource }),
    ...(version === undefined ? {} : { version }),
    issues: [],
  }
}
