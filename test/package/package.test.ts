/**
 * The package as a new team gets it: `npm pack`, the tarball installed into empty projects from the machine's npm
 * cache only (`npm ci --offline` with a lock cut from ours: test/package/offline-lock.ts), then what the README's
 * "Use it in your service" says: init, a resource, generate, typecheck (nodenext, node16, bundler), a plain .mjs
 * that publishes and consumes one event on the real broker, and `pull` from a registry process (the installed
 * package's own `contracts serve`) into a second project. Run by `npm run test:package` (its own step in CI).
 */
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startServe, type Served } from '../helpers/serve.ts'
import { offlineLock } from './offline-lock.ts'

const REPO = process.cwd()
const repoManifest = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
  version: string
  devDependencies: Record<string, string>
}
const range = (name: string) => repoManifest.devDependencies[name] as string

/** README's "Use it in your service" files: its ```ts file=PATH blocks, verbatim. */
const readme = await readFile(join(REPO, 'README.md'), 'utf8')
const SERVICE_FILES = new Map(
  [...readme.matchAll(/^```ts file=(\S+)\n([\s\S]*?)^```$/gm)].map((m) => [m[1] as string, m[2] as string]),
)

interface Ran {
  code: number
  stdout: string
  stderr: string
}
function sh(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: { ...process.env, ...env }, maxBuffer: 32 * 1024 * 1024 },
      (e, stdout, stderr) => resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}
const contracts = (cwd: string, ...args: string[]) => sh(cwd, join(cwd, 'node_modules/.bin/contracts'), args)
const tsc = (cwd: string, project: string) => sh(cwd, join(cwd, 'node_modules/.bin/tsc'), ['-p', project])

/** The resource's topic: this run's own on the shared broker. */
const topic = `shop-orders-${randomUUID().slice(0, 8)}`
let work: string
let tarball: string
let registry: Served | undefined

type Manifest = { name: string; version: string; type?: string } & Record<string, unknown> & {
    dependencies?: Record<string, string>
    devDependencies?: Record<string, string>
  }
const readManifest = async (dir: string) =>
  JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest

/** Writes the project's lock from ours and installs it from the npm cache alone. */
async function install(dir: string): Promise<void> {
  const lock = await offlineLock(REPO, await readManifest(dir), {
    path: `../${tarball}`,
    file: join(work, tarball),
  })
  await writeFile(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2))
  const r = await sh(dir, 'npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'])
  expect(r, r.stderr).toMatchObject({ code: 0 })
}

/** A new project depending on the tarball and the given packages (ranges as in our own package.json). */
async function newProject(name: string, deps: string[], devDeps: string[] = []): Promise<string> {
  const dir = join(work, name)
  await mkdir(dir)
  const manifest: Manifest = {
    name,
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies: {
      'event-contracts': `file:../${tarball}`,
      ...Object.fromEntries(deps.map((d) => [d, range(d)])),
    },
    ...(devDeps.length ? { devDependencies: Object.fromEntries(devDeps.map((d) => [d, range(d)])) } : {}),
  }
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest, null, 2))
  await install(dir)
  return dir
}

async function addDevDependencies(dir: string, names: string[]): Promise<void> {
  const pkg = await readManifest(dir)
  pkg.devDependencies = { ...pkg.devDependencies, ...Object.fromEntries(names.map((n) => [n, range(n)])) }
  await writeFile(join(dir, 'package.json'), JSON.stringify(pkg, null, 2))
  await install(dir)
}

async function bytes(path: string): Promise<number> {
  const s = await stat(path)
  if (!s.isDirectory()) return s.size
  let total = 0
  for (const entry of await readdir(path)) total += await bytes(join(path, entry))
  return total
}

const TSCONFIG = (module: string, moduleResolution: string) => ({
  compilerOptions: {
    module,
    moduleResolution,
    target: 'es2022',
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    skipLibCheck: true,
    types: ['node'],
    outDir: 'build',
    rootDir: 'src',
  },
  include: ['src'],
})

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'package-'))
  const packed = await sh(REPO, 'npm', ['pack', '--pack-destination', work, '--loglevel=error'])
  expect(packed, packed.stderr).toMatchObject({ code: 0 })
  tarball = packed.stdout.trim().split('\n').at(-1) as string
}, 180_000)

afterAll(async () => {
  if (registry) expect(await registry.stop()).toBe(0)
  await rm(work, { recursive: true, force: true })
})

