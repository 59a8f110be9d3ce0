/**
 * Group commit over any sink: while one send is in flight, what other requests hand over waits, and then goes in one
 * `sendBatch`. Under load, many concurrent requests cost the transport one round trip instead of one each (a Kafka
 * producer with one request in flight per broker would otherwise queue them one by one); alone, a request is sent
 * at once. Each caller's promise settles with the batch that carried its messages: a failure fails every request in
 * it (none is told it was published when it was not), and order is kept (queue order, one batch at a time). Batches
 * are capped in bytes and messages, so that coalescing never makes a request the transport refuses for its size.
 */
import type { OutboundMessage, Sink } from '../core/index.ts'

export interface CoalesceOptions {
  /** Value bytes per coalesced batch (a request over it is sent alone). Default 512 KiB. */
  readonly maxBytes?: number
  /** Messages per coalesced batch. Default 1000. */
  readonly maxMessages?: number
}

export const COALESCE_DEFAULTS = { maxBytes: 512 * 1024, maxMessages: 1000 } as const

interface Waiting {
  readonly messages: readonly OutboundMessage[]
  readonly bytes: number
  readonly resolve: () => void
  readonly reject: (e: unknown) => void
}

const bytesOf = (messages: readonly OutboundMessage[]) => {
  let n = 0
  for (const m of messages) n += m.value.length + m.key.length
  return n
}

export function coalescingSink(sink: Sink, options: CoalesceOptions = {}): Sink<void, void> {
  const maxBytes = options.maxBytes ?? COALESCE_DEFAULTS.maxBytes
  const maxMessages = options.maxMessages ?? COALESCE_DEFAULTS.maxMessages
  const queue: Waiting[] = []
  let sending = false

  /** The next batch: at least one request, then more while they fit. */
  function take(): Waiting[] {
    const batch: Waiting[] = [queue.shift() as Waiting]
    let bytes = (batch[0] as Waiting).bytes
    let count = (batch[0] as Waiting).messages.length
    while (queue.length) {
      const next = queue[0] as Waiting
      if (bytes + next.bytes > maxBytes || count + next.messages.length > maxMessages) break
      batch.push(queue.shift() as Waiting)
      bytes += next.bytes
      count += next.messages.length
    }
    return batch
  }

  async function drain(): Promise<void> {
    sending = true
    try {
      while (queue.length) {
        const batch = take()
        const messages =
          batch.length === 1 ? (batch[0] as Waiting).messages : batch.flatMap((w) => w.messages)
        try {
          if (messages.length === 1) await sink.send(messages[0] as OutboundMessage)
          else await sink.sendBatch(messages)
          for (const w of batch) w.resolve()
        } catch (e) {
          for (const w of batch) w.reject(e)
        }
      }
    } finally {
      sending = false
    }
  }

  const enqueue = (messages: readonly OutboundMessage[]): Promise<void> => {
    if (messages.length === 0) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      queue.push({ messages, bytes: bytesOf(messages), resolve, reject })
      if (!sending) void drain()
    })
  }

  return {
    send: (m) => enqueue([m]),
    sendBatch: (ms) => enqueue(ms),
    ...(sink.connect ? { connect: () => (sink.connect as () => Promise<void>)() } : {}),
    ...(sink.close ? { close: () => (sink.close as () => Promise<void>)() } : {}),
  }
}
