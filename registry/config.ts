import type { Logger } from 'pino'
import type { Mode, Policy } from '../compat/index.ts'
import { resolveTokens, type TokenEntry, type Tokens } from '../http/tokens.ts'

/** One resource schema version from schemas/ (the CLI reads the tree; the registry only receives the content). */
export interface SeedSchema {
  name: string
  version: number
  /** Where it came from, for messages (e.g. `resources/person/2.json`). */
  file: string
  schema: Record<string, unknown>
  /**
   * Its resource's `resource.json` (`{ "compatibility": MODE }`), when the tree has one: the same on each version
   * of the resource. A mode it names is the resource's mode; seeding applies a change as a checked step.
   */
  resource?: { file: string; json: unknown }
}

export interface RegistryOptions {
  /** 0 picks a free port. */
  port?: number
  /** Loopback by default: exposing the registry is a decision (HOST=0.0.0.0 in a container). */
  host?: string
  /** `postgres://…`: PostgreSQL through a pg Pool. Absent: an embedded PGlite database in `dataDir`. */
  databaseUrl?: string
  /** PostgreSQL schema (search_path) holding the registry's tables; created if missing. Default `public`. */
  databaseSchema?: string
  /** PGlite directory; `memory://` keeps everything in memory (tests). */
  dataDir?: string
  /**
   * Admin tokens (REGISTRY_TOKENS): they write every resource, change modes, delete and read GET /audit. Named
   * `admin-1`, `admin-2`… in the audit trail. No tokens at all: writes are refused (secure by default).
   */
  tokens?: readonly string[]
  /** Named, scoped tokens (the entries of REGISTRY_TOKENS_FILE): each writes the resources its globs match. */
  tokenEntries?: readonly TokenEntry[]
  /** Resource versions to register at start when not stored yet (schemas/). */
  seed?: readonly SeedSchema[]
  /** Mode for resources without their own configuration, until PUT /config changes it. */
  defaultMode?: Mode
  /** Compatibility policy handed to the engine. */
  policy?: Policy
  logger?: Logger
  logLevel?: string
  maxBodyBytes?: number
  maxDepth?: number
  /** Graceful shutdown: how long in-flight requests may take before connections are cut. */
  shutdownTimeoutMs?: number
  /** Full reload from storage, the safety net behind LISTEN/NOTIFY. 0 disables it. */
  reloadIntervalMs?: number
  /** Prometheus default process metrics on /metrics. */
  processMetrics?: boolean
  /** Worker threads for compatibility checks, admission and type compilation (started on first use). */
  workerThreads?: number
  /** How long one of those may run before it is stopped and answered 422 TOO_COMPLEX. */
  workBudgetMs?: number
  /** Checks waiting for a worker at most; beyond, 429 TOO_MANY_REQUESTS. */
  workQueue?: number
  /** Heap of each worker thread (MB): an input that exhausts it is TOO_COMPLEX. */
  workerMemoryMb?: number
  /** Body limit of the public POST /compatibility/{name}, its own (413 beyond). */
  compatibilityMaxBodyBytes?: number
  /** POST /compatibility/{name} requests one client (remote address) may have in flight; beyond, 429. */
  compatibilityPerClient?: number
  /** Buffered request logs are written out at least this often (ms). */
  logFlushMs?: number
  /** Where Confluent's Schema Registry API is served (docs/ccompat.md); '' serves none. */
  ccompatPath?: string
}

export interface ResolvedConfig {
  port: number
  host: string
  databaseUrl: string | undefined
  databaseSchema: string
  dataDir: string
  /** Both kinds of token, resolved once (digests only). */
  tokens: Tokens
  seed: readonly SeedSchema[]
  defaultMode: Mode
  policy: Policy
  logger: Logger | undefined
  logLevel: string
  maxBodyBytes: number
  maxDepth: number
  reloadIntervalMs: number
  shutdownTimeoutMs: number
  processMetrics: boolean
  workerThreads: number
  workBudgetMs: number
  workQueue: number
  workerMemoryMb: number
  compatibilityMaxBodyBytes: number
  compatibilityPerClient: number
  logFlushMs: number
  ccompatPath: string
}

export const DEFAULTS = {
  port: 8080,
  host: '127.0.0.1',
  databaseUrl: undefined,
  databaseSchema: 'public',
  dataDir: './.data',
  tokens: resolveTokens(),
  seed: [],
  defaultMode: 'BACKWARD',
  policy: 'strict',
  logger: undefined,
  logLevel: 'info',
  maxBodyBytes: 256 * 1024,
  maxDepth: 64,
  reloadIntervalMs: 30_000,
  shutdownTimeoutMs: 10_000,
  processMetrics: true,
  workerThreads: 2,
  workBudgetMs: 2_000,
  workQueue: 32,
  workerMemoryMb: 256,
  compatibilityMaxBodyBytes: 128 * 1024,
  compatibilityPerClient: 2,
  logFlushMs: 1_000,
  ccompatPath: '/ccompat',
} as const satisfies ResolvedConfig

/** The principal the audit trail names for what start-up seeding registers. */
export const SEED_PRINCIPAL = 'seed'

const MOUNT_PATH = /^(?:\/[A-Za-z0-9._~-]+)+$/
const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/

/** Fills every default once; the rest of the registry only sees a fully required config. */
export function resolveConfig(options: RegistryOptions = {}): ResolvedConfig {
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as RegistryOptions
  const { tokens, tokenEntries, ...rest } = defined
  const config = {
    ...DEFAULTS,
    ...rest,
    tokens: resolveTokens({ admin: tokens ?? [], entries: tokenEntries ?? [] }),
  } satisfies ResolvedConfig
  for (const key of [
    'workerThreads',
    'workBudgetMs',
    'workQueue',
    'workerMemoryMb',
    'compatibilityPerClient',
  ] as const)
    if (!Number.isInteger(config[key]) || config[key] < 1)
      throw new TypeError(`${key} must be a whole number of at least 1, got ${config[key]}`)
  if (config.ccompatPath !== '' && !MOUNT_PATH.test(config.ccompatPath))
    throw new TypeError(
      `ccompatPath must be '' (none) or a path like /ccompat (segments of letters, digits, '.', '_', '~', '-'), got '${config.ccompatPath}'`,
    )
  if (!SQL_IDENTIFIER.test(config.databaseSchema))
    throw new TypeError(`databaseSchema must be a lower-case SQL identifier, got '${config.databaseSchema}'`)
  const seeder = config.tokens.grants.find((g) => g.name === SEED_PRINCIPAL)
  if (seeder)
    throw new TypeError(
      `a token may not be named '${SEED_PRINCIPAL}': the audit trail gives that name to the versions registered from schemas/ at start`,
    )
  return config
}
