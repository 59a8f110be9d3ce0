import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'

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

/** Reads the schema tree. Throws with the file name when a file is not JSON. */
export async function loadSchemaTree(root: string): Promise<SchemaTree> {
  const envelopeFile = join(root, 'envelope.json')
  const envelopeText = await readFile(envelopeFile, 'utf8')
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
    envelope: {
      file: rel(root, envelopeFile),
      text: envelopeText,
      schema: parseJson(envelopeText, envelopeFile),
    },
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
