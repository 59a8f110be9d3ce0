/**
 * `contracts pull`: another team's contracts, from a running registry, as the same typed output `generate` writes,
 * plus a lock file. The fetched schemas are admitted locally by the same rule as everything else (canonical `$id`,
 * local `$ref`s only, size and depth limits, compatibility under the registry's mode): nothing they name is fetched.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import semver from 'semver'
import { isContractError } from '../../core/index.ts'
import { createRegistryClient, type RegistryClient } from '../../client/index.ts'
import { builtInEnvelope, loadSchemaTree, type SchemaFile, type SchemaTree } from '../../codegen/load.ts'
import { contentHash, lockDifferences, lockProblem, type LockFile } from '../../codegen/lock.ts'
import type { Command, ExitCode } from './command.ts'
import { envelopeOf, loadConfig } from './config.ts'
import { isImportExtension, loadGenerator, writeOrCheck } from './generate.ts'

/** Per answer: the registry's own body limit is 256 KiB; a listing of many resources may be larger. */
export const PULL_LIMITS = { maxBytes: 1024 * 1024, timeoutMs: 5_000, retries: 2, maxResources: 500 } as const

export interface Selection {
  name: string
  /** A semver range over `n.0.0`, as a consumer's `accept`; `*` for every version. */
  range: string
}

/** `NAME` or `NAME@RANGE` → a selection, or why not. */
export function parseSelection(arg: string): Selection | string {
  const at = arg.indexOf('@')
  const name = at < 0 ? arg : arg.slice(0, at)
  const range = at < 0 ? '*' : arg.slice(at + 1)
  if (!/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/.test(name)) return `'${name}' is not a resource name`
  if (semver.validRange(range) === null) return `'${range}' is not a version range (as '^2', '>=1 <3', '*')`
  return { name, range }
}

const inRange = (range: string, v: number) => semver.satisfies(`${v}.0.0`, range)

/** What a pull fetched: the tree to generate from, and its lock. */
interface Fetched {
  tree: SchemaTree
  lock: LockFile
  selections: Selection[]
}

class PullError extends Error {
  override readonly name = 'PullError'
}

async function fetchSelection(
  client: RegistryClient,
  registry: string,
  wanted: Selection[],
  envelope: SchemaTree['envelope'],
): Promise<Fetched> {
  let selections = wanted
  if (selections.length === 0) {
    const all = await client.list()
    if (all.length > PULL_LIMITS.maxResources)
      throw new PullError(`the registry lists ${all.length} resources: name the ones to pull with --resource`)
    selections = all.map((r) => ({ name: r.name, range: '*' }))
    if (selections.length === 0) throw new PullError(`the registry at ${registry} has no resources`)
  }
  const resources: SchemaFile[] = []
  const settings: SchemaTree['settings'] = []
  const lock: LockFile = { registry, resources: {} }
  for (const { name, range } of selections) {
    const versions = await client.versions(name)
    if (versions === undefined) {
      const known = (await client.list()).map((r) => r.name)
      throw new PullError(
        `the registry at ${registry} has no resource '${name}' (it has: ${known.join(', ') || 'none'})`,
      )
    }
    const matching = versions.filter((v) => inRange(range, v))
    if (matching.length === 0)
      throw new PullError(`no version of ${name} matches ${range} (the registry has ${versions.join(', ')})`)
    const top = Math.max(...matching)
    const mode = (await client.mode(name)) ?? 'BACKWARD'
    const locked: LockFile['resources'][string] = { range, mode, versions: {} }
    // The versions below the range are fetched too: each version is admitted against its history.
    for (const version of versions.filter((v) => v <= top).sort((a, b) => a - b)) {
      const schema = await client.get(name, version)
      if (schema === undefined)
        throw new PullError(`${name} ${version} is listed but not served by the registry`)
      if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
        throw new PullError(`${name} ${version}: the registry served something that is not a schema object`)
      const text = JSON.stringify(schema, null, 2)
      resources.push({
        name,
        version,
        file: `resources/${name}/${version}.json`,
        text,
        schema: schema as SchemaFile['schema'],
      })
      locked.versions[version] = {
        uri: String((schema as { $id?: unknown }).$id),
        sha256: contentHash(schema),
      }
    }
    const json = { compatibility: mode }
    settings.push({ name, file: `resources/${name}/resource.json`, text: JSON.stringify(json), json })
    lock.resources[name] = locked
  }
  return { tree: { root: registry, envelope, resources, settings }, lock, selections }
}

async function readLock(path: string): Promise<LockFile | undefined | string> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    return (e as Error).message
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    return `not JSON: ${(e as Error).message}`
  }
  return lockProblem(value) ?? (value as LockFile)
}

