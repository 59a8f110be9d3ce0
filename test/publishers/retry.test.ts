/**
 * The publisher's optional bounded retry (kernel, any transport): retriable SEND_FAILED is tried again with backoff
 * until `maxElapsedMs`; anything else, or no `retry`, rejects at once.
 */
import { vi, describe, expect, it } from 'vitest'
import { ContractError, createPublisher, type OutboundMessage, type Sink } from '../../core/index.ts'
import { catalog } from '../../generated/index.ts'
import { createRedisPublisher } from '../../transports/redis/index.ts'
import { freePort } from '../helpers/own-kafka.ts'
import { person } from './fixtures.ts'

const down = () => new ContractError('SEND_FAILED', 'broker down', [], { retriable: true })
const tooLarge = () => new ContractError('SEND_FAILED', 'message too large', [], { retriable: false })

/** A sink that fails with `failures` in turn, then takes everything. */
function flakySink(...failures: ContractError[]) {
  const queue = [...failures]
  const next = async <T>(value: T): Promise<T> => {
    const failure = queue.shift()
    if (failure) throw failure
    return value
  }
  const send = vi.fn((m: OutboundMessage) => next({ offset: m.id }))
  const sendBatch = vi.fn((ms: readonly OutboundMessage[]) => next(ms.length))
  const sink: Sink<{ offset: string }, number> = { send, sendBatch }
  return { sink, send, sendBatch }
}

const publisherOn = (
  sink: Sink<{ offset: string }, number>,
  retry?: { maxElapsedMs: number; initialMs?: number },
) => createPublisher({ catalog, sink, source: 'urn:it:retry', retry })

const rejection = async (p: Promise<unknown>): Promise<ContractError> => {
  try {
    await p
  } catch (e) {
    return e as ContractError
  }
  throw new Error('expected a rejection')
}

describe('publisher retry', () => {
  it('tries a retriable failure again until the transport takes the event', async () => {
    const f = flakySink(down(), down())
    const sent = await publisherOn(f.sink, { maxElapsedMs: 10_000, initialMs: 1 }).publish(
      'person',
      'create',
      person,
    )
    expect(sent.position).toEqual({ offset: sent.id })
    expect(f.send).toHaveBeenCalledTimes(3)
    // The same event each time: same id, same bytes.
    expect(new Set(f.send.mock.calls.map(([m]) => m.value)).size).toBe(1)
  })

  it('retries a batch the same way', async () => {
    const f = flakySink(down())
    const batch = await publisherOn(f.sink, { maxElapsedMs: 10_000, initialMs: 1 }).publishBatch([
      { resource: 'person', action: 'create', content: person },
    ])
    expect(batch.positions).toBe(1)
    expect(f.sendBatch).toHaveBeenCalledTimes(2)
  })

  it.each([
    { name: 'without retry', retry: undefined, failure: down(), retriable: true },
    {
      name: 'a failure that is not retriable',
      retry: { maxElapsedMs: 10_000, initialMs: 1 },
      failure: tooLarge(),
      retriable: false,
    },
  ])('$name: rejects after one attempt', async ({ retry, failure, retriable }) => {
    const f = flakySink(failure)
    const e = await rejection(publisherOn(f.sink, retry).publish('person', 'create', person))
    expect([e.code, e.retriable, e.message]).toEqual(['SEND_FAILED', retriable, failure.message])
    expect(f.send).toHaveBeenCalledTimes(1)
  })

  it('gives up after maxElapsedMs with the last failure, still retriable', async () => {
    const f = flakySink(...Array.from({ length: 1000 }, down))
    const e = await rejection(
      publisherOn(f.sink, { maxElapsedMs: 50, initialMs: 5 }).publish('person', 'create', person),
    )
    expect([e.code, e.retriable]).toEqual(['SEND_FAILED', true])
    expect(e.message).toMatch(/^broker down \(gave up after \d+ attempts in \d+ ms\)$/)
    expect(f.send.mock.calls.length).toBeGreaterThanOrEqual(2)
  })

  it('disconnect() ends the wait of a retry in progress', async () => {
    const f = flakySink(...Array.from({ length: 1000 }, down))
    const publisher = publisherOn(f.sink, { maxElapsedMs: 600_000, initialMs: 600_000 })
    const pending = rejection(publisher.publish('person', 'create', person))
    await vi.waitFor(() => expect(f.send).toHaveBeenCalledTimes(1))
    await publisher.disconnect()
    const e = await pending
    expect([e.code, e.retriable]).toEqual(['SEND_FAILED', true])
    expect(e.message).toMatch(/gave up after 1 attempts/)
  })

  it.each([{ maxElapsedMs: -1 }, { maxElapsedMs: Number.NaN }, { maxElapsedMs: 1000, initialMs: Infinity }])(
    'refuses retry %o',
    (retry) => {
      expect(() => publisherOn(flakySink().sink, retry)).toThrow(/^retry\.\w+ must be a finite number >= 0/)
    },
  )

  it('Redis publishers get it too: a server that is not there is retried, then reported', async () => {
    const publisher = createRedisPublisher({
      catalog,
      url: `redis://127.0.0.1:${await freePort()}`,
      source: 'urn:it:retry',
      timeoutMs: 100,
      retry: { maxElapsedMs: 300, initialMs: 20 },
    })
    try {
      const e = await rejection(publisher.publish('person', 'create', person))
      expect([e.code, e.retriable]).toEqual(['SEND_FAILED', true])
      expect(e.message).toMatch(/\(gave up after \d+ attempts in \d+ ms\)$/)
      expect(Number(/after (\d+) attempts/.exec(e.message)?.[1])).toBeGreaterThanOrEqual(2)
    } finally {
      await publisher.disconnect()
    }
  })
})
