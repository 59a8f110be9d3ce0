/**
 * The inbound pipeline, one per consumer, whatever the transport: decode, validate, accepted version range,
 * dispatch, handler retries, dead letter. It does not know how messages arrive; a transport's runner (Kafka
 * batches and commits, Redis XREADGROUP and XACK, an in-memory array) calls `process` for each message in order
 * and commits or acknowledges it only when `process` says it is done.
 */
import { acceptsVersion, type Accept } from './accept.ts'
import type { Catalog } from './catalog.ts'
import { decode, type Decoded, type DecodedEvent } from './decode.ts'
import type { Dispatcher, EventHandler, HandlerOutcome, MessageContext, RetryHooks } from './dispatch.ts'
import { retryHandler, runHandler } from './dispatch.ts'
import { ContractError, type ContractErrorCode, type Issue } from './errors.ts'
import type { InboundMessage, SchemaIdPort, SchemaLookupPort } from './ports.ts'
import { backoff, RETRY_DEFAULTS, type RetryOptions } from './retry.ts'
import { createSchemaIdSource } from './schema-ids.ts'
import { createSchemaSource } from './schema-source.ts'

/** Why a message was dead-lettered. */
export interface DeadLetterReason {
  code: ContractErrorCode
  /** One line for people: the first issue and how many more, or the handler's error. */
  summary: string
  issues: readonly Issue[]
  /** Handler calls made (HANDLER_FAILED only). */
  attempts?: number
}

/** A dead letter that was sent: the reason, the original message and where it went. */
export interface DeadLetter<M extends InboundMessage = InboundMessage> extends DeadLetterReason {
  /** The message that was dead-lettered, as its transport delivered it (as in a handler's context). */
  message: M
  deadLetterDestination: string
}

/**
 * Where invalid and failed messages go: the transport writes the original (key, value, headers) plus the reason,
 * and resolves once the transport has it (then the original may be committed). Resolves to the destination.
 */
export interface DeadLetterPort<M extends InboundMessage> {
  send(message: M, reason: DeadLetterReason): Promise<string>
}

/** Something went wrong and is being tried again: a handler, the registry, or sending a dead letter. */
export interface RetryInfo<M extends InboundMessage = InboundMessage> {
  reason: 'handler' | 'registry' | 'dead-letter'
  message: M
  attempt: number
  delayMs: number
  error: unknown
}

export interface PipelineOptions<C extends Catalog, M extends InboundMessage> {
  catalog: C
  dispatcher: Dispatcher<C, M>
  deadLetters: DeadLetterPort<M>
  /** Resolves schema URIs that are not in the catalog. Without it they are unknown (dead letter). */
  registry?: SchemaLookupPort | undefined
  /**
   * Resolves the schema ids of Confluent-framed values, so that each must agree with the schema its id names.
   * Without it a frame's id is not looked at. Unframed values never need it.
   */
  schemaIds?: SchemaIdPort | undefined
  /** Validators compiled from registry schemas kept in memory (and, apart, schemas per frame id). Default 100. */
  schemaCacheSize?: number | undefined
  /** Accepted schema versions per resource; others are dead-lettered with VERSION_NOT_ACCEPTED. */
  accept?: Accept<C> | undefined
  /** Handler retries; the same backoff paces retries of a registry that is down and of dead-letter sends. */
  retry?: Partial<RetryOptions> | undefined
  /**
   * Handler failures in a row (each after its retries, each dead-lettered) after which `onFatal` is called with
   * ContractError TOO_MANY_ERRORS: something is wrong beyond one message (a database down), and a supervisor
   * restarting the process is better than dead-lettering everything. Default 10; Infinity never stops.
   * Invalid messages do not count: they are the producer's fault, not this consumer's.
   */
  maxConsecutiveErrors?: number | undefined
  onDeadLetter?: ((deadLetter: DeadLetter<M>) => void) | undefined
  onRetry?: ((info: RetryInfo<M>) => void) | undefined
  /** Called once when the consumer must stop (TOO_MANY_ERRORS). */
  onFatal: (error: ContractError) => void
}

/** How the runner lets the pipeline wait: `wait` sleeps (heartbeating, where the transport needs it). */
export interface Control {
  readonly signal: AbortSignal
  /** Resolves true after `ms`, false when stop() came first. */
  wait(ms: number): Promise<boolean>
}

