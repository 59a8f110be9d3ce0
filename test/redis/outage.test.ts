/**
 * Redis down or hung, on a server of this test's own (test/helpers/own-redis.ts; never the shared one on 6379):
 * a publisher and a consumer started while Redis is down, and a server paused with SIGSTOP, which accepts
 * connections but never answers. Every call gives up after its timeout with an error that says so; nothing hangs;
 * both recover by themselves once Redis answers again.
 */
import { createClient, TimeoutError } from 'redis'
import { afterAll, describe, expect, it } from 'vitest'
import { isContractError, type ContractError } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import {
  createRedisPublisher,
  createRedisTopicConsumer,
  RedisTimeoutError,
  type RedisClient,
  type RedisTopicConsumerOptions,
} from '../../transports/redis/index.ts'
import { eventMessage, until } from '../consumers/events.ts'
import { ownRedis } from '../helpers/own-redis.ts'
import { untilAsync } from './redis.ts'

const redis = await ownRedis()
const { url } = redis
const TIMEOUT = 300

type Event = { id: string }
const event = () => JSON.parse(eventMessage('person', 'update').value) as Event
/** Given up by a timeout: ours (every call), or node-redis' (a command that waited to be written). */
const isTimeout = (e: unknown) => e instanceof TimeoutError || e instanceof RedisTimeoutError
/** The call a RedisTimeoutError names. */
const callOf = (e: unknown) => (e instanceof RedisTimeoutError ? e.call : undefined)

async function answers(): Promise<boolean> {
  const probe = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 500 } })
  probe.on('error', () => undefined)
  try {
    await probe.connect()
    return (await probe.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    if (probe.isOpen) probe.destroy()
  }
}
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ContractError,
  )

const publisherOn = (prefix: string) =>
  createRedisPublisher({ catalog, url, source: 'urn:test', topicPrefix: prefix, timeoutMs: TIMEOUT })

type Options = Omit<RedisTopicConsumerOptions<typeof catalog>, 'catalog' | 'url' | 'client' | 'handle'>
function consumerOf(options: Options, handled: string[], errors: unknown[], onEvent?: () => void) {
  return createRedisTopicConsumer({
    catalog,
    url,
    blockMs: 200,
    timeoutMs: TIMEOUT,
    ...options,
    handle(e) {
      handled.push(e.event.id)
      onEvent?.()
    },
    onError: (e) => void errors.push(e),
  })
}

async function pendingOf(stream: string, group: string): Promise<number> {
  const check = createClient({ url })
  check.on('error', () => undefined)
  await check.connect()
  try {
    return (await check.xPending(stream, group)).pending
  } finally {
    check.destroy()
  }
}

