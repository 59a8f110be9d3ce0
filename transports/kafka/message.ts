import type { CloudEventAttribute, InboundMessage } from '../../core/index.ts'
import { headerText, type Headers, type KafkaRecord } from './ports.ts'

/** CloudEvents Kafka protocol binding, binary mode: attribute `type` is header `ce_type`. */
export const CE_PREFIX = 'ce_'
export const CE_HEADER: Record<CloudEventAttribute, string> = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  time: 'ce_time',
  dataschema: 'ce_dataschema',
  datacontenttype: 'content-type',
}

/**
 * A Kafka record as the pipeline and handlers see it: where it came from (topic, partition, offset), its key,
 * timestamp and headers, and its CloudEvents attributes read from the `ce_` headers. One small object per record.
 */
export class KafkaMessage implements InboundMessage {
  /** `type` is read twice per message (routing, then the agreement check): decoded once. */
  private type: string | undefined | null = null
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly record: KafkaRecord,
  ) {}
  get origin(): string {
    return this.topic
  }
  get value(): Buffer | null {
    return this.record.value
  }
  get offset(): string {
    return this.record.offset
  }
  get key(): Buffer | null {
    return this.record.key
  }
  get timestamp(): string {
    return this.record.timestamp
  }
  get headers(): Headers {
    return this.record.headers ?? {}
  }
  attribute(name: CloudEventAttribute): string | undefined {
    if (name !== 'type') return headerText(this.record.headers, CE_HEADER[name])
    if (this.type === null) this.type = headerText(this.record.headers, CE_HEADER.type)
    return this.type
  }
}
