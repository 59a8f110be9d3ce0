import { execFile } from 'node:child_process'
import { realpath } from 'node:fs/promises'
import { relative, resolve } from 'node:path'
import { promisify } from 'node:util'
import { parseArgs } from 'node:util'
import type { Issue } from '../../core/errors.ts'
import { canonical } from '../../compat/index.ts'
import {
  admitTree,
  formatAdmission,
  type RefusalCode,
  type ResourceVerdict,
  type TreeSettings,
} from '../../admission/index.ts'
import { loadSchemaTree } from '../../codegen/load.ts'
import type { SchemaFile, SchemaTree } from '../../codegen/load.ts'
import type { Command } from './command.ts'
import { envelopeOf, loadConfig } from './config.ts'

const run = promisify(execFile)

/** One refused file (a version, a resource.json, a mode change) or one published version edited or deleted. */
export interface Problem {
  resource: string
  version?: number
  /** Relative to the schema root: `resources/person/3.json`. */
  file: string
  kind:
    | 'invalid-schema'
    | 'conflict'
    | 'incompatible'
    | 'resource-file'
    | 'mode-change'
    | 'published-modified'
    | 'published-deleted'
  message: string
  /** One per problem counted: the admission rule's issues, or the one immutability issue. */
  issues: Issue[]
}

const KIND: Record<RefusalCode, Problem['kind']> = {
  SCHEMA_INVALID: 'invalid-schema',
  SCHEMA_CONFLICT: 'conflict',
  INCOMPATIBLE_SCHEMA: 'incompatible',
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

export const checkCommand: Command = {
  name: 'check',
  summary:
    "CI gate: every resource version is admitted against its predecessors under its resource's mode, and published versions are unchanged",
  usage: 'contracts check [--base GIT_REF] [--root DIR] [--json]',
  async run(argv, io) {
    let parsed
    try {
      parsed = parseArgs({
        args: argv,
        options: {
          base: { type: 'string' },
          root: { type: 'string' },
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
    const { config } = await loadConfig(io.cwd)
    const shownRoot = values.root ?? config.schemas
    const root = resolve(io.cwd, shownRoot)
    let tree: SchemaTree
    try {
      tree = await loadSchemaTree(root, { envelope: envelopeOf(config, io.cwd) })
    } catch (e) {
      io.err(`cannot read the schema tree at ${shownRoot}: ${(e as Error).message}`)
      return 2
    }
    let base: Extract<BaseFiles, { ok: true }> | undefined
    if (values.base !== undefined) {
      const read = await baseFiles(io.cwd, root, values.base)
      if (!read.ok) {
        io.err(read.error)
        return 2
      }
      base = read
    }
    const verdicts = admitTree(
      tree,
      base ? { base: { files: new Set(base.files.keys()), settings: base.settings } } : {},
    )
    const problems = verdicts.flatMap(problemsOf)
    if (base) problems.push(...immutability(base.files, tree.resources))
    const count = problems.reduce((n, p) => n + p.issues.length, 0)
    const resources = verdicts.map((v) => v.name)
    if (values.json) io.out(JSON.stringify({ ok: count === 0, count, resources, problems }, null, 2))
    else {
      for (const v of verdicts) {
        const own = problems.filter((p) => p.resource === v.name)
        io.out(
          `${own.length === 0 ? 'ok  ' : 'FAIL'} ${v.name}: ${plural(v.versions, 'version')}, ${v.mode} (${v.modeSource})`,
        )
        if (v.modeChange?.result.ok)
          io.out(
            `     ${v.settingsFile}: mode change ${v.modeChange.from} → ${v.modeChange.to} admitted (${plural(v.modeChange.result.value.pairs, 'pair')} of versions checked)`,
          )
        for (const p of own) io.out(report(p, '     '))
      }
      for (const p of problems.filter((x) => !resources.includes(x.resource))) io.out(report(p, ''))
      io.out(count === 0 ? 'all schema versions are admitted' : plural(count, 'problem'))
    }
    return count === 0 ? 0 : 1
  },
}

/** The admission rule's report for a refusal; one line for an edited or deleted published version. */
function report(p: Problem, indent: string): string {
  if (p.kind === 'published-modified' || p.kind === 'published-deleted') return `${indent}${p.message}`
  return formatAdmission(p.file, { ok: false, issues: p.issues, summary: p.message }, indent)
}

/** What the admission rule refused in one resource: its resource.json, its mode change, its versions. */
export function problemsOf(v: ResourceVerdict): Problem[] {
  const problems: Problem[] = []
  if (!v.settings.ok)
    problems.push({
      resource: v.name,
      file: v.settingsFile,
      kind: 'resource-file',
      message: v.settings.summary,
      issues: v.settings.issues,
    })
  if (v.modeChange && !v.modeChange.result.ok)
    problems.push({
      resource: v.name,
      file: v.settingsFile,
      kind: 'mode-change',
      message: v.modeChange.result.summary,
      issues: v.modeChange.result.issues,
    })
  for (const r of v.refused)
    problems.push({
      resource: v.name,
      version: r.version,
      file: r.file,
      kind: KIND[r.result.code],
      message: r.result.summary,
      issues: r.result.issues,
    })
  return problems
}

type BaseFiles =
  { ok: true; files: Map<string, string>; settings: TreeSettings[] } | { ok: false; error: string }

/** Version files at the git ref (`resources/<name>/<v>.json` → text) and its resource.json files. */
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
    const settings: TreeSettings[] = []
    for (const path of listed) {
      const rel = path.slice(prefix.length - 'resources/'.length)
      const setting = /^resources\/([^/]+)\/resource\.json$/.exec(rel)
      if (setting) {
        settings.push({
          name: setting[1] as string,
          file: rel,
          json: parsed((await git('show', `${ref}:${path}`)).stdout),
        })
        continue
      }
      if (!/^resources\/[^/]+\/[1-9][0-9]*\.json$/.test(rel)) continue
      files.set(rel, (await git('show', `${ref}:${path}`)).stdout)
    }
    return { ok: true, files, settings }
  } catch (e) {
    return { ok: false, error: `cannot read git ref "${ref}": ${(e as Error).message.split('\n')[0]}` }
  }
}

/** JSON text → its value; undefined when it is not JSON (a broken base is judged as if the file were absent). */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
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
      const message = `${file} exists at the base ref and was deleted: published versions are immutable`
      problems.push({
        resource: name,
        version: Number(v),
        file,
        kind: 'published-deleted',
        message,
        issues: [{ path: '', keyword: 'published-deleted', message }],
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
      const message = `${file} was changed in place: published versions are immutable, add version ${maxVersion(files, name) + 1} instead`
      problems.push({
        resource: name,
        version: Number(v),
        file,
        kind: 'published-modified',
        message,
        issues: [{ path: '', keyword: 'published-modified', message }],
      })
    }
  }
  return problems
}

const maxVersion = (files: readonly SchemaFile[], name: string) =>
  Math.max(0, ...files.filter((f) => f.name === name).map((f) => f.version))
