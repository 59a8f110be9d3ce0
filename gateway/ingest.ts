/**
 * Ingestion, the use case behind `POST /events`, in the order a request is judged:
 * token (401) → CloudEvents (400) → the token's scope for each event's resource (403) → routes (404 when unmatched
 * events are refused) → the contract, every event (422) → de-duplication → publish, the whole request in one send
 * (503 when the transport does not take it, retriable) → webhooks (502 when one does not take an event). Nothing is
 * published unless every event of the request is valid. Throws ContractErrors; the app makes them problems.
 */
import {
  ContractError,
  indexCatalog,
  sendFailed,
  type Catalog,
  type Encoder,
  type Issue,
  type EncodedMessage,
  type Sink,
} from '../core/index.ts'
import { credentialOf, type Authorize } from '../http/auth.ts'
import { readEvents, type IncomingEvent, type Mode } from './cloudevents.ts'
import { eventKey, type Dedup, type Done } from './dedup.ts'
import { resourceOf, toEnvelope } from './envelope.ts'
import type { Plan, Route } from './routes.ts'
import { DeliveryError } from './webhook/deliver.ts'

export interface IngestRequest {
  readonly mode: Mode
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

/** What happened to one event of the request. */
export interface IngestedEvent {
  readonly id: string
  readonly source: string
  readonly type: string
  /** Where it was published (topic or stream), when its routes publish it. */
  readonly destination?: string
  /** The routes whose webhook took it. */
  readonly webhooks: readonly string[]
  /** Taken before (the same source and id within the de-duplication window): nothing was done again. */
  readonly duplicate: boolean
}

export interface IngestAnswer {
  /** 202 when something was done, 200 when every event was a duplicate. */
  readonly status: 200 | 202
  readonly body: { readonly ids: readonly string[]; readonly events: readonly IngestedEvent[] }
}

export interface IngestDeps {
  readonly catalog: Catalog
  readonly encoder: Encoder
  readonly sink: Sink
  readonly router: (source: string, type: string) => Plan | undefined
  readonly authorize: Authorize
  readonly dedup: Dedup
  /** POSTs one encoded event to a route's webhook (with its own retries); throws a DeliveryError. */
  readonly deliver: (route: Route, message: EncodedMessage) => Promise<void>
  readonly maxBatchEvents: number
  readonly now: () => Date
}

interface Prepared {
  readonly event: IncomingEvent
  readonly at: string
  readonly key: string
  readonly plan: Plan
  readonly message: EncodedMessage
}

export function createIngest(
  deps: IngestDeps,
): (authorization: string | undefined, request: IngestRequest) => Promise<IngestAnswer> {
  const { catalog, encoder, sink, router, authorize, dedup, now } = deps
  const index = indexCatalog(catalog)

  /** Every event → its plan and its encoded message; any issue anywhere refuses the whole request. */
  function prepare(
    authorization: string | undefined,
    events: readonly IncomingEvent[],
    batch: boolean,
  ): Prepared[] {
    const at = (i: number) => (batch ? `/${i}` : '')
    events.forEach((event, i) =>
      authorize(authorization, { write: resourceOf(event, index), path: `${at(i)}/type` }),
    )
    const plans = events.map((e) => router(e.source, e.type))
    const unrouted: Issue[] = []
    plans.forEach((plan, i) => {
      if (!plan)
        unrouted.push({
          path: `${at(i)}/type`,
          keyword: 'route',
          message: `no route takes source '${events[i]?.source}' and type '${events[i]?.type}'`,
        })
    })
    if (unrouted.length) throw new ContractError('NO_ROUTE', 'no route takes the event', unrouted)
    const prepared: Prepared[] = []
    const issues: Issue[] = []
    events.forEach((event, i) => {
      const mapped = toEnvelope(event, index, at(i), now)
      if (!mapped.ok) return void issues.push(...mapped.issues)
      const { envelope, pointer, headers } = mapped.value
      const encoded = encoder.encodeEvent(envelope, { headers })
      if (!encoded.ok)
        return void issues.push(...encoded.issues.map((x) => ({ ...x, path: pointer(x.path) })))
      prepared.push({
        event,
        at: at(i),
        key: eventKey(event.source, event.id),
        plan: plans[i] as Plan,
        message: encoded.value,
      })
    })
    if (issues.length)
      throw new ContractError(
        'EVENT_INVALID',
        batch
          ? `${events.length - prepared.length} of ${events.length} events break their contract: none was published`
          : 'the event breaks its contract: it was not published',
        issues,
      )
    return prepared
  }

  async function publish(todo: readonly Prepared[]): Promise<void> {
    if (todo.length === 0) return
    try {
      if (todo.length === 1) await sink.send((todo[0] as Prepared).message)
      else await sink.sendBatch(todo.map((p) => p.message))
    } catch (e) {
      const failure = sendFailed(
        e,
        `the transport did not take ${todo.length === 1 ? 'the event' : `the ${todo.length} events`}`,
      )
      // Whatever the transport says, nothing of the request is bad: the client may send it again.
      throw new ContractError('SEND_FAILED', failure.message, [], { cause: e, retriable: true })
    }
  }

  /** Per route, the events in order; a route stops at its first failure (what comes after waits for the retry). */
  async function webhooks(todo: readonly Prepared[], done: Map<string, Done>): Promise<Issue[]> {
    const byRoute = new Map<Route, Prepared[]>()
    for (const p of todo)
      for (const r of p.plan.webhooks) {
        if (done.get(p.key)?.webhooks.has(r.name)) continue
        let list = byRoute.get(r)
        if (!list) byRoute.set(r, (list = []))
        list.push(p)
      }
    const failures: Issue[] = []
    await Promise.all(
      [...byRoute].map(async ([route, list]) => {
        for (const p of list) {
          try {
            await deps.deliver(route, p.message)
            done.get(p.key)?.webhooks.add(route.name)
          } catch (e) {
            if (!(e instanceof DeliveryError)) throw e
            failures.push({
              path: p.at || '',
              keyword: 'webhook',
              message: `route '${route.name}': ${e.message}`,
              params: {
                route: route.name,
                id: p.event.id,
                ...(e.status === undefined ? {} : { status: e.status }),
              },
            })
            return
          }
        }
      }),
    )
    return failures
  }

  return async (authorization, request) => {
    credentialOf(authorization) // 401 before the body is read
    const batch = request.mode === 'batch'
    const events = readEvents(request.mode, request.headers, request.body, deps)
    const prepared = prepare(authorization, events, batch)
    const keys = [...new Set(prepared.map((p) => p.key))]
    return dedup.exclusive(keys, async () => {
      const done = new Map<string, Done>()
      const first = new Map<string, Prepared>()
      for (const p of prepared) {
        if (!done.has(p.key)) done.set(p.key, dedup.get(p.key))
        if (!first.has(p.key)) first.set(p.key, p)
      }
      // Decided once, before anything is done: a duplicate is a later copy in the request, or an event done before.
      const duplicates = new Set(
        prepared.filter((p) => first.get(p.key) !== p || (done.get(p.key) as Done).complete),
      )
      const duplicate = (p: Prepared) => duplicates.has(p)
      const toPublish = prepared.filter(
        (p) => !duplicate(p) && p.plan.publish && !(done.get(p.key) as Done).published,
      )
      await publish(toPublish)
      for (const p of toPublish) {
        const d = done.get(p.key) as Done
        d.published = true
        dedup.remember(p.key, d)
      }
      const failures = await webhooks(
        prepared.filter((p) => !duplicate(p)),
        done,
      )
      for (const p of prepared) {
        if (duplicate(p)) continue
        const d = done.get(p.key) as Done
        d.complete = p.plan.webhooks.every((r) => d.webhooks.has(r.name))
        dedup.remember(p.key, d)
      }
      if (failures.length)
        throw new ContractError(
          'WEBHOOK_FAILED',
          `${failures.length === 1 ? 'a webhook' : `${failures.length} webhooks`} did not take the event${prepared.length === 1 ? '' : 's'}; what was done is remembered, send the request again`,
          failures,
          { retriable: true },
        )
      const out: IngestedEvent[] = prepared.map((p) => ({
        id: p.event.id,
        source: p.event.source,
        type: p.event.type,
        ...(p.plan.publish ? { destination: p.message.destination } : {}),
        webhooks: p.plan.webhooks.map((r) => r.name),
        duplicate: duplicate(p),
      }))
      return {
        status: out.every((e) => e.duplicate) ? 200 : 202,
        body: { ids: out.map((e) => e.id), events: out },
      }
    })
  }
}
