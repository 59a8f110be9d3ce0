/** Exponential backoff: how long to wait before attempt `attempt + 1` (attempt counts from 1). */
export interface RetryOptions {
  /** Retries after the first attempt (handler failures only; infrastructure is retried until it answers). */
  retries: number
  initialMs: number
  maxMs: number
}

export const RETRY_DEFAULTS: RetryOptions = { retries: 3, initialMs: 100, maxMs: 5000 }

export function backoff(
  attempt: number,
  { initialMs, maxMs }: Pick<RetryOptions, 'initialMs' | 'maxMs'>,
): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1))
}

/** Resolves after `ms`, or early (false) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false)
  return new Promise((resolve) => {
    const done = (completed: boolean) => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      resolve(completed)
    }
    const onAbort = () => done(false)
    const timer = setTimeout(() => done(true), ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
