import { problem } from '../http/openapi.ts'
import { route, type Route } from '../http/route.ts'
import type { RouteDeps } from './deps.ts'
import { workQueueFull, invalidSchema, schemaBody } from './schemas.ts'
import { CompatReport, Config, json, name } from './shapes.ts'

const modeContent = json(Config, { compatibility: 'BACKWARD' })
const modeBody = {
  description: 'the mode',
  schema: Config,
  example: { compatibility: 'BACKWARD' },
  validate: 'edge',
} as const

export function compatibilityRoutes({ service, maxDepth, compatibility }: RouteDeps): Route[] {
  return [
    route({
      method: 'POST',
      path: '/compatibility/:name',
      operationId: 'checkCompatibility',
      tags: ['compatibility'],
      summary:
        'Check a schema against the resource history without registering (a new resource is compatible)',
      auth: 'public',
      params: { name },
      body: { ...schemaBody(maxDepth), maxBytes: compatibility?.maxBodyBytes },
      limit: compatibility?.limit,
      responses: {
        '200': { description: 'the verdict and every difference', content: json(CompatReport) },
        '422': invalidSchema,
        '429': workQueueFull,
      },
      handler: async (c, { name }, body) => c.json(await service.compatibility(name, body)),
    }),
    route({
      method: 'GET',
      path: '/config',
      operationId: 'getDefaultMode',
      tags: ['compatibility'],
      summary: 'The default compatibility mode',
      auth: 'public',
      responses: { '200': { description: 'the mode', content: modeContent } },
      handler: (c) => c.json({ compatibility: service.mode() }),
    }),
    route({
      method: 'PUT',
      path: '/config',
      operationId: 'setDefaultMode',
      tags: ['compatibility'],
      summary: 'Set the default compatibility mode',
      auth: 'admin',
      body: modeBody,
      responses: { '200': { description: 'the mode now', content: modeContent } },
      handler: async (c, _input, body, principal) =>
        c.json({ compatibility: await service.setMode(undefined, body.compatibility, principal.name) }),
    }),
    route({
      method: 'GET',
      path: '/config/:name',
      operationId: 'getMode',
      tags: ['compatibility'],
      summary: 'The mode of a resource (its own, else the default)',
      auth: 'public',
      params: { name },
      responses: {
        '200': { description: 'the mode', content: modeContent },
        '404': problem('unknown resource', 'UNKNOWN_RESOURCE'),
      },
      handler: (c, { name }) => c.json({ compatibility: service.mode(name) }),
    }),
    route({
      method: 'PUT',
      path: '/config/:name',
      operationId: 'setMode',
      tags: ['compatibility'],
      summary: 'Set the mode of a resource',
      auth: 'admin',
      params: { name },
      body: modeBody,
      responses: {
        '200': { description: 'the mode now', content: modeContent },
        '404': problem('unknown resource', 'UNKNOWN_RESOURCE'),
      },
      handler: async (c, { name }, body, principal) =>
        c.json({ compatibility: await service.setMode(name, body.compatibility, principal.name) }),
    }),
  ]
}
