/**
 * `contracts relay` on the real PostgreSQL, Kafka and Redis: --drain, --purge, usage errors, and the long-running
 * relay in a process of its own (status lines, /metrics, a graceful stop on SIGTERM).
 */
import { spawn } from 'node:child_process'
import type { Admin } from 'kafkajs'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { topicOf } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { ensureTopics } from '../../transports/kafka/index.ts'
import { main } from '../../scripts/cli.ts'
import { parseDuration } from '../../scripts/commands/relay.ts'
import { captureIo } from '../helpers/io.ts'
import { person } from '../publishers/fixtures.ts'
import { brokers, newKafka, readBack, uniquePrefix } from '../publishers/kafka-helpers.ts'
import { repoRoot } from '../registry/helpers.ts'
import { TestRedis } from '../redis/redis.ts'
import { until, uuid } from '../consumers/events.ts'
import { outboxFor, pendingRows, testDb, type TestDb } from './helpers.ts'

const prefix = uniquePrefix('relay-cli')
const kafka = newKafka(prefix)
const outbox = outboxFor(prefix)
const topic = topicOf(catalog, 'person', prefix)

let t: TestDb
let admin: Admin
let env: NodeJS.ProcessEnv
beforeAll(async () => {
  t = await testDb('postgres')
  env = { DATABASE_URL: t.url, DATABASE_SCHEMA: t.schema, KAFKA_BROKERS: brokers.join(',') }
  admin = kafka.admin()
  await admin.connect()
  await ensureTopics(admin, { catalog, topicPrefix: prefix })
})
beforeEach(() => t.db.query('TRUNCATE outbox'))
afterAll(async () => {
  await t?.drop()
  if (!admin) return
  const mine = (await admin.listTopics()).filter((x) => x.startsWith(`${prefix}.`))
  if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined)
  await admin.disconnect()
})

const enqueue = async (n: number) => {
  const events = Array.from({ length: n }, () => ({
    resource: 'person' as const,
    action: 'update' as const,
    content: { ...person, id: uuid() },
  }))
  return t.db.transaction((tx) => outbox.enqueueBatch(tx, events))
}

describe('contracts relay', () => {
  it.each([
    { args: ['--transport', 'nats'], env: {}, says: '--transport must be kafka or redis' },
    { args: [], env: { DATABASE_URL: '' }, says: 'no database' },
    { args: ['--batch-size', '0'], env: {}, says: '--batch-size must be a positive integer' },
    { args: ['--concurrency', '1.5'], env: {}, says: '--concurrency must be a positive integer' },
    { args: ['--retention', 'a week'], env: {}, says: '--retention must be a duration' },
    { args: ['--acknowledge', 'keep'], env: {}, says: '--acknowledge must be delete or mark' },
    { args: ['--drain', '--purge'], env: {}, says: 'do not go together' },
    { args: [], env: { KAFKA_BROKERS: '' }, says: 'no brokers' },
    { args: ['--transport', 'redis'], env: { REDIS_URL: '' }, says: 'no Redis' },
    { args: ['extra'], env: {}, says: "unexpected argument 'extra'" },
  ])('$args → exit 2: $says', async ({ args, env: extra, says }) => {
    const c = captureIo(process.cwd(), { ...env, ...extra })
    expect(await main(['relay', ...args], c.io)).toBe(2)
    expect(c.errText()).toContain(says)
  })

  it('a database that does not answer: exit 2 with the reason', async () => {
    const c = captureIo(process.cwd(), { ...env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' })
    expect(await main(['relay', '--drain'], c.io)).toBe(2)
    expect(c.errText()).toMatch(/relay: database: .*ECONNREFUSED/)
  })

  it('--drain publishes what is pending to Kafka and exits 0', async () => {
    const done = await enqueue(30)
    const c = captureIo(process.cwd(), env)
    expect(await main(['relay', '--drain', '--batch-size', '7', '--concurrency', '2'], c.io)).toBe(0)
    expect(c.text()).toContain('relay: drained: 30 sent; 0 pending in 0 deferred aggregates')
    const got = await readBack(kafka, admin, [topic], 30)
    expect(got.map((m) => String(m.value.id)).sort()).toEqual(done.map((d) => d.id).sort())
    expect(await pendingRows(t.db)).toEqual([])
  })

  it('--acknowledge mark keeps sent rows; --purge --retention removes those older than it', async () => {
    await enqueue(5)
    const c = captureIo(process.cwd(), env)
    expect(await main(['relay', '--drain', '--acknowledge', 'mark'], c.io)).toBe(0)
    expect((await pendingRows(t.db)).filter((r) => r.sent_at !== null)).toHaveLength(5)
    const keep = captureIo(process.cwd(), env)
    expect(await main(['relay', '--purge', '--retention', '1h'], keep.io)).toBe(0)
    expect(keep.text()).toContain('purged 0 sent rows older than 1h')
    await new Promise((r) => setTimeout(r, 20))
    const purge = captureIo(process.cwd(), env)
    expect(await main(['relay', '--purge', '--retention', '10ms'], purge.io)).toBe(0)
    expect(purge.text()).toContain('purged 5 sent rows older than 10ms')
    expect(await pendingRows(t.db)).toEqual([])
  })

  it('--transport redis --drain appends to the resource streams', async () => {
    const redis = new TestRedis('relay-cli')
    await redis.connect()
    const redisOutbox = outboxFor(redis.prefix)
    const stream = redis.track(topicOf(catalog, 'person', redis.prefix))
    try {
      const done = await t.db.transaction((tx) => redisOutbox.enqueue(tx, 'person', 'create', person))
      const c = captureIo(process.cwd(), { ...env, REDIS_URL: redis.url })
      expect(await main(['relay', '--transport', 'redis', '--drain'], c.io)).toBe(0)
      const entries = await redis.range(stream)
      expect(entries.map((e) => e.fields.id)).toEqual([done.id])
    } finally {
      await redis.cleanup()
    }
  })

  it('runs until SIGTERM: status lines, /metrics, a graceful stop (exit 0)', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/cli.ts', 'relay', '--status-interval', '0.2', '--metrics-port', '0'],
      { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    try {
      await until('the metrics endpoint', () => /metrics on (http:\S+)/.test(out), 30_000)
      await enqueue(12)
      await until(
        'a status line with 12 sent',
        () => /outbox relay \w+: 12 sent, 0 pending/.test(out),
        30_000,
      )
      const url = /metrics on (http:\S+)/.exec(out)?.[1] as string
      const metrics = await (await fetch(url)).text()
      expect(metrics).toMatch(/^outbox_events_sent_total 12$/m)
      expect(metrics).toMatch(/^outbox_backlog 0$/m)
      expect(metrics).toMatch(/^process_cpu_user_seconds_total /m)
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect(out).toContain('relay: SIGTERM, finishing the round in flight')
      expect(out.trimEnd().split('\n').at(-1)).toMatch(/^outbox relay stopped: 12 sent, 0 pending/)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  }, 60_000)
})

describe('parseDuration', () => {
  it.each([
    ['7d', 7 * 86_400_000],
    ['12h', 43_200_000],
    ['30m', 1_800_000],
    ['90s', 90_000],
    ['250ms', 250],
    ['1500', 1500],
    ['1.5s', 1500],
    ['a week', undefined],
    ['-1d', undefined],
    ['', undefined],
  ])('%s → %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })
})