describe('the packed package in a new project', () => {
  let app: string

  it('the tarball holds compiled JavaScript, declarations and the bin, and no tests or CI', async () => {
    const list = await sh(work, 'tar', ['tzf', tarball])
    const files = list.stdout.split('\n').map((f) => f.replace(/^package\//, ''))
    for (const f of [
      'dist/core/index.js',
      'dist/core/index.d.ts',
      'dist/scripts/cli.js',
      'bin/contracts.js',
      'schemas/envelope.json',
    ])
      expect(files).toContain(f)
    expect(files.filter((f) => /^(test|examples|\.ci|scripts\/bench|scripts\/kafka)\//.test(f))).toEqual([])
  })

  it('npm install event-contracts kafkajs: at most 15 MB of node_modules besides kafkajs', async () => {
    app = await newProject('app', ['kafkajs'])
    const total = await bytes(join(app, 'node_modules'))
    const kafkajs = await bytes(join(app, 'node_modules/kafkajs'))
    const mb = (total - kafkajs) / 1_000_000
    console.log(`installed: ${mb.toFixed(2)} MB besides kafkajs (${(kafkajs / 1_000_000).toFixed(2)} MB)`)
    expect(mb).toBeLessThanOrEqual(15)
    for (const heavy of ['hono', '@electric-sql/pglite', 'pg', 'json-schema-to-typescript', 'redis', 'tsx'])
      await expect(stat(join(app, 'node_modules', heavy)), heavy).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('init works without optional peers; validate runs; generate and serve name the packages to install', async () => {
    expect(await contracts(app, 'init')).toMatchObject({ code: 0 })
    const valid = await contracts(app, 'validate', 'contracts/examples/example/valid/create-v1.json')
    expect(valid).toMatchObject({
      code: 0,
      stdout: 'contracts/examples/example/valid/create-v1.json: valid example v1\n',
    })
    const generate = await contracts(app, 'generate')
    expect(generate.code).toBe(2)
    expect(generate.stderr).toContain('npm install json-schema-to-typescript')
    const serve = await contracts(app, 'serve')
    expect(serve.code).toBe(2)
    expect(serve.stderr).toContain(
      'npm install hono @hono/node-server @electric-sql/pglite pg pino prom-client json-schema-to-typescript',
    )
  })

  it('after npm install: new-resource, generate, generate --check and check', async () => {
    await addDevDependencies(app, ['typescript', '@types/node']) // with init's json-schema-to-typescript
    // As in the README, but on a topic of this run's own.
    expect(
      await contracts(app, 'new-resource', 'order', '--topic', topic, '--key', 'customerId'),
    ).toMatchObject({ code: 0 })
    expect(await contracts(app, 'generate')).toMatchObject({ code: 0 })
    expect(await contracts(app, 'generate', '--check')).toMatchObject({ code: 0 })
    expect(await contracts(app, 'check')).toMatchObject({ code: 0 })
  })

  it.each([
    ['nodenext', 'nodenext'],
    ['node16', 'node16'],
    ['esnext', 'bundler'],
  ])(
    "the README's src/publish.ts and src/consume.ts, and a file of type checks, typecheck with module %s, moduleResolution %s",
    async (module, resolution) => {
      await mkdir(join(app, 'src'), { recursive: true })
      expect([...SERVICE_FILES.keys()]).toEqual(['src/publish.ts', 'src/consume.ts'])
      for (const [file, text] of SERVICE_FILES) await writeFile(join(app, file), text)
      await writeFile(
        join(app, 'src/typed.ts'),
        `import { Kafka } from 'kafkajs'
import { createKafkaPublisher } from 'event-contracts/kafka'
import type { ContentOf } from 'event-contracts'
import { catalog, type OrderV1 } from './contracts/index.js'

export async function publishOrder(brokers: string[], order: OrderV1) {
  const content: ContentOf<typeof catalog, 'order'> = order
  const publisher = createKafkaPublisher({ catalog, kafka: new Kafka({ clientId: 'app', brokers }), source: 'urn:app' })
  // @ts-expect-error not a resource of this catalog
  await publisher.publish('invoice', 'create', content)
  // @ts-expect-error customerId is required
  await publisher.publish('order', 'create', { id: order.id, name: order.name })
  const sent = await publisher.publish('order', 'create', content)
  await publisher.disconnect()
  return sent
}
`,
      )
      await writeFile(join(app, `tsconfig.${resolution}.json`), JSON.stringify(TSCONFIG(module, resolution)))
      const r = await tsc(app, `tsconfig.${resolution}.json`)
      expect(r.stdout + r.stderr).toBe('')
      expect(r.code).toBe(0)
    },
  )

  it("the README's src/publish.ts, compiled by the project's tsc, publishes on the real broker", async () => {
    const built = await tsc(app, 'tsconfig.nodenext.json') // the project's own build: src/ → build/
    expect(built).toMatchObject({ code: 0 })
    const r = await sh(app, process.execPath, ['build/publish.js'], { KAFKA_BROKERS: inject('kafkaBrokers') })
    expect(r, r.stderr).toMatchObject({ code: 0 })
    expect(r.stdout).toMatch(new RegExp(`^sent [0-9a-f-]{36} to ${topic}\\n$`))
  }, 60_000)

  it('a plain .mjs publishes and consumes one event on the real broker', async () => {
    await writeFile(
      join(app, 'app.mjs'),
      `import { Kafka, logLevel } from 'kafkajs'
import { createKafkaConsumer, createKafkaPublisher, ensureTopics } from 'event-contracts/kafka'
import { catalog } from './build/contracts/index.js'

const prefix = process.env.TOPIC_PREFIX
const kafka = new Kafka({ clientId: 'app', brokers: process.env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING })
await ensureTopics(kafka, { catalog, topicPrefix: prefix, partitions: 1 })
const publisher = createKafkaPublisher({ catalog, kafka, source: 'urn:app', topicPrefix: prefix })
const order = { id: '0b6a1c8e-6f5d-4c1b-9d1e-2a3b4c5d6e7f', customerId: 'c-1', name: 'first order' }
const sent = await publisher.publish('order', 'create', order)
await publisher.disconnect()
const received = await new Promise((resolve, reject) => {
  const consumer = createKafkaConsumer({
    catalog, kafka, groupId: prefix, topicPrefix: prefix, start: { from: 'earliest' },
    handlers: { order: { create: (event) => { resolve(event); void consumer.stop() } } },
  })
  consumer.start().catch(reject)
})
console.log(JSON.stringify({ topic: sent.destination, sent: sent.id, received: received.id, customerId: received.resource.content.customerId }))
`,
    )
    const prefix = `pkg-${randomUUID().slice(0, 8)}`
    const r = await sh(app, process.execPath, ['app.mjs'], {
      KAFKA_BROKERS: inject('kafkaBrokers'),
      TOPIC_PREFIX: prefix,
    })
    expect(r, r.stderr).toMatchObject({ code: 0 })
    const result = JSON.parse(r.stdout) as {
      topic: string
      sent: string
      received: string
      customerId: string
    }
    expect(result).toEqual({
      topic: `${prefix}.${topic}`,
      sent: result.received,
      received: expect.any(String) as string,
      customerId: 'c-1',
    })
  }, 60_000)

  it('pull from a registry process into a second project, which typechecks against what it pulled', async () => {
    await addDevDependencies(app, [
      'hono',
      '@hono/node-server',
      '@electric-sql/pglite',
      'pg',
      'pino',
      'prom-client',
      'piscina',
    ])
    registry = await startServe([join(app, 'node_modules/.bin/contracts'), 'serve'], app, {
      DATA_DIR: join(work, 'registry-data'),
      REGISTRY_TOKENS: 'e2e-token',
    })
    const consumer = await newProject(
      'consumer',
      ['kafkajs'],
      ['json-schema-to-typescript', 'typescript', '@types/node'],
    )
    const pulled = await contracts(
      consumer,
      'pull',
      '--registry',
      registry.url,
      '--resource',
      'order',
      '--out',
      'src/pulled',
    )
    expect(pulled, pulled.stderr).toMatchObject({ code: 0 })
    // A compatibility check runs in the installed package's compiled worker (dist/registry/work/worker.js).
    const latest = (await (await fetch(`${registry.url}/schemas/order/versions/latest`)).json()) as {
      $id: string
      properties: Record<string, unknown>
      required?: string[]
    }
    const { $id: _id, ...rest } = latest
    const breaking = {
      ...rest,
      properties: { ...latest.properties, priority: { type: 'integer' } },
      required: [...(latest.required ?? []), 'priority'],
    }
    const check = await fetch(`${registry.url}/compatibility/order`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(breaking),
    })
    const answer = (await check.json()) as {
      compatible: boolean
      differences: { path: string; breaking: boolean }[]
    }
    expect({ status: check.status, compatible: answer.compatible }, JSON.stringify(answer)).toEqual({
      status: 200,
      compatible: false,
    })
    expect(answer.differences).toContainEqual(expect.objectContaining({ breaking: true, path: '/required' }))
    expect(
      await contracts(
        consumer,
        'pull',
        '--registry',
        registry.url,
        '--resource',
        'order',
        '--out',
        'src/pulled',
        '--check',
      ),
    ).toMatchObject({ code: 0 })
    const lock = JSON.parse(await readFile(join(consumer, 'contracts.lock.json'), 'utf8')) as LockShape
    expect(Object.keys(lock.resources)).toEqual(['order'])
    await mkdir(join(consumer, 'src'), { recursive: true })
    await writeFile(
      join(consumer, 'src/consume.ts'),
      `import { Kafka } from 'kafkajs'
import { createKafkaConsumer } from 'event-contracts/kafka'
import { catalog } from './pulled/index.js'

export const consumer = createKafkaConsumer({
  catalog,
  kafka: new Kafka({ clientId: 'consumer', brokers: ['127.0.0.1:9092'] }),
  groupId: 'consumer',
  handlers: {
    order: {
      create(event) {
        const c = event.resource.content
        if (!('version' in c)) console.log(c.customerId.toUpperCase())
      },
    },
  },
})
`,
    )
    await writeFile(join(consumer, 'tsconfig.json'), JSON.stringify(TSCONFIG('nodenext', 'nodenext')))
    const r = await tsc(consumer, 'tsconfig.json')
    expect(r.stdout + r.stderr).toBe('')
    expect(r.code).toBe(0)
  }, 120_000)
})

interface LockShape {
  resources: Record<string, unknown>
}
