import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { BUILT_IN_ENVELOPE, packageFile } from './package-files.ts'

export type JsonSchema = Record<string, unknown>

/** One resource schema version as it lies in `schemas/resources/<name>/<version>.json`. */
export interface SchemaFile {
  name: string
  version: number
  /** Path relative to the schema root, with forward slashes. */
  file: string
  text: string
  schema: JsonSchema
}

/**
 * `schemas/resources/<name>/resource.json`, the resource's own settings: today its compatibility mode
 * (`{ "compatibility": "BACKWARD" }`). Optional; read and judged by the admission rule (readResourceSettings).
 */
export interface ResourceFile {
  name: string
  /** Path relative to the schema root, with forward slashes. */
  file: string
  text: string
  json: unknown
}

export interface SchemaTree {
  root: string
  /** `file` is relative to the root, or `(built in)` for the package's own envelope. */
  envelope: { file: string; text: string; schema: JsonSchema }
  /** Sorted by name, then version. */
  resources: SchemaFile[]
  /** The resource.json files that exist, sorted by name. */
  settings: ResourceFile[]
}

const VERSION_FILE = /^([1-9][0-9]*)\.json$/
export const RESOURCE_FILE = 'resource.json'

/** The resource.json of `name` in the tree, if there is one. */
export const settingsOf = (tree: Pick<SchemaTree, 'settings'>, name: string): ResourceFile | undefined =>
  tree.settings.find((s) => s.name === name)

export interface LoadOptions {
  /**
   * The envelope: this file when given (a project's own, extending the built-in one), else `envelope.json` at the
   * root when there is one, else the package's built-in envelope.
   */
  envelope?: string | undefined
}

/** The built-in envelope: every project's unless it brings its own. */
export async function builtInEnvelope(): Promise<SchemaTree['envelope']> {
  const text = await packageFile(BUILT_IN_ENVELOPE)
  return { file: '(built in)', text, schema: parseJson(text, BUILT_IN_ENVELOPE) }
}

async function readEnvelope(root: string, explicit: string | undefined): Promise<SchemaTree['envelope']> {
  const file = explicit ?? join(root, 'envelope.json')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    if (explicit === undefined && (e as NodeJS.ErrnoException).code === 'ENOENT') return builtInEnvelope()
    throw new Error(
      `cannot read the envelope ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      { cause: e },
    )
  }
  return { file: rel(root, file), text, schema: parseJson(text, file) }
}

/** Reads the schema tree. Throws with the file name when a file is not JSON. */
export async function loadSchemaTree(root: string, { envelope }: LoadOptions = {}): Promise<SchemaTree> {
  const resources: SchemaFile[] = []
  const settings: ResourceFile[] = []
  const resourceRoot = join(root, 'resources')
  for (const name of (await readdir(resourceRoot)).sort()) {
    for (const entry of await readdir(join(resourceRoot, name))) {
      if (entry === RESOURCE_FILE) {
        const path = join(resourceRoot, name, entry)
        const text = await readFile(path, 'utf8')
        settings.push({ name, file: rel(root, path), text, json: parseJson(text, path) })
        continue
      }
      const m = VERSION_FILE.exec(entry)
      if (!m) continue
      const path = join(resourceRoot, name, entry)
      const text = await readFile(path, 'utf8')
      resources.push({
        name,
        version: Number(m[1]),
        file: rel(root, path),
        text,
        schema: parseJson(text, path),
      })
    }
  }
  resources.sort((a, b) => (a.name === b.name ? a.version - b.version : a.name < b.name ? -1 : 1))
  return {
    root,
    envelope: await readEnvelope(root, envelope),
    resources,
    settings,
  }
}

function parseJson(text: string, path: string): JsonSchema {
  try {
    return JSON.parse(text) as JsonSchema
  } catch (cause) {
    throw new Error(`${path} is not valid JSON: ${(cause as Error).message}`, { cause })
  }
}

const rel = (root: string, path: string) => relative(root, path).split('\\').join('/')
