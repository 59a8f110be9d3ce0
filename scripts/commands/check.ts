import { execFile } from 'node:child_process'
import { realpath } from 'node:fs/promises'
import { relative, resolve } from 'node:path'
import { promisify } from 'node:util'
import { parseArgs } from 'node:util'
import { canonical, checkTransitive, formatDifference, isMode } from '../../compat/index.ts'
import type { Difference, Mode, Schema } from '../../compat/index.ts'
import { loadSchemaTree } from '../../codegen/load.ts'
import type { SchemaFile } from '../../codegen/load.ts'
import type { Command } from './command.ts'
import { schemaProblem } from './compat.ts'

const run = promisify(execFile)

export interface Problem {
  resource: string
  version?: number
  kind:
    | 'incompatible'
    | 'invalid-schema'
    | 'version-gap'
    | 'bad-mode'
    | 'published-modified'
    | 'published-deleted'
  message: string
  differences?: Difference[]
}

export const checkCommand: Command = {
  name: 'check',
  summary:
    'CI gate: every resource version is compatible with its predecessors, and published versions are unchanged',
  usage: 'contracts check [--base GIT_REF] [--root schemas] [--json]',
  async run(argv, io) {
    let parsed
    try {
      parsed = parseArgs({
        args: argv,
        options: {
          base: { type: 'string' },
          root: { type: 'string', default: 'schemas' },
          json: { type: 'boolean', default: false },
        },
        allowPositionals: false,
        strict: true,
      })
    } catch (e) {
      io.err(`${(e as Error).message}\nusage: ${this.usage}`)
      return 2
    }
    const { values } = parsed
    const root = resolve(io.cwd, values.root)
    let files: SchemaFile[]
    try {
      files = (await loadSchemaTree(root)).resources
    } catch (e) {
      io.err(`cannot read the schema tree at ${values.root}: ${(e as Error).message}`)
      return 2
    }
    const problems = checkVersions(files)
    const resources = [...new Set(files.map((f) => f.name))]
    if (values.base !== undefined) {
      const base = await baseFiles(io.cwd, root, values.base)
      if (!base.ok) {
        io.err(base.error)
        return 2
      }
      problems.push(...immutability(base.files, files))
    }
    if (values.json) io.out(JSON.stringify({ ok: problems.length === 0, resources, problems }, null, 2))
    else {
      for (const name of resources) {
        const own = problems.filter((p) => p.resource === name)
        const versions = files.filter((f) => f.name === name).length
        io.out(
          `${own.length === 0 ? 'ok  ' : 'FAIL'} ${name}: ${versions} version(s), ${modeOf(files.filter((f) => f.name === name))}`,
        )
        for (const p of own) {
          io.out(`     ${p.version === undefined ? '' : `v${p.version}: `}${p.message}`)
          for (const d of p.differences ?? []) io.out(`       ${formatDifference(d)}`)
        }
      }
      for (const p of problems.filter((x) => !resources.includes(x.resource)))
        io.out(`FAIL ${p.resource}: ${p.message}`)
      io.out(problems.length === 0 ? 'all schema versions are compatible' : `${problems.length} problem(s)`)
    }
    return problems.length === 0 ? 0 : 1
  },
}

/** The mode declared by the latest version (`x-compatibility`), BACKWARD by default. */
function modeOf(versions: readonly SchemaFile[]): Mode | string {
  const latest = versions[versions.length - 1]
  const declared = latest?.schema['x-compatibility']
  return declared === undefined ? 'BACKWARD' : String(declared)
}

/** Versions 1..n, each a valid schema, each compatible with its predecessors under the resource's mode. */
export function checkVersions(files: readonly SchemaFile[]): Problem[] {
  const problems: Problem[] = []
  for (const name of [...new Set(files.map((f) => f.name))]) {
    const versions = files.filter((f) => f.name === name)
    versions.forEach((f, i) => {
      if (f.version !== i + 1)
        problems.push({
          resource: name,
          version: f.version,
          kind: 'version-gap',
          message: `versions must run 1, 2, 3…: found ${f.version} where ${i + 1} was expected (${f.file})`,
        })
    })
    const mode = modeOf(versions)
    if (!isMode(mode)) {
      problems.push({ resource: name, kind: 'bad-mode', message: `x-compatibility "${mode}" is not a mode` })
      continue
    }
    let valid = true
    for (const f of versions) {
      const problem = schemaProblem(f.schema)
      if (problem !== undefined) {
        valid = false
        problems.push({
          resource: name,
          version: f.version,
          kind: 'invalid-schema',
          message: `${f.file}: ${problem}`,
        })
      }
    }
    if (!valid) continue
    const schemas = versions.map((f) => f.schema as Schema)
    for (let i = 1; i < versions.length; i++) {
      const result = checkTransitive(schemas.slice(0, i), schemas[i] as Schema, { mode })
      if (result.compatible) continue
      problems.push({
        resource: name,
        version: versions[i]?.version,
        kind: 'incompatible',
        message: `not ${mode} compatible`,
        differences: result.differences.filter((d) => d.breaking),
      })
    }
  }
  return problems
}

type BaseFiles = { ok: true; files: Map<string, string> } | { ok: false; error: string }

/** Version files at the git ref: `resources/<name>/<v>.json` → text. */
async function baseFiles(cwd: string, root: string, ref: string): Promise<BaseFiles> {
  const git = (...args: string[]) => run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 })
  try {
    const top = (await git('rev-parse', '--show-toplevel')).stdout.trim()
    await git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`)
    const dir = relative(await realpath(top), await realpath(root))
      .split('\\')
      .join('/')
    const prefix = dir === '' ? 'resources/' : `${dir}/resources/`
    const listed = (await git('ls-tree', '-r', '--name-only', '--full-tree', ref, '--', prefix)).stdout.split(
      '\n',
    )
    const files = new Map<string, string>()
    for (const path of listed) {
      const rel = path.slice(prefix.length - 'resources/'.length)
      if (!/^resources\/[^/]+\/[1-9][0-9]*\.json$/.test(rel)) continue
      files.set(rel, (await git('show', `${ref}:${path}`)).stdout)
    }
    return { ok: true, files }
  } catch (e) {
    return { ok: false, error: `cannot read git ref "${ref}": ${(e as Error).message.split('\n')[0]}` }
  }
}

/** Published versions are immutable: same JSON (whitespace and key order may change), never deleted. */
export function immutability(base: ReadonlyMap<string, string>, files: readonly SchemaFile[]): Problem[] {
  const now = new Map(files.map((f) => [f.file, f]))
  const problems: Problem[] = []
  for (const [file, text] of base) {
    const [, name = '', v = '0'] = /^resources\/([^/]+)\/([0-9]+)\.json$/.exec(file) ?? []
    const current = now.get(file)
    if (!current) {
      problems.push({
        resource: name,
        version: Number(v),
        kind: 'published-deleted',
        message: `${file} exists at the base ref and was deleted: published versions are immutable`,
      })
      continue
    }
    let before: unknown
    try {
      before = JSON.parse(text)
    } catch {
      continue // the base was broken; the current file is checked on its own
    }
    if (canonical(before) !== canonical(current.schema)) {
      problems.push({
        resource: name,
        version: Number(v),
        kind: 'published-modified',
        message: `${file} was changed in place: published versions are immutable, add version ${maxVersion(files, name) + 1} instead`,
      })
    }
  }
  return problems
}

const maxVersion = (files: readonly SchemaFile[], name: string) =>
  Math.max(0, ...files.filter((f) => f.name === name).map((f) => f.version))
