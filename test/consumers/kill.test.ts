/**
 * A Kafka consumer killed with SIGKILL mid-stream, in a child process, on the shared broker: a second consumer in
 * its group redelivers what the first handled after its last commit, and nothing else. The redelivery window is
 * `commitEvery`; the test prints the duplicates for kafkajs' old cadence (5 s, no count) and for ours.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventMessage, until } from './events.ts'
import { brokers, TestKafka } from './kafka.ts'

const child = fileURLToPath(new URL('./child-kafka-consumer.ts', import.meta.url))
const TOTAL = 5000
/** Not a multiple of the commit counts below, so the kill does not land right after a commit. */
const KILL_AT = 2550

interface Child {
  process: ChildProcess
  handled: string[]
  started: Promise<void>
  exited: Promise<void>
}

function startChild(topic: string, group: string, commitEvery?: object): Child {
  const p = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      child,
      brokers.join(','),
      topic,
      group,
      ...(commitEvery ? [JSON.stringify(commitEvery)] : []),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const handled: string[] = []
  let started!: () => void
  const startedP = new Promise<void>((r) => (started = r))
  let buffered = ''
  p.stdout!.on('data', (d: Buffer) => {
    const lines = (buffered + d.toString()).split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) {
      if (line === 'started') started()
      else if (line.startsWith('handled ')) handled.push(line.slice(8))
    }
  })
  const exited = new Promise<void>((r) => p.once('exit', () => r()))
  return { process: p, handled, started: startedP, exited }
}

describe('a Kafka consumer killed with SIGKILL mid-stream', () => {
  const t = new TestKafka('kill')
  const results: string[] = []
  const children: Child[] = []
  beforeAll(async () => {
    await t.setup([t.topic('person')], 1)
    const ids: string[] = []
    const messages = Array.from({ length: TOTAL }, () => {
      const m = eventMessage('person', 'update')
      ids.push(m.id)
      return m
    })
    for (let i = 0; i < TOTAL; i += 500) await t.produce(t.topic('person'), messages.slice(i, i + 500))
  })
  afterAll(async () => {
    for (const c of children) c.process.kill('SIGKILL')
    console.log(results.join('\n'))
    await t.cleanup()
  })

  it.each([
    {
      name: 'kafkajs’ old cadence (every 5 s, no count)',
      commitEvery: { messages: null, ms: 5000 },
      bound: undefined,
    },
    { name: 'the defaults (every 5,000 messages or 1 s)', commitEvery: undefined, bound: undefined },
    { name: 'every 100 messages', commitEvery: { messages: 100, ms: 60_000 }, bound: 100 },
  ])(
    '$name: a second consumer handles the rest, and the duplicates are counted',
    async ({ name, commitEvery, bound }) => {
      const topic = t.topic('person')
      const group = t.group(`g${results.length}`)
      const first = startChild(topic, group, commitEvery)
      children.push(first)
      await first.started
      await until(`the first consumer handled ${KILL_AT}`, () => first.handled.length >= KILL_AT, 60_000)
      first.process.kill('SIGKILL')
      await first.exited
      const second = startChild(topic, group, commitEvery)
      children.push(second)
      const all = () => new Set([...first.handled, ...second.handled])
      await until(`all ${TOTAL} handled (have ${all().size})`, () => all().size >= TOTAL, 60_000)
      await new Promise((r) => setTimeout(r, 500)) // anything beyond: let it show
      second.process.kill('SIGTERM')
      await second.exited
      const handled = first.handled.length + second.handled.length
      const duplicated = handled - all().size
      results.push(
        `kill -9, ${name}: handled ${first.handled.length} before the kill, ${second.handled.length} after; ` +
          `duplicated ${duplicated} of ${TOTAL}`,
      )
      expect(all().size).toBe(TOTAL) // nothing lost
      // What the second consumer redelivers is a tail of what the first handled: never an event it had not seen.
      const before = new Set(first.handled)
      const redelivered = second.handled.filter((id) => before.has(id))
      expect(redelivered).toEqual(first.handled.slice(first.handled.length - redelivered.length))
      if (bound !== undefined) expect(duplicated).toBeLessThanOrEqual(bound)
    },
    180_000,
  )
})
