/**
 * The timeout on every Redis call of this adapter, covering the answer and not only the write: node-redis' own
 * command timeout (`commandOptions.timeout`, 5 s by default) stops counting once a command is written, so a command
 * written to a server that then stops answering (hung, paused, a network that drops packets) would wait forever.
 * It replaces node-redis' timeout rather than adding to it (see `timedCommands`): that one is an
 * `AbortSignal.timeout` and a listener per command, about as many instructions as the rest of an XADD round trip
 * in this process (`scripts/bench/redis-instructions.sh`: a raw XADD with it 185k; our publish, encoder included,
 * 127k without). What node-redis' timeout also did, dropping a command still waiting to be written (Redis
 * down, a connection that takes no writes) so that it is not sent after its caller was told it failed, `signal`
 * does: it is aborted when any call times out, dropping every command still unwritten then, and a new one serves
 * the calls made after.
 *
 * One timer serves every call in flight: calls are kept in a list ordered by deadline, and the timer is set for
 * the earliest one. A call that settles in time only leaves the list; it does not set or clear a timer of its own
 * (a setTimeout and clearTimeout pair per call cost more than the rest of a publish besides the encoder). The timer
 * is unref'd, as node-redis' own timeouts are: a call in flight has a socket or a reconnect timer keeping the
 * process alive, and a process with nothing else to do is not kept up to 5 s after its last call.
 */
import { setMaxListeners } from 'node:events'
import { AbortError } from 'redis'

/** A call Redis did not answer in time; `call` names it (`XACK`, `XREADGROUP BLOCK`, `connecting to Redis`, …). */
export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError'
  constructor(
    readonly call: string,
    readonly timeoutMs: number,
    /** Set when this call was never written: dropped because this earlier call had no answer in time. */
    readonly after?: RedisTimeoutError,
  ) {
    super(
      after ? `${call}: not sent, given up with ${after.message}` : `${call}: no answer in ${timeoutMs} ms`,
    )
  }
}

/** One call in flight: a node of the list, until it settles or times out. */
class Call {
  prev: Call | undefined = undefined
  next: Call | undefined = undefined
  /** In the list: not settled, not timed out. */
  live = true
  constructor(
    readonly deadline: number,
    readonly ms: number,
    readonly what: string,
    readonly reject: (e: unknown) => void,
    /** The abort signal its command was made with. */
    readonly signal: AbortSignal,
  ) {}
}

/**
 * A controller whose signal takes any number of listeners: node-redis adds one per command waiting to be written,
 * and a burst (a batch of publishes made in one tick, sends during an outage) must not bring Node's warning about a
 * listener leak (they leave once written).
 */
function signalling(): AbortController {
  const c = new AbortController()
  setMaxListeners(0, c.signal)
  return c
}

export class Deadlines {
  #head: Call | undefined = undefined
  #tail: Call | undefined = undefined
  #timer: NodeJS.Timeout | undefined = undefined
  /** The deadline the timer is set for (Infinity: no timer). */
  #armedFor = Infinity
  #controller = signalling()

  /**
   * The abort signal to make commands with (node-redis' `abortSignal`): aborted when a call times out, with that
   * call's RedisTimeoutError as its reason. Read it for each command: after an abort it is a new one.
   */
  get signal(): AbortSignal {
    return this.#controller.signal
  }

  /**
   * `p`'s outcome, or a RedisTimeoutError naming `what` when `p` has not settled `ms` after this call. A reply that
   * comes later is dropped (node-redis reads it; a rejection that comes later is handled here, never unhandled).
   * `p` is a command made with `signal` as it is now; when an earlier call's timeout dropped it unwritten
   * (node-redis' AbortError), it rejects with a RedisTimeoutError saying so.
   */
  race<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call = new Call(performance.now() + ms, ms, what, reject, this.#controller.signal)
      this.#insert(call)
      p.then(
        (value) => {
          this.#remove(call)
          resolve(value)
        },
        (e: unknown) => {
          this.#remove(call)
          const reason: unknown = call.signal.reason
          reject(
            e instanceof AbortError && reason instanceof RedisTimeoutError
              ? new RedisTimeoutError(what, ms, reason)
              : e,
          )
        },
      )
    })
  }

  /** Calls in flight (for tests). */
  get size(): number {
    let n = 0
    for (let c = this.#head; c; c = c.next) n++
    return n
  }

  #insert(call: Call): void {
    // Calls of one timeout come in deadline order: the new one almost always goes last.
    let after = this.#tail
    while (after !== undefined && after.deadline > call.deadline) after = after.prev
    call.prev = after
    call.next = after === undefined ? this.#head : after.next
    if (call.next) call.next.prev = call
    else this.#tail = call
    if (after) after.next = call
    else this.#head = call
    if (call.deadline < this.#armedFor) this.#arm(call.deadline)
  }

  #remove(call: Call): void {
    if (!call.live) return
    call.live = false
    if (call.prev) call.prev.next = call.next
    else this.#head = call.next
    if (call.next) call.next.prev = call.prev
    else this.#tail = call.prev
    call.prev = call.next = undefined
    // The timer stays: when it fires for a call that is gone, it is set again for the earliest left, if any.
  }

  #arm(deadline: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#armedFor = deadline
    this.#timer = setTimeout(this.#sweep, Math.max(1, Math.ceil(deadline - performance.now())))
    this.#timer.unref()
  }

  readonly #sweep = (): void => {
    this.#timer = undefined
    this.#armedFor = Infinity
    const now = performance.now()
    let first: RedisTimeoutError | undefined
    for (let c = this.#head; c !== undefined && c.deadline <= now; c = this.#head) {
      this.#remove(c)
      const e = new RedisTimeoutError(c.what, c.ms)
      first ??= e
      c.reject(e)
    }
    if (first) {
      // Commands still unwritten now are dropped; the ones made from here on get the new signal.
      const aborted = this.#controller
      this.#controller = signalling()
      aborted.abort(first)
    }
    if (this.#head) this.#arm(this.#head.deadline)
  }
}
