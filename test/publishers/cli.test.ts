/** `contracts publish` against the real broker: a valid file lands on its topic, an invalid one never does. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Admin } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { topicOf } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { ensureTopics } from '../../transports/kafka/index.ts'
import { main } from '../../scripts/cli.ts'
import { captureIo } from '../helpers/io.ts'
import { brokers, endOffsets, newKafka, readBack, uniquePrefix } from './kafka-helpers.ts'

const prefix = uniquePrefix('cli')
const topic = topicOf(catalog, 'person', prefix)
const kafka = newKafka(prefix)
const env = { KAFKA_BROKERS: brokers.join(',') }
const dir = await mkdtemp(join(tmpdir(), 'publish-'))
const example = JSON.parse(await readFile('schemas/examples/person/valid/update-v2.json', 'utf8')) as Record<
  string,
  unknown
>
const file = async (name: string, value: unknown) => {
  const path = join(dir, name)
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value))
  return path
}

describe('contracts publish', () => {
  let admin: Admin

  beforeAll(async () => {
    admin = kafka.admin()
    await admin.connect()
    await ensureTopics(admin, { catalog, topicPrefix: prefix, resources: ['person'], partitions: 1 })
  })

  afterAll(async () => {
    if (!admin) return
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
    await admin.disconnect()
  })

  it('fills missing metadata, sends a valid event and prints where it went: exit 0', async () => {
    const { id: _id, time: _time, source: _source, ...bare } = example
    const f = await file('valid.json', bare)
    const c = captureIo(process.cwd(), env)
    expect(await main(['publish', f, '--topic-prefix', prefix, '--json'], c.io)).toBe(0)
    const out = JSON.parse(c.text()) as {
      sent: boolean
      topic: string
      partition: number
      offset: string
      id: string
    }
    expect(out).toMatchObject({ sent: true, topic, partition: 0, offset: '0' })

    const h = captureIo(process.cwd(), {})
    expect(
      await main(
        [
          'publish',
          await file('whole.json', example),
          '--brokers',
          env.KAFKA_BROKERS,
          '--topic-prefix',
          prefix,
        ],
        h.io,
      ),
    ).toBe(0)
    expect(h.text()).toMatch(
      new RegExp(`sent to ${topic.replace(/\./g, '\\.')} partition 0 offset 1 id ${String(example.id)}`),
    )

    const [first, second] = await readBack(kafka, admin, [topic], 2)
    expect(first?.value).toMatchObject({ ...bare, id: out.id, source: 'urn:event-contracts:cli' })
    expect(first?.headers).toMatchObject({
      ce_id: out.id,
      ce_type: 'person.update',
      ce_source: 'urn:event-contracts:cli',
    })
    expect(second?.value).toEqual(example)
  })

  it('an invalid event: exit 1, the pointer and rule printed, nothing sent', async () => {
    const before = await endOffsets(admin, [topic])
    const bad = await file('bad.json', {
      ...example,
      resource: { schema: 'https://event-contracts.dev/schemas/person/2', content: { firstName: 'Ada' } },
    })
    const unknown = await file('unknown.json', {
      ...example,
      resource: { schema: 'https://example.org/x/1', content: { name: 'x' } },
    })
    const c = captureIo(process.cwd(), env)
    expect(await main(['publish', bad, '--topic-prefix', prefix], c.io)).toBe(1)
    expect(c.text()).toContain('/resource/content/id: ')
    expect(c.text()).toContain('(required)')
    const j = captureIo(process.cwd(), env)
    expect(await main(['publish', unknown, '--topic-prefix', prefix, '--json'], j.io)).toBe(1)
    expect(JSON.parse(j.text())).toMatchObject({
      sent: false,
      issues: [{ path: '/resource/schema', keyword: 'known-schema' }],
    })
    expect(await endOffsets(admin, [topic])).toEqual(before)
  })

  it.each<[string, () => Promise<string[]>, NodeJS.ProcessEnv]>([
    ['no file', async () => ['publish'], env],
    ['two files', async () => ['publish', 'a.json', 'b.json'], env],
    ['an unknown option', async () => ['publish', '--nope', 'a.json'], env],
    ['no brokers', async () => ['publish', await file('nb.json', example)], {}],
    ['a missing file', async () => ['publish', join(dir, 'nope.json')], env],
    ['a file that is not JSON', async () => ['publish', await file('broken.json', '{"action": ')], env],
    [
      'a bad topic prefix',
      async () => ['publish', await file('bp.json', example), '--topic-prefix', 'a b'],
      env,
    ],
  ])('exit 2 for %s', async (_name, args, environment) => {
    const c = captureIo(process.cwd(), environment)
    expect(await main(await args(), c.io)).toBe(2)
  })
})
