import { deadLetterTopic, type DeadLetterPort, type DeadLetterReason } from '../../core/index.ts'
import { Deadlines, REDIS_DEFAULTS, timedCommands, type RedisClient } from './client.ts'
import type { RedisMessage } from './message.ts'
import { trimOf, type MaxLen } from './sink.ts'

/**
 * How long a dead-letter stream may grow (`MAXLEN ~`) unless configured: ten times a stream's default, since dead
 * letters are rarer and wait for a person to look at them; `Infinity` never trims.
 */
export const DEFAULT_DEAD_LETTER_MAX_LEN = 100_000

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

/**
 * Dead letters on Redis: one `XADD <dlq> MAXLEN ~ n` (`maxLen` by dead-letter stream name, default
 * DEFAULT_DEAD_LETTER_MAX_LEN); rejects when Redis does not take it (the pipeline retries).
 */
export function redisDeadLetters(
  client: RedisClient,
  group: string,
  options: { stream?: DeadLetterStream; maxLen?: MaxLen; timeoutMs?: number; deadlines?: Deadlines } = {},
): DeadLetterPort<RedisMessage> {
  const timeoutMs = options.timeoutMs ?? REDIS_DEFAULTS.timeoutMs
  const deadlines = options.deadlines ?? new Deadlines()
  const commands = timedCommands(client, deadlines)
  return {
    async send(message, reason) {
      const stream = deadLetterStreamOf(options.stream, message.stream)
      const trim = trimOf(options.maxLen, stream, DEFAULT_DEAD_LETTER_MAX_LEN)
      const fields = deadLetterFields(message, reason, group)
      await deadlines.race(commands().xAdd(stream, '*', fields, trim), timeoutMs, 'XADD (dead letter)')
      return stream
    },
  }
}
