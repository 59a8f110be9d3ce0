/**
 * `contracts new-resource` and `contracts new-version`: the files a contract author starts from. The scaffolding
 * itself is pure (`resourceFiles`, `nextVersion`); the commands only read and write the tree.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { RESOURCE_NAME, schemaUri } from '../../core/index.ts'
import type { Command, Io } from './command.ts'
import { loadConfig } from './config.ts'

type Json = Record<string, unknown>

const pascal = (name: string) =>
  name
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')

/** Kafka's own rule for topic names. */
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/
const FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/

const EXAMPLE_IDS = {
  event: '5f0c6a9e-3b1d-4c52-9a57-0d8e1f2a3b4c',
  resource: '0b6a1c8e-6f5d-4c1b-9d1e-2a3b4c5d6e7f',
  tenant: '7d1b4a2c-9e8f-4a6b-8c5d-1e2f3a4b5c6d',
}

export interface ResourceSpec {
  name: string
  topic: string
  key: string
}

/** Why a spec cannot be scaffolded, or undefined. */
export function specProblem({ name, topic, key }: ResourceSpec): string | undefined {
  if (!RESOURCE_NAME.test(name)) return `'${name}' is not a resource name: lower-case words joined by dashes`
  if (!TOPIC.test(topic)) return `'${topic}' is not a Kafka topic name: letters, digits, '.', '_' and '-'`
  if (!FIELD.test(key)) return `'${key}' is not a property name for the partition key`
}

const event = (uri: string, action: string, content: unknown, extra: Json = {}) => ({
  id: EXAMPLE_IDS.event,
  time: '2026-01-05T09:30:00Z',
  source: 'urn:example:my-service',
  action,
  resource: { schema: uri, content },
  ...extra,
})

/**
 * Version 1 of a resource (closed model, the key required) and its examples: two valid events and five invalid
 * ones, each breaking a different rule. Paths are relative to the schema root.
 */
export function resourceFiles(spec: ResourceSpec): Map<string, Json> {
  const { name, topic, key } = spec
  const uri = schemaUri(name, 1)
  const properties: Json = {
    id: { description: `The ${name}'s id.`, type: 'string', format: 'uuid' },
    ...(key === 'id'
      ? {}
      : { [key]: { description: 'The partition key.', type: 'string', minLength: 1, maxLength: 200 } }),
    tenantId: { type: 'string', format: 'uuid' },
    name: { type: 'string', minLength: 1, maxLength: 200 },
  }
  const schema: Json = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: uri,
    title: `${pascal(name)}V1`,
    description: `A ${name}. Describe it here; add properties as optional ones (the model is closed, so that is compatible).`,
    'x-topic': topic,
    'x-key': key,
    type: 'object',
    required: [...new Set(['id', key, 'name'])],
    properties,
    additionalProperties: false,
  }
  const content: Json = {
    id: EXAMPLE_IDS.resource,
    ...(key === 'id' ? {} : { [key]: `${key}-1` }),
    tenantId: EXAMPLE_IDS.tenant,
    name: `An example ${name}`,
  }
  const { [key]: _key, ...withoutKey } = content
  const reference = { tenantId: EXAMPLE_IDS.tenant, id: EXAMPLE_IDS.resource, version: 1 }
  const examples = `examples/${name}`
  return new Map<string, Json>([
    [`resources/${name}/1.json`, schema],
    [`${examples}/valid/create-v1.json`, event(uri, 'create', content)],
    [`${examples}/valid/delete-reference.json`, event(uri, 'delete', reference)],
    [`${examples}/invalid/action-in-capitals.json`, event(uri, 'CREATE', content)],
    [
      `${examples}/invalid/content-missing-${key === 'id' ? 'id' : 'key'}.json`,
      event(uri, 'create', withoutKey),
    ],
    [
      `${examples}/invalid/content-unknown-property.json`,
      event(uri, 'create', { ...content, colour: 'red' }),
    ],
    [`${examples}/invalid/event-id-not-a-uuid.json`, { ...event(uri, 'create', content), id: 'not-a-uuid' }],
    [`${examples}/invalid/schema-unknown.json`, event(schemaUri(name, 99), 'create', content)],
  ])
}

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n'

/** Writes files under `root`, never over an existing one; returns the paths written, relative to `cwd`. */
async function writeNew(cwd: string, root: string, files: Map<string, unknown>): Promise<string[]> {
  for (const path of files.keys()) {
    const exists = await readFile(join(root, path)).then(
      () => true,
      () => false,
    )
    if (exists) throw new Error(`${relative(cwd, join(root, path))} exists already: nothing was written`)
  }
  const written: string[] = []
  for (const [path, value] of files) {
    await mkdir(dirname(join(root, path)), { recursive: true })
    await writeFile(join(root, path), json(value), { flag: 'wx' })
    written.push(relative(cwd, join(root, path)))
  }
  return written
}

