/** `contracts consume` against the real broker. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DLQ_HEADERS } from '../../transports/kafka/index.ts'
import { main } from '../../scripts/cli.ts'
import { captureIo } from '../helpers/io.ts'
import { eventMessage } from './events.ts'
import { brokers, TestKafka } from './kafka.ts'

describe('contracts consume', () => {
  const t = new TestKafka('cli')
  const topic = `${t.prefix}.raw-any-topic` // a raw topic name: any topic, any resource
  beforeAll(() => t.setup([topic], 1))
  afterAll(() => t.cleanup())

  it('prints both valid events around a poison one, which lands in <topic>.dlq; --max 2 exits 0', async () => {
    const first = eventMessage('time-entry', 'create')
    const second = eventMessage('person', 'update', { headers: false })
    await t.produce(topic, [first, { key: 'poison', value: '{"action": "create", oops' }, second])

    const c = captureIo(process.cwd(), { KAFKA_BROKERS: brokers.join(',') })
    const code = await main(
      ['consume', '--topic', topic, '--from-beginning', '--max', '2', '--group', t.group('cli')],
      c.io,
    )
    expect(code).toBe(0)
    expect(c.out).toHaveLength(2)
    expect(c.out[0]).toMatch(new RegExp(`^time-entry create ${first.id} v1 ${topic}\\[0\\]@0$`))
    expect(c.out[1]).toMatch(new RegExp(`^person update ${second.id} v1 ${topic}\\[0\\]@2$`))
    expect(c.errText()).toContain('NOT_JSON, dead-lettered')

    const [letter] = await t.read(`${topic}.dlq`, 1)
    expect(letter?.value).toBe('{"action": "create", oops')
    expect(letter?.key).toBe('poison')
    expect(letter?.headers[DLQ_HEADERS.code]).toBe('NOT_JSON')
    expect(letter?.headers[DLQ_HEADERS.offset]).toBe('1')
  })

  it('--json prints one object per line; the group goes on from its committed offset', async () => {
    const third = eventMessage('accrual', 'delete')
    await t.produce(topic, [third])
    const c = captureIo(process.cwd(), { KAFKA_BROKERS: brokers.join(',') })
    expect(
      await main(['consume', '--topic', topic, '--json', '--max', '1', '--group', t.prefix + '-cli'], c.io),
    ).toBe(0)
    expect(c.out).toHaveLength(1)
    expect(JSON.parse(c.out[0] as string)).toMatchObject({
      topic,
      partition: 0,
      offset: '3',
      resource: 'accrual',
      action: 'delete',
      id: third.id,
      version: 1,
    })
  })

  it.each<{ name: string; argv: string[]; env?: Record<string, string> }>([
    { name: 'no --topic', argv: ['consume'] },
    { name: 'a bad --max', argv: ['consume', '--topic', 't', '--max', 'two'] },
    { name: 'a zero --max', argv: ['consume', '--topic', 't', '--max', '0'] },
    { name: 'no brokers', argv: ['consume', '--topic', 't'], env: {} },
    { name: 'an unknown option', argv: ['consume', '--topic', 't', '--nope'] },
    { name: 'a positional', argv: ['consume', '--topic', 't', 'extra'] },
  ])('exit 2 on $name', async ({ argv, env }) => {
    const c = captureIo(process.cwd(), env ?? { KAFKA_BROKERS: brokers.join(',') })
    expect(await main(argv, c.io)).toBe(2)
    expect(c.errText()).toMatch(/usage|consume/)
  })
})
