import {
  indexCatalog,
  type Action,
  type AnyEventOf,
  type BaseEnvelope,
  type Catalog,
  type ResourceOf,
} from './catalog.ts'
import { eventType } from './cloudevents.ts'
import type { DecodedEvent } from './decode.ts'
import type { InboundMessage } from './ports.ts'
import { backoff, sleep, type RetryOptions } from './retry.ts'
import { prefixed } from './topics.ts'

/** Where a message came from (the transport's own message), and how many times its handler has been called. */
export interface MessageContext<M extends InboundMessage = InboundMessage> {
  /** The transport's message: Kafka's has topic, partition, offset, key, timestamp and headers; Redis' its id. */
  message: M
  /** 1 on the first call. */
  attempt: number
  /** The schema version of the event (from the catalog or the canonical URI). */
  version: number | undefined
}

export type Handler<
  C extends Catalog,
  R extends ResourceOf<C>,
  A extends Action,
  M extends InboundMessage,
> = (event: AnyEventOf<C, R, A>, context: MessageContext<M>) => void | Promise<void>

/** Handlers per resource and action: `{ 'time-entry': { create(event) {…}, delete(event) {…} } }`. */
export type Handlers<C extends Catalog, M extends InboundMessage = InboundMessage> = {
  readonly [R in ResourceOf<C>]?: { readonly [A in Action]?: Handler<C, R, A, M> }
}

/** What the pipeline calls for one decoded event. */
export type EventHandler<C extends Catalog, M extends InboundMessage = InboundMessage> = (
  event: DecodedEvent<C>,
  context: MessageContext<M>,
) => void | Promise<void>

/**
 * What the pipeline calls for several consecutive valid events of one destination (a partition, a stream) at once,
 * in order, with each one's context (the same `attempt` for all). It succeeds or fails as a whole.
 */
export type BatchHandler<C extends Catalog, M extends InboundMessage = InboundMessage> = (
  events: readonly DecodedEvent<C>[],
  contexts: readonly MessageContext<M>[],
) => void | Promise<void>

/** How a consumer picks handlers: by the `type` attribute before parsing, then by the decoded event. */
export interface Dispatcher<C extends Catalog, M extends InboundMessage = InboundMessage> {
  /** False when a `type` attribute names an event nobody handles: skipped without parsing. */
  wants(type: string | undefined): boolean
  handlerFor(event: DecodedEvent<C>): EventHandler<C, M> | undefined
  /**
   * Set for a batch consumer: the runner hands the pipeline up to `size` consecutive messages of one destination at
   * a time (`processMany`) and the valid ones go to `handle` together.
   */
  readonly batch?: { readonly size: number; readonly handle: BatchHandler<C, M> }
}

/** The destinations of the resources that have handlers, with the environment prefix (the publishers' rule). */
export function destinationsOf<C extends Catalog>(
  catalog: C,
  handlers: Handlers<C, never>,
  prefix?: string,
): string[] {
  const index = indexCatalog(catalog)
  const names = Object.keys(handlers).filter(
    (r) => index.resource(r) !== undefined && (handlers as Record<string, unknown>)[r] !== undefined,
  )
  return [...new Set(names.map((r) => prefixed(index.resource(r)?.topic as string, prefix)))]
}

export function handlerDispatcher<C extends Catalog, M extends InboundMessage>(
  handlers: Handlers<C, M>,
): Dispatcher<C, M> {
  /** By `type` attribute, for routing before parsing; and by resource then action, with no string built per event. */
  const types = new Set<string>()
  const table = new Map<string, Map<string, EventHandler<C, M>>>()
  for (const [resource, actions] of Object.entries(handlers) as [
    string,
    Record<string, unknown> | undefined,
  ][]) {
    for (const [action, fn] of Object.entries(actions ?? {}))
      // The one cast: decode() has checked the event against the schema its URI names, which is what AnyEventOf says.
      if (typeof fn === 'function') {
        types.add(eventType(resource, action))
        let byAction = table.get(resource)
        if (!byAction) table.set(resource, (byAction = new Map()))
        byAction.set(action, (e, ctx) => (fn as EventHandler<C, M>)(e.event as never, ctx))
      }
  }
  return {
    wants: (type) => type === undefined || types.has(type),
    handlerFor: (e) =>
      e.name === undefined ? undefined : table.get(e.name)?.get((e.event as BaseEnvelope).action),
  }
}

