import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

/** Method labels: these, else `OTHER`, so that a client sending made-up methods cannot grow the label sets. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

/** Prometheus metrics on a registry of their own, so that several apps in one process never collide. */
export function createMetrics({
  processMetrics,
  workRunning,
}: {
  processMetrics: boolean
  /** Expensive tasks running in worker threads now (the work pool's count). */
  workRunning?: () => number
}) {
  const registry = new Registry()
  if (processMetrics) collectDefaultMetrics({ register: registry })
  if (workRunning)
    new Gauge({
      name: 'registry_work_running',
      help: 'Compatibility checks, admissions and type compilations running in worker threads',
      registers: [registry],
      collect() {
        this.set(workRunning())
      },
    })
  const requests = new Counter({
    name: 'registry_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'registry_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1],
    registers: [registry],
  })
  const registrations = new Counter({
    name: 'registry_registrations_total',
    help: 'Registrations: created (a new version) or existing (identical content, no new version)',
    labelNames: ['result'] as const,
    registers: [registry],
  })
  const refusals = new Counter({
    name: 'registry_compatibility_refusals_total',
    help: 'Registrations refused as incompatible, by resource',
    labelNames: ['name'] as const,
    registers: [registry],
  })
  // Label lookups hash their values on every call: keep one child per label set.
  const requestChildren = new Map<string, Counter.Internal>()
  const durationChildren = new Map<string, Histogram.Internal<'route'>>()
  return {
    registry,
    request(rawMethod: string, route: string, status: number, seconds: number): void {
      const method = METHODS.has(rawMethod) ? rawMethod : 'OTHER'
      const key = `${method} ${route} ${status}`
      let child = requestChildren.get(key)
      if (!child) requestChildren.set(key, (child = requests.labels(method, route, String(status))))
      child.inc()
      let d = durationChildren.get(route)
      if (!d) durationChildren.set(route, (d = duration.labels(route)))
      d.observe(seconds)
    },
    registered: (created: boolean) => registrations.inc({ result: created ? 'created' : 'existing' }),
    refused: (name: string) => refusals.inc({ name }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>
