import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { formatIssues, isContractError } from '../../core/index.ts'
import { isMode, isPolicy } from '../../compat/index.ts'
import { parseTokenFile, type TokenEntry } from '../../http/tokens.ts'
// config.ts only: the registry's peers (hono, PGlite, pg…) load when the server starts, not to read options.
import { resolveConfig } from '../../registry/config.ts'
import type { Registry, RegistryOptions, SeedSchema } from '../../registry/index.ts'
import { formatAdmission } from '../../admission/index.ts'
import { loadSchemaTree, settingsOf, type SchemaTree } from '../../codegen/load.ts'
import type { Command, Io } from './command.ts'
import { envelopeOf, loadConfig } from './config.ts'
import { withPeers } from './peers.ts'

/** The schema tree as the registry seeds it: every version file, each with its resource's resource.json. */
export function seedFromTree(tree: SchemaTree): SeedSchema[] {
  return tree.resources.map((r) => {
    const settings = settingsOf(tree, r.name)
    return {
      name: r.name,
      version: r.version,
      file: r.file,
      schema: r.schema,
      ...(settings ? { resource: { file: settings.file, json: settings.json } } : {}),
    }
  })
}

const int = (s: string | undefined, what: string): number | undefined => {
  if (s === undefined || s === '') return undefined
  if (!/^[0-9]+$/.test(s)) throw new Error(`${what} must be a number, got '${s}'`)
  return Number(s)
}

/**
 * REGISTRY_TOKENS_FILE → its entries. An unreadable file, or one the schema refuses, stops the start with every
 * problem named by entry and field (`/1/sha256: 'team-b': must match pattern …`).
 */
export function readTokenFile(path: string): TokenEntry[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new Error(`REGISTRY_TOKENS_FILE ${path} cannot be read: ${(e as Error).message}`, { cause: e })
  }
  const r = parseTokenFile(text)
  if (!r.ok)
    throw new Error(
      `REGISTRY_TOKENS_FILE ${path} is not a valid token file (see docs/registry.md#tokens):\n${formatIssues(r.issues, '  ')}`,
    )
  return [...r.value]
}

