/**
 * An in-memory transport: a bus of append-only destinations with consumer groups, behind the same ports as Kafka.
 * For tests (the pipeline tests run on it as on the real broker) and for in-process buses (assimilator's internal
 * one). Order per destination is append order; a group's committed offset moves only after `process` said done.
 */
import {
  createPipeline,
  deadLetterTopic,
  destinationsOf,
  handlerDispatcher,
  settleOnce,
  sleep,
  type Catalog,
  type CloudEventAttribute,
  type Control,
  type DeadLetterReason,
  type Dispatcher,
  type EventConsumer,
  type HandleAllOptions,
  type HandleBatchOptions,
  topicDispatcher,
  type HandlersOptions,
  type InboundMessage,
  type PipelineConsumerOptions,
  type Sink,
} from '../../core/index.ts'

/** One stored message. */
export interface MemoryRecord {
  readonly destination: string
  readonly offset: number
  readonly key: string | null
  /** JSON text, or bytes (a framed value: Confluent's wire format). */
  readonly value: string | Uint8Array | null
  /** CloudEvents attributes by name (`type`, `id`, …), as a transport carries them. */
  readonly attributes: Readonly<Partial<Record<CloudEventAttribute, string>>>
  readonly headers: Readonly<Record<string, string>>
  /** Set on dead letters: why, and where the original was. */
  readonly deadLetter?: DeadLetterReason & { origin: string; offset: number; group: string }
}

export interface MemoryPosition {
  offset: number
}

/** A message as the memory transport delivers it. */
export class MemoryMessage implements InboundMessage {
  constructor(readonly record: MemoryRecord) {}
  get origin(): string {
    return this.record.destination
  }
  get value(): string | Uint8Array | null {
    return this.record.value
  }
  get offset(): number {
    return this.record.offset
  }
  get key(): string | null {
    return this.record.key
  }
  attribute(name: CloudEventAttribute): string | undefined {
    return this.record.attributes[name]
  }
}

export type MemoryStart = 'committed' | 'earliest' | 'latest' | { offsets: Readonly<Record<string, number>> }

export interface MemoryCommonOptions<C extends Catalog> extends PipelineConsumerOptions<C, MemoryMessage> {
  group: string
  /** Where a group without a committed offset starts; `earliest` by default. */
  start?: MemoryStart
}

export type MemoryConsumerOptions<C extends Catalog> = MemoryCommonOptions<C> &
  HandlersOptions<C, MemoryMessage>
export type MemoryTopicConsumerOptions<C extends Catalog> = MemoryCommonOptions<C> &
  HandleAllOptions<C, MemoryMessage>
/** A topic consumer whose valid events go to `handleBatch`, up to `batchSize` at a time. */
export type MemoryBatchConsumerOptions<C extends Catalog> = MemoryCommonOptions<C> &
  HandleBatchOptions<C, MemoryMessage>

export interface MemoryBus {
  readonly sink: Sink<MemoryPosition, MemoryPosition[]>
  /** Everything a destination holds, in order. */
  records(destination: string): readonly MemoryRecord[]
  /** Appends a raw message (a test's poison, another producer's bytes). */
  append(
    destination: string,
    message: Omit<MemoryRecord, 'destination' | 'offset' | 'attributes' | 'headers'> &
      Partial<Pick<MemoryRecord, 'attributes' | 'headers'>>,
  ): MemoryPosition
  /** The next offset the group will read on a destination (its committed position). */
  committed(group: string, destination: string): number | undefined
  consumer<C extends Catalog>(options: MemoryConsumerOptions<C>): MemoryConsumer
  topicConsumer<C extends Catalog>(options: MemoryTopicConsumerOptions<C>): MemoryConsumer
  /** Valid events to `handleBatch`, up to `batchSize` consecutive ones of a destination at a time. */
  batchConsumer<C extends Catalog>(options: MemoryBatchConsumerOptions<C>): MemoryConsumer
}

export interface MemoryConsumer extends EventConsumer {
  /** Resolves once the consumer has processed everything its destinations hold now (or has stopped). */
  idle(): Promise<void>
}

