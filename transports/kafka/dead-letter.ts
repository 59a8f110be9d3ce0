import { deadLetterTopic, type DeadLetterPort, type DeadLetterReason } from '../../core/index.ts'
import type { KafkaMessage } from './message.ts'
import type { Headers, OutboundRecord, ProducerPort } from './ports.ts'

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

/** The dead-letter topic of a topic: `<topic>.dlq` unless configured. */
export type DeadLetterTopic = string | ((topic: string) => string)
export const deadLetterTopicOf = (option: DeadLetterTopic | undefined, topic: string): string =>
  option === undefined ? deadLetterTopic(topic) : typeof option === 'string' ? option : option(topic)

const MAX_ISSUES = 100
const MAX_MESSAGE = 1000

/** The dead letter: the original key, value and headers, plus the reason and where the message came from. */
export function deadLetterRecord(
  message: KafkaMessage,
  reason: DeadLetterReason,
  groupId: string,
): OutboundRecord {
  const { record } = message
  const headers: Headers = {
    ...record.headers,
    [DLQ_HEADERS.code]: reason.code,
    [DLQ_HEADERS.message]: reason.summary.slice(0, MAX_MESSAGE),
    [DLQ_HEADERS.issues]: JSON.stringify(reason.issues.slice(0, MAX_ISSUES)),
    [DLQ_HEADERS.topic]: message.topic,
    [DLQ_HEADERS.partition]: String(message.partition),
    [DLQ_HEADERS.offset]: record.offset,
    [DLQ_HEADERS.timestamp]: record.timestamp,
    [DLQ_HEADERS.group]: groupId,
  }
  if (reason.attempts !== undefined) headers[DLQ_HEADERS.attempts] = String(reason.attempts)
  return { key: record.key, value: record.value, headers }
}

/** Dead letters on Kafka: one record, acks from all in-sync replicas; rejects when Kafka does not take it. */
export function kafkaDeadLetters(
  producer: Pick<ProducerPort, 'send'>,
  groupId: string,
  topicOption?: DeadLetterTopic,
): DeadLetterPort<KafkaMessage> {
  return {
    async send(message, reason) {
      const topic = deadLetterTopicOf(topicOption, message.topic)
      await producer.send({ topic, acks: -1, messages: [deadLetterRecord(message, reason, groupId)] })
      return topic
    },
  }
}
