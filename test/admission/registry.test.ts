/** The registry runs the admission rule: registrations, the compatibility route, mode changes and seeding. */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Registry, SeedSchema } from '../../registry/index.ts'
import { SeedRefused } from '../../registry/service.ts'
import { jsonHeaders, repoRoot, testRegistry } from '../registry/helpers.ts'

/** Runs `contracts serve` until it has announced itself, stops it, and returns everything it printed. */
async function serveUntilListening(env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'serve'], {
    cwd: repoRoot,
    env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: 'silent', REGISTRY_RELOAD_MS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = once(child, 'exit')
  await new Promise<void>((resolve, reject) => {
    const take = (d: Buffer) => {
      output += d.toString()
      if (/registry: writes/.test(output)) resolve() // the last line of the announcement
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${output}`)))
  })
  child.kill('SIGTERM')
  await exited
  return output
}

type Json = Record<string, unknown>
const DRAFT = 'https://json-schema.org/draft/2020-12/schema'
const uri = (name: string, v: number) => `https://event-contracts.dev/schemas/${name}/${v}`

/** v1, and v2 with one more optional property in the closed model: BACKWARD yes, FORWARD no. */
const gadget = (name: string, v: number, properties: Json = {}, extra: Json = {}): Json => ({
  $schema: DRAFT,
  $id: uri(name, v),
  'x-topic': name,
  'x-key': 'id',
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' }, ...properties },
  additionalProperties: false,
  ...extra,
})
const files = (name: string, ...schemas: Json[]): SeedSchema[] =>
  schemas.map((schema, i) => ({ name, version: i + 1, file: `resources/${name}/${i + 1}.json`, schema }))
const withSettings = (seeds: SeedSchema[], json: unknown): SeedSchema[] =>
  seeds.map((s) => ({ ...s, resource: { file: `resources/${s.name}/resource.json`, json } }))

const issuesOf = async (res: Response) =>
  (await res.json()) as {
    code: string
    issues: { path: string; keyword: string; message: string; params?: Json }[]
  }

describe('registrations and mode changes', () => {
  let registry: Registry
  beforeAll(async () => {
    registry = await testRegistry({
      seed: [
        ...files('gadget', gadget('gadget', 1), gadget('gadget', 2, { note: { type: 'string' } })),
        ...files('gizmo', gadget('gizmo', 1), gadget('gizmo', 2, { note: { type: 'string' } })),
      ],
    })
  })
  afterAll(() => registry.close())
  const send = (method: string, path: string, body: unknown) =>
    registry.app.request(path, { method, headers: jsonHeaders, body: JSON.stringify(body) })

  it('a version never waives its own check: x-compatibility other than the mode in force is refused', async () => {
    const { $id: _id, ...v3 } = gadget(
      'gadget',
      3,
      { note: { type: 'string' } },
      { 'x-compatibility': 'NONE' },
    )
    const res = await send('POST', '/schemas/gadget/versions', v3)
    expect(res.status).toBe(409)
    const body = await issuesOf(res)
    expect(body.code).toBe('SCHEMA_CONFLICT')
    expect(body.issues).toEqual([
      expect.objectContaining({
        path: '/x-compatibility',
        keyword: 'x-compatibility',
        message: expect.stringContaining('change it with PUT /config/gadget'),
      }),
    ])
    // The dry run answers the same.
    expect((await send('POST', '/compatibility/gadget', v3)).status).toBe(409)
  })

  it('refuses a remote $ref inside examples, default, const or enum (a tool may follow it)', async () => {
    for (const where of ['examples', 'default', 'const', 'enum'] as const) {
      const ref = { $ref: 'https://evil.example/schema.json' }
      const value = where === 'examples' || where === 'enum' ? [ref] : ref
      const schema = gadget('gadget', 3, { note: { type: 'string' }, extra: { [where]: value } })
      const res = await send('POST', '/schemas/gadget/versions', schema)
      expect(res.status, where).toBe(422)
      const body = await issuesOf(res)
      expect(body.issues.map((i) => i.keyword)).toContain('$ref')
    }
  })

  it('PUT /config/{name} checks the history against the new mode: 409 with the differences', async () => {
    const res = await send('PUT', '/config/gadget', { compatibility: 'FULL' })
    expect(res.status).toBe(409)
    const body = await issuesOf(res)
    expect(body.code).toBe('INCOMPATIBLE_SCHEMA')
    expect(body.issues).toEqual([
      expect.objectContaining({
        path: '/properties/note',
        keyword: 'property-added',
        params: expect.objectContaining({ against: 1, version: 2, direction: 'FORWARD' }),
      }),
    ])
    expect(await (await registry.app.request('/config/gadget')).json()).toEqual({ compatibility: 'BACKWARD' })
    // A mode the history satisfies is taken, and then decides registrations.
    expect((await send('PUT', '/config/gadget', { compatibility: 'BACKWARD_TRANSITIVE' })).status).toBe(200)
    expect(await (await registry.app.request('/config/gadget')).json()).toEqual({
      compatibility: 'BACKWARD_TRANSITIVE',
    })
  })

  it('PUT /config checks every resource that follows the default', async () => {
    const res = await send('PUT', '/config', { compatibility: 'FORWARD' })
    expect(res.status).toBe(409)
    const body = await issuesOf(res)
    // gadget has a mode of its own now; gizmo follows the default, and its v2 breaks FORWARD.
    expect(body.issues).toEqual([
      expect.objectContaining({
        path: '/properties/note',
        keyword: 'property-added',
        message: expect.stringMatching(/^gizmo: version 2 against version 1: /),
        params: expect.objectContaining({ resource: 'gizmo', against: 1, version: 2 }),
      }),
    ])
    expect(await (await registry.app.request('/config')).json()).toEqual({ compatibility: 'BACKWARD' })
  })
})

describe('seeding', () => {
  const v1 = gadget('widget', 1)
  const v2 = gadget('widget', 2, { note: { type: 'string' } })

  it('checks each file against its predecessors and refuses to start, naming the file', async () => {
    const v3 = gadget('widget', 3, {}, {}) // drops note from a closed model: BACKWARD breaks
    const refused = await testRegistry({ seed: files('widget', v1, v2, v3) }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(refused).toBeInstanceOf(SeedRefused)
    const e = refused as SeedRefused
    expect(e.code).toBe('INCOMPATIBLE_SCHEMA')
    expect(e.message).toContain('resources/widget/3.json')
    expect(e.refusals.map((r) => r.file)).toEqual(['resources/widget/3.json'])
    expect(e.issues.map((i) => [i.path, i.keyword])).toEqual([['/properties/note', 'property-removed']])
  })

  it('applies a resource.json mode through the checked step, refuses one the history does not satisfy, warns about purged files', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'admission-seed-'))
    try {
      const seed = files('widget', v1, v2)
      const first = await testRegistry({ dataDir, seed })
      expect(first.service.seedReport).toMatchObject({ inserted: 2, modeChanges: [], warnings: [] })
      await first.close()

      const changed = await testRegistry({
        dataDir,
        seed: withSettings(seed, { compatibility: 'BACKWARD_TRANSITIVE' }),
      })
      expect(changed.service.seedReport?.modeChanges).toEqual([
        {
          name: 'widget',
          file: 'resources/widget/resource.json',
          from: 'BACKWARD',
          to: 'BACKWARD_TRANSITIVE',
        },
      ])
      expect(await (await changed.app.request('/config/widget')).json()).toEqual({
        compatibility: 'BACKWARD_TRANSITIVE',
      })
      await changed.close()

      const refused = await testRegistry({
        dataDir,
        seed: withSettings(seed, { compatibility: 'FULL' }),
      }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(refused).toBeInstanceOf(SeedRefused)
      const e = refused as SeedRefused
      expect(e.code).toBe('INCOMPATIBLE_SCHEMA')
      expect(e.refusals.map((r) => [r.file, r.result.summary])).toEqual([
        [
          'resources/widget/resource.json',
          "mode change BACKWARD_TRANSITIVE → FULL refused: the history of 'widget' is not FULL compatible (1 breaking difference)",
        ],
      ])

      // A version deleted permanently is not re-created from its file: a warning the caller gets at start.
      const registry = await testRegistry({ dataDir, seed })
      for (const q of ['', '?permanent=true'])
        expect(
          (
            await registry.app.request(`/schemas/widget/versions/2${q}`, {
              method: 'DELETE',
              headers: jsonHeaders,
            })
          ).status,
        ).toBe(200)
      await registry.close()
      const again = await testRegistry({ dataDir, seed })
      expect(again.seeded).toEqual({ inserted: 0, unchanged: 1, purged: 1 })
      expect(again.service.seedReport?.warnings).toEqual([
        {
          file: 'resources/widget/2.json',
          message: expect.stringContaining("version 2 of 'widget' was deleted permanently"),
        },
      ])
      await again.close()

      // `contracts serve` prints it at start, with the other start-up lines.
      const tree = join(dataDir, 'schemas')
      await mkdir(join(tree, 'resources/widget'), { recursive: true })
      await writeFile(join(tree, 'envelope.json'), '{}')
      for (const f of seed) await writeFile(join(tree, f.file), JSON.stringify(f.schema))
      const output = await serveUntilListening({ SCHEMAS_DIR: tree, DATA_DIR: dataDir })
      expect(output).toMatch(
        /registry: WARNING resources\/widget\/2\.json: version 2 of 'widget' was deleted permanently; resources\/widget\/2\.json is not registered again/,
      )
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  }, 90_000)

  it('a new resource takes the mode its resource.json names', async () => {
    const registry = await testRegistry({
      seed: withSettings(files('widget', v1), { compatibility: 'FULL_TRANSITIVE' }),
    })
    expect(await (await registry.app.request('/config/widget')).json()).toEqual({
      compatibility: 'FULL_TRANSITIVE',
    })
    await registry.close()
  })
})
