/**
 * Which kafkajs failures may succeed if tried again. kafkajs marks an error `retriable: false` once its own retries
 * ran out (KafkaJSNumberOfRetriesExceeded, sometimes wrapped again in KafkaJSNonRetriableError), even when the
 * reason was a broker restarting or a leader moving: for the caller, that send may well succeed in a moment. So
 * the innermost cause decides, not the wrapper. kafkajs types stay in this folder.
 */
import kafkajs from 'kafkajs'
import { ContractError, isContractError } from '../../core/index.ts'

// kafkajs is CommonJS and spreads its error classes into its exports: named imports of them fail under Node's ESM.
const { KafkaJSError, KafkaJSProtocolError } = kafkajs

/** The network, a broker that is not there (yet), a request that timed out or waited behind one that did. */
const TRANSIENT = [
  kafkajs.KafkaJSConnectionError, // and KafkaJSConnectionClosedError
  kafkajs.KafkaJSRequestTimeoutError,
  kafkajs.KafkaJSBrokerNotFound,
  kafkajs.KafkaJSMetadataNotLoaded, // and KafkaJSTopicMetadataNotLoaded
  kafkajs.KafkaJSStaleTopicMetadataAssignment,
  kafkajs.KafkaJSLockTimeout, // the idempotent producer's per-broker lock, held by a send to a broker that went away
]

/** Leadership and availability answers that kafkajs' table does not all mark retriable (BROKER_NOT_AVAILABLE). */
const LEADERSHIP = new Set([
  'NOT_LEADER_FOR_PARTITION', // NOT_LEADER_OR_FOLLOWER since Kafka 2.6
  'LEADER_NOT_AVAILABLE',
  'BROKER_NOT_AVAILABLE',
  'REPLICA_NOT_AVAILABLE',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'NOT_CONTROLLER',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
])

/** The error at the bottom of a `cause` chain (bounded: a chain that loops stops). */
function innermost(error: unknown): unknown {
  let e = error
  for (let i = 0; i < 10 && e instanceof Error && e.cause instanceof Error && e.cause !== e; i++) e = e.cause
  return e
}

/** The broker refused a batch for its idempotence numbers: not written, and a new producer starts afresh. */
const SEQUENCE = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH'])

export interface RetriableOptions {
  /** The failed producer is replaced before the next send (the sink's own): sequence errors pass too. */
  freshProducer?: boolean
}

/** Whether trying again later may succeed: connection, timeout and leadership failures, retries exhausted or not. */
export function isRetriableKafkaError(
  error: unknown,
  { freshProducer = false }: RetriableOptions = {},
): boolean {
  const e = innermost(error)
  if (TRANSIENT.some((type) => e instanceof type)) return true
  if (e instanceof KafkaJSProtocolError)
    return LEADERSHIP.has(e.type) || (freshProducer && SEQUENCE.has(e.type)) || e.retriable
  // kafkajs' own verdict on its other errors; another client's error may say so too.
  if (e instanceof KafkaJSError) return e.retriable
  return typeof e === 'object' && e !== null && (e as { retriable?: unknown }).retriable === true
}

/** A kafkajs failure as the publisher reports it: SEND_FAILED, retriable as isRetriableKafkaError says. */
export function kafkaSendFailed(
  cause: unknown,
  message: string,
  options: RetriableOptions = {},
): ContractError {
  if (isContractError(cause, 'SEND_FAILED')) return cause
  const reason = cause instanceof Error ? `: ${cause.message}` : ''
  return new ContractError('SEND_FAILED', message + reason, [], {
    cause,
    retriable: isRetriableKafkaError(cause, options),
  })
}
