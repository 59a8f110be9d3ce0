import { catalog, topicOf, type Action, type AnyEventOf, type ResourceName } from '../core/index.ts'
import type { DecodedEvent } from './decode.ts'
import type { Headers } from './ports.ts'
import { backoff, sleep, type RetryOptions } from './retry.ts'

/** Where a message came from, and how many times its handler has been called (1 on the first call). */
export interface MessageContext {
  topic: string
  partition: number
  offset: string
  key: Buffer | null
  timestamp: string
  headers: Headers
  attempt: number
  /** The schema version of the event (from the catalog or the canonical URI). */
  version: number | undefined
}

export type Handler<R extends ResourceName, A extends Action> = (
  event: AnyEventOf<R, A>,
  context: MessageContext,
) => void | Promise<void>

/** Handlers per resource and action: `{ 'time-entry': { create(event) {…}, delete(event) {…} } }`. */
export type Handlers = { readonly [R in ResourceName]?: { readonly [A in Action]?: Handler<R, A> } }

/** What the consumer calls for one decoded event. */
export type EventHandler = (event: DecodedEvent, context: MessageContext) => void | Promise<void>

/** How a consumer picks handlers: by the `ce_type` header before parsing, then by the decoded event. */
export interface Dispatcher {
  /** False when a `ce_type` header names an event nobody handles: skipped without parsing. */
  wants(type: string | undefined): boolean
  handlerFor(event: DecodedEvent): EventHandler | undefined
}

/**
 * The catalog topics of the resources that have handlers, with the environment prefix (core's topicOf, the rule
 * the publishers follow too).
 */
export function topicsOf(handlers: Handlers, prefix?: string): string[] {
  const names = (Object.keys(handlers) as ResourceName[]).filter(
    (r) => r in catalog && handlers[r] !== undefined,
  )
  return [...new Set(names.map((r) => topicOf(r, prefix)))]
}

export function handlerDispatcher(handlers: Handlers): Dispatcher {
  const table = new Map<string, EventHandler>()
  for (const [resource, actions] of Object.entries(handlers) as [
    string,
    Record<string, unknown> | undefined,
  ][]) {
    for (const [action, fn] of Object.entries(actions ?? {}))
      // The one cast: decode() has checked the event against the schema its URI names, which is what AnyEventOf says.
      if (typeof fn === 'function')
        table.set(`${resource}.${action}`, (e, ctx) => (fn as EventHandler)(e.event as never, ctx))
  }
  return {
    wants: (type) => type === undefined || table.has(type),
    handlerFor: (e) => (e.name === undefined ? undefined : table.get(`${e.name}.${e.event.action}`)),
  }
}

/** Every valid event to one function (the CLI, generic tools): nothing is skipped. */
export function allEvents(handle: EventHandler): Dispatcher {
  return { wants: () => true, handlerFor: () => handle }
}

export type HandlerOutcome = { ok: true } | { ok: false; error: unknown; attempts: number; aborted: boolean }

/** How runHandler waits between attempts and reports them; made once per batch, not per message. */
export interface RetryHooks {
  signal?: AbortSignal
  wait?: (ms: number, signal?: AbortSignal) => Promise<boolean>
  onRetry?: (context: MessageContext, delayMs: number, error: unknown) => void
}

const HANDLED: HandlerOutcome = { ok: true }

/**
 * Calls a handler (context.attempt 1), retrying failures with exponential backoff. An abort (stop()) lets the
 * running call finish but starts no new attempt: the outcome is `aborted`, and the message stays uncommitted.
 */
export async function runHandler(
  handle: EventHandler,
  event: DecodedEvent,
  context: MessageContext,
  retry: RetryOptions,
  hooks: RetryHooks = {},
): Promise<HandlerOutcome> {
  try {
    await handle(event, context)
    return HANDLED
  } catch (error) {
    return retryHandler(handle, event, context, retry, hooks, error)
  }
}

/** The retries after a first failed call (the consumer makes the first call itself, without a promise of ours). */
export async function retryHandler(
  handle: EventHandler,
  event: DecodedEvent,
  context: MessageContext,
  retry: RetryOptions,
  { signal, wait = sleep, onRetry }: RetryHooks,
  firstError: unknown,
): Promise<HandlerOutcome> {
  let error = firstError
  for (let ctx = context; ;) {
    const attempts = ctx.attempt
    if (attempts > retry.retries) return { ok: false, error, attempts, aborted: false }
    const delay = backoff(attempts, retry)
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
