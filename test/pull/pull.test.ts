/**
 * `contracts pull` against a real `contracts serve` process seeded with another team's tree (test/fixtures/shop):
 * the same typed output as `generate`, a lock of URIs and hashes, and `pull --check` failing when the registry moves
 * on. The registry is changed only by the last test of the file.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generate } from '../../codegen/generate.ts'
import { loadSchemaTree } from '../../codegen/load.ts'
import { contentHash, type LockFile } from '../../codegen/lock.ts'
import { main } from '../../scripts/cli.ts'
import { captureIo } from '../helpers/io.ts'
import { startServe, type Served } from '../helpers/serve.ts'
import { repoRoot, TOKEN } from '../registry/helpers.ts'

const SHOP = join(repoRoot, 'test/fixtures/shop/schemas')

let registry: Served
let dataDir: string
const dirs: string[] = []

const project = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pull-'))
  dirs.push(dir)
  return dir
}
const readLock = async (dir: string) =>
  JSON.parse(await readFile(join(dir, 'contracts.lock.json'), 'utf8')) as LockFile

async function pull(dir: string, ...args: string[]) {
  const c = captureIo(dir)
  const code = await main(['pull', '--registry', registry.url, ...args], c.io)
  return { code, out: c.text(), err: c.errText() }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'pull-registry-'))
  registry = await startServe([process.execPath, '--import', 'tsx', 'scripts/cli.ts', 'serve'], repoRoot, {
    SCHEMAS_DIR: SHOP,
    DATA_DIR: dataDir,
    REGISTRY_TOKENS: TOKEN,
  })
}, 60_000)

afterAll(async () => {
  expect(await registry?.stop()).toBe(0)
  for (const d of [dataDir, ...dirs]) await rm(d, { recursive: true, force: true })
})

describe('contracts pull from a running registry', () => {
  it('writes the same files as generate of the same tree, and a lock of URIs and content hashes', async () => {
    const dir = await project()
    const r = await pull(dir)
    expect(r).toMatchObject({ code: 0, err: '' })
    expect(r.out).toContain('pulled order * (2 versions), shipment * (1 versions)')
    const expected = await generate(await loadSchemaTree(SHOP), {
      runtime: 'event-contracts',
      importExtension: '.js',
    })
    for (const [file, text] of expected) expect(await readFile(join(dir, 'pulled', file), 'utf8')).toBe(text)
    const lock = await readLock(dir)
    const order1 = JSON.parse(await readFile(join(SHOP, 'resources/order/1.json'), 'utf8')) as unknown
    expect(lock).toMatchObject({
      registry: registry.url,
      resources: {
        order: {
          range: '*',
          mode: 'BACKWARD',
          versions: {
            1: { uri: 'https://event-contracts.dev/schemas/order/1', sha256: contentHash(order1) },
          },
        },
        shipment: { versions: { 1: { uri: 'https://event-contracts.dev/schemas/shipment/1' } } },
      },
    })
    expect(Object.keys(lock.resources.order?.versions ?? {})).toEqual(['1', '2'])
    expect(await pull(dir, '--check')).toMatchObject({ code: 0 })
  })

  it('--resource NAME@RANGE writes only the versions in range, locking their history too', async () => {
    const dir = await project()
    expect((await pull(dir, '--resource', 'order@^1', '--out', 'src/orders')).code).toBe(0)
    const catalog = await readFile(join(dir, 'src/orders/catalog.ts'), 'utf8')
    expect(catalog).toContain('"https://event-contracts.dev/schemas/order/1"')
    expect(catalog).not.toContain('"https://event-contracts.dev/schemas/order/2"')
    expect(catalog).not.toContain('shipment')
    expect(Object.keys((await readLock(dir)).resources)).toEqual(['order'])
  })

  it('pull --check fails when a locked version changed on the registry, and when the output was edited', async () => {
    const dir = await project()
    expect((await pull(dir, '--resource', 'shipment')).code).toBe(0)
    const lock = await readLock(dir)
    const shipment = lock.resources.shipment as LockFile['resources'][string]
    ;(shipment.versions['1'] as { sha256: string }).sha256 = '0'.repeat(64)
    await writeFile(join(dir, 'contracts.lock.json'), JSON.stringify(lock))
    const changed = await pull(dir, '--resource', 'shipment', '--check')
    expect(changed.code).toBe(1)
    expect(changed.err).toMatch(/shipment 1: changed on the registry \(sha256 000000000000… in the lock/)

    expect((await pull(dir, '--resource', 'shipment')).code).toBe(0)
    await writeFile(join(dir, 'pulled/types.ts'), '// edited by hand\n')
    const edited = await pull(dir, '--resource', 'shipment', '--check')
    expect(edited).toMatchObject({ code: 1 })
    expect(edited.err).toContain('pulled/types.ts')
  })

  it.each<{ name: string; args: string[]; message: RegExp }>([
    {
      name: 'an unknown resource',
      args: ['--resource', 'invoice'],
      message: /has no resource 'invoice' \(it has: order, shipment\)/,
    },
    {
      name: 'a range nothing matches',
      args: ['--resource', 'order@^5'],
      message: /no version of order matches \^5 \(the registry has 1, 2\)/,
    },
    {
      name: 'a range that is not one',
      args: ['--resource', 'order@two'],
      message: /'two' is not a version range/,
    },
  ])('$name: exit 2 and says why', async ({ args, message }) => {
    const dir = await project()
    const r = await pull(dir, ...args)
    expect(r.code).toBe(2)
    expect(r.err).toMatch(message)
  })

  it('a registry that does not answer: exit 2, naming it, and nothing written', async () => {
    const dir = await project()
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number }
        s.close(() => resolve(port))
      })
    })
    const c = captureIo(dir)
    const code = await main(['pull', '--registry', `http://127.0.0.1:${port}`, '--timeout', '500'], c.io)
    expect(code).toBe(2)
    expect(c.errText()).toContain(`cannot reach the registry at http://127.0.0.1:${port}`)
    await expect(readFile(join(dir, 'contracts.lock.json'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('pull --check fails once the registry moved on (the new version named); a range without it still passes', async () => {
    const dir = await project()
    expect((await pull(dir, '--resource', 'order')).code).toBe(0)
    const pinned = await project()
    expect((await pull(pinned, '--resource', 'order@<3')).code).toBe(0)
    const v2 = JSON.parse(await readFile(join(SHOP, 'resources/order/2.json'), 'utf8')) as {
      properties: Record<string, unknown>
    }
    const v3 = { ...v2, $id: 'https://event-contracts.dev/schemas/order/3', title: 'OrderV3' }
    v3.properties = { ...v2.properties, note: { type: 'string', maxLength: 200 } }
    const res = await fetch(`${registry.url}/schemas/order/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(v3),
    })
    expect(res.status).toBe(201)
    const r = await pull(dir, '--resource', 'order', '--check')
    expect(r.code).toBe(1)
    expect(r.err).toContain('order 3: new on the registry (the lock has 1–2)')
    expect(r.err).toContain('no longer matches contracts.lock.json')
    expect(await pull(pinned, '--resource', 'order@<3', '--check')).toMatchObject({ code: 0 })
  })
})
