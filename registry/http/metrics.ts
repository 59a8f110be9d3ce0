import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'

/** Prometheus metrics on a registry of their own, so that several apps in one process never collide. */
export function createMetrics({ processMetrics }: { processMetrics: boolean }) {
  const registry = new Registry()
  if (processMetrics) collectDefaultMetrics({ register: registry })
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
    request(method: string, route: string, status: number, seconds: number): void {
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
