import { deadLetterTopic, type ContractErrorCode, type Issue } from '../core/index.ts'
import type { Headers, InboundMessage, OutboundMessage, ProducerPort } from './ports.ts'

/** Headers a dead letter carries on top of the original message's own. */
export const DLQ_HEADERS = {
  code: 'dlq_error_code',
  message: 'dlq_error_message',
  issues: 'dlq_issues',
  topic: 'dlq_original_topic',
  partition: 'dlq_original_partition',
  offset: 'dlq_original_offset',
  timestamp: 'dlq_original_timestamp',
  group: 'dlq_consumer_group',
  attempts: 'dlq_attempts',
} as const

/** Why a message was dead-lettered. */
export interface DeadLetterReason {
  code: ContractErrorCode
  message: string
  issues: readonly Issue[]
  /** Handler calls made (HANDLER_FAILED only). */
  attempts?: number
}

export interface DeadLetter extends DeadLetterReason {
  topic: string
  partition: number
  offset: string
  deadLetterTopic: string
}

/** The dead-letter topic of a topic: `<topic>.dlq` unless configured. */
export type DeadLetterTopic = string | ((topic: string) => string)
export const deadLetterTopicOf = (option: DeadLetterTopic | undefined, topic: string): string =>
  option === undefined ? deadLetterTopic(topic) : typeof option === 'string' ? option : option(topic)

const MAX_ISSUES = 100
const MAX_MESSAGE = 1000

/** The dead letter: the original key, value and headers, plus the reason and where the message came from. */
export function deadLetterMessage(
  source: { topic: string; partition: number; message: InboundMessage },
  reason: DeadLetterReason,
  groupId: string,
): OutboundMessage {
  const { topic, partition, message } = source
  const headers: Headers = {
    ...message.headers,
    [DLQ_HEADERS.code]: reason.code,
    [DLQ_HEADERS.message]: reason.message.slice(0, MAX_MESSAGE),
    [DLQ_HEADERS.issues]: JSON.stringify(reason.issues.slice(0, MAX_ISSUES)),
    [DLQ_HEADERS.topic]: topic,
    [DLQ_HEADERS.partition]: String(partition),
    [DLQ_HEADERS.offset]: message.offset,
    [DLQ_HEADERS.timestamp]: message.timestamp,
    [DLQ_HEADERS.group]: groupId,
  }
  if (reason.attempts !== undefined) headers[DLQ_HEADERS.attempts] = String(reason.attempts)
  return { key: message.key, value: message.value, headers }
}

/** Sends one dead letter with acks from all in-sync replicas; throws when Kafka does not take it. */
export async function sendDeadLetter(
  producer: ProducerPort,
  deadLetterTopic: string,
  message: OutboundMessage,
): Promise<void> {
  await producer.send({ topic: deadLetterTopic, acks: -1, messages: [message] })
}