export interface Pipeline<M extends InboundMessage> {
  /**
   * True when the message is done with (handled, skipped or dead-lettered) and may be committed; false when stop()
   * came first and it must stay uncommitted. Never rejects for bad data. A plain boolean when nothing had to wait
   * (a catalog schema and a handler that returned without a promise): the runner need not await it.
   */
  process(message: M, control: Control): boolean | Promise<boolean>
  /**
   * For a batch dispatcher: consecutive messages of one destination, in order. Invalid ones are dead-lettered, the
   * valid ones go to the batch handler together (retried as one; when it keeps failing, each is dead-lettered).
   * Resolves to how many leading messages are done and may be committed: all of them, unless stop() came first.
   */
  processMany(messages: readonly M[], control: Control): Promise<number>
}

export const PIPELINE_DEFAULTS = { maxConsecutiveErrors: 10, schemaCacheSize: 100 } as const

export function createPipeline<C extends Catalog, M extends InboundMessage>(
  options: PipelineOptions<C, M>,
): Pipeline<M> {
  const { catalog, dispatcher, deadLetters } = options
  const retry: RetryOptions = { ...RETRY_DEFAULTS, ...options.retry }
  const maxConsecutiveErrors = options.maxConsecutiveErrors ?? PIPELINE_DEFAULTS.maxConsecutiveErrors
  if (!(maxConsecutiveErrors >= 1)) throw new TypeError('maxConsecutiveErrors must be at least 1')
  const max = options.schemaCacheSize ?? PIPELINE_DEFAULTS.schemaCacheSize
  const decodeOptions = {
    schemas: options.registry && createSchemaSource(options.registry, { max }),
    schemaIds: options.schemaIds && createSchemaIdSource(options.schemaIds, { max }),
    accepts: options.accept && acceptsVersion(options.accept as Record<string, string>),
  }
  let consecutiveErrors = 0

  /**
   * After infrastructure (registry, dead-letter transport) failed once: waits with backoff and tries again until
   * it answers. Undefined when stop() comes first. The first try is the caller's, outside this loop: no closure
   * and no extra await on the happy path.
   */
  async function retryUntilAvailable<T>(
    reason: 'registry' | 'dead-letter',
    message: M,
    fn: () => Promise<T>,
    control: Control,
    firstError: unknown,
  ): Promise<T | undefined> {
    let error = firstError
    for (let attempt = 1; ; attempt++) {
      const delayMs = backoff(attempt, retry)
      options.onRetry?.({ reason, message, attempt, delayMs, error })
      if (!(await control.wait(delayMs))) return undefined
      try {
        return await fn()
      } catch (e) {
        error = e
      }
    }
  }

  async function deadLetter(message: M, reason: DeadLetterReason, control: Control): Promise<boolean> {
    const send = () => deadLetters.send(message, reason)
    let destination: string | undefined
    try {
      destination = await send()
    } catch (e) {
      destination = await retryUntilAvailable('dead-letter', message, send, control, e)
    }
    if (destination === undefined) return false
    options.onDeadLetter?.({ ...reason, message, deadLetterDestination: destination })
    return true
  }

  /**
   * The decoded message, synchronously for every catalog URI; a promise for a registry look-up, which resolves to
   * undefined when stop() came while the registry was down.
   */
  function decodeOrWait(message: M, control: Control): Decoded<C> | Promise<Decoded<C> | undefined> {
    try {
      const d = decode(catalog, message, decodeOptions)
      return d instanceof Promise ? d.catch((e: unknown) => waitForRegistry(message, control, e)) : d
    } catch (e) {
      return waitForRegistry(message, control, e)
    }
  }

  /** Only infrastructure throws in decode (a registry that is down): ask again until it answers or we stop. */
  function waitForRegistry(message: M, control: Control, error: unknown) {
    return retryUntilAvailable(
      'registry',
      message,
      async () => decode(catalog, message, decodeOptions),
      control,
      error,
    )
  }

  const invalid = (message: M, decoded: Decoded<C> & { ok: false }, control: Control) =>
    deadLetter(
      message,
      { code: decoded.code, summary: summary(decoded.issues), issues: decoded.issues },
      control,
    )

  /** After a handler's last attempt: the dead letter, then the count of failures in a row. */
  async function handlerFailed(
    message: M,
    error: unknown,
    attempts: number,
    control: Control,
  ): Promise<boolean> {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    const reason: DeadLetterReason = { code: 'HANDLER_FAILED', summary: text, issues: [], attempts }
    if (!(await deadLetter(message, reason, control))) return false
    if (++consecutiveErrors >= maxConsecutiveErrors) {
      const tooMany = `${consecutiveErrors} handler failures in a row; last: ${text}`
      options.onFatal(new ContractError('TOO_MANY_ERRORS', tooMany, [], { cause: error }))
    }
    return true
  }

  /**
   * Synchronous up to the handler's result: no promise of ours per message unless something has to wait (a registry
   * look-up, a handler's promise, a retry, a dead letter).
   */
  function process(message: M, control: Control): boolean | Promise<boolean> {
    if (!dispatcher.wants(message.attribute('type'))) return true
    const decoded = decodeOrWait(message, control)
    if (decoded instanceof Promise)
      return decoded.then((d) => (d === undefined ? false : dispatch(message, d, control)))
    return dispatch(message, decoded, control)
  }

  function dispatch(message: M, decoded: Decoded<C>, control: Control): boolean | Promise<boolean> {
    if (!decoded.ok) return invalid(message, decoded, control)
    const handle = dispatcher.handlerFor(decoded.value)
    if (!handle) return true
    const context: MessageContext<M> = { message, attempt: 1, version: decoded.value.version }
    let r: void | Promise<void>
    try {
      r = handle(decoded.value, context)
    } catch (error) {
      return retryOrDeadLetter(message, handle, decoded.value, context, control, error)
    }
    if (r === undefined || typeof (r as { then?: unknown }).then !== 'function') {
      consecutiveErrors = 0
      return true
    }
    return Promise.resolve(r).then(
      () => {
        consecutiveErrors = 0
        return true
      },
      (error: unknown) => retryOrDeadLetter(message, handle, decoded.value, context, control, error),
    )
  }

  /** After a handler's first call failed: its retries, then the dead letter. */
  async function retryOrDeadLetter(
    message: M,
    handle: EventHandler<C, M>,
    event: DecodedEvent<C>,
    context: MessageContext<M>,
    control: Control,
    error: unknown,
  ): Promise<boolean> {
    const hooks: RetryHooks<M> = {
      signal: control.signal,
      wait: (ms) => control.wait(ms),
      onRetry: (ctx, delayMs, err) =>
        options.onRetry?.({ reason: 'handler', message, attempt: ctx.attempt, delayMs, error: err }),
    }
    const outcome: HandlerOutcome = await retryHandler(handle, event, context, retry, hooks, error)
    if (outcome.ok) {
      consecutiveErrors = 0
      return true
    }
    if (outcome.aborted) return false
    return handlerFailed(message, outcome.error, outcome.attempts, control)
  }

  async function processMany(messages: readonly M[], control: Control): Promise<number> {
    const batch = dispatcher.batch
    if (!batch) throw new TypeError('processMany needs a batch dispatcher')
    const valid: { message: M; event: DecodedEvent<C>; index: number }[] = []
    /** Leading messages done before the first valid one: what may be committed if the batch does not finish. */
    let leading = 0
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i] as M
      const done = leading === i && valid.length === 0
      if (!dispatcher.wants(message.attribute('type'))) {
        if (done) leading++
        continue
      }
      const d = decodeOrWait(message, control)
      const decoded = d instanceof Promise ? await d : d
      if (decoded === undefined) return leading
      if (decoded.ok) valid.push({ message, event: decoded.value, index: i })
      else if (!(await invalid(message, decoded, control))) return leading
      else if (done) leading++
    }
    if (valid.length === 0) return messages.length
    const contexts = valid.map(({ message, event }) => ({ message, attempt: 1, version: event.version }))
    const events = valid.map((v) => v.event)
    const first = valid[0] as (typeof valid)[number]
    // The batch as one call of the single-event retry loop (backoff, RetryAdvice, stop()), its attempt passed on.
    const asOne: EventHandler<C, M> = (_event, ctx) =>
      batch.handle(
        events,
        contexts.map((c) => ({ ...c, attempt: ctx.attempt })),
      )
    const hooks: RetryHooks<M> = {
      signal: control.signal,
      wait: (ms) => control.wait(ms),
      onRetry: (ctx, delayMs, err) =>
        options.onRetry?.({
          reason: 'handler',
          message: first.message,
          attempt: ctx.attempt,
          delayMs,
          error: err,
        }),
    }
    const outcome = await runHandler(asOne, first.event, contexts[0] as MessageContext<M>, retry, hooks)
    if (outcome.ok) {
      consecutiveErrors = 0
      return messages.length
    }
    if (outcome.aborted) return leading
    for (const v of valid)
      if (!(await handlerFailed(v.message, outcome.error, outcome.attempts, control))) return v.index
    return messages.length
  }

  return { process, processMany }
}

/** One line for a dead letter's reason: the first issue and how many more. */
export function summary(issues: readonly Issue[]): string {
  const first = issues[0]
  if (!first) return 'invalid'
  const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : ''
  return `${first.path || '/'}: ${first.message}${more}`
}