export function createMemoryBus(): MemoryBus {
  const logs = new Map<string, MemoryRecord[]>()
  const commits = new Map<string, Map<string, number>>()
  let wake = new AbortController() // aborted (and replaced) on every append: wakes idle consumers

  const log = (destination: string) => {
    let l = logs.get(destination)
    if (!l) logs.set(destination, (l = []))
    return l
  }

  function append(destination: string, m: Parameters<MemoryBus['append']>[1]): MemoryPosition {
    const l = log(destination)
    const record: MemoryRecord = {
      attributes: {},
      headers: {},
      ...m,
      destination,
      offset: l.length,
    }
    l.push(record)
    wake.abort()
    wake = new AbortController()
    return { offset: record.offset }
  }

  const sink: Sink<MemoryPosition, MemoryPosition[]> = {
    async send(m) {
      return append(m.destination, {
        key: m.key,
        value: m.value,
        attributes: m.attributes,
        headers: { ...m.headers },
      })
    },
    async sendBatch(messages) {
      return messages.map((m) =>
        append(m.destination, {
          key: m.key,
          value: m.value,
          attributes: m.attributes,
          headers: { ...m.headers },
        }),
      )
    },
  }

  function runner<C extends Catalog>(
    options: MemoryCommonOptions<C>,
    destinations: string[],
    dispatcher: Dispatcher<C, MemoryMessage>,
  ): MemoryConsumer {
    const abort = new AbortController()
    let idleWaiters: (() => void)[] = []
    const wakeIdle = () => {
      const waiting = idleWaiters
      idleWaiters = []
      for (const resolve of waiting) resolve()
    }
    const lifecycle = settleOnce()
    let groupCommits = commits.get(options.group)
    if (!groupCommits) commits.set(options.group, (groupCommits = new Map()))
    const committed = groupCommits
    let loop: Promise<void> | undefined
    let stopping: Promise<void> | undefined
    let fatal: unknown

    const pipeline = createPipeline({
      ...options,
      dispatcher,
      deadLetters: {
        async send(message, reason) {
          const destination = deadLetterTopic(message.origin)
          const r = message.record
          append(destination, {
            key: r.key,
            value: r.value,
            attributes: r.attributes,
            headers: r.headers,
            deadLetter: { ...reason, origin: r.destination, offset: r.offset, group: options.group },
          })
          return destination
        },
      },
      onFatal: (error) => {
        fatal = error
        abort.abort()
      },
    })
    const control: Control = { signal: abort.signal, wait: (ms) => sleep(ms, abort.signal) }

    function startAt(destination: string): number {
      const start = options.start ?? 'committed'
      if (typeof start === 'object') return start.offsets[destination] ?? 0
      if (start === 'latest') return log(destination).length
      if (start === 'earliest') return 0
      return committed.get(destination) ?? 0
    }

    async function run(): Promise<void> {
      for (const d of destinations) committed.set(d, startAt(d))
      while (!abort.signal.aborted) {
        let progressed = false
        for (const d of destinations) {
          const offset = committed.get(d) ?? 0
          const record = log(d)[offset]
          if (!record) continue
          const size = dispatcher.batch?.size
          if (size !== undefined) {
            // A batch consumer: what the destination holds from here, up to `size` records.
            const records = log(d).slice(offset, offset + size)
            const done = await pipeline.processMany(
              records.map((r) => new MemoryMessage(r)),
              control,
            )
            committed.set(d, offset + done)
            if (done < records.length) return
          } else {
            if (!(await pipeline.process(new MemoryMessage(record), control))) return
            committed.set(d, offset + 1)
          }
          progressed = true
          if (abort.signal.aborted) return
        }
        if (!progressed) {
          wakeIdle()
          await sleep(60_000, AbortSignal.any([abort.signal, wake.signal]))
        }
      }
    }

    /** True when every destination has been read to its end. */
    const caughtUp = () => destinations.every((d) => (committed.get(d) ?? 0) >= log(d).length)

    return {
      destinations,
      closed: lifecycle.closed,
      async start() {
        if (loop) throw new TypeError('start() may be called once')
        if (abort.signal.aborted) throw new TypeError('start() after stop()')
        loop = run().then(
          () => (fatal === undefined ? undefined : Promise.reject(fatal)),
          (e: unknown) => Promise.reject(e),
        )
        loop.then(
          () => lifecycle.resolve(),
          (e: unknown) => lifecycle.reject(e),
        )
        void loop.catch(() => undefined).finally(wakeIdle)
      },
      idle() {
        if (abort.signal.aborted || (loop && caughtUp())) return Promise.resolve()
        return new Promise<void>((resolve) => idleWaiters.push(resolve))
      },
      stop() {
        wakeIdle()
        stopping ??= (async () => {
          abort.abort()
          if (loop) await loop.catch(() => undefined)
          else lifecycle.resolve() // never started: nothing to wait for
        })()
        return stopping
      },
    }
  }

  return {
    sink,
    records: (destination) => log(destination),
    append,
    committed: (group, destination) => commits.get(group)?.get(destination),
    consumer(options) {
      const destinations = destinationsOf(options.catalog, options.handlers, options.topicPrefix)
      if (destinations.length === 0) throw new TypeError('memory consumer: no handlers for any resource')
      return runner(options, destinations, handlerDispatcher(options.handlers))
    },
    topicConsumer(options) {
      if (options.destinations.length === 0) throw new TypeError('memory consumer: no destinations')
      return runner(options, [...options.destinations], topicDispatcher(options))
    },
    batchConsumer(options) {
      if (options.destinations.length === 0) throw new TypeError('memory consumer: no destinations')
      return runner(options, [...options.destinations], topicDispatcher(options))
    },
  }
}