describe('Redis down or hung', () => {
  afterAll(() => redis.destroy())

  it('started while Redis is down: send fails SEND_FAILED retriable (a timeout); the consumer retries, then handles the backlog', async () => {
    await redis.up()
    const stream = `down.${catalog.resources.person.topic}`
    const early = publisherOn('down')
    const backlog: string[] = []
    for (let i = 0; i < 20; i++) {
      const e = event()
      await early.publishEvent(e)
      backlog.push(e.id)
    }
    await early.disconnect()
    await redis.down()

    const publisher = publisherOn('down')
    const handled: string[] = []
    const errors: unknown[] = []
    const consumer = consumerOf({ destinations: [stream], group: 'g', consumer: 'c' }, handled, errors)
    const idle = consumerOf({ destinations: [stream], group: 'idle', consumer: 'c' }, [], [])
    try {
      // start() does not throw for a Redis that is not there: it reports it and keeps trying.
      await consumer.start()
      expect(errors.length).toBeGreaterThan(0)
      expect(errors.every(isTimeout), String(errors)).toBe(true)
      // A consumer started and stopped while Redis is down settles: nothing hangs.
      await idle.start()
      await idle.stop()
      await expect(idle.closed).resolves.toBeUndefined()

      const sent = await failure(publisher.publishEvent(event()))
      expect(isContractError(sent, 'SEND_FAILED')).toBe(true)
      expect(sent?.retriable).toBe(true)
      expect(sent?.cause).toBeInstanceOf(RedisTimeoutError) // it gave up after timeoutMs, connecting
      const batch = await failure(
        publisher.publishBatch([{ resource: 'person', action: 'update', content: {} as never }]),
      )
      expect(isContractError(batch, 'EVENT_INVALID')).toBe(true) // validation first, down or not

      await until('the consumer tried again', () => errors.length >= 3)
      expect(handled).toEqual([])

      await redis.up()
      await until('the backlog handled', () => handled.length >= backlog.length)
      expect(handled).toEqual(backlog) // in stream order, each once
      const later = event()
      await publisher.publishEvent(later) // the publisher recovered by itself
      await until('the later event handled', () => handled.includes(later.id))
      await untilAsync('nothing pending', async () => (await pendingOf(stream, 'g')) === 0)
    } finally {
      await consumer.stop()
      await idle.stop()
      await publisher.disconnect()
    }
    await expect(consumer.closed).resolves.toBeUndefined()
  })

  it('sends given up while Redis is down are never written once it is back: a timeout drops every unwritten command', async () => {
    if (!(await answers())) await redis.up()
    const stream = `unsent.${catalog.resources.person.topic}`
    const publisher = publisherOn('unsent')
    const check = createClient({ url, socket: { reconnectStrategy: () => 50 } })
    check.on('error', () => undefined)
    try {
      const before = event()
      await publisher.publishEvent(before) // connected
      await redis.down()
      // Both wait in node-redis' offline queue; when the first's time is up, the second is dropped with it.
      const [one, two] = [event(), event()]
      const first = failure(publisher.publishEvent(one))
      await new Promise((r) => setTimeout(r, TIMEOUT / 3))
      const second = failure(publisher.publishEvent(two))
      const [a, b] = await Promise.all([first, second])
      for (const e of [a, b]) {
        expect(isContractError(e, 'SEND_FAILED')).toBe(true)
        expect(e?.retriable).toBe(true)
        expect(callOf(e?.cause)).toBe('XADD')
      }
      expect((a?.cause as RedisTimeoutError).after).toBeUndefined() // its own time was up
      expect((b?.cause as RedisTimeoutError).after?.call).toBe('XADD') // dropped with the first
      expect(b?.message).toMatch(/not sent, given up with XADD: no answer in 300 ms/)

      await redis.up()
      const later = event()
      // The publisher reconnects by itself (with backoff: a send may fail until it has).
      await untilAsync('a send after the restart', () =>
        publisher.publishEvent(later).then(
          () => true,
          () => false,
        ),
      )
      await check.connect()
      const ids = ((await check.xRange(stream, '-', '+')) ?? []).map(
        (e) => (JSON.parse(e.message.data as string) as Event).id,
      )
      // Neither given-up send was written after the reconnect.
      expect(ids).not.toContain(one.id)
      expect(ids).not.toContain(two.id)
      expect(ids[0]).toBe(before.id)
      expect(ids).toContain(later.id)
      expect(ids.filter((id) => id !== later.id)).toEqual([before.id])
    } finally {
      await publisher.disconnect()
      if (check.isOpen) check.destroy()
    }
  })

  it('a hung server (SIGSTOP): XADD, MULTI/EXEC, XACK, XREADGROUP BLOCK, XAUTOCLAIM, XGROUP time out; stop() settles; all goes on after SIGCONT', async () => {
    if (!(await answers())) await redis.up() // up already when the test above ran
    const stream = `hung.${catalog.resources.person.topic}`
    const publisher = publisherOn('hung')
    const sent: string[] = []
    for (let i = 0; i < 5; i++) {
      const e = event()
      await publisher.publishEvent(e)
      sent.push(e.id)
    }
    const on = (group: string, more: Partial<Options> = {}) => {
      const handled: string[] = []
      const errors: unknown[] = []
      return {
        handled,
        errors,
        calls: () => errors.map(callOf),
        options: { destinations: [stream], group, consumer: `${group}1`, ...more },
      }
    }

    // idle: blocked in XREADGROUP BLOCK when the server hangs; claiming: XAUTOCLAIM every 50 ms.
    const idle = on('idle', { start: 'new' })
    const claiming = on('claiming', { start: 'new', claimIdleMs: 60_000, claimIntervalMs: 50 })
    // a: its first handler call hangs the server, so the acknowledgement that follows gets no answer.
    const a = on('a')
    const b = on('b')
    const own = createClient({ url }) as RedisClient
    own.on('error', () => undefined)
    await own.connect()
    const consumers = [
      consumerOf(idle.options, idle.handled, idle.errors),
      consumerOf(claiming.options, claiming.handled, claiming.errors),
      consumerOf(a.options, a.handled, a.errors, () => {
        if (a.handled.length === 1) redis.pause()
      }),
    ]
    let later: ReturnType<typeof consumerOf>[] = []
    try {
      for (const c of consumers) await c.start()
      await until('the XACK timed out', () => a.calls().includes('XACK'))
      expect(a.handled).toEqual(sent) // handled, not acknowledged
      await until('the blocking read timed out', () => idle.calls().includes('XREADGROUP BLOCK'))
      await until('XAUTOCLAIM timed out', () => claiming.calls().includes('XAUTOCLAIM'))

      const one = await failure(publisher.publishEvent(event()))
      expect(isContractError(one, 'SEND_FAILED')).toBe(true)
      expect(one?.retriable).toBe(true)
      expect(callOf(one?.cause)).toBe('XADD')
      const content = JSON.parse(eventMessage('person', 'update').value).resource.content as never
      const many = await failure(publisher.publishBatch([{ resource: 'person', action: 'update', content }]))
      expect(isContractError(many, 'SEND_FAILED')).toBe(true)
      expect(many?.retriable).toBe(true)
      expect(callOf(many?.cause)).toBe('MULTI/EXEC')

      // A consumer started on the hung server with a connected client: XGROUP CREATE times out, start() returns.
      const bc = createRedisTopicConsumer({
        catalog,
        client: own,
        blockMs: 200,
        timeoutMs: TIMEOUT,
        destinations: [stream],
        group: 'b',
        consumer: 'b1',
        start: 'earliest',
        handle: (e) => void b.handled.push(e.event.id),
        onError: (e) => void b.errors.push(e),
      })
      later = [bc]
      await bc.start()
      expect(b.calls()).toEqual(['XGROUP CREATE'])

      // Every error on the way was a timeout naming its call.
      for (const x of [idle, claiming, a, b]) expect(x.errors.every(isTimeout), String(x.errors)).toBe(true)

      // stop() on the hung server settles; what a1 handled and could not acknowledge stays pending for it.
      for (const c of consumers) await c.stop()
      for (const c of consumers) await expect(c.closed).resolves.toBeUndefined()

      redis.resume()
      await until('b handled the stream', () => sent.every((id) => b.handled.includes(id)))
      // a1 comes back under its name: whatever of its entries is still pending (XACKs that timed out may have
      // reached the server all the same) is handled again, then acknowledged.
      const a2 = consumerOf(a.options, a.handled, a.errors)
      later.push(a2)
      await a2.start()
      await untilAsync('a acknowledged everything', async () => (await pendingOf(stream, 'a')) === 0)
      await untilAsync('b acknowledged everything', async () => (await pendingOf(stream, 'b')) === 0)
    } finally {
      redis.resume()
      for (const c of [...consumers, ...later]) await c.stop()
      await publisher.disconnect()
      own.destroy()
    }
  })
})
