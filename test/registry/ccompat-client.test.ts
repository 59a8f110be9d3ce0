/**
 * `@kafkajs/confluent-schema-registry` (the newest version that runs on Node 20) against a real `contracts serve`
 * process, at /ccompat, on draft 2020-12 schemas: it registers, fetches by id, encodes and decodes; the
 * compatibility check answers; a breaking version is a 409; a value our publisher frames is decoded by it.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import Ajv2020 from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRegistryClient } from '../../client/index.ts'
import { createPublisher, unframe, type OutboundMessage } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { timeEntry } from '../publishers/fixtures.ts'
import { serve, type Served } from '../helpers/serve.ts'
import { TOKEN } from './helpers.ts'

let served: Served
let dir: string

type JsonOptions = NonNullable<
  Extract<
    NonNullable<ConstructorParameters<typeof SchemaRegistry>[1]>,
    { [SchemaType.JSON]?: unknown }
  >[SchemaType.JSON]
>
/**
 * The client compiles each schema itself: a draft 2020-12 one with ajv's 2020 class (our x- keywords: not strict).
 * Its own copy of ajv has its own types, structurally the same: hence the one cast.
 */
const ajv2020 = () => ({ ajvInstance: new Ajv2020.default({ strict: false }) }) as unknown as JsonOptions

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ccompat-client-'))
  served = await serve({ DATA_DIR: dir, REGISTRY_TOKENS: TOKEN })
}, 120_000)
afterAll(async () => {
  expect(await served?.stop()).toBe(0)
  await rm(dir, { recursive: true, force: true })
})

const topic = `ccompat-orders-${process.pid}`
const v1 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Order',
  'x-topic': topic,
  'x-key': 'id',
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' }, total: { type: 'number' } },
  additionalProperties: false,
}

describe('@kafkajs/confluent-schema-registry against contracts serve', () => {
  it('registers, fetches by id, checks compatibility, encodes and decodes, and gets a 409 for a breaking version', async () => {
    const client = new SchemaRegistry(
      { host: `${served.url}/ccompat`, auth: { username: 'ci', password: TOKEN } },
      { [SchemaType.JSON]: ajv2020() },
    )
    const subject = `${topic}-value`
    const { id } = await client.register({ type: SchemaType.JSON, schema: JSON.stringify(v1) }, { subject })
    expect(id).toBeGreaterThan(0)
    expect(await client.getLatestSchemaId(subject)).toBe(id)

    const fresh = new SchemaRegistry({ host: `${served.url}/ccompat` }, { [SchemaType.JSON]: ajv2020() })
    const schema = (await fresh.getSchema(id)) as unknown as { schema: { title: string } }
    expect(schema).toBeDefined()
    const order = { id: 'o-1', total: 12.5 }
    const encoded = await client.encode(id, order)
    expect(encoded[0]).toBe(0)
    expect(encoded.readUInt32BE(1)).toBe(id)
    expect(await fresh.decode(encoded)).toEqual(order)

    const check = async (body: object) => {
      const res = await fetch(
        `${served.url}/ccompat/compatibility/subjects/${subject}/versions/latest?verbose=true`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
          body: JSON.stringify({ schemaType: 'JSON', schema: JSON.stringify(body) }),
        },
      )
      return (await res.json()) as { is_compatible: boolean; messages: string[] }
    }
    const breaking = { ...v1, required: ['id', 'total'] }
    expect(
      (await check({ ...v1, properties: { ...v1.properties, note: { type: 'string' } } })).is_compatible,
    ).toBe(true)
    const verdict = await check(breaking)
    expect(verdict.is_compatible).toBe(false)
    expect(verdict.messages.join('\n')).toContain('/required')

    const refused = await client
      .register({ type: SchemaType.JSON, schema: JSON.stringify(breaking) }, { subject })
      .then(
        () => undefined,
        (e: unknown) => e as { status?: number; message: string },
      )
    expect(refused?.status).toBe(409)
  })

  it("decodes a value our publisher framed (the id of the version's event schema) into our event", async () => {
    const sent: OutboundMessage[] = []
    const publisher = createPublisher({
      catalog,
      source: 'urn:test',
      sink: { send: async (m) => void sent.push(m), sendBatch: async (ms) => void sent.push(...ms) },
      wireFormat: 'confluent',
      schemaIds: createRegistryClient({ baseUrl: served.url }),
    })
    await publisher.publish('time-entry', 'create', timeEntry)
    const [message] = sent
    const bytes = Buffer.from(message?.value as Uint8Array)
    const frame = unframe(bytes)
    expect(frame.framed).toBe(true)
    const ours = JSON.parse(Buffer.from(frame.json as Uint8Array).toString()) as unknown
    expect(ours).toMatchObject({ action: 'create', resource: { content: timeEntry } })
    const theirs = new SchemaRegistry({ host: `${served.url}/ccompat` }, { [SchemaType.JSON]: ajv2020() })
    expect(await theirs.decode(bytes)).toEqual(ours)
  })
})
