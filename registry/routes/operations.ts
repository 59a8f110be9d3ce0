import { problem } from '../http/openapi.ts'
import { route, type Route } from '../http/route.ts'
import type { RouteDeps } from './deps.ts'
import { json } from './shapes.ts'

const JSON_TYPE = { 'content-type': 'application/json' }

export function operationRoutes({ store, metrics, documents }: RouteDeps): Route[] {
  return [
    route({
      method: 'GET',
      path: '/health',
      operationId: 'health',
      tags: ['operations'],
      summary: 'The process is alive',
      auth: 'public',
      responses: { '200': { description: 'alive', content: json({ type: 'object' }, { status: 'ok' }) } },
      handler: (c) => c.json({ status: 'ok' }),
    }),
    route({
      method: 'GET',
      path: '/ready',
      operationId: 'ready',
      tags: ['operations'],
      summary: 'Storage is reachable',
      auth: 'public',
      responses: {
        '200': {
          description: 'ready',
          content: json({ type: 'object' }, { status: 'ready', storage: 'postgres' }),
        },
        '503': problem('storage unreachable', 'REGISTRY_UNAVAILABLE'),
      },
      handler: async (c) => {
        await store.ping()
        return c.json({ status: 'ready', storage: store.kind })
      },
    }),
    route({
      method: 'GET',
      path: '/metrics',
      operationId: 'metrics',
      tags: ['operations'],
      summary: 'Prometheus metrics',
      auth: 'public',
      responses: {
        '200': {
          description: 'text exposition format',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
      },
      handler: async (c) =>
        c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
    }),
    route({
      method: 'GET',
      path: '/openapi.json',
      operationId: 'openapi',
      tags: ['operations'],
      summary: 'This document',
      auth: 'public',
      responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } },
      handler: (c) => c.body(documents.openapi, 200, JSON_TYPE),
    }),
    route({
      method: 'GET',
      path: '/docs',
      operationId: 'docs',
      tags: ['operations'],
      summary: 'This document as a page',
      auth: 'public',
      responses: { '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } },
      handler: (c) => c.html(documents.docs),
    }),
  ]
}