export const pullCommand: Command = {
  name: 'pull',
  summary:
    'fetch resources from a registry into typed output (as generate) and a lock file; --check fails when the registry moved on or a locked version changed',
  usage:
    'contracts pull [--registry URL] [--resource NAME[@RANGE]]... [--out DIR] [--lock FILE] [--check] [--timeout MS] [--runtime MODULE] [--import-extension .js|.ts]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        registry: { type: 'string' },
        resource: { type: 'string', multiple: true },
        out: { type: 'string' },
        lock: { type: 'string' },
        check: { type: 'boolean', default: false },
        runtime: { type: 'string' },
        'import-extension': { type: 'string' },
        timeout: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    })
    const usage = (why: string): ExitCode => (io.err(`pull: ${why}\nusage: ${this.usage}`), 2)
    if (positionals.length) return usage(`unexpected argument '${positionals[0]}'`)
    const { config } = await loadConfig(io.cwd)
    const registry = (values.registry ?? config.registry)?.replace(/\/+$/, '')
    if (!registry) return usage('no registry: pass --registry URL or set "registry" in contracts.config.json')
    if (!/^https?:\/\/[^/]/.test(registry))
      return usage(`--registry must be an http(s) URL, not '${registry}'`)
    const ext = values['import-extension'] ?? config.importExtension
    if (!isImportExtension(ext)) return usage(`--import-extension must be .js or .ts, not '${ext}'`)
    const wanted: Selection[] = []
    for (const arg of values.resource ?? config.pull.resources) {
      const s = parseSelection(arg)
      if (typeof s === 'string') return usage(s)
      wanted.push(s)
    }
    const lockPath = values.lock ?? config.pull.lock
    const out = values.out ?? config.pull.out
    const { generate } = await loadGenerator('contracts pull')
    const explicitEnvelope = envelopeOf(config, io.cwd)
    const envelope = explicitEnvelope
      ? (await loadSchemaTree(resolve(io.cwd, config.schemas), { envelope: explicitEnvelope })).envelope
      : await builtInEnvelope()
    const timeoutMs = values.timeout === undefined ? PULL_LIMITS.timeoutMs : Number(values.timeout)
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
      return usage(`--timeout must be a positive number of milliseconds, not '${values.timeout}'`)
    const client = createRegistryClient({ baseUrl: registry, ...PULL_LIMITS, timeoutMs })

    let fetched: Fetched
    try {
      fetched = await fetchSelection(client, registry, wanted, envelope)
    } catch (e) {
      if (e instanceof PullError) {
        io.err(`pull: ${e.message}`)
        return 2
      }
      if (isContractError(e)) {
        const down = e.code === 'REGISTRY_UNAVAILABLE'
        io.err(`pull: ${down ? `cannot reach the registry at ${registry}: ` : ''}${e.message}`)
        return 2
      }
      throw e
    }
    const versions = (name: string) => fetched.selections.find((s) => s.name === name)?.range ?? '*'
    let files: Map<string, string>
    try {
      files = await generate(fetched.tree, {
        runtime: values.runtime ?? config.runtime,
        importExtension: ext,
        include: (name, version) => inRange(versions(name), version),
      })
    } catch (e) {
      // The admission rule refused what the registry served: a remote $ref, a non-canonical $id, a broken history.
      io.err(`pull: refusing what ${registry} served: ${(e as Error).message}`)
      return 1
    }

    const lockFile = resolve(io.cwd, lockPath)
    if (values.check) {
      const locked = await readLock(lockFile)
      if (locked === undefined) {
        io.err(`pull --check: ${lockPath} does not exist: run \`contracts pull\` and commit it`)
        return 1
      }
      if (typeof locked === 'string') {
        io.err(`pull --check: ${lockPath}: ${locked}`)
        return 1
      }
      const differences = lockDifferences(locked, fetched.lock)
      for (const d of differences) io.err(`  ${d}`)
      if (differences.length)
        io.err(`pull --check: ${registry} no longer matches ${lockPath}: run \`contracts pull\``)
      const generated = await writeOrCheck(io, out, files, true, 'contracts pull')
      if (differences.length === 0 && generated === 0) io.out(`${lockPath} matches ${registry}`)
      return differences.length || generated ? 1 : 0
    }
    const code = await writeOrCheck(io, out, files, false, 'contracts pull')
    await writeFile(lockFile, JSON.stringify(fetched.lock, null, 2) + '\n')
    const summary = Object.entries(fetched.lock.resources).map(
      ([name, r]) =>
        `${name} ${fetched.selections.find((s) => s.name === name)?.range ?? '*'} (${Object.keys(r.versions).length} versions)`,
    )
    io.out(`pulled ${summary.join(', ')} from ${registry}; wrote ${lockPath}`)
    return code
  },
}
