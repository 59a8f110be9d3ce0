import { deadLetterTopic, type DeadLetterPort, type DeadLetterReason } from '../../core/index.ts'
import type { RedisClient } from './client.ts'
import type { RedisMessage } from './message.ts'

/** Fields a dead letter carries on top of the original entry's own. */
export const DLQ_FIELDS = {
  code: 'dlq_error_code',
  message: 'dlq_error_message',
  issues: 'dlq_issues',
  stream: 'dlq_original_stream',
  id: 'dlq_original_id',
  group: 'dlq_consumer_group',
  attempts: 'dlq_attempts',
} as const

/** The dead-letter stream of a stream: `<stream>.dlq` unless configured. */
export type DeadLetterStream = string | ((stream: string) => string)
export const deadLetterStreamOf = (option: DeadLetterStream | undefined, stream: string): string =>
  option === undefined ? deadLetterTopic(stream) : typeof option === 'string' ? option : option(stream)

const MAX_ISSUES = 100
const MAX_MESSAGE = 1000

/** The dead letter's fields: the original entry's, plus the reason and where it came from. */
export function deadLetterFields(
  message: RedisMessage,
  reason: DeadLetterReason,
  group: string,
): Record<string, string> {
  const fields: Record<string, string> = {
    ...message.fields,
    [DLQ_FIELDS.code]: reason.code,
    [DLQ_FIELDS.message]: reason.summary.slice(0, MAX_MESSAGE),
    [DLQ_FIELDS.issues]: JSON.stringify(reason.issues.slice(0, MAX_ISSUES)),
    [DLQ_FIELDS.stream]: message.stream,
    [DLQ_FIELDS.id]: message.id,
    [DLQ_FIELDS.group]: group,
  }
  if (reason.attempts !== undefined) fields[DLQ_FIELDS.attempts] = String(reason.attempts)
  return fields
}

/** Dead letters on Redis: one XADD (never trimmed); rejects when Redis does not take it (the pipeline retries). */
export function redisDeadLetters(
  client: RedisClient,
  group: string,
  streamOption?: DeadLetterStream,
): DeadLetterPort<RedisMessage> {
  return {
    async send(message, reason) {
      const stream = deadLetterStreamOf(streamOption, message.stream)
      await client.xAdd(stream, '*', deadLetterFields(message, reason, group))
      return stream
    },
  }
}
