/**
 * The project's settings for the CLI: `contracts.config.json`, or a `contracts` key in package.json, in the
 * directory the CLI runs in. Every key is optional; flags override them. Paths are relative to that directory.
 */
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import Ajv2020 from 'ajv/dist/2020.js'
import { check, ContractError, type ValidateFn } from '../../core/index.ts'
import { IMPORT_EXTENSIONS, type ImportExtension } from '../../codegen/generate.ts'

export const CONFIG_FILE = 'contracts.config.json'

export interface ContractsConfig {
  /** The schema tree: `resources/<name>/<version>.json` (+ `resource.json`), `examples/`, an optional envelope. */
  schemas: string
  /** Where `contracts generate` writes the catalog, types and validators. */
  out: string
  /** The module the generated code imports the runtime's types from. */
  runtime: string
  importExtension: ImportExtension
  /** A project's own envelope (extending the built-in one); default: `<schemas>/envelope.json` if present. */
  envelope?: string | undefined
  /** The default of `contracts publish --topic-prefix`. */
  topicPrefix?: string | undefined
  /** The registry `contracts pull` reads. */
  registry?: string | undefined
  pull: {
    /** Where `contracts pull` writes the typed output of what it fetched. */
    out: string
    /** URIs and content hashes of what was pulled. */
    lock: string
    /** `NAME` or `NAME@RANGE` (RANGE as a consumer's `accept`: `^2`, `>=2`); none: every resource. */
    resources: string[]
  }
}

/** Without a config: a service's layout, with its catalog importing the installed package. */
export const CONFIG_DEFAULTS: ContractsConfig = {
  schemas: 'schemas',
  out: 'generated',
  runtime: 'event-contracts',
  importExtension: '.js',
  pull: { out: 'pulled', lock: 'contracts.lock.json', resources: [] },
}

const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    schemas: { type: 'string', minLength: 1 },
    out: { type: 'string', minLength: 1 },
    runtime: { type: 'string', minLength: 1 },
    importExtension: { enum: IMPORT_EXTENSIONS },
    envelope: { type: 'string', minLength: 1 },
    topicPrefix: { type: 'string' },
    registry: { type: 'string', pattern: '^https?://' },
    pull: {
      type: 'object',
      additionalProperties: false,
      properties: {
        out: { type: 'string', minLength: 1 },
        lock: { type: 'string', minLength: 1 },
        resources: { type: 'array', items: { type: 'string', minLength: 1 } },
      },
    },
  },
} as const

type ConfigFile = Partial<Omit<ContractsConfig, 'pull'>> & { pull?: Partial<ContractsConfig['pull']> }

const validate = new Ajv2020.default({ allErrors: true }).compile(
  CONFIG_SCHEMA,
) as unknown as ValidateFn<ConfigFile>

export interface LoadedConfig {
  config: ContractsConfig
  /** `contracts.config.json`, `package.json#contracts`, or undefined when the defaults apply. */
  source: string | undefined
}

async function readJson(path: string): Promise<unknown | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    throw new ContractError('CONFIG_INVALID', `${path} is not JSON: ${(cause as Error).message}`, [], {
      cause,
    })
  }
}

/** The settings from the config file (or package.json), over the defaults. Throws CONFIG_INVALID when malformed. */
export async function loadConfig(cwd: string): Promise<LoadedConfig> {
  let raw = await readJson(join(cwd, CONFIG_FILE))
  let source: string | undefined = CONFIG_FILE
  if (raw === undefined) {
    const pkg = await readJson(join(cwd, 'package.json'))
    raw = pkg && typeof pkg === 'object' ? (pkg as { contracts?: unknown }).contracts : undefined
    source = raw === undefined ? undefined : 'package.json#contracts'
  }
  if (raw === undefined) return { config: CONFIG_DEFAULTS, source }
  const r = check(validate, raw)
  if (!r.ok) throw new ContractError('CONFIG_INVALID', `${source} is not a valid configuration`, r.issues)
  const { pull, ...rest } = r.value
  return { config: { ...CONFIG_DEFAULTS, ...rest, pull: { ...CONFIG_DEFAULTS.pull, ...pull } }, source }
}

/** The explicit envelope file, resolved against the project directory. */
export const envelopeOf = (config: ContractsConfig, cwd: string): string | undefined =>
  config.envelope === undefined ? undefined : resolve(cwd, config.envelope)
