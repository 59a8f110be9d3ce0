import type { CloudEventAttribute, InboundMessage } from '../../core/index.ts'

/** The entry field holding the envelope JSON, and the one holding the partition key. */
export const DATA_FIELD = 'data'
export const KEY_FIELD = 'key'

/**
 * A stream entry as the pipeline and handlers see it: its stream, its id, and its fields; the CloudEvents
 * attributes are fields of the same names (`type`, `dataschema`, …), the envelope is `data`.
 */
export class RedisMessage implements InboundMessage {
  constructor(
    readonly stream: string,
    readonly id: string,
    readonly fields: Readonly<Record<string, string>>,
  ) {}
  get origin(): string {
    return this.stream
  }
  get value(): string | null {
    return this.fields[DATA_FIELD] ?? null
  }
  get key(): string | null {
    return this.fields[KEY_FIELD] ?? null
  }
  attribute(name: CloudEventAttribute): string | undefined {
    return this.fields[name]
  }
}