/** Every valid event to one function (the CLI, generic tools): nothing is skipped. */
export function allEvents<C extends Catalog, M extends InboundMessage>(
  handle: EventHandler<C, M>,
): Dispatcher<C, M> {
  return { wants: () => true, handlerFor: () => handle }
}

/** Every valid event to one function, up to `size` at a time (webhook batches, bulk writes): nothing is skipped. */
export function batchEvents<C extends Catalog, M extends InboundMessage>(
  handle: BatchHandler<C, M>,
  size: number,
): Dispatcher<C, M> {
  if (!(Number.isInteger(size) && size >= 1)) throw new TypeError(`batchSize must be at least 1, got ${size}`)
  return { wants: () => true, handlerFor: () => undefined, batch: { size, handle } }
}

export type HandlerOutcome = { ok: true } | { ok: false; error: unknown; attempts: number; aborted: boolean }

/** How the handler retries wait between attempts and report them; made once per batch, not per message. */
export interface RetryHooks<M extends InboundMessage = InboundMessage> {
  signal?: AbortSignal
  wait?: (ms: number, signal?: AbortSignal) => Promise<boolean>
  onRetry?: (context: MessageContext<M>, delayMs: number, error: unknown) => void
}

const HANDLED: HandlerOutcome = { ok: true }

/**
 * Calls a handler (context.attempt 1), retrying failures with exponential backoff. An abort (stop()) lets the
 * running call finish but starts no new attempt: the outcome is `aborted`, and the message stays uncommitted.
 */
export async function runHandler<C extends Catalog, M extends InboundMessage>(
  handle: EventHandler<C, M>,
  event: DecodedEvent<C>,
  context: MessageContext<M>,
  retry: RetryOptions,
  hooks: RetryHooks<M> = {},
): Promise<HandlerOutcome> {
  try {
    await handle(event, context)
    return HANDLED
  } catch (error) {
    return retryHandler(handle, event, context, retry, hooks, error)
  }
}

/**
 * What a handler's error may say about trying again, read from the error itself, whatever its class:
 * `retryAfterMs`, the least wait before the next attempt (a webhook's Retry-After), and `permanent: true`, no further
 * attempt (trying again cannot help: the message is dead-lettered at once).
 */
export interface RetryAdvice {
  readonly retryAfterMs?: number
  readonly permanent?: boolean
}

function adviceOf(error: unknown): { retryAfterMs: number; permanent: boolean } {
  if (typeof error !== 'object' || error === null) return { retryAfterMs: 0, permanent: false }
  const { retryAfterMs, permanent } = error as RetryAdvice
  return {
    retryAfterMs: typeof retryAfterMs === 'number' && retryAfterMs > 0 ? retryAfterMs : 0,
    permanent: permanent === true,
  }
}

/** The retries after a first failed call (the pipeline makes the first call itself, without a promise of ours). */
export async function retryHandler<C extends Catalog, M extends InboundMessage>(
  handle: EventHandler<C, M>,
  event: DecodedEvent<C>,
  context: MessageContext<M>,
  retry: RetryOptions,
  { signal, wait = sleep, onRetry }: RetryHooks<M>,
  firstError: unknown,
): Promise<HandlerOutcome> {
  let error = firstError
  for (let ctx = context; ;) {
    const attempts = ctx.attempt
    const advice = adviceOf(error)
    if (attempts > retry.retries || advice.permanent) return { ok: false, error, attempts, aborted: false }
    const delay = Math.max(backoff(attempts, retry), advice.retryAfterMs)
    onRetry?.(ctx, delay, error)
    if (signal?.aborted || !(await wait(delay, signal))) return { ok: false, error, attempts, aborted: true }
    ctx = { ...ctx, attempt: attempts + 1 }
    try {
      await handle(event, ctx)
      return HANDLED
    } catch (e) {
      error = e
    }
  }
}