/** The environment → typed registry options. The only place the registry's configuration is read from env. */
export function optionsFromEnv(
  env: NodeJS.ProcessEnv,
  cwd: string,
  schemas = 'schemas',
): RegistryOptions & { schemasDir: string } {
  const mode = env.REGISTRY_DEFAULT_MODE
  if (mode !== undefined && !isMode(mode))
    throw new Error(`REGISTRY_DEFAULT_MODE must be a mode, got '${mode}'`)
  const policy = env.REGISTRY_POLICY
  if (policy !== undefined && !isPolicy(policy))
    throw new Error(`REGISTRY_POLICY must be strict or lenient, got '${policy}'`)
  const options = {
    port: int(env.PORT, 'PORT'),
    host: env.HOST || undefined,
    databaseUrl: env.DATABASE_URL || undefined,
    databaseSchema: env.DATABASE_SCHEMA || undefined,
    dataDir: env.DATA_DIR ? resolve(cwd, env.DATA_DIR) : resolve(cwd, '.data'),
    tokens: (env.REGISTRY_TOKENS ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    tokenEntries: env.REGISTRY_TOKENS_FILE
      ? readTokenFile(resolve(cwd, env.REGISTRY_TOKENS_FILE))
      : undefined,
    logLevel: env.LOG_LEVEL || undefined,
    defaultMode: mode,
    policy,
    reloadIntervalMs: int(env.REGISTRY_RELOAD_MS, 'REGISTRY_RELOAD_MS'),
    workBudgetMs: int(env.REGISTRY_WORK_BUDGET_MS, 'REGISTRY_WORK_BUDGET_MS'),
    workerThreads: int(env.REGISTRY_WORKERS, 'REGISTRY_WORKERS'),
    logFlushMs: int(env.LOG_FLUSH_MS, 'LOG_FLUSH_MS'),
    ccompatPath: env.REGISTRY_CCOMPAT_PATH,
    schemasDir: resolve(cwd, env.SCHEMAS_DIR || schemas),
  }
  // Checked now, so that a configuration error (two entries with one token…) is a usage error before anything starts.
  resolveConfig(options)
  return options
}

export const serveCommand: Command = {
  name: 'serve',
  summary:
    'run the registry (PORT, HOST, DATABASE_URL or DATA_DIR, SCHEMAS_DIR, REGISTRY_TOKENS, REGISTRY_TOKENS_FILE, LOG_LEVEL, LOG_FLUSH_MS, REGISTRY_WORK_BUDGET_MS, REGISTRY_WORKERS, REGISTRY_CCOMPAT_PATH)',
  usage: 'contracts serve',
  async run(argv, io) {
    parseArgs({ args: argv, options: {}, strict: true })
    const { config } = await loadConfig(io.cwd)
    let options: ReturnType<typeof optionsFromEnv>
    try {
      options = optionsFromEnv(io.env, io.cwd, config.schemas)
    } catch (e) {
      io.err(`serve: ${(e as Error).message}`)
      return 2
    }
    const { createRegistry, listen, SeedRefused } = await withPeers(
      'registry',
      'contracts serve',
      () => import('../../registry/index.ts'),
    )
    const { schemasDir, ...registryOptions } = options
    let registry
    try {
      const tree = await loadSchemaTree(schemasDir, { envelope: envelopeOf(config, io.cwd) })
      registry = await createRegistry({ ...registryOptions, seed: seedFromTree(tree) })
    } catch (e) {
      if (e instanceof SeedRefused) {
        // The same report a 409 carries and `contracts check` prints, per file of schemas/.
        io.err(
          `serve: refusing to start: schemas/ holds files the registry refuses (nothing was registered):`,
        )
        for (const r of e.refusals) io.err(formatAdmission(r.file, r.result, '  '))
        return 1
      }
      io.err(`serve: refusing to start: ${(e as Error).message}`)
      if (isContractError(e) && e.issues.length) io.err(formatIssues(e.issues, '  '))
      return 1
    }
    let server
    try {
      server = await listen(registry)
    } catch (e) {
      await registry.close()
      io.err(
        `serve: cannot listen on ${registry.config.host}:${registry.config.port}: ${(e as Error).message}`,
      )
      return 1
    }
    // Whatever ends the process, the buffered request log is written out (it is also flushed every second).
    const flush = () => registry.flushLogs()
    process.once('exit', flush)
    // Signal handlers before the announcement: whoever waits for "listening on" may stop us at once.
    const stopped = new Promise<void>((done) => {
      const stop = (signal: NodeJS.Signals) => {
        io.out(`registry: ${signal}, finishing in-flight requests`)
        process.off('SIGTERM', stop)
        process.off('SIGINT', stop)
        server.close().then(done, (e: unknown) => {
          io.err(`registry: shutdown: ${(e as Error).message}`)
          done()
        })
      }
      process.on('SIGTERM', stop)
      process.on('SIGINT', stop)
    })
    announce(io, server.url, registry)
    await stopped
    process.off('exit', flush)
    io.out('registry: stopped')
    return 0
  },
}

function announce(io: Io, url: string, registry: Registry): void {
  const { seeded, store, config, service } = registry
  io.out(`registry: listening on ${url}  (API reference: ${url}/docs)`)
  io.out(`registry: storage ${store.description}`)
  io.out(
    `registry: ${service.memory.subjects.size} resources; seeded from schemas/: ${seeded.inserted} new, ${seeded.unchanged} unchanged`,
  )
  const report = service.seedReport
  for (const m of report?.modeChanges ?? [])
    io.out(`registry: ${m.name}: mode ${m.from} → ${m.to} from ${m.file} (checked against its history)`)
  for (const w of report?.warnings ?? []) io.err(`registry: WARNING ${w.file}: ${w.message}`)
  const grants = config.tokens.grants
  const admins = grants.filter((g) => g.admin).length
  io.out(
    grants.length
      ? `registry: writes enabled (${grants.length} token${grants.length === 1 ? '' : 's'}: ${admins} admin, ${grants.length - admins} scoped)`
      : 'registry: writes DISABLED (read-only); set REGISTRY_TOKENS=<token>[,<token>…] or REGISTRY_TOKENS_FILE to enable them',
  )
}
