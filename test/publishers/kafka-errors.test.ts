/**
 * Which kafkajs failures the Kafka sink reports as retriable. The wrapped ones are built by kafkajs' own retrier,
 * so they are exactly what a producer throws once its retries ran out (test/kafka/publisher-restart.test.ts shows
 * them on a real broker that restarts).
 */
import { createRequire } from 'node:module'
import kafkajs from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { isRetriableKafkaError, kafkaSendFailed } from '../../transports/kafka/index.ts'

type Retrier = (fn: () => Promise<never>) => Promise<never>
const createRetry = createRequire(import.meta.url)('kafkajs/src/retry') as (options: object) => Retrier

/** What kafkajs throws when `failure` keeps happening until its retries run out. */
async function afterRetries(failure: Error): Promise<unknown> {
  const retry = createRetry({ retries: 1, initialRetryTime: 1, maxRetryTime: 2 })
  return retry(() => Promise.reject(failure)).catch((e: unknown) => e)
}

const protocol = (type: string, code: number, retriable: boolean) =>
  new kafkajs.KafkaJSProtocolError(
    Object.assign(new Error(`${type} from the broker`), { type, code, retriable }),
  )
/** kafkajs exports it, but its types do not declare it. */
const untyped = kafkajs as unknown as Record<string, unknown>
/** kafkajs always gives these a message, though its types declare constructors without one. */
const withMessage = (type: unknown, message: string) => new (type as new (m: string) => Error)(message)
const connection = () =>
  new kafkajs.KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9')

describe('retriable kafkajs failures', () => {
  it.each<{ name: string; retriable: boolean; make: () => unknown }>([
    { name: 'a connection error', retriable: true, make: connection },
    {
      name: 'a closed connection',
      retriable: true,
      make: () => withMessage(untyped.KafkaJSConnectionClosedError, 'Closed connection'),
    },
    {
      name: 'a request timeout',
      retriable: true,
      make: () => new kafkajs.KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out'),
    },
    {
      name: 'a broker not in the metadata',
      retriable: true,
      make: () => withMessage(kafkajs.KafkaJSBrokerNotFound, 'Broker 2 not found in the cached metadata'),
    },
    {
      name: 'topic metadata not loaded',
      retriable: true,
      make: () => new kafkajs.KafkaJSTopicMetadataNotLoaded('no metadata'),
    },
    {
      name: 'the producer lock timed out',
      retriable: true,
      make: () => withMessage(kafkajs.KafkaJSLockTimeout, 'Timeout while acquiring lock (1 waiting locks)'),
    },
    {
      name: 'NOT_LEADER_OR_FOLLOWER',
      retriable: true,
      make: () => protocol('NOT_LEADER_FOR_PARTITION', 6, true),
    },
    { name: 'LEADER_NOT_AVAILABLE', retriable: true, make: () => protocol('LEADER_NOT_AVAILABLE', 5, true) },
    {
      name: 'BROKER_NOT_AVAILABLE (kafkajs: not retriable)',
      retriable: true,
      make: () => protocol('BROKER_NOT_AVAILABLE', 8, false),
    },
    { name: 'NOT_ENOUGH_REPLICAS', retriable: true, make: () => protocol('NOT_ENOUGH_REPLICAS', 19, true) },
    { name: 'MESSAGE_TOO_LARGE', retriable: false, make: () => protocol('MESSAGE_TOO_LARGE', 10, false) },
    {
      name: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
      retriable: false,
      make: () => protocol('OUT_OF_ORDER_SEQUENCE_NUMBER', 45, false),
    },
    {
      name: 'TOPIC_AUTHORIZATION_FAILED',
      retriable: false,
      make: () => protocol('TOPIC_AUTHORIZATION_FAILED', 29, false),
    },
    {
      name: 'an invalid message',
      retriable: false,
      make: () => new kafkajs.KafkaJSNonRetriableError('Invalid message without value'),
    },
    { name: 'a TypeError', retriable: false, make: () => new TypeError('x is not a function') },
    {
      name: 'another client’s error marked retriable',
      retriable: true,
      make: () => Object.assign(new Error('busy'), { retriable: true }),
    },
    { name: 'not even an Error', retriable: false, make: () => 'boom' },
  ])('$name → retriable $retriable', ({ retriable, make }) => {
    expect(isRetriableKafkaError(make())).toBe(retriable)
  })

  it.each<{ name: string; retriable: boolean; make: () => Error }>([
    { name: 'connection errors', retriable: true, make: connection },
    {
      name: 'NOT_LEADER_OR_FOLLOWER',
      retriable: true,
      make: () => protocol('NOT_LEADER_FOR_PARTITION', 6, true),
    },
    { name: 'LEADER_NOT_AVAILABLE', retriable: true, make: () => protocol('LEADER_NOT_AVAILABLE', 5, true) },
    { name: 'MESSAGE_TOO_LARGE', retriable: false, make: () => protocol('MESSAGE_TOO_LARGE', 10, false) },
  ])('$name after kafkajs gave up retrying → retriable $retriable', async ({ retriable, make }) => {
    const thrown = await afterRetries(make())
    expect((thrown as { retriable: boolean }).retriable).toBe(false) // kafkajs' own verdict on the wrapper
    expect(isRetriableKafkaError(thrown)).toBe(retriable)
  })

  it('kafkaSendFailed: SEND_FAILED with the cause, retriable from the innermost error', async () => {
    const cause = await afterRetries(connection())
    const e = kafkaSendFailed(cause, 'Kafka did not take event 1 for t')
    expect([e.code, e.retriable, e.cause]).toEqual(['SEND_FAILED', true, cause])
    expect(e.message).toBe(
      'Kafka did not take event 1 for t: Connection error: connect ECONNREFUSED 127.0.0.1:9',
    )
    expect(kafkaSendFailed(e, 'again')).toBe(e)
  })
})
