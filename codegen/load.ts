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

export interface SchemaTree {
  root: string
  envelope: { file: string; text: string; schema: JsonSchema }
  /** Sorted by name, then version. */
  resources: SchemaFile[]
}

const VERSION_FILE = /^([1-9][0-9]*)\.json$/

/** Reads the schema tree. Throws with the file name when a file is not JSON. */
export async function loadSchemaTree(root: string): Promise<SchemaTree> {
  const envelopeFile = join(root, 'envelope.json')
  const envelopeText = await readFile(envelopeFile, 'utf8')
  const resources: SchemaFile[] = []
  const resourceRoot = join(root, 'resources')
  for (const name of (await readdir(resourceRoot)).sort()) {
    for (const entry of await readdir(join(resourceRoot, name))) {
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
