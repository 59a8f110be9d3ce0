/**
 * Where the registry's expensive steps run: off the event loop, in a pool of worker threads (piscina), each task
 * with a time budget. A task over budget is stopped (its worker is terminated and replaced) and answered
 * TOO_COMPLEX with the figure; a full queue is TOO_MANY_REQUESTS. Meanwhile the main thread serves everything else:
 * /health, cached reads, other requests.
 */
import { MessageChannel } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import { Piscina } from 'piscina'
import type {
  Admission,
  AdmissionOptions,
  Admitted,
  Candidate,
  JsonObject,
  ResourceState,
} from '../../admission/index.ts'
import type { Mode, Policy } from '../../compat/index.ts'
import { ContractError, type Issue } from '../../core/index.ts'
import { runTask, type Answers, type Outcome, type PlainAdmission, type Task } from './tasks.ts'

/** What the service hands off. */
export interface Work {
  admit(candidate: Candidate, state: ResourceState, options: AdmissionOptions): Promise<Admission<Admitted>>
  /** A plain schema (a Confluent subject that is no resource) against its subject's versions. */
  admitPlain(input: PlainAdmission): Promise<Answers['admitPlain']>
  /** `next` against earlier schemas (checkTransitive). */
  compat(
    history: readonly JsonObject[],
    next: JsonObject,
    mode: Mode,
    policy: Policy,
  ): Promise<Answers['compat']>
  types(schema: JsonObject, uri: string): Promise<string>
  /** Tasks running now (not queued): the `registry_work_running` gauge. */
  readonly running: number
  /** Tasks waiting for a worker. */
  readonly queued: number
  close(): Promise<void>
}

export interface WorkOptions {
  /** Worker threads at most; started on first use, stopped when idle. */
  threads: number
  /** How long one task may run, from the moment a worker starts it. */
  budgetMs: number
  /** Tasks waiting for a worker at most; beyond, TOO_MANY_REQUESTS. */
  maxQueue: number
  /** Heap of each worker: an input that exhausts it is TOO_COMPLEX, not a dead registry. */
  memoryMb: number
  /** How long a task may wait for a worker (its start included) before it is TOO_MANY_REQUESTS; default four budgets, at least 10 s. */
  maxWaitMs?: number
}

const WHAT: Record<Task['kind'], string> = {
  admit: 'checking the schema (compatibility and compilation)',
  admitPlain: 'checking the schema (compatibility and compilation)',
  compat: 'checking compatibility',
  types: 'compiling TypeScript types',
}

const tooComplex = (task: Task, figure: string, params: Record<string, unknown>) =>
  new ContractError('TOO_COMPLEX', `${WHAT[task.kind]} took ${figure}: the input is too complex`, [
    {
      path: '',
      keyword: 'budget',
      message: `${WHAT[task.kind]} took ${figure}; make the schema smaller or simpler (fewer properties, less nesting, fewer combinators)`,
      params,
    },
  ])

export const busy = (why: string): ContractError =>
  new ContractError(
    'TOO_MANY_REQUESTS',
    `the registry is busy: ${why}`,
    [{ path: '', keyword: 'queue', message: why, params: { retryAfterSeconds: 1 } }],
    { retriable: true },
  )

function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value
  const { code, message, issues } = outcome.error
  throw new ContractError(code, message, issues as Issue[])
}

/** The same tasks on the calling thread, without a budget: for a service used as a library and for tools. */
export const inlineWork: Work = {
  admit: async (candidate, state, options) =>
    unwrap((await runTask({ kind: 'admit', candidate, state, options })) as Outcome<Admission<Admitted>>),
  admitPlain: async (input) =>
    unwrap((await runTask({ kind: 'admitPlain', ...input })) as Outcome<Answers['admitPlain']>),
  compat: async (history, next, mode, policy) =>
    unwrap((await runTask({ kind: 'compat', history, next, mode, policy })) as Outcome<Answers['compat']>),
  types: async (schema, uri) => unwrap((await runTask({ kind: 'types', schema, uri })) as Outcome<string>),
  running: 0,
  queued: 0,
  close: async () => undefined,
}

const WORKER = import.meta.url.endsWith('.ts') ? './worker-tsx.js' : './worker.js'

export function createWorkPool({
  threads,
  budgetMs,
  maxQueue,
  memoryMb,
  maxWaitMs = Math.max(4 * budgetMs, 10_000),
}: WorkOptions): Work {
  const pool = new Piscina({
    // From the sources the worker needs tsx's loader (worker-tsx.js); compiled, it is plain JavaScript.
    filename: fileURLToPath(new URL(WORKER, import.meta.url)),
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: 60_000,
    maxQueue,
    // The worker registers its own TypeScript loader; none of the parent's flags (test runners, inspectors).
    execArgv: [],
    // Below the event loop's priority: on a busy machine the main thread keeps answering first.
    niceIncrement: 10,
    resourceLimits: { maxOldGenerationSizeMb: memoryMb },
  })
  let running = 0

  async function submit<K extends Task['kind']>(task: Task & { kind: K }): Promise<Answers[K]> {
    if (pool.queueSize >= maxQueue) throw busy(`${maxQueue} checks are already waiting`)
    const { port1, port2 } = new MessageChannel()
    const abort = new AbortController()
    let startedAt: number | undefined
    // Waiting for a worker is bounded too: a task not started within maxWaitMs is a busy registry (429).
    let timer = setTimeout(() => abort.abort('queue'), maxWaitMs)
    port1.once('message', () => {
      running++
      startedAt = performance.now()
      clearTimeout(timer)
      timer = setTimeout(() => abort.abort('budget'), budgetMs)
    })
    try {
      const outcome = (await pool.run(
        { task, started: port2 },
        { transferList: [port2], signal: abort.signal },
      )) as Outcome<Answers[K]>
      return unwrap(outcome)
    } catch (e) {
      if (abort.signal.reason === 'queue')
        throw busy(`waited over ${maxWaitMs} ms for a worker: ${threads} busy, ${pool.queueSize} waiting`)
      if (abort.signal.aborted)
        throw tooComplex(task, `over ${budgetMs} ms, the registry's time budget`, { budgetMs })
      const code = (e as { code?: unknown }).code
      if (code === 'ERR_WORKER_OUT_OF_MEMORY')
        throw tooComplex(task, `over ${memoryMb} MB of memory, the registry's budget`, { memoryMb })
      if ((e as Error).message === 'Task queue is at limit')
        throw busy(`${maxQueue} checks are already waiting`)
      throw e
    } finally {
      clearTimeout(timer)
      if (startedAt !== undefined) running--
      port1.close()
    }
  }

  return {
    admit: (candidate, state, options) => submit({ kind: 'admit', candidate, state, options }),
    admitPlain: (input) => submit({ kind: 'admitPlain', ...input }),
    compat: (history, next, mode, policy) => submit({ kind: 'compat', history, next, mode, policy }),
    types: (schema, uri) => submit({ kind: 'types', schema, uri }),
    get running() {
      return running
    },
    get queued() {
      return pool.queueSize
    },
    close: () => pool.destroy(),
  }
}
