/**
 * A service's own project, as `contracts init` leaves it: config, schema tree with an example resource, npm scripts
 * and the generator's dev dependency; then new-resource, new-version, generate, check and validate there, on its
 * tree, with the built-in envelope. Plus the pieces: config errors, missing peers, lock differences.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isContractError } from '../../core/index.ts'
import { loadSchemaTree } from '../../codegen/load.ts'
import { lockDifferences, type LockFile } from '../../codegen/lock.ts'
import { main } from '../../scripts/cli.ts'
import { missingPeers, PEERS, withPeers } from '../../scripts/commands/peers.ts'
import { captureIo } from '../helpers/io.ts'

const dirs: string[] = []
const project = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'project-'))
  dirs.push(dir)
  return dir
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

async function run(dir: string, ...argv: string[]) {
  const c = captureIo(dir)
  const code = await main(argv, c.io)
  return { code, out: c.text(), err: c.errText() }
}
const json = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>
const own = await json(join(process.cwd(), 'package.json'))

describe('contracts init, then the commands in that project', () => {
  it('in an empty folder: package.json, config, an example resource with examples; generate, check and validate work', async () => {
    const dir = await project()
    const init = await run(dir, 'init')
    expect(init.code).toBe(0)
    const pkg = await json(join(dir, 'package.json'))
    expect(pkg).toMatchObject({
      type: 'module',
      scripts: {
        'contracts:generate': 'contracts generate',
        'contracts:check': 'contracts check && contracts generate --check',
      },
      dependencies: { 'event-contracts': `^${String(own.version)}` },
      devDependencies: {
        'json-schema-to-typescript': (own.peerDependencies as Record<string, string>)[
          'json-schema-to-typescript'
        ],
      },
    })
    expect(await json(join(dir, 'contracts.config.json'))).toEqual({
      schemas: 'contracts',
      out: 'src/contracts',
      runtime: 'event-contracts',
      importExtension: '.js',
      registry: 'http://localhost:8080',
    })
    expect(await readdir(join(dir, 'contracts'))).toEqual(['examples', 'resources']) // no envelope: built in

    expect(await run(dir, 'generate')).toMatchObject({ code: 0 })
    const catalog = await readFile(join(dir, 'src/contracts/catalog.ts'), 'utf8')
    expect(catalog).toContain("import type { Catalog } from 'event-contracts'")
    expect(catalog).toContain("from './validators.js'")
    expect(await run(dir, 'generate', '--check')).toMatchObject({ code: 0 })
    expect(await run(dir, 'check')).toMatchObject({ code: 0 })

    const examples = join(dir, 'contracts/examples/example')
    const valid = (await readdir(join(examples, 'valid'))).map((f) => join(examples, 'valid', f))
    expect(await run(dir, 'validate', ...valid)).toMatchObject({ code: 0 })
    const invalid = await readdir(join(examples, 'invalid'))
    expect(invalid.length).toBeGreaterThanOrEqual(5)
    const keywords = new Set<string>()
    for (const f of invalid) {
      const r = await run(dir, 'validate', '--json', join(examples, 'invalid', f))
      expect(r.code, f).toBe(1)
      const [file] = (JSON.parse(r.out) as { files: { issues: { keyword: string }[] }[] }).files
      expect(file?.issues).toHaveLength(1) // each breaks one rule
      keywords.add(file?.issues[0]?.keyword as string)
    }
    expect([...keywords].sort()).toEqual([
      'additionalProperties',
      'enum',
      'format',
      'known-schema',
      'required',
    ])
  })

  it('in an existing project: keeps what is there, adds what is missing, and a second run changes nothing', async () => {
    const dir = await project()
    const before = {
      name: 'svc',
      type: 'module',
      scripts: { 'contracts:generate': 'my own' },
      devDependencies: { typescript: '^5' },
    }
    await writeFile(join(dir, 'package.json'), JSON.stringify(before))
    expect(
      (await run(dir, 'init', '--in-package-json', '--schemas', 'schema', '--topic-prefix', 'dev')).code,
    ).toBe(0)
    const pkg = await json(join(dir, 'package.json'))
    expect(pkg).toMatchObject({
      name: 'svc',
      scripts: {
        'contracts:generate': 'my own',
        'contracts:check': 'contracts check && contracts generate --check',
      },
      devDependencies: { typescript: '^5', 'json-schema-to-typescript': expect.any(String) as string },
      contracts: { schemas: 'schema', topicPrefix: 'dev' },
    })
    await expect(readFile(join(dir, 'contracts.config.json'))).rejects.toMatchObject({ code: 'ENOENT' })
    const again = await run(dir, 'init', '--in-package-json', '--schemas', 'schema')
    expect(again.code).toBe(0)
    expect(again.out).toContain('kept package.json#contracts')
    expect(again.out).toContain("kept schema/: resource 'example' exists already")
    expect(await json(join(dir, 'package.json'))).toEqual(pkg)
  })

  it('new-resource scaffolds a valid resource; new-version copies it with $id, title and examples bumped', async () => {
    const dir = await project()
    await run(dir, 'init')
    const made = await run(dir, 'new-resource', 'order', '--topic', 'shop-orders', '--key', 'customerId')
    expect(made.code).toBe(0)
    const v1 = await json(join(dir, 'contracts/resources/order/1.json'))
    expect(v1).toMatchObject({ 'x-topic': 'shop-orders', 'x-key': 'customerId', title: 'OrderV1' })
    expect(v1.required).toEqual(['id', 'customerId', 'name'])
    expect(await run(dir, 'new-resource', 'order', '--topic', 't', '--key', 'id')).toMatchObject({ code: 2 })

    const next = await run(dir, 'new-version', 'order')
    expect(next.code).toBe(0)
    const v2 = await json(join(dir, 'contracts/resources/order/2.json'))
    expect(v2).toEqual({ ...v1, $id: 'https://event-contracts.dev/schemas/order/2', title: 'OrderV2' })
    const example = await json(join(dir, 'contracts/examples/order/valid/create-v2.json'))
    expect((example.resource as { schema: string }).schema).toBe(
      'https://event-contracts.dev/schemas/order/2',
    )
    expect(await run(dir, 'check')).toMatchObject({ code: 0 })
    expect(await run(dir, 'generate')).toMatchObject({ code: 0 })
    expect(await run(dir, 'validate', 'contracts/examples/order/valid/create-v2.json')).toMatchObject({
      code: 0,
      out: 'contracts/examples/order/valid/create-v2.json: valid order v2',
    })
  })

  it.each<{ name: string; argv: string[]; message: RegExp }>([
    {
      name: 'a bad resource name',
      argv: ['new-resource', 'Order', '--topic', 't', '--key', 'id'],
      message: /'Order' is not a resource name/,
    },
    {
      name: 'a bad topic',
      argv: ['new-resource', 'order', '--topic', 'a b', '--key', 'id'],
      message: /not a Kafka topic name/,
    },
    { name: 'no such resource', argv: ['new-version', 'nothing'], message: /no resource 'nothing'/ },
  ])('$name: exit 2 and says why', async ({ argv, message }) => {
    const r = await run(await project(), ...argv)
    expect(r.code).toBe(2)
    expect(r.err).toMatch(message)
  })
})

describe('the configuration', () => {
  it('names the key and the rule when contracts.config.json is wrong (exit 2)', async () => {
    const dir = await project()
    await writeFile(
      join(dir, 'contracts.config.json'),
      JSON.stringify({ schema: 'x', importExtension: '.mjs' }),
    )
    const r = await run(dir, 'generate')
    expect(r.code).toBe(2)
    expect(r.err).toContain('contracts generate: contracts.config.json is not a valid configuration')
    expect(r.err).toContain('/schema: must NOT have additional properties (additionalProperties)')
    expect(r.err).toContain('/importExtension: must be equal to one of the allowed values: .ts, .js (enum)')
  })

  it('uses the tree without an envelope.json with the built-in envelope, or a file the config names', async () => {
    const dir = await project()
    await run(dir, 'init')
    const builtIn = await loadSchemaTree(join(dir, 'contracts'))
    expect(builtIn.envelope.file).toBe('(built in)')
    expect(builtIn.envelope.schema).toEqual(await json(join(process.cwd(), 'schemas/envelope.json')))
    const extended = { ...builtIn.envelope.schema, description: 'ours, with a trace id' }
    await mkdir(join(dir, 'shared'))
    await writeFile(join(dir, 'shared/envelope.json'), JSON.stringify(extended))
    const config = await json(join(dir, 'contracts.config.json'))
    await writeFile(
      join(dir, 'contracts.config.json'),
      JSON.stringify({ ...config, envelope: 'shared/envelope.json' }),
    )
    expect(await run(dir, 'generate')).toMatchObject({ code: 0 })
    expect(await readFile(join(dir, 'src/contracts/catalog.ts'), 'utf8')).toContain('ours, with a trace id')
  })
})

describe('optional peer dependencies', () => {
  const missing = (name: string) =>
    Object.assign(new Error(`Cannot find package '${name}' imported from x`), {
      code: 'ERR_MODULE_NOT_FOUND',
    })

  it('withPeers names every missing package of the feature and how to install them', async () => {
    const absent = new Set(['hono', 'pino'])
    const importer = async (name: string) => {
      if (absent.has(name)) throw missing(name)
      return {}
    }
    const e: unknown = await withPeers('registry', 'contracts serve', async () => 'loaded', importer).catch(
      (x: unknown) => x,
    )
    expect(isContractError(e, 'MISSING_PACKAGE')).toBe(true)
    expect((e as Error).message).toBe(
      'contracts serve needs hono pino, which are not installed: npm install hono pino',
    )
    expect(
      await withPeers(
        'registry',
        'contracts serve',
        async () => 'loaded',
        async () => ({}),
      ),
    ).toBe('loaded')
  })

  it('tells a missing package from one that fails to load, with a real import', async () => {
    const real = (name: string) => import(name === 'kafkajs' ? 'event-contracts-no-such-package' : name)
    expect(await missingPeers('kafka', real)).toEqual(['kafkajs'])
    const broken = async () => {
      throw new SyntaxError('broken package')
    }
    await expect(missingPeers('kafka', broken)).rejects.toThrow('broken package')
  })

  it('each peer is an optional peer dependency and a dev dependency here', () => {
    const peers = own.peerDependencies as Record<string, string>
    const meta = own.peerDependenciesMeta as Record<string, { optional?: boolean }>
    const dev = own.devDependencies as Record<string, string>
    const all = Object.values(PEERS).flat()
    expect(Object.keys(peers).sort()).toEqual([...new Set(all)].sort())
    for (const name of all) {
      expect(meta[name], name).toEqual({ optional: true })
      expect(dev[name], name).toBe(peers[name])
    }
  })
})

describe('lock differences', () => {
  const lock = (versions: Record<string, string>, range = '*', mode = 'BACKWARD'): LockFile => ({
    registry: 'http://r',
    resources: {
      order: {
        range,
        mode,
        versions: Object.fromEntries(
          Object.entries(versions).map(([v, sha256]) => [
            v,
            { uri: `https://event-contracts.dev/schemas/order/${v}`, sha256 },
          ]),
        ),
      },
    },
  })
  it.each<{ name: string; locked: LockFile; now: LockFile; differences: string[] }>([
    { name: 'nothing changed', locked: lock({ 1: 'a' }), now: lock({ 1: 'a' }), differences: [] },
    {
      name: 'a new version',
      locked: lock({ 1: 'a' }),
      now: lock({ 1: 'a', 2: 'b' }),
      differences: ['order 2: new on the registry (the lock has 1–1)'],
    },
    {
      name: 'a version gone',
      locked: lock({ 1: 'a', 2: 'b' }),
      now: lock({ 1: 'a' }),
      differences: ['order 2: locked, but the registry no longer serves it'],
    },
    {
      name: 'a range changed',
      locked: lock({ 1: 'a' }, '^1'),
      now: lock({ 1: 'a' }),
      differences: ['order: the lock pulled ^1, now *'],
    },
    {
      name: 'a mode changed',
      locked: lock({ 1: 'a' }),
      now: lock({ 1: 'a' }, '*', 'FULL'),
      differences: ['order: its mode was BACKWARD, the registry says FULL now'],
    },
    {
      name: 'a resource no longer pulled',
      locked: lock({ 1: 'a' }),
      now: { registry: 'http://r', resources: {} },
      differences: ['order: locked, but no longer pulled'],
    },
  ])('$name', ({ locked, now, differences }) => {
    expect(lockDifferences(locked, now)).toEqual(differences)
  })
})
