/**
 * Redis restarted mid-stream, on a server of this test's own (never the shared one on 6379): AOF with
 * `appendfsync always`, so what Redis acknowledged is on disk (test/helpers/own-redis.ts); killed with SIGKILL and
 * started again on the same directory and port. Nothing acknowledged is lost, and the publisher and the consumer recover by themselves.
 */
import { createClient } from 'redis'
import { afterAll, describe, expect, it } from 'vitest'
import { isContractError } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createRedisPublisher, createRedisTopicConsumer } from '../../transports/redis/index.ts'
import { eventMessage, pause, until } from '../consumers/events.ts'
import { ownRedis } from '../helpers/own-redis.ts'
import { untilAsync } from './redis.ts'

const redis = await ownRedis()
const url = redis.url

describe('Redis restarted mid-stream', () => {
  afterAll(() => redis.destroy())

  it('loses no acknowledged event; publisher and consumer recover by themselves', async () => {
    await redis.up()
    const prefix = 'restart'
    const stream = `${prefix}.${catalog.resources.person.topic}`
    const publisher = createRedisPublisher({
      catalog,
      url,
      source: 'urn:test',
      topicPrefix: prefix,
      timeoutMs: 500,
    })
    const handled = new Set<string>()
    const errors: unknown[] = []
    const consumer = createRedisTopicConsumer({
      catalog,
      url,
      destinations: [stream],
      group: 'g',
      consumer: 'c',
      blockMs: 200,
      timeoutMs: 500,
      handle: (e) => void handled.add(e.event.id),
      onError: (e) => void errors.push(e),
    })
    await consumer.start()

    const check = createClient({ url })
    check.on('error', () => undefined)
    const acknowledged: string[] = []
    const unexpected: unknown[] = []
    let failures = 0
    let publishing = true
    const loop = (async () => {
      while (publishing) {
        const e = JSON.parse(eventMessage('person', 'update').value) as { id: string }
        try {
          await publisher.publishEvent(e)
          acknowledged.push(e.id)
        } catch (error) {
          // Collected, not asserted here: an expect() failing inside this loop would only show as a hang.
          if (!isContractError(error, 'SEND_FAILED') || !error.retriable) unexpected.push(error)
          failures++
          await pause(50)
        }
      }
    })()

    try {
      await until('200 published and some handled', () => acknowledged.length >= 200 && handled.size >= 100)
      await redis.kill()
      await pause(1000) // down for a while: sends fail (retriable), the consumer waits
      const duringOutage = acknowledged.length
      await redis.up()
      await check.connect()
      await until('200 more published after the restart', () => acknowledged.length >= duringOutage + 200)
      publishing = false
      await loop
      await until(
        'every acknowledged event handled',
        () => acknowledged.every((id) => handled.has(id)),
        20_000,
      )
      // Sends that timed out may have been written all the same: the consumer handles and acknowledges those too.
      await untilAsync('nothing pending', async () => (await check.xPending(stream, 'g')).pending === 0)
    } finally {
      publishing = false
      await loop.catch(() => undefined)
      await consumer.stop()
      await publisher.disconnect()
    }
    try {
      expect(unexpected).toEqual([])
      expect(failures).toBeGreaterThan(0) // the outage was seen
      expect(errors.length).toBeGreaterThan(0)
      // Every entry the server kept is one we acknowledged or one whose reply was lost (timed out, sent anyway).
      expect(await check.xLen(stream)).toBeGreaterThanOrEqual(acknowledged.length)
    } finally {
      if (check.isOpen) check.destroy()
    }
  })
})
