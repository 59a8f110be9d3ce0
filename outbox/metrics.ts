/** The relay's Prometheus metrics and its status line. The backlog is read from the table when scraped. */
import { Counter, Gauge, Registry } from 'prom-client'

/** What the table holds now: pending rows, the oldest one's age, aggregates waiting after a refusal. */
export interface Backlog {
  pending: number
  oldestAgeMs: number | undefined
  deferred: number
}

export type RelayState = 'stopped' | 'idle' | 'sending' | 'backing-off' | 'stopping'

export interface RelayStatus {
  state: RelayState
  /** Events this relay handed to the transport (re-sends after a crash or a partial failure count again). */
  sent: number
  /** Rounds whose send the transport refused or failed, whole or in part (their rows stay pending). */
  failedSends: number
  /** From the last read of the table (refreshStatus, a scrape); undefined before the first. */
  backlog: Backlog | undefined
  lastError: string | undefined
}

export interface RelayMetrics {
  readonly registry: Registry
  sent(n: number): void
  failed(): void
}

/** The metrics on `registry` (a new one by default): several relays in one process pass their own or none. */
export function createRelayMetrics(
  registry: Registry | undefined,
  readBacklog: () => Promise<Backlog>,
): RelayMetrics {
  const r = registry ?? new Registry()
  const sent = new Counter({
    name: 'outbox_events_sent_total',
    help: 'Events the relay handed to the transport (at least once: re-sends count again)',
    registers: [r],
  })
  const failures = new Counter({
    name: 'outbox_send_failures_total',
    help: 'Rounds whose send the transport refused or failed, whole or in part; those rows stay pending',
    registers: [r],
  })
  // One read of the table per scrape: a scrape collects the three gauges at once, and they share the read in flight.
  let reading: Promise<Backlog> | undefined
  const read = () => (reading ??= readBacklog().finally(() => (reading = undefined)))
  new Gauge({
    name: 'outbox_backlog',
    help: 'Rows waiting to be sent',
    registers: [r],
    async collect() {
      this.set((await read()).pending)
    },
  })
  new Gauge({
    name: 'outbox_oldest_age_seconds',
    help: 'Age of the oldest row waiting to be sent (0 when none)',
    registers: [r],
    async collect() {
      this.set(((await read()).oldestAgeMs ?? 0) / 1000)
    },
  })
  new Gauge({
    name: 'outbox_deferred_aggregates',
    help: 'Aggregates waiting after the transport refused their oldest event while it took others',
    registers: [r],
    async collect() {
      this.set((await read()).deferred)
    },
  })
  return { registry: r, sent: (n) => sent.inc(n), failed: () => failures.inc() }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** One line for people: `outbox relay idle: 5000 sent, 0 pending, 0 deferred, 0 failed sends`. */
export function formatStatus(s: RelayStatus): string {
  const b = s.backlog
  const backlog = b
    ? `${b.pending} pending${b.oldestAgeMs === undefined ? '' : ` (oldest ${seconds(b.oldestAgeMs)})`}, ${b.deferred} deferred`
    : 'backlog not read yet'
  const error = s.lastError ? `; last error: ${s.lastError}` : ''
  return `outbox relay ${s.state}: ${s.sent} sent, ${backlog}, ${s.failedSends} failed sends${error}`
}
