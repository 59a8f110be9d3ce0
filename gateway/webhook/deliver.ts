/**
 * One POST to a webhook, signed with Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`: the `standardwebhooks` package), bounded by a timeout, and judged: a 2xx is delivered; a
 * timeout, a refused connection, a 5xx, 429 or 408 may succeed later (a DeliveryError with the Retry-After it gave);
 * any other answer will not (`permanent`). Redirects are not followed: a signed payload goes where it was sent.
 */
import { Webhook } from 'standardwebhooks'
import { sleep } from '../../core/index.ts'

export interface DeliveryOptions {
  readonly url: string
  /** The Standard Webhooks secret: `whsec_` and base64 (the receiver verifies with the same). */
  readonly secret: string
  /** Per attempt. Default 10 s. */
  readonly timeoutMs?: number
  readonly fetch?: typeof fetch
  readonly now?: () => Date
}

/** One message to POST: its id (the same on every attempt, so the receiver can de-duplicate), body and type. */
export interface WebhookMessage {
  readonly id: string
  readonly body: string
  readonly contentType: string
}

/** A delivery that failed; read by the kernel's retry loop (`retryAfterMs`, `permanent`: see core RetryAdvice). */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError'
  readonly status: number | undefined
  readonly retryAfterMs: number | undefined
  readonly permanent: boolean
  constructor(
    message: string,
    options: { status?: number; retryAfterMs?: number; permanent: boolean; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.status = options.status
    this.retryAfterMs = options.retryAfterMs
    this.permanent = options.permanent
  }
}

export const DELIVERY_DEFAULTS = { timeoutMs: 10_000 } as const

/** A secret the signer takes, or a TypeError saying what one looks like (checked once, at start). */
export function checkSecret(secret: string, what: string): void {
  try {
    new Webhook(secret)
  } catch {
    throw new TypeError(`${what}: not a Standard Webhooks secret (whsec_ followed by base64)`)
  }
  if (secret.replace(/^whsec_/, '').length < 16)
    throw new TypeError(`${what}: the secret is too short (at least 16 base64 characters)`)
}

/** Retry-After: seconds, or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (header === null || header.trim() === '') return undefined
  const text = header.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime())
}

/** Where a request went, for messages: origin and path, never the query (webhook URLs often carry a token there). */
export const shown = (url: string): string => {
  try {
    const u = new URL(url)
    return `${u.origin}${u.pathname}`
  } catch {
    return '(invalid URL)'
  }
}

export type Deliver = (message: WebhookMessage) => Promise<void>

export function createDelivery(options: DeliveryOptions): Deliver {
  const { url, timeoutMs = DELIVERY_DEFAULTS.timeoutMs, now = () => new Date() } = options
  const doFetch = options.fetch ?? fetch
  checkSecret(options.secret, `webhook ${shown(url)}`)
  const signer = new Webhook(options.secret)
  const where = shown(url)
  return async ({ id, body, contentType }) => {
    const at = now()
    const headers = {
      'content-type': contentType,
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign(id, at, body),
    }
    let res: Response
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (e) {
      const timedOut = (e as Error).name === 'TimeoutError'
      const reason = timedOut
        ? `no answer within ${timeoutMs} ms`
        : (((e as Error).cause as Error | undefined)?.message ?? (e as Error).message)
      throw new DeliveryError(`POST ${where}: ${reason}`, { permanent: false, cause: e })
    }
    // What the receiver says is not ours to keep, and its size is not ours to trust: discard it unread.
    await res.body?.cancel().catch(() => undefined)
    if (res.status >= 200 && res.status < 300) return
    const retriable = res.status >= 500 || res.status === 429 || res.status === 408
    throw new DeliveryError(`POST ${where} answered ${res.status}`, {
      status: res.status,
      retryAfterMs: retriable ? retryAfterMs(res.headers.get('retry-after'), now()) : undefined,
      permanent: !retriable,
    })
  }
}

export interface RetryPolicy {
  readonly attempts: number
  readonly initialMs: number
  readonly maxMs: number
  /** A Retry-After longer than this is not waited for: the failure is reported at once. */
  readonly maxRetryAfterMs: number
}

/**
 * `deliver`, tried up to `attempts` times with exponential backoff (a Retry-After, when given, is the least wait):
 * what the gateway does within a request. Throws the last DeliveryError, its message saying how many attempts.
 */
export async function deliverWithRetries(
  deliver: Deliver,
  message: WebhookMessage,
  policy: RetryPolicy,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deliver(message)
    } catch (e) {
      if (!(e instanceof DeliveryError)) throw e
      const wait = Math.max(
        Math.min(policy.maxMs, policy.initialMs * 2 ** (attempt - 1)),
        e.retryAfterMs ?? 0,
      )
      if (e.permanent || attempt >= policy.attempts || wait > policy.maxRetryAfterMs)
        throw new DeliveryError(`${e.message} (attempt ${attempt} of ${policy.attempts})`, {
          status: e.status,
          retryAfterMs: e.retryAfterMs,
          permanent: e.permanent,
          cause: e,
        })
      await sleep(wait)
    }
  }
}