/** Scaffolds a resource into the tree at `root`; the paths written, relative to `cwd`. */
export async function scaffoldResource(cwd: string, root: string, spec: ResourceSpec): Promise<string[]> {
  const exists = await readdir(join(root, 'resources', spec.name)).then(
    () => true,
    () => false,
  )
  if (exists) throw new Error(`resource '${spec.name}' exists already in ${relative(cwd, root) || '.'}`)
  return writeNew(cwd, root, resourceFiles(spec))
}

export const newResourceCommand: Command = {
  name: 'new-resource',
  summary:
    'scaffold a resource: version 1 (closed model, its key required) and valid and invalid example events',
  usage: 'contracts new-resource NAME --topic TOPIC --key FIELD [--schemas DIR]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { topic: { type: 'string' }, key: { type: 'string' }, schemas: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    })
    const [name] = positionals
    if (name === undefined || positionals.length > 1 || !values.topic || !values.key) {
      io.err(`usage: ${this.usage}`)
      return 2
    }
    const spec = { name, topic: values.topic, key: values.key }
    const problem = specProblem(spec)
    if (problem) {
      io.err(`new-resource: ${problem}`)
      return 2
    }
    const root = resolve(io.cwd, values.schemas ?? (await loadConfig(io.cwd)).config.schemas)
    return report(io, 'new-resource', () => scaffoldResource(io.cwd, root, spec))
  },
}

/** The next version of a schema: the same document with `$id` and a trailing `V<n>` in its title bumped. */
export function nextVersion(schema: Json, name: string, version: number): Json {
  const next = version + 1
  const title =
    typeof schema.title === 'string'
      ? schema.title.replace(new RegExp(`V${version}$`), `V${next}`)
      : undefined
  return { ...schema, $id: schemaUri(name, next), ...(title === undefined ? {} : { title }) }
}

/** An example event of version `version`, made one of `version + 1` (its schema URIs bumped). */
function bumpExample(example: Json, name: string, version: number): Json {
  const from = schemaUri(name, version)
  const to = schemaUri(name, version + 1)
  return JSON.parse(JSON.stringify(example).replaceAll(JSON.stringify(from), JSON.stringify(to))) as Json
}

export const newVersionCommand: Command = {
  name: 'new-version',
  summary:
    "copy a resource's latest version to the next one ($id and title bumped) with its valid examples; edit it, then contracts check",
  usage: 'contracts new-version RESOURCE [--schemas DIR]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { schemas: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    })
    const [name] = positionals
    if (name === undefined || positionals.length > 1) {
      io.err(`usage: ${this.usage}`)
      return 2
    }
    if (!RESOURCE_NAME.test(name)) {
      io.err(`new-version: '${name}' is not a resource name`)
      return 2
    }
    const root = resolve(io.cwd, values.schemas ?? (await loadConfig(io.cwd)).config.schemas)
    const dir = join(root, 'resources', name)
    const versions = await readdir(dir).then(
      (entries) => entries.flatMap((e) => (/^[1-9][0-9]*\.json$/.test(e) ? [Number.parseInt(e, 10)] : [])),
      () => [] as number[],
    )
    if (versions.length === 0) {
      io.err(
        `new-version: no resource '${name}' in ${relative(io.cwd, root) || '.'} (contracts new-resource makes one)`,
      )
      return 2
    }
    const latest = Math.max(...versions)
    let schema: Json
    try {
      schema = JSON.parse(await readFile(join(dir, `${latest}.json`), 'utf8')) as Json
    } catch (e) {
      io.err(`new-version: ${relative(io.cwd, join(dir, `${latest}.json`))}: ${(e as Error).message}`)
      return 2
    }
    const files = new Map<string, unknown>([
      [`resources/${name}/${latest + 1}.json`, nextVersion(schema, name, latest)],
    ])
    const validDir = join(root, 'examples', name, 'valid')
    for (const file of await readdir(validDir).catch(() => [] as string[])) {
      const m = new RegExp(`^(.*)-v${latest}\\.json$`).exec(file)
      if (!m) continue
      const example = JSON.parse(await readFile(join(validDir, file), 'utf8')) as Json
      files.set(`examples/${name}/valid/${m[1]}-v${latest + 1}.json`, bumpExample(example, name, latest))
    }
    return report(io, 'new-version', async () => {
      const written = await writeNew(io.cwd, root, files)
      written.push(
        `(version ${latest + 1} is a copy of ${latest}: edit it, then \`contracts check\` judges the change)`,
      )
      return written
    })
  },
}

async function report(io: Io, command: string, write: () => Promise<string[]>): Promise<0 | 2> {
  try {
    for (const line of await write()) io.out(line.startsWith('(') ? line : `wrote ${line}`)
    return 0
  } catch (e) {
    io.err(`${command}: ${(e as Error).message}`)
    return 2
  }
}
